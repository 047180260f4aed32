{#- The derived measures of the indicator facts, shared by fct_indicator_monthly (latest) and
    fct_indicator_as_published (as it stood after each report month).

    scope: a CTE with (as_of_month, indicator_code, period), the rows to produce. Each as_of_month
    is computed on its own: with as_of=true only files with report_month <= as_of_month count
    (as published then); with as_of=false every file counts (the latest vintage).
    The previous month and the same month a year earlier are read in too (the lookback): after
    the vintage ranking a row is unique per as_of_month × indicator × region × period, so
    value_month and yoy_pct join each scope row to its region's rows a month and a year earlier.
    Cost (docs/benchmarks.md): a window copies and sorts every column of its input, so the ranks
    and peer counts are taken on a narrow projection of the scope's rows only (their peers are
    the same indicator × period, all in scope) and joined back by the key; the province's figures
    are an aggregate. A window over the wide rows of scope and lookback cost 3× as much.
    Rules (also in the models' docs):
    - value_month: ytd → YTD minus the previous month's YTD of the same year; January is its YTD;
      no previous month → NULL and is_value_month_missing. month → the value. stock, rate → NULL.
    - yoy_pct: reported wins; else computed from the same period a year earlier (ytd, month, stock),
      2 decimals, rounded half-up on the exact quotient (macros/round_to.sql: percent_change).
      Both present and more than var('yoy_tolerance_pp') apart → is_yoy_discrepant.
    - ranks: reported wins; else computed among peers (the province's prefectures; the members of
      the 片区) when every peer has a value, direction-aware (down: smaller is better), ties share
      the better rank (1, 1, 3). Reported and computed differ → is_rank_discrepant.
    - completion_pct = value / annual_target × 100; schedule_pct = 序时进度 (month / 12 × 100);
      completion_gap_pp = completion_pct − schedule_pct; vs_province_pp = yoy_pct − the province's
      yoy_pct (rate indicators: value − the province's value).
-#}
{% macro indicator_facts(scope, as_of) -%}
needed as (

    select as_of_month, indicator_code, period from {{ scope }}
    union
    select as_of_month, indicator_code, cast({{ dbt.dateadd('month', -1, 'period') }} as date) from {{ scope }}
    union
    select as_of_month, indicator_code, cast({{ dbt.dateadd('month', -12, 'period') }} as date) from {{ scope }}

),

vintages as (

    select
        needed.as_of_month,
        resolved.*,
        row_number() over (
            partition by needed.as_of_month, resolved.indicator_code, resolved.region_code, resolved.period
            order by {{ vintage_order('resolved') }}
        ) as vintage_rank
    from {{ ref('int_observations_resolved_to_catalog') }} as resolved
    inner join needed
        on resolved.indicator_code = needed.indicator_code
        and resolved.period = needed.period
        {% if as_of %}and resolved.report_month <= needed.as_of_month{% endif %}
    where resolved.resolution_issue is null
        and resolved.is_current_file

),

-- the vintage in force: one row per as_of_month × indicator × region × period, scope and lookback
in_force as (

    select vintages.*
    from vintages
    where vintages.vintage_rank = 1

),

-- the scope's rows, each with its region's values a month and a year earlier
described as (

    select
        in_force.*,
        indicators.indicator_name,
        indicators.action,
        indicators.department,
        indicators.basis,
        indicators.direction,
        regions.region_name,
        regions.region_level,
        regions.subregion,
        previous_month.value as previous_month_value,
        previous_year.value as previous_year_value,
        case when indicators.direction = 'down' then in_force.value else -in_force.value end as rank_order
    from in_force
    inner join {{ scope }} as scope
        on in_force.indicator_code = scope.indicator_code
        and in_force.period = scope.period
        {% if as_of %}and in_force.as_of_month = scope.as_of_month{% endif %}
    inner join {{ ref('dim_indicator') }} as indicators
        on in_force.indicator_code = indicators.indicator_code
    inner join {{ ref('dim_region') }} as regions
        on in_force.region_code = regions.region_code
    left join in_force as previous_month
        on in_force.indicator_code = previous_month.indicator_code
        and in_force.region_code = previous_month.region_code
        and cast({{ dbt.dateadd('month', -1, 'in_force.period') }} as date) = previous_month.period
        {% if as_of %}and in_force.as_of_month = previous_month.as_of_month{% endif %}
    left join in_force as previous_year
        on in_force.indicator_code = previous_year.indicator_code
        and in_force.region_code = previous_year.region_code
        and cast({{ dbt.dateadd('month', -12, 'in_force.period') }} as date) = previous_year.period
        {% if as_of %}and in_force.as_of_month = previous_year.as_of_month{% endif %}

),

measured as (

    select
        described.*,
        case
            when basis = 'month' then value
            when basis = 'ytd' and extract(month from period) = 1 then value
            when basis = 'ytd' then {{ round_to('value - previous_month_value', 10) }}
        end as value_month,
        case when basis in ('ytd', 'month', 'stock') and previous_year_value <> 0
            then {{ percent_change('value', 'previous_year_value', 2) }}
        end as yoy_pct_computed,
        {{ schedule_pct('period') }} as schedule_pct
    from described

),

-- ranks and peer counts among the regions of one as_of_month × indicator × period; only the key
-- and the columns the windows read go through them (a window carries every column of its input)
compared as (

    select
        as_of_month,
        indicator_code,
        region_code,
        period,
        sum(case when region_level = 'prefecture' then 1 else 0 end) over (
            partition by as_of_month, indicator_code, period
        ) as prefectures_reported,
        count(subregion) over (partition by as_of_month, indicator_code, period, subregion) as members_reported,
        rank() over (partition by as_of_month, indicator_code, period, region_level order by rank_order) as level_rank,
        rank() over (partition by as_of_month, indicator_code, period, subregion order by rank_order) as subregion_rank
    from measured

),

-- the province's value and growth in force, for vs_province_pp
provinces as (

    select
        as_of_month,
        indicator_code,
        period,
        max(value) as province_value,
        max(coalesce(yoy_pct, yoy_pct_computed)) as province_yoy_pct
    from measured
    where region_level = 'province'
    group by as_of_month, indicator_code, period

),

peer_totals as (

    select
        sum(case when region_level = 'prefecture' then 1 else 0 end) as prefectures_total
    from {{ ref('dim_region') }}

),

subregion_totals as (

    select subregion, count(*) as members_total
    from {{ ref('dim_region') }}
    where subregion is not null
    group by subregion

),

with_province as (

    select
        measured.*,
        provinces.province_value,
        provinces.province_yoy_pct,
        coalesce(measured.yoy_pct, measured.yoy_pct_computed) as yoy_pct_in_force,
        case when measured.region_level = 'prefecture' and compared.prefectures_reported = peer_totals.prefectures_total
            then compared.level_rank end as rank_province_computed,
        case when measured.subregion is not null and compared.members_reported = subregion_totals.members_total
            then compared.subregion_rank end as rank_subregion_computed
    from measured
    inner join compared
        on measured.indicator_code = compared.indicator_code
        and measured.region_code = compared.region_code
        and measured.period = compared.period
        {% if as_of %}and measured.as_of_month = compared.as_of_month{% endif %}
    left join provinces
        on measured.indicator_code = provinces.indicator_code
        and measured.period = provinces.period
        {% if as_of %}and measured.as_of_month = provinces.as_of_month{% endif %}
    cross join peer_totals
    left join subregion_totals
        on measured.subregion = subregion_totals.subregion

),

facts as (

    select
        with_province.as_of_month,
        with_province.period,
        with_province.region_code,
        with_province.region_name,
        with_province.region_level,
        with_province.indicator_code,
        with_province.indicator_name,
        with_province.action,
        with_province.department,
        with_province.unit,
        with_province.basis,
        with_province.direction,
        with_province.value,
        with_province.value_month,
        with_province.yoy_pct_in_force as yoy_pct,
        with_province.yoy_pct as yoy_pct_reported,
        with_province.yoy_pct_computed,
        case when with_province.yoy_pct is not null then 'reported'
            when with_province.yoy_pct_computed is not null then 'computed' end as yoy_pct_source,
        coalesce(with_province.rank_province, with_province.rank_province_computed) as rank_province,
        coalesce(with_province.rank_subregion, with_province.rank_subregion_computed) as rank_subregion,
        with_province.rank_province_computed,
        with_province.rank_subregion_computed,
        with_province.annual_target,
        case when with_province.annual_target > 0
            then with_province.value / with_province.annual_target * 100 end as completion_pct,
        with_province.schedule_pct,
        case when with_province.annual_target > 0
            then {{ round_to('with_province.value / with_province.annual_target * 100 - with_province.schedule_pct', 10) }}
        end as completion_gap_pp,
        case
            when with_province.region_level = 'province' then null
            when with_province.basis = 'rate'
                then {{ round_to('with_province.value - with_province.province_value', 10) }}
            else {{ round_to('with_province.yoy_pct_in_force - with_province.province_yoy_pct', 10) }}
        end as vs_province_pp,
        with_province.source_file,
        with_province.source_sheet,
        with_province.source_row,
        with_province.file_sha256,
        with_province.submitted_by,
        with_province.received_at,
        with_province.report_month as source_report_month,
        case when with_province.basis = 'ytd' and extract(month from with_province.period) > 1
                and with_province.previous_month_value is null
            then true else false end as is_value_month_missing,
        case when with_province.yoy_pct is not null and with_province.yoy_pct_computed is not null
                and abs(with_province.yoy_pct - with_province.yoy_pct_computed) > {{ var('yoy_tolerance_pp', 0.1) }}
            then true else false end as is_yoy_discrepant,
        case when (with_province.rank_province is not null and with_province.rank_province_computed is not null
                    and with_province.rank_province <> with_province.rank_province_computed)
                or (with_province.rank_subregion is not null and with_province.rank_subregion_computed is not null
                    and with_province.rank_subregion <> with_province.rank_subregion_computed)
            then true else false end as is_rank_discrepant,
        with_province.indicator_code || '|' || with_province.region_code || '|'
            || cast(with_province.period as {{ dbt.type_string() }}) as observation_key
    from with_province

)
{%- endmacro %}

{#- The columns of `facts` (without as_of_month), in the order the fact models publish them. -#}
{% macro indicator_fact_columns() -%}
    {{ return([
        'observation_key', 'period', 'region_code', 'region_name', 'region_level',
        'indicator_code', 'indicator_name', 'action', 'department', 'unit', 'basis', 'direction',
        'value', 'value_month', 'yoy_pct', 'yoy_pct_reported', 'yoy_pct_computed', 'yoy_pct_source',
        'rank_province', 'rank_subregion', 'rank_province_computed', 'rank_subregion_computed',
        'annual_target', 'completion_pct', 'schedule_pct', 'completion_gap_pp', 'vs_province_pp',
        'is_value_month_missing', 'is_yoy_discrepant', 'is_rank_discrepant',
        'submitted_by', 'source_report_month', 'source_file', 'source_sheet', 'source_row',
        'file_sha256', 'received_at'
    ]) }}
{%- endmacro %}
