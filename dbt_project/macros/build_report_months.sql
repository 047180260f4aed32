{#- The month a build loads, 'YYYY-MM-01': `--vars {report_month: ...}`, else the environment
    variable YUEBAO_REPORT_MONTH (what `yuebao run` sets: unlike --vars, it does not invalidate
    dbt's partial parse from one month to the next), else empty. -#}
{% macro loaded_report_month() -%}
    {{- return(var('report_month', env_var('YUEBAO_REPORT_MONTH', ''))) -}}
{%- endmacro %}

{#- The report months an incremental model (re)writes in this build, as a one-column query:
    the month being loaded (else the latest landed month) when the model is built
    incrementally, every landed report month on a full build. -#}
{% macro build_report_months() -%}
    {%- if is_incremental() and loaded_report_month() -%}
        select cast('{{ loaded_report_month() }}' as date) as report_month
    {%- elif is_incremental() -%}
        select max(report_month) as report_month from {{ ref('stg_landing__files') }}
    {%- else -%}
        select distinct report_month from {{ ref('stg_landing__files') }}
    {%- endif -%}
{%- endmacro %}

{#- The report month a build loads, for data tests that check only that month's rows. -#}
{% macro build_report_months_for_tests() -%}
    {%- if loaded_report_month() -%}
        select cast('{{ loaded_report_month() }}' as date)
    {%- else -%}
        select max(report_month) from {{ ref('stg_landing__files') }}
    {%- endif -%}
{%- endmacro %}
