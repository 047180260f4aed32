{{ config(materialized='table') }}
/* grain: indicator × region × period — the facts in force (latest vintage) for every indicator ×
   period the loaded report month affects (int_affected_periods), with their derived measures
   (macros/indicator_facts.sql). Computed once per build and read by the two fact models that
   need them: fct_indicator_monthly writes them as the latest facts, and fct_indicator_as_published
   takes them as "as published in M" when no later report month has landed (then every landed
   file has report_month <= M, so the latest vintage is the one in force as of M). Each build
   replaces the table: it holds the loaded month's scope only. */
with scope as (

    select distinct
        cast(null as date) as as_of_month,
        indicator_code,
        period
    from {{ ref('int_affected_periods') }}
    where report_month = cast('{{ loaded_report_month() }}' as date)

),

{{ indicator_facts('scope', as_of=false) }}

select
    {{ indicator_fact_columns() | join(',\n    ') }}
from facts
