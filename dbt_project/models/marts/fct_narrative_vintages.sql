{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{% if is_incremental() %}delete from {{ this }} where report_month in (select substring(cast(report_month as varchar), 1, 7) from ({{ build_report_months() }}) as build_months){% endif %}"
) }}
/* grain: one row per paragraph of every narrative file ever received (every vintage), placed
   under its section and action; is_current marks the file in force for its submitter and month
   (the latest received: a resubmitted file replaces that submitter's prose for the month).
   Incremental: a build deletes and rewrites its own report month's rows (pre_hook), so a month
   whose prose was withdrawn loses it too. */
-- depends_on: {{ ref('stg_landing__files') }}
with paragraphs as (

    select * from {{ ref('stg_landing__narrative_paragraphs') }}
    where {{ in_build_report_months('report_month') }}

),

actions as (

    select * from {{ ref('stg_reference__actions') }}

),

final as (

    select
        substring(cast(paragraphs.report_month as varchar), 1, 7) as report_month,
        paragraphs.section,
        paragraphs.action,
        actions.action_order,
        paragraphs.submitter,
        paragraphs.submitter_kind,
        paragraphs.submitter_order,
        cast(row_number() over (
            partition by paragraphs.file_sha256, paragraphs.section, paragraphs.action
            order by paragraphs.source_paragraph
        ) as integer) as seq,
        paragraphs.text,
        paragraphs.source_file,
        paragraphs.file_sha256 as source_sha256,
        paragraphs.source_paragraph,
        paragraphs.received_at,
        paragraphs.is_current_file as is_current
    from paragraphs
    left join actions
        on paragraphs.action = actions.action_name

)

select * from final
