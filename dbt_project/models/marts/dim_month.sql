/* grain: one row per calendar month from 2015-01 to 2040-12, with 序时进度 (share of the year elapsed) */
with offsets as (

    select generate_series as month_offset
    from generate_series(0, 311)

),

months as (

    select
        cast({{ dbt.dateadd('month', 'month_offset', "cast('2015-01-01' as date)") }} as date) as period
    from offsets

),

final as (

    select
        period,
        cast(extract(year from period) as integer) as year,
        cast(extract(month from period) as integer) as month,
        cast(extract(year from period) as varchar) || '年1-' || cast(extract(month from period) as varchar) || '月' as ytd_label,
        round(cast(extract(month from period) as numeric) * 100 / 12, 2) as schedule_pct
    from months

)

select * from final
