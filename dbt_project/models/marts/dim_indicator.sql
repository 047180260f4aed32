/* grain: one row per catalogued indicator, with its action (and its place in the report) and
   the code of the department that owns it */
with indicators as (

    select * from {{ ref('stg_reference__indicators') }}

),

departments as (

    select * from {{ ref('stg_reference__departments') }}

),

actions as (

    select * from {{ ref('dim_action') }}

)

select
    indicators.indicator_code,
    indicators.indicator_name,
    indicators.aliases,
    indicators.action,
    actions.action_order,
    indicators.department,
    departments.department_code,
    indicators.unit,
    indicators.basis,
    indicators.direction,
    indicators.description,
    indicators.allow_negative,
    indicators.seed_section
from indicators
left join departments
    on indicators.department = departments.department_name
left join actions
    on indicators.action = actions.action
