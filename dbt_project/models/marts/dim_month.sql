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
        cast(extract(quarter from period) as integer) as quarter,
        cast(extract(month from period) as integer) as month,
        {{ month_index('period') }} as month_index,
        cast(extract(year from period) as {{ dbt.type_string() }}) || '年1-'
        || cast(extract(month from period) as {{ dbt.type_string() }}) || '月' as ytd_label,
        cast(extract(year from period) as {{ dbt.type_string() }}) || '年'
        || cast(extract(month from period) as {{ dbt.type_string() }}) || '月' as month_label,
        {{ schedule_pct('period') }} as schedule_pct,
        extract(month from period) = 12 as is_year_end
    from months

)

select * from final
