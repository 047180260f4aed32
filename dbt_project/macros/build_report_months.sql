{#- The report months an incremental model (re)writes in this build, as a one-column query:
    the month being loaded (`--vars {report_month: 'YYYY-MM-01'}`, else the latest landed month)
    when the model is built incrementally, every landed report month on a full build. -#}
{% macro build_report_months() -%}
    {%- if is_incremental() and var('report_month', none) -%}
        select cast('{{ var("report_month") }}' as date) as report_month
    {%- elif is_incremental() -%}
        select max(report_month) as report_month from {{ ref('stg_landing__files') }}
    {%- else -%}
        select distinct report_month from {{ ref('stg_landing__files') }}
    {%- endif -%}
{%- endmacro %}

{#- The report month a build loads, for data tests that check only that month's rows. -#}
{% macro build_report_months_for_tests() -%}
    {%- if var('report_month', none) -%}
        select cast('{{ var("report_month") }}' as date)
    {%- else -%}
        select max(report_month) from {{ ref('stg_landing__files') }}
    {%- endif -%}
{%- endmacro %}
