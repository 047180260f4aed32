with source as (

    select * from {{ source('landing', 'narrative_figures') }}

),

final as (

    select
        report_month,
        file_sha256,
        source_file,
        is_current_file,
        submitter,
        submitter_kind,
        section,
        action,
        source_paragraph,
        figure_seq,
        sentence,
        clause,
        subject,
        figure_text,
        value as value_as_written,
        decimals,
        trim(unit_raw) as unit_raw,
        period,
        period_form,
        period_ambiguous
    from source

)

select * from final
