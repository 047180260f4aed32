/* grain: one row per resolved observation of every file version; vintage_rank = 1 is the value
   in force for its key (indicator × region × period): among files in force (not superseded by a
   resubmission of the same name), the latest report month, then the latest received file. */
with resolved as (

    select * from {{ ref('int_observations_resolved_to_catalog') }}
    where resolution_issue is null

),

final as (

    select
        resolved.*,
        case when is_current_file then row_number() over (
            partition by indicator_code, region_code, period, is_current_file
            order by report_month desc, received_at desc, source_file desc, source_row desc
        ) end as vintage_rank
    from resolved

)

select * from final
