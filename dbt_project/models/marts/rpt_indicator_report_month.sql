{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['report_month']
) }}
/* grain: report month × indicator × region — the input of month M's bulletin: per indicator and
   region, the latest period available as published in M (the October report mixes 1-9月 and
   1-10月 figures), with every column of fct_indicator_as_published for that row.
   Incremental: month M starts from the previous report month's rows and lets M's own
   fct_indicator_as_published rows win (later period, or the same period recomputed in M). */
-- depends_on: {{ ref('stg_landing__files') }}
with build_months as (

    {{ build_report_months() }}

),

{% if is_incremental() %}
previous_month as (

    -- one build month when incremental; an uncorrelated lookup, so the scan of {{ this }} is
    -- filtered by the month found (a correlated one re-joined all history: 7.7 s at month 120)
    select max(earlier.report_month) as report_month
    from {{ this }} as earlier
    where earlier.report_month < (select max(build_months.report_month) from build_months)

),
{% endif %}

published as (

    select * from {{ ref('fct_indicator_as_published') }}

),

candidates as (

    {% if is_incremental() %}
    select
        published.*,
        published.report_month as published_in
    from published
    inner join build_months
        on published.report_month = build_months.report_month

    union all

    select
        build_months.report_month,
        {{ indicator_fact_columns() | join(', ') }},
        previous.report_month as published_in
    from {{ this }} as previous
    inner join previous_month
        on previous.report_month = previous_month.report_month
    cross join build_months
    {% else %}
    select
        build_months.report_month,
        {{ indicator_fact_columns() | join(', ') }},
        published.report_month as published_in
    from published
    inner join build_months
        on published.report_month <= build_months.report_month
    {% endif %}

),

ranked as (

    select
        candidates.*,
        row_number() over (
            partition by candidates.report_month, candidates.indicator_code, candidates.region_code
            order by candidates.period desc, candidates.published_in desc
        ) as recency
    from candidates

)

select
    report_month,
    {{ indicator_fact_columns() | join(',\n    ') }}
from ranked
where recency = 1
