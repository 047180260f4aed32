-- grain: one row per department that owns indicators in the catalog, for the report month.
-- delivery_status: received (on time), late (after the due day), missing (nothing received).
with owed as (

    select
        department,
        count(*) as indicators_owed
    from main.dim_indicator
    group by department

),

received as (

    select
        submitted_by as department,
        count(*) as files_received,
        min(received_at) as first_received_at
    from staging.stg_landing__files
    where report_month = getvariable('report_month') and is_current_file
    group by submitted_by

),

final as (

    select
        row_number() over (order by owed.department) as row_id,
        owed.department as submitted_by,
        cast(null as varchar) as source_file,
        cast(null as varchar) as source_sheet,
        cast(null as integer) as source_row,
        owed.department || '：应报 ' || owed.indicators_owed || ' 项指标' as subject,
        owed.indicators_owed,
        coalesce(received.files_received, 0) as files_received,
        received.first_received_at,
        case
            when received.department is null then 'missing'
            when received.first_received_at > getvariable('due_at') then 'late'
            else 'received'
        end as delivery_status
    from owed
    left join received
        on owed.department = received.department

)

select * from final
