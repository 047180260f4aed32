/* grain: one row per region (province, prefecture, county), with its place in the hierarchy
   province → prefecture → county and its 片区 membership */
with regions as (

    select * from {{ ref('stg_reference__regions') }}

),

parents as (

    select
        region_code,
        region_name,
        region_level,
        parent_code
    from regions

),

subregion_sizes as (

    select
        subregion,
        count(*) as subregion_members
    from regions
    where subregion is not null
    group by subregion

),

final as (

    select
        regions.region_code,
        regions.region_name,
        regions.short_name,
        regions.region_level,
        case regions.region_level when 'province' then 1 when 'prefecture' then 2 else 3 end as level_depth,
        regions.parent_code,
        parents.region_name as parent_name,
        case regions.region_level
            when 'province' then regions.region_code
            when 'prefecture' then regions.parent_code
            else parents.parent_code
        end as province_code,
        case regions.region_level
            when 'prefecture' then regions.region_code
            when 'county' then regions.parent_code
        end as prefecture_code,
        case regions.region_level
            when 'prefecture' then regions.region_name
            when 'county' then parents.region_name
        end as prefecture_name,
        regions.subregion,
        regions.subregion is not null as is_subregion_member,
        subregion_sizes.subregion_members,
        regions.aliases
    from regions
    left join parents
        on regions.parent_code = parents.region_code
    left join subregion_sizes
        on regions.subregion = subregion_sizes.subregion

)

select * from final
