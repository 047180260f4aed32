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
   int_affected_periods), computed from a 13-month lookback; delete+insert on
   (indicator_code, period) keeps it idempotent and picks up resubmissions of old periods. */
-- depends_on: {{ ref('int_affected_periods') }}
-- depends_on: {{ ref('stg_landing__files') }}
with

{% if is_incremental() %}
build_months as (

    {{ build_report_months() }}

),

scope as (

    select distinct
        cast(null as date) as as_of_month,
        affected.indicator_code,
        affected.period
    from {{ ref('int_affected_periods') }} as affected
    inner join build_months
        on affected.report_month = build_months.report_month

),
{% else %}
scope as (

    select distinct
        cast(null as date) as as_of_month,
        indicator_code,
        period
    from {{ ref('int_observations_resolved_to_catalog') }}
    where resolution_issue is null

),
{% endif %}

{{ indicator_facts('scope', as_of=false) }}

select
    {{ indicator_fact_columns() | join(',\n    ') }},
    source_report_month as report_month
from facts
