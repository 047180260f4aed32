/* grain: one row per catalogued indicator */
select
    indicator_code,
    indicator_name,
    aliases,
    action,
    department,
    unit,
    basis,
    direction,
    description,
    allow_negative,
    seed_section
from {{ ref('stg_reference__indicators') }}
