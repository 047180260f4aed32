with source as (

    select * from {{ source('landing', 'observations') }}

),

final as (

    select
        report_month,
        file_sha256,
        source_file,
        source_sheet,
        source_row,
        received_at,
        is_current_file,
        department as submitted_by,
        period,
        period_form,
        {{ name_key('region_raw') }} as region_key,
        region_raw,
        {{ name_key('indicator_raw') }} as indicator_key,
        indicator_raw,
        trim(unit_raw) as unit_raw,
        value as value_as_sent,
        yoy_pct,
        rank_province,
        rank_subregion,
        annual_target as annual_target_as_sent,
        note
    from source
    where row_status = 'ok'

)

select * from final
