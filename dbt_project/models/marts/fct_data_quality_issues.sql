/* grain: one row per problem found in a department's submission, from reading files (ingest)
   or from resolving their rows against the catalog; read by the data-quality reports. */
with ingest as (

    select
        report_month, file_sha256, source_file, submitted_by, source_sheet, source_row,
        source_column, raw_value, rule, severity, message,
        'ingest' as stage
    from {{ ref('stg_landing__ingest_issues') }}
    where is_current_file

),

resolution as (

    select
        report_month, file_sha256, source_file, submitted_by, source_sheet, source_row,
        source_column, raw_value, rule, severity, message,
        'catalog' as stage
    from {{ ref('int_observation_issues') }}

)

select * from ingest
union all
select * from resolution
