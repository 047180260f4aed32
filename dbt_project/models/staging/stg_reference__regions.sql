select
    cast(region_code as varchar(12)) as region_code,
    region_name,
    short_name,
    level as region_level,
    cast(parent_code as varchar(12)) as parent_code,
    subregion,
    aliases,
    coalesce(cast(expects_narrative as boolean), false) as expects_narrative
from {{ ref('regions') }}
