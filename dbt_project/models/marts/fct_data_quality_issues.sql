{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['report_month']
) }}
/* grain: one row per problem found in a department's submission, from reading files (ingest)
   or from resolving their rows against the catalog; read by the data-quality reports.
   Incremental: a build replaces its own report month's rows. */
-- depends_on: {{ ref('stg_landing__files') }}
with build_months as (

    {{ build_report_months() }}

),

ingest as (

    select
        issues.report_month, issues.file_sha256, issues.source_file, issues.submitted_by,
        issues.source_sheet, issues.source_row, issues.source_column, issues.raw_value,
        issues.rule, issues.severity, issues.message,
        'ingest' as stage
    from {{ ref('stg_landing__ingest_issues') }} as issues
    inner join build_months
        on issues.report_month = build_months.report_month
    where issues.is_current_file

),

resolution as (

    select
        issues.report_month, issues.file_sha256, issues.source_file, issues.submitted_by,
        issues.source_sheet, issues.source_row, issues.source_column, issues.raw_value,
        issues.rule, issues.severity, issues.message,
        'catalog' as stage
    from {{ ref('int_observation_issues') }} as issues
    inner join build_months
        on issues.report_month = build_months.report_month

)

select * from ingest
union all
select * from resolution
