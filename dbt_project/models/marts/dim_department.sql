/* grain: one row per reporting department */
select
    department_code,
    department_name,
    contact_email,
    actions,
    aliases
from {{ ref('stg_reference__departments') }}
