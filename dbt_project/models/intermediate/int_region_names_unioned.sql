/* grain: one row per spelling of a region (standard name, short name, code, alias) */
with regions as (

    select * from {{ ref('stg_reference__regions') }}

),

aliases as (

    select
        regions.region_code,
        alias.name
    from regions
    cross join {{ split_to_rows('regions.aliases') }} as alias (name)
    where regions.aliases is not null

),

spellings as (

    select
        region_code,
        region_name as name
    from regions
    union all
    select
        region_code,
        short_name
    from regions
    union all
    select
        region_code,
        region_code as name
    from regions
    union all
    select
        region_code,
        name
    from aliases

)

select distinct
    {{ name_key('name') }} as region_key,
    region_code
from spellings
where name is not null and trim(name) <> ''
