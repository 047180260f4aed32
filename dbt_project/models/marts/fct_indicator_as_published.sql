{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['report_month'],
    on_schema_change='sync_all_columns',
    contract={'enforced': false}
) }}
/* grain: report month × indicator × region × period — the facts a report month's build
   (re)computed, as they stood after loading that month: only files with report_month <= M count.
   A fact's value "as published in M" is its row with the greatest report_month <= M.
   Incremental: a build replaces its own report month's rows and never touches older months,
   so the bulletin of month M can be rebuilt exactly after later revisions. Rebuilding an older
   month (a later one has landed) computes its facts as of M here; otherwise they are the latest
   facts, which int_indicator_facts_rebuilt holds. */
-- depends_on: {{ ref('stg_landing__files') }}
-- built after fct_indicator_monthly, never beside it: the two are a month's largest queries, and
-- side by side they share DuckDB's memory limit (a country month: 100 s each, at the limit; one
-- after the other: 44 s each, 600 MB less at the peak; docs/benchmarks.md)
-- depends_on: {{ ref('fct_indicator_monthly') }}
-- depends_on: {{ ref('int_indicator_facts_rebuilt') }}
{% if is_incremental() and no_later_report_month_landed() %}
-- the loaded month is the latest: as published in it = the latest facts, computed once for both
-- fact models (a province month: 2.1 → 0.9 s, 5.2 → 0.9 s resending a quarter; docs/benchmarks.md)
select
    cast('{{ loaded_report_month() }}' as date) as report_month,
    {{ indicator_fact_columns() | join(',\n    ') }}
from {{ ref('int_indicator_facts_rebuilt') }}
where period <= cast('{{ loaded_report_month() }}' as date)
{% else %}
with

build_months as (

    {{ build_report_months() }}

),

scope as (

    select distinct
        affected.report_month as as_of_month,
        affected.indicator_code,
        affected.period
    from {{ ref('int_affected_periods') }} as affected
    inner join build_months
        on affected.report_month = build_months.report_month
    where affected.period <= affected.report_month

),

{{ indicator_facts('scope', as_of=true) }}

select
    as_of_month as report_month,
    {{ indicator_fact_columns() | join(',\n    ') }}
from facts
{% endif %}
