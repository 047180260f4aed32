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
    cast(allow_negative as boolean) as allow_negative,
    seed_section
from {{ ref('indicators') }}
