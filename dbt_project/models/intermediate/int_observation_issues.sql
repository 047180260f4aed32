{{ config(
    materialized=per_month_materialization(),
    incremental_strategy='delete+insert',
    unique_key=['report_month']
) }}
/* grain: one row per problem found when resolving observations against the catalog:
   unknown region / indicator / unit, a unit of another dimension, or two different values for
   the same indicator × region × period in one report month.
   Incremental on DuckDB: a build writes its own report month's problems. */
-- depends_on: {{ ref('stg_landing__files') }}
with resolved as (

    select * from {{ ref('int_observations_resolved_to_catalog') }}
    where {{ in_build_report_months('report_month') }}

),

unresolved as (

    select
        report_month,
        file_sha256,
        source_file,
        submitted_by,
        source_sheet,
        source_row,
        case resolution_issue
            when 'unknown_region' then '地区'
            when 'unknown_indicator' then '指标名称'
            else '单位'
        end as source_column,
        case resolution_issue
            when 'unknown_region' then region_raw
            when 'unknown_indicator' then indicator_raw
            else unit_raw
        end as raw_value,
        resolution_issue as rule,
        'blocking' as severity,
        case resolution_issue
            when 'unknown_region' then '地区“' || coalesce(region_raw, '') || '”不在地区目录中'
            when 'unknown_indicator' then '指标“' || coalesce(indicator_raw, '') || '”不在指标目录中'
            when 'unknown_unit' then '单位“' || coalesce(unit_raw, '') || '”无法识别'
            else '单位“'
                || coalesce(unit_raw, '')
                || '”不能换算为指标“'
                || coalesce(indicator_raw, '')
                || '”的标准单位 '
                || coalesce(unit, '')
        end as message
    from resolved
    where resolution_issue is not null and is_current_file

),

conflicts as (

    select
        report_month,
        indicator_code,
        region_code,
        period
    from resolved
    where resolution_issue is null and is_current_file
    group by report_month, indicator_code, region_code, period
    having count(distinct value) > 1

),

conflicting_rows as (

    select
        resolved.report_month,
        resolved.file_sha256,
        resolved.source_file,
        resolved.submitted_by,
        resolved.source_sheet,
        resolved.source_row,
        '数值' as source_column,
        cast(resolved.value_as_sent as varchar) as raw_value,
        'conflicting_values' as rule,
        'warning' as severity,
        '指标“'
        || resolved.indicator_raw
        || '”（'
        || resolved.region_raw
        || '）同一统计期在本月报送中有不同数值；采用最后收到的一份' as message
    from resolved
    inner join conflicts
        on resolved.report_month = conflicts.report_month
        and resolved.indicator_code = conflicts.indicator_code
        and resolved.region_code = conflicts.region_code
        and resolved.period = conflicts.period
    where resolved.is_current_file

)

select * from unresolved
union all
select * from conflicting_rows
