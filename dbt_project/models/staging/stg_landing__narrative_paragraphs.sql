with source as (

    select * from {{ source('landing', 'narrative_paragraphs') }}

),

final as (

    select
        report_month,
        file_sha256,
        source_file,
        received_at,
        is_current_file,
        submitter,
        submitter_kind,
        submitter_order,
        section,
        action,
        source_paragraph,
        text
    from source

)

select * from final
