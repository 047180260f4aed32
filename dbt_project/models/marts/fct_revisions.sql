{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['report_month']
) }}
/* grain: report month × indicator × region × period — one row per change of a value already
   published: the report month M whose files changed it, the value as published before M (old)
   and in M (new), who sent each and from which file. A value published for the first time, or
   resent unchanged, is no revision. Incremental: a build writes its own report month's rows. */
-- depends_on: {{ ref('stg_landing__files') }}
with build_months as (

    {{ build_report_months() }}

),

touched_keys as (

    select distinct
        published.indicator_code,
        published.region_code,
        published.period
    from {{ ref('fct_indicator_as_published') }} as published
    inner join build_months
        on published.report_month = build_months.report_month

),

history as (

    select
        published.*,
        lag(published.value) over key_history as old_value,
        lag(published.report_month) over key_history as old_published_in,
        lag(published.source_report_month) over key_history as old_report_month,
        lag(published.source_file) over key_history as old_source_file,
        lag(published.source_row) over key_history as old_source_row,
        lag(published.submitted_by) over key_history as old_submitted_by
    from {{ ref('fct_indicator_as_published') }} as published
    inner join touched_keys
        on published.indicator_code = touched_keys.indicator_code
        and published.region_code = touched_keys.region_code
        and published.period = touched_keys.period
    window key_history as (
        partition by published.indicator_code, published.region_code, published.period
        order by published.report_month
    )

),

final as (

    select
        history.report_month,
        history.indicator_code,
        history.indicator_name,
        history.region_code,
        history.region_name,
        history.period,
        history.unit,
        history.old_value,
        history.value as new_value,
        {{ round_to('history.value - history.old_value', 10) }} as difference,
        case
            when history.old_value <> 0
                then {{ round_to('(history.value / history.old_value - 1) * 100', 2) }}
        end as difference_pct,
        history.department,
        history.old_submitted_by,
        history.submitted_by as new_submitted_by,
        history.old_published_in,
        history.old_report_month,
        history.source_report_month as new_report_month,
        history.old_source_file,
        history.old_source_row,
        history.source_file as new_source_file,
        history.source_row as new_source_row,
        history.observation_key
    from history
    inner join build_months
        on history.report_month = build_months.report_month
    where history.old_value is not null
        and abs(history.value - history.old_value) > 1e-9

)

select * from final
