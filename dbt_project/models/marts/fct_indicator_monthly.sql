/* grain: indicator × region × reference month (period), the value in force (latest vintage) */
with observations as (

    select * from {{ ref('int_observations_ranked_by_vintage') }}
    where vintage_rank = 1

),

indicators as (

    select * from {{ ref('dim_indicator') }}

),

regions as (

    select * from {{ ref('dim_region') }}

),

months as (

    select * from {{ ref('dim_month') }}

),

described as (

    select
        observations.*,
        indicators.indicator_name,
        indicators.action,
        indicators.department,
        indicators.basis,
        indicators.direction,
        regions.region_name,
        regions.region_level,
        regions.subregion
    from observations
    inner join indicators
        on observations.indicator_code = indicators.indicator_code
    inner join regions
        on observations.region_code = regions.region_code

),

with_history as (

    select
        described.*,
        previous_month.value as previous_month_value,
        previous_year.value as previous_year_value,
        province.value as province_value,
        province.yoy_pct as province_yoy_pct
    from described
    left join described as previous_month
        on described.indicator_code = previous_month.indicator_code
        and described.region_code = previous_month.region_code
        and previous_month.period = cast({{ dbt.dateadd('month', -1, 'described.period') }} as date)
    left join described as previous_year
        on described.indicator_code = previous_year.indicator_code
        and described.region_code = previous_year.region_code
        and previous_year.period = cast({{ dbt.dateadd('month', -12, 'described.period') }} as date)
    left join described as province
        on described.indicator_code = province.indicator_code
        and described.period = province.period
        and province.region_level = 'province'

),

peer_counts as (

    select
        indicator_code,
        period,
        sum(case when region_level = 'prefecture' then 1 else 0 end) as prefectures_reported,
        sum(case when subregion is not null then 1 else 0 end) as subregion_reported
    from described
    group by indicator_code, period

),

peer_totals as (

    select
        sum(case when region_level = 'prefecture' then 1 else 0 end) as prefectures_total,
        sum(case when subregion is not null then 1 else 0 end) as subregion_total
    from regions

),

computed_ranks as (

    select
        described.indicator_code,
        described.region_code,
        described.period,
        case when described.region_level = 'prefecture'
                and peer_counts.prefectures_reported = peer_totals.prefectures_total
            then rank() over (
                partition by described.indicator_code, described.period, described.region_level
                order by case when described.direction = 'down' then described.value else -described.value end
            )
        end as rank_province_computed,
        case when described.subregion is not null
                and peer_counts.subregion_reported = peer_totals.subregion_total
            then rank() over (
                partition by described.indicator_code, described.period, described.subregion
                order by case when described.direction = 'down' then described.value else -described.value end
            )
        end as rank_subregion_computed
    from described
    inner join peer_counts
        on described.indicator_code = peer_counts.indicator_code
        and described.period = peer_counts.period
    cross join peer_totals

),

derived as (

    select
        with_history.*,
        computed_ranks.rank_province_computed,
        computed_ranks.rank_subregion_computed,
        months.schedule_pct,
        case
            when with_history.basis = 'month' then with_history.value
            when with_history.basis = 'ytd' and extract(month from with_history.period) = 1 then with_history.value
            when with_history.basis = 'ytd' then with_history.value - with_history.previous_month_value
        end as value_month,
        case
            when with_history.basis in ('ytd', 'month', 'stock') and with_history.previous_year_value <> 0
                then round(cast((with_history.value / with_history.previous_year_value - 1) * 100 as numeric), 2)
        end as yoy_pct_computed
    from with_history
    inner join computed_ranks
        on with_history.indicator_code = computed_ranks.indicator_code
        and with_history.region_code = computed_ranks.region_code
        and with_history.period = computed_ranks.period
    left join months
        on with_history.period = months.period

),

final as (

    select
        period,
        region_code,
        region_name,
        indicator_code,
        indicator_name,
        action,
        department,
        unit,
        basis,
        value,
        value_month,
        coalesce(yoy_pct, yoy_pct_computed) as yoy_pct,
        coalesce(rank_province, rank_province_computed) as rank_province,
        coalesce(rank_subregion, rank_subregion_computed) as rank_subregion,
        annual_target,
        case when annual_target > 0 then value / annual_target * 100 end as completion_pct,
        cast(schedule_pct as double precision) as schedule_pct,
        case when annual_target > 0
            then value / annual_target * 100 - cast(schedule_pct as double precision) end as completion_gap_pp,
        case
            when region_level = 'province' then null
            when basis = 'rate' then value - province_value
            else coalesce(yoy_pct, yoy_pct_computed) - province_yoy_pct
        end as vs_province_pp,
        source_file,
        source_row,
        source_sheet,
        file_sha256,
        submitted_by,
        report_month,
        case when yoy_pct is not null then 'reported'
            when yoy_pct_computed is not null then 'computed' end as yoy_pct_source,
        case when basis = 'ytd' and extract(month from period) > 1 and previous_month_value is null
            then true else false end as is_value_month_missing,
        case when yoy_pct is not null and yoy_pct_computed is not null and abs(yoy_pct - yoy_pct_computed) > 0.1
            then true else false end as is_yoy_discrepant,
        case when (rank_province is not null and rank_province_computed is not null
                    and rank_province <> rank_province_computed)
                or (rank_subregion is not null and rank_subregion_computed is not null
                    and rank_subregion <> rank_subregion_computed)
            then true else false end as is_rank_discrepant,
        indicator_code || '|' || region_code || '|' || cast(period as varchar) as observation_key
    from derived

)

select * from final
