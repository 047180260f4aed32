{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook="{% if is_incremental() %}delete from {{ this }} where report_month in (select cast(report_month as varchar(7)) from ({{ build_report_months() }}) as build_months){% endif %}"
) }}
/* grain: one row per paragraph of the prose in force for a report month: section × action ×
   submitter × seq, with the file and paragraph it came from. Prose belongs to the report month
   whose inbox it arrived in and is never carried over, so a month's rows are its prose "as
   published in M"; every earlier version stays in fct_narrative_vintages.
   Incremental: a build deletes and rewrites its own report month's rows (pre_hook). */
-- depends_on: {{ ref('stg_landing__files') }}
with vintages as (

    select * from {{ ref('fct_narrative_vintages') }}

),

build_months as (

    select substring(cast(report_month as varchar), 1, 7) as report_month
    from ({{ build_report_months() }}) as months

),

final as (

    select
        vintages.report_month,
        vintages.section,
        vintages.action,
        vintages.action_order,
        vintages.submitter,
        vintages.submitter_kind,
        vintages.submitter_order,
        vintages.seq,
        vintages.text,
        vintages.source_file,
        vintages.source_sha256,
        vintages.source_paragraph,
        vintages.report_month as vintage_report_month,
        vintages.received_at
    from vintages
    inner join build_months
        on vintages.report_month = build_months.report_month
    where vintages.is_current

)

select * from final
