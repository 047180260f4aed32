-- grain: one row per file received for the report month (current version of each file name).
with files as (

    select * from staging.stg_landing__files
    where report_month = getvariable('report_month') and is_current_file

),

file_issues as (

    select
        file_sha256,
        rule,
        message,
        row_number() over (partition by file_sha256 order by source_row nulls first, rule) as issue_order
    from staging.stg_landing__ingest_issues
    where report_month = getvariable('report_month')
        and is_current_file
        and list_contains(getvariable('file_rules'), rule)

),

header_issues as (

    select distinct file_sha256
    from file_issues
    where rule in ('missing_required_column', 'unknown_layout')

),

final as (

    select
        row_number() over (order by files.source_file) as row_id,
        files.submitted_by,
        files.source_file,
        cast(null as varchar) as source_sheet,
        cast(null as integer) as source_row,
        files.source_file as subject,
        files.file_status,
        files.rows_read,
        files.rows_quarantined,
        header_issues.file_sha256 is null as has_required_columns,
        coalesce(first_issue.rule, 'unreadable_file') as reject_rule,
        first_issue.message as reject_reason
    from files
    left join file_issues as first_issue
        on files.file_sha256 = first_issue.file_sha256 and first_issue.issue_order = 1
    left join header_issues
        on files.file_sha256 = header_issues.file_sha256

)

select * from final
