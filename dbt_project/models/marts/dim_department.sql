/* grain: one row per reporting department */
with departments as (

    select * from {{ ref('stg_reference__departments') }}

),

owned as (

    select
        department,
        count(*) as indicators_owned
    from {{ ref('stg_reference__indicators') }}
    group by department

)

select
    departments.department_code,
    departments.department_name,
    departments.contact_email,
    departments.actions,
    departments.aliases,
    coalesce(owned.indicators_owned, 0) as indicators_owned
from departments
left join owned
    on departments.department_name = owned.department
