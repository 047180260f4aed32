{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{% if is_incremental() %}delete from {{ this }} where report_month in (select substring(cast(report_month as varchar), 1, 7) from ({{ build_report_months() }}) as build_months){% endif %}"
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

    -- explicit types: the model's contract, the same on DuckDB and PostgreSQL (text vs varchar)
    select
        cast(vintages.report_month as varchar) as report_month,
        cast(vintages.section as varchar) as section,
        cast(vintages.action as varchar) as action,
        cast(vintages.action_order as integer) as action_order,
        cast(vintages.submitter as varchar) as submitter,
        cast(vintages.submitter_kind as varchar) as submitter_kind,
        cast(vintages.submitter_order as integer) as submitter_order,
        cast(vintages.seq as integer) as seq,
        cast(vintages.text as varchar) as text,
        cast(vintages.source_file as varchar) as source_file,
        cast(vintages.source_sha256 as varchar) as source_sha256,
        cast(vintages.source_paragraph as integer) as source_paragraph,
        cast(vintages.report_month as varchar) as vintage_report_month,
        cast(vintages.received_at as timestamp) as received_at
    from vintages
    inner join build_months
        on vintages.report_month = build_months.report_month
    where vintages.is_current

)

select * from final
