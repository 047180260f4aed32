/* grain: one row per figure in current prose of the build's report months that can be compared
   with a published value: it follows a catalogued indicator's name or alias, is of the city (no
   other region named in its clause; counties' prose is about the county), of one stated period,
   not a target, and in a unit of the indicator's dimension. is_mismatch: the published value,
   converted to the unit written, differs beyond the precision written. Everything else in the
   prose is left alone: a warning must never be a false alarm. */
-- depends_on: {{ ref('stg_landing__files') }}
with figures as (

    select
        *,
        {{ name_key('subject') }} as subject_key,
        {{ name_key('clause') }} as clause_key
    from {{ ref('stg_landing__narrative_figures') }}
    where {{ in_build_report_months('report_month') }}
        and is_current_file
        and submitter_kind <> 'county'
        and period is not null
        and not period_ambiguous
        -- targets, plans and completion rates are not the published value
        and position('任务' in clause) = 0
        and position('目标' in clause) = 0
        and position('计划' in clause) = 0
        and position('完成率' in clause) = 0
        and position('序时' in clause) = 0
        and position('预计' in clause) = 0
        and position('力争' in clause) = 0

),

indicator_names as (

    select * from {{ ref('int_indicator_names_unioned') }}

),

indicators as (

    select * from {{ ref('dim_indicator') }}

),

region_names as (

    select * from {{ ref('int_region_names_unioned') }}

),

unit_conversions as (

    select * from {{ ref('int_unit_conversions') }}

),

city as (

    select max(parent_code) as region_code
    from {{ ref('stg_reference__regions') }}
    where region_level = 'county'
    having count(distinct parent_code) = 1

),

published as (

    select * from {{ ref('fct_indicator_monthly') }}

),

named as (

    select
        figures.*,
        indicator_names.indicator_code,
        -- 全省 inside 一般公共预算收入占全省比重提升率 is the indicator's name, not a region
        replace(figures.clause_key, indicator_names.indicator_key, '') as clause_without_name,
        row_number() over (
            partition by figures.file_sha256, figures.source_paragraph, figures.figure_seq
            order by length(indicator_names.indicator_key) desc, indicator_names.indicator_code
        ) as name_rank
    from figures
    inner join indicator_names
        on right(figures.subject_key, length(indicator_names.indicator_key)) = indicator_names.indicator_key
        and length(figures.subject_key) >= length(indicator_names.indicator_key)

),

other_regions as (

    select distinct
        named.file_sha256,
        named.source_paragraph,
        named.figure_seq
    from named
    inner join region_names
        on position(region_names.region_key in named.clause_without_name) > 0
    cross join city
    where named.name_rank = 1
        and region_names.region_code <> city.region_code
        and length(region_names.region_key) >= 2
        and region_names.region_key <> region_names.region_code

),

placed as (

    select
        named.*,
        city.region_code
    from named
    cross join city
    left join other_regions
        on named.file_sha256 = other_regions.file_sha256
        and named.source_paragraph = other_regions.source_paragraph
        and named.figure_seq = other_regions.figure_seq
    where named.name_rank = 1 and other_regions.file_sha256 is null

),

converted as (

    select
        placed.*,
        indicators.indicator_name,
        indicators.unit,
        indicators.basis,
        unit_conversions.factor as unit_factor
    from placed
    inner join indicators
        on placed.indicator_code = indicators.indicator_code
    inner join unit_conversions
        on {{ name_key('placed.unit_raw') }} = unit_conversions.unit_key
        and indicators.unit = unit_conversions.to_unit
    where unit_conversions.is_convertible
        -- a month's own figure is compared only with a monthly indicator (10月份4起 in a YTD text)
        and (placed.period_form <> 'month' or indicators.basis = 'month')

),

compared as (

    select
        converted.*,
        published.value as published_value,
        published.value / converted.unit_factor as published_in_written_unit,
        published.source_file as published_source_file,
        published.source_sheet as published_source_sheet,
        published.source_row as published_source_row
    from converted
    inner join published
        on converted.indicator_code = published.indicator_code
        and converted.region_code = published.region_code
        and converted.period = published.period
    where published.value is not null

),

final as (

    select
        report_month,
        file_sha256,
        source_file,
        submitter,
        section,
        action,
        source_paragraph,
        figure_seq,
        sentence,
        figure_text,
        value_as_written,
        unit_raw,
        period,
        indicator_code,
        indicator_name,
        region_code,
        unit,
        published_value,
        {{ round_to('published_in_written_unit', 6) }} as published_in_written_unit,
        published_source_file,
        published_source_sheet,
        published_source_row,
        abs(value_as_written - published_in_written_unit) > 0.5 * power(10, -decimals) + 1e-9 as is_mismatch
    from compared

)

select * from final
