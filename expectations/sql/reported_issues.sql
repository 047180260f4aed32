-- grain: one row per problem ingestion or catalog resolution recorded for the report month,
-- except whole-file problems (received_files) and unresolved names (staged_observations).
with issues as (

    select * from main.fct_data_quality_issues
    where report_month = getvariable('report_month')
        and not list_contains(getvariable('file_rules'), rule)
        and not (stage = 'catalog' and list_contains(getvariable('resolution_rules'), rule))

),

final as (

    select
        row_number() over (order by source_file, source_sheet, source_row, source_column) as row_id,
        submitted_by,
        source_file,
        source_sheet,
        source_row,
        coalesce(source_column, '') || ' ' || coalesce(raw_value, '') as subject,
        source_column,
        raw_value,
        rule,
        severity,
        message,
        stage
    from issues

)

select * from final
