{#- The month a build loads, 'YYYY-MM-01': `--vars {report_month: ...}`, else the environment
    variable YUEBAO_REPORT_MONTH (what `yuebao run` sets for the length of the build: unlike
    --vars, it does not invalidate dbt's partial parse from one month to the next). A build
    without either is an error, never a guess at the month. The variable is read only when dbt
    executes: read while parsing, dbt would record it in the manifest and re-parse every model
    using it each month, and one parsed manifest could not serve two months (yuebao/transform.py). -#}
{% macro loaded_report_month() -%}
    {%- set month = var('report_month', '') -%}
    {%- if execute and not month -%}
        {%- set month = env_var('YUEBAO_REPORT_MONTH', '') -%}
    {%- endif -%}
    {%- if execute and not month -%}
        {{- exceptions.raise_compiler_error(
            "no report month: set YUEBAO_REPORT_MONTH=YYYY-MM-01 or pass --vars '{report_month: YYYY-MM-01}'"
        ) -}}
    {%- endif -%}
    {{- return(month) -}}
{%- endmacro %}

{#- The report months an incremental model (re)writes in this build, as a one-column query:
    the month being loaded when the model is built incrementally, every landed report month on
    a full build. -#}
{% macro build_report_months() -%}
    {%- set month = loaded_report_month() -%}
    {%- if is_incremental() -%}
        select cast('{{ month }}' as date) as report_month
    {%- else -%}
        select distinct report_month from {{ ref('stg_landing__files') }}
    {%- endif -%}
{%- endmacro %}

{#- The report month a build loads, for data tests that check only that month's rows. -#}
{% macro build_report_months_for_tests() -%}
    select cast('{{ loaded_report_month() }}' as date)
{%- endmacro %}

{#- A filter keeping the rows of the report months this build (re)writes, for a model's own
    source rows. On an incremental build of a known month it is a constant comparison, which
    DuckDB pushes into the table scan (zone maps skip other months' row groups); a join with
    build_report_months() is not pushed through views and would read all history. -#}
{% macro in_build_report_months(column) -%}
    {%- if is_incremental() -%}
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

{#- True when no landed file belongs to a report month after the one this build loads (a monthly
    load or a backfill, not the rebuild of an older month): then every landed file counts "as of"
    the loaded month, and its facts as published are the latest ones (int_indicator_facts_rebuilt).
    Asked of the warehouse when dbt executes; False while it parses. -#}
{% macro no_later_report_month_landed() -%}
    {%- if not execute -%}
        {{- return(false) -}}
    {%- endif -%}
    {%- set later = run_query(
        "select count(*) from " ~ ref('stg_landing__files')
        ~ " where report_month > cast('" ~ loaded_report_month() ~ "' as date)") -%}
    {{- return(later.columns[0].values()[0] == 0) -}}
{%- endmacro %}
