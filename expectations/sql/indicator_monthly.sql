-- grain: one row per fact of fct_indicator_monthly received this report month, with the checks
-- that need the rest of the table: county totals vs the city, YTD against last month, YoY history.
-- Those look back 12 months at most, so older periods are never read: the check's cost does not
-- grow with the years of history in the table.
with month_periods as (

    select min(period) - interval 12 month as first_needed, max(period) as last_needed
    from main.fct_indicator_monthly
    where report_month = getvariable('report_month')

),

facts as not materialized (

    select fct.*
    from main.fct_indicator_monthly as fct
    where fct.period between (select first_needed from month_periods) and (select last_needed from month_periods)

),

regions as (

    select * from main.dim_region

),

indicators as (

    select * from main.dim_indicator

),

county_counts as (

    select parent_code, count(*) as counties
    from regions
    where region_level = 'county'
    group by parent_code

),

county_sums as (

    select
        facts.indicator_code,
        facts.period,
        regions.parent_code,
        sum(facts.value) as county_sum,
        count(*) as counties_reported
    from facts
    inner join regions
        on facts.region_code = regions.region_code
    where regions.region_level = 'county' and facts.basis in ('ytd', 'stock')
    group by facts.indicator_code, facts.period, regions.parent_code

),

-- First period of each series within a year: a missing previous month before it is no gap.
series_start as (

    select indicator_code, region_code, extract(year from period) as year, min(period) as first_period
    from facts
    group by indicator_code, region_code, extract(year from period)

),

month_facts as (

    select * from facts
    where report_month = getvariable('report_month')

),

compared as (

    select
        month_facts.*,
        indicators.allow_negative,
        county_sums.county_sum,
        previous_month.value as previous_month_value,
        previous_year.value as previous_year_value,
        -- 当月 cannot be derived because the series has a hole (an earlier month of the year is
        -- there, the previous one is not); a series that simply starts this month is no problem.
        coalesce(month_facts.is_value_month_missing and series_start.first_period < month_facts.period, false)
            as is_value_month_gap,
        -- Additive indicators only, and only when every county reported: a partial sum says nothing.
        case when county_sums.counties_reported = county_counts.counties and month_facts.value <> 0
            then round((county_sums.county_sum / month_facts.value - 1) * 100, 2)
        end as county_gap_pct,
        case when month_facts.basis = 'ytd' and not coalesce(indicators.allow_negative, false)
            then month_facts.value - previous_month.value
        end as ytd_change,
        case
            when month_facts.basis = 'rate' then null
            when previous_year.value > 0 then round((month_facts.value / previous_year.value - 1) * 100, 2)
            else month_facts.yoy_pct
        end as yoy_change_pct
    from month_facts
    left join indicators
        on month_facts.indicator_code = indicators.indicator_code
    left join county_sums
        on month_facts.indicator_code = county_sums.indicator_code
        and month_facts.period = county_sums.period
        and month_facts.region_code = county_sums.parent_code
    left join county_counts
        on month_facts.region_code = county_counts.parent_code
    left join facts as previous_month
        on month_facts.indicator_code = previous_month.indicator_code
        and month_facts.region_code = previous_month.region_code
        and previous_month.period = month_facts.period - interval 1 month
        and extract(month from month_facts.period) > 1
    left join facts as previous_year
        on month_facts.indicator_code = previous_year.indicator_code
        and month_facts.region_code = previous_year.region_code
        and previous_year.period = month_facts.period - interval 12 month
    left join series_start
        on month_facts.indicator_code = series_start.indicator_code
        and month_facts.region_code = series_start.region_code
        and extract(year from month_facts.period) = series_start.year

),

final as (

    select
        submitted_by,
        source_file,
        source_sheet,
        source_row,
        indicator_name || ' · ' || region_name || ' · ' || strftime(period, '%Y-%m') as subject,
        indicator_code,
        region_code,
        period,
        value,
        yoy_pct,
        rank_province,
        completion_pct,
        is_value_month_missing,
        is_value_month_gap,
        is_yoy_discrepant,
        is_rank_discrepant,
        county_gap_pct,
        '全市 ' || cast(value as varchar) || '，县市区合计 ' || cast(round(county_sum, 4) as varchar)
            as reconcile_text,
        ytd_change,
        '本月累计 ' || cast(value as varchar) || '，上月累计 ' || cast(previous_month_value as varchar) as ytd_text,
        yoy_change_pct
    from compared

),

-- row_id numbers the rows in report order: sorted here, then numbered as they stream out. A
-- window ``row_number() over (order by …)`` sorted every column of the 2.9M rows of a country
-- month in the window operator, 1.5× slower (same rows, same ids, same file order).
ordered as (

    select * from final
    order by source_file, source_sheet, source_row, indicator_code, region_code

)

select
    row_number() over () as row_id,
    *
from ordered
