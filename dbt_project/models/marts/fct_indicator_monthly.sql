{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['indicator_code', 'period'],
    on_schema_change='sync_all_columns',
    contract={'enforced': false}
) }}
/* grain: indicator × region × reference month (period), the value in force (latest vintage)
   with its derived measures (rules: macros/indicator_facts.sql and the model's docs).
   Incremental: a build rewrites every indicator × period its report month affects (see
   int_affected_periods), computed from a 13-month lookback in int_indicator_facts_rebuilt;
   delete+insert on (indicator_code, period) keeps it idempotent and picks up resubmissions of
   old periods. A full build computes every period here. */
-- depends_on: {{ ref('int_indicator_facts_rebuilt') }}
{% if is_incremental() %}
-- computed once for the month's scope, with fct_indicator_as_published (int_indicator_facts_rebuilt)
select
    {{ indicator_fact_columns() | join(',\n    ') }},
    source_report_month as report_month
from {{ ref('int_indicator_facts_rebuilt') }}
{% else %}
with

scope as (

    select distinct
        cast(null as date) as as_of_month,
        indicator_code,
        period
    from {{ ref('int_observations_resolved_to_catalog') }}
    where resolution_issue is null

),

{{ indicator_facts('scope', as_of=false) }}

select
    {{ indicator_fact_columns() | join(',\n    ') }},
    source_report_month as report_month
from facts
{% endif %}
