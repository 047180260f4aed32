/* grain: one row per action of the 八大行动, in the order the monthly report prints them */
with actions as (

    select
        action,
        count(*) as indicator_count
    from {{ ref('stg_reference__indicators') }}
    group by action

),

ordered as (

    select
        action,
        indicator_count,
        case action
            when '产业培塑行动' then 1
            when '创新提升行动' then 2
            when '激发需求行动' then 3
            when '改革攻坚行动' then 4
            when '主体强身行动' then 5
            when '区域共进行动' then 6
            when '安全守底行动' then 7
            when '民生可感行动' then 8
            else 99
        end as action_order
    from actions

)

select * from ordered
