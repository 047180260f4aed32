-- grain: one row per unit the tracker follows for the report month: every department that owns
-- indicators in the catalog, every task force, every county configured to send prose
-- (regions.csv expects_narrative), and any other unit that sent a narrative file.
-- delivery_status (the numbers): received (on time), late (after the due day), missing, or
-- not_owed for a unit that owns no indicator. narrative_status (the prose): received, late,
-- missing, or not_expected. A task force's prose counts as delivered when its lead department sent
-- a narrative file (安全守底行动's prose comes from its departments).
with owed as (

    select
        department,
        count(*) as indicators_owed
    from main.dim_indicator
    group by department

),

month_files as (

    select * from staging.stg_landing__files
    where report_month = getvariable('report_month') and is_current_file

),

received as (

    select
        submitted_by as department,
        count(*) as files_received,
        min(received_at) as first_received_at
    from month_files
    group by submitted_by

),

prose as (

    select
        submitted_by as submitter,
        count(*) as narrative_files,
        min(received_at) as first_narrative_at
    from month_files
    where layout = 'narrative' or regexp_matches(lower(source_file), '\.(docx|md|txt)$')
    group by submitted_by

),

actions as (

    select * from staging.stg_reference__actions

),

narrative_units as (

    select task_force as unit, 'task_force' as submitter_kind, true as narrative_expected, lead_department
    from actions
    union all
    select region_name, 'county', expects_narrative, cast(null as varchar)
    from staging.stg_reference__regions
    where region_level = 'county' and (expects_narrative or region_name in (select submitter from prose))
    union all
    select submitter, 'department', false, cast(null as varchar)
    from prose
    where submitter not in (select task_force from actions)
        and submitter not in (select region_name from staging.stg_reference__regions)

),

units as (

    select
        coalesce(owed.department, narrative_units.unit) as unit,
        coalesce(narrative_units.submitter_kind, 'department') as submitter_kind,
        owed.indicators_owed,
        coalesce(narrative_units.narrative_expected, false) as narrative_expected,
        narrative_units.lead_department
    from owed
    full outer join narrative_units
        on owed.department = narrative_units.unit

),

tracked as (

    select
        units.*,
        coalesce(received.files_received, 0) as files_received,
        received.first_received_at,
        coalesce(own_prose.narrative_files, 0) + coalesce(lead_prose.narrative_files, 0) as narrative_files,
        least(own_prose.first_narrative_at, lead_prose.first_narrative_at) as first_narrative_at
    from units
    left join received
        on units.unit = received.department
    left join prose as own_prose
        on units.unit = own_prose.submitter
    left join prose as lead_prose
        on units.lead_department = lead_prose.submitter

),

final as (

    select
        row_number() over (order by unit) as row_id,
        unit as submitted_by,
        cast(null as varchar) as source_file,
        cast(null as varchar) as source_sheet,
        cast(null as integer) as source_row,
        unit || '：' || case when indicators_owed is null then '应报文字材料'
            else '应报 ' || indicators_owed || ' 项指标' end as subject,
        submitter_kind,
        indicators_owed,
        files_received,
        first_received_at,
        case
            when indicators_owed is null then 'not_owed'
            when first_received_at is null then 'missing'
            when first_received_at > getvariable('due_at') then 'late'
            else 'received'
        end as delivery_status,
        narrative_expected,
        narrative_files,
        case
            when narrative_files = 0 and narrative_expected then 'missing'
            when narrative_files = 0 then 'not_expected'
            when first_narrative_at > getvariable('due_at') then 'late'
            else 'received'
        end as narrative_status,
        case when narrative_expected then unit || ' 本月应报送文字材料' end as narrative_owed
    from tracked

)

select * from final
