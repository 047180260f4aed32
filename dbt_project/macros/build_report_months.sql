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

{#- A filter keeping the rows of the report months this build (re)writes, for a model's own
    source rows. On an incremental build of a known month it is a constant comparison, which
    DuckDB pushes into the table scan (zone maps skip other months' row groups); a join with
    build_report_months() is not pushed through views and would read all history. -#}
{% macro in_build_report_months(column) -%}
    {%- if is_incremental() and loaded_report_month() -%}
        {{ column }} = cast('{{ loaded_report_month() }}' as date)
    {%- else -%}
        {{ column }} in ({{ build_report_months() }})
    {%- endif -%}
{%- endmacro %}

{#- How an intermediate model with one report month per row is kept: an incremental table on
    DuckDB, where the month's build starts from a copy of the published file, so the table always
    matches the landing history it was built from; a view on PostgreSQL, whose intermediate schema
    is built in place and outlives a month the gate rejects (a table there would keep that
    month's rows after the build is thrown away). -#}
{% macro per_month_materialization() -%}
    {{- return('incremental' if target.type == 'duckdb' else 'view') -}}
{%- endmacro %}
