{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['report_month']
) }}
/* grain: one row per problem found in a submission, from reading files (ingest), from resolving
   their rows against the catalog, or from checking prose figures against the published values
   (narrative_figure_mismatch, a warning); read by the data-quality reports.
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

),

narrative as (

    select
        compared.report_month,
        compared.file_sha256,
        compared.source_file,
        compared.submitter as submitted_by,
        cast(null as varchar) as source_sheet,
        compared.source_paragraph as source_row,
        '段落' as source_column,
        '文字 ' || compared.figure_text || '；发布值 ' || cast(compared.published_in_written_unit as varchar)
        || compared.unit_raw || '（' || compared.published_source_file || ' 第'
        || cast(compared.published_source_row as varchar) || '行）' as raw_value,
        'narrative_figure_mismatch' as rule,
        'warning' as severity,
        '文字材料第' || cast(compared.source_paragraph as varchar) || '段“' || compared.sentence || '”中'
        || compared.indicator_name || '为' || compared.figure_text || '，与已发布的 '
        || substring(cast(compared.period as varchar), 1, 7) || ' 数值 '
        || cast(compared.published_value as varchar) || compared.unit || '不一致（来源：'
        || compared.published_source_file || ' 第' || cast(compared.published_source_row as varchar) || '行）'
            as message,
        'narrative' as stage
    from {{ ref('int_narrative_figures_compared') }} as compared
    where compared.is_mismatch

)

select * from ingest
union all
select * from resolution
union all
select * from narrative
