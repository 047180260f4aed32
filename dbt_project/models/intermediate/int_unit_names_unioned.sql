/* grain: one row per spelling of a unit */
with units as (

    select * from {{ ref('stg_reference__units') }}

),

aliases as (

    select
        units.unit,
        alias.name
    from units
    cross join {{ split_to_rows('units.aliases') }} as alias (name)
    where units.aliases is not null

),

spellings as (

    select
        unit,
        unit as name
    from units
    union all
    select
        unit,
        name
    from aliases

)

select distinct
    {{ name_key('name') }} as unit_key,
    unit
from spellings
where name is not null and trim(name) <> ''
