select
    cast(action_order as integer) as action_order,
    action_name,
    task_force,
    lead_department,
    task_force_aliases
from {{ ref('actions') }}
