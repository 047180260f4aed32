{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['report_month']
) }}
/* grain: one row per problem found in a department's submission, from reading files (ingest)
   or from resolving their rows against the catalog; read by the data-quality reports.
   Incremental: a build replaces its own report month's rows. */
-- depends_on: {{ ref('stg_landing__files') }}
{%- set issue_columns = [
    'report_month', 'file_sha256', 'source_file', 'submitted_by', 'source_sheet', 'source_row',
    'source_column', 'raw_value', 'rule', 'severity', 'message',
] %}
with build_months as (

    {{ build_report_months() }}

),

ingest as (

    select
        {% for column in issue_columns -%}
        issues.{{ column }},
        {% endfor -%}
        'ingest' as stage
    from {{ ref('stg_landing__ingest_issues') }} as issues
    inner join build_months
        on issues.report_month = build_months.report_month
    where issues.is_current_file

),

resolution as (

    select
        {% for column in issue_columns -%}
        issues.{{ column }},
        {% endfor -%}
        'catalog' as stage
    from {{ ref('int_observation_issues') }} as issues
    inner join build_months
        on issues.report_month = build_months.report_month

)

select * from ingest
union all
select * from resolution
