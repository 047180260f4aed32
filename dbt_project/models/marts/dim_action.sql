/* grain: one row per action of the 八大行动, in the order the monthly report prints them
   (action_order from actions.csv, the one place that order is kept) */
with actions as (

    select * from {{ ref('stg_reference__actions') }}

),

indicator_counts as (

    select
        action,
        count(*) as indicator_count
    from {{ ref('stg_reference__indicators') }}
    group by action

),

final as (

    select
        actions.action_name as action,
        coalesce(indicator_counts.indicator_count, 0) as indicator_count,
        actions.action_order
    from actions
    left join indicator_counts
        on actions.action_name = indicator_counts.action

)

select * from final
