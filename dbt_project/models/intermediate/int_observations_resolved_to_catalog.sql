{{ config(
    materialized=per_month_materialization(),
    incremental_strategy='delete+insert',
    unique_key=['report_month']
) }}
/* grain: one row per observation read from a file (every vintage), resolved to catalog codes
   and converted to the indicator's canonical unit; unresolved parts are NULL and flagged.
   Incremental on DuckDB (per_month_materialization): a build resolves its own report month's
   rows once, and the fact models read earlier months from this table instead of re-resolving
   all history every month. A catalog change applies to the months loaded (or re-run) after it;
   a full refresh re-resolves every month. */
-- depends_on: {{ ref('stg_landing__files') }}
with observations as (

    select * from {{ ref('stg_landing__observations') }}
    where {{ in_build_report_months('report_month') }}

),

region_names as (

    select * from {{ ref('int_region_names_unioned') }}

),

indicator_names as (

    select * from {{ ref('int_indicator_names_unioned') }}

),

unit_names as (

    select * from {{ ref('int_unit_names_unioned') }}

),

indicators as (

    select * from {{ ref('stg_reference__indicators') }}

),

unit_conversions as (

    select * from {{ ref('int_unit_conversions') }}

),

resolved as (

    select
        observations.*,
        region_names.region_code,
        indicator_names.indicator_code,
        unit_names.unit as unit_sent,
        indicators.unit,
        unit_conversions.is_convertible,
        unit_conversions.factor as unit_factor
    from observations
    left join region_names
        on observations.region_key = region_names.region_key
    left join indicator_names
        on observations.indicator_key = indicator_names.indicator_key
    left join unit_names
        on {{ name_key('observations.unit_raw') }} = unit_names.unit_key
    left join indicators
        on indicator_names.indicator_code = indicators.indicator_code
    left join unit_conversions
        on unit_names.unit_key = unit_conversions.unit_key
        and indicators.unit = unit_conversions.to_unit

),

final as (

    select
        report_month,
        file_sha256,
        source_file,
        source_sheet,
        source_row,
        received_at,
        is_current_file,
        submitted_by,
        period,
        period_form,
        region_raw,
        region_code,
        indicator_raw,
        indicator_code,
        unit_raw,
        unit,
        value_as_sent,
        case
            when is_convertible
                then {{ round_to('value_as_sent * unit_factor', 10) }}
        end as value,
        case
            when is_convertible
                then {{ round_to('annual_target_as_sent * unit_factor', 10) }}
        end as annual_target,
        yoy_pct,
        rank_province,
        rank_subregion,
        note,
        case
            when region_code is null then 'unknown_region'
            when indicator_code is null then 'unknown_indicator'
            when unit_sent is null then 'unknown_unit'
            when not is_convertible then 'unit_mismatch'
        end as resolution_issue
    from resolved

)

select * from final
