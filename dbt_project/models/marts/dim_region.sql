/* grain: one row per region (province, prefecture, county) */
with regions as (

    select * from {{ ref('stg_reference__regions') }}

),

parents as (

    select region_code, region_name from regions

),

final as (

    select
        regions.region_code,
        regions.region_name,
        regions.short_name,
        regions.region_level,
        regions.parent_code,
        parents.region_name as parent_name,
        regions.subregion,
        regions.subregion is not null as is_subregion_member,
        regions.aliases
    from regions
    left join parents
        on regions.parent_code = parents.region_code

)

select * from final
