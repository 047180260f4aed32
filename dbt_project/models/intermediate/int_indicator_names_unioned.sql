/* grain: one row per spelling of an indicator (standard name, code, alias) */
with indicators as (

    select * from {{ ref('stg_reference__indicators') }}

),

aliases as (

    select
        indicators.indicator_code,
        alias.name
    from indicators
    cross join {{ split_to_rows('indicators.aliases') }} as alias (name)
    where indicators.aliases is not null

),

spellings as (

    select
        indicator_code,
        indicator_name as name
    from indicators
    union all
    select
        indicator_code,
        indicator_code as name
    from indicators
    union all
    select
        indicator_code,
        name
    from aliases

)

select distinct
    {{ name_key('name') }} as indicator_key,
    indicator_code
from spellings
where name is not null and trim(name) <> ''
