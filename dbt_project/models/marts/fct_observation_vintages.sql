{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['indicator_code', 'period'],
    on_schema_change='sync_all_columns',
    contract={'enforced': false}
) }}
/* grain: one row per observation of every file ever received (every vintage), resolved to the
   catalog; is_current marks the one in force for its indicator × region × period.
   Incremental: a build re-ranks every vintage of the indicator × periods its files carry. */
-- depends_on: {{ ref('int_report_month_periods') }}
-- depends_on: {{ ref('stg_landing__files') }}
with

{% if is_incremental() %}
build_months as (

    {{ build_report_months() }}

),

scope as (

    select distinct
        touched.indicator_code,
        touched.period
    from {{ ref('int_report_month_periods') }} as touched
    inner join build_months
        on touched.report_month = build_months.report_month

),
{% endif %}

resolved as (

    select resolved.*
    from {{ ref('int_observations_resolved_to_catalog') }} as resolved
    {% if is_incremental() %}
    inner join scope
        on resolved.indicator_code = scope.indicator_code
        and resolved.period = scope.period
    {% endif %}
    where resolved.resolution_issue is null

),

ranked as (

    select
        resolved.*,
        case when resolved.is_current_file then row_number() over vintages end as vintage_rank
    from resolved
    window vintages as (
        partition by resolved.indicator_code, resolved.region_code, resolved.period, resolved.is_current_file
        order by {{ vintage_order('resolved') }}
    )

)

select
    period,
    region_code,
    indicator_code,
    value,
    unit,
    yoy_pct,
    rank_province,
    rank_subregion,
    annual_target,
    report_month,
    received_at,
    submitted_by,
    source_file,
    source_sheet,
    source_row,
    file_sha256,
    vintage_rank,
    is_current_file,
    coalesce(vintage_rank = 1, false) as is_current
from ranked
