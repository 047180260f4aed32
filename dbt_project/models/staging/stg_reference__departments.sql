select
    department_code,
    department_name,
    contact_email,
    actions,
    aliases
from {{ ref('departments') }}
