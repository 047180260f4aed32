select
    unit,
    dimension,
    cast(factor as double precision) as factor,
    aliases
from {{ ref('units') }}
