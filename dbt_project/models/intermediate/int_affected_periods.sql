/* grain: report month × indicator × period — the facts a report month's build must (re)compute:
   the periods its files carry, the month after each (its value_month subtracts this one) and the
   same month a year later (its yoy_pct divides by this one). Ranks and vs_province_pp only read
   the same indicator × period, so nothing else depends on a changed value. */
with touched as (

    select * from {{ ref('int_report_month_periods') }}

),

dependents as (

    select
        report_month,
        indicator_code,
        period
    from touched
    union
    select
        report_month,
        indicator_code,
        cast({{ dbt.dateadd('month', 1, 'period') }} as date)
    from touched
    union
    select
        report_month,
        indicator_code,
        cast({{ dbt.dateadd('month', 12, 'period') }} as date)
    from touched

)

select * from dependents
