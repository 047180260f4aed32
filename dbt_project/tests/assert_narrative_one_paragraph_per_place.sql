-- fct_narrative: one paragraph per report month × section × action × submitter × seq
-- (checked for the report month being built).
with build_months as (

    select substring(cast(months.month_start as varchar), 1, 7) as report_month
    from ({{ build_report_months_for_tests() }}) as months (month_start)

),

narrative as (

    select * from {{ ref('fct_narrative') }}

)

select
    narrative.report_month,
    narrative.section,
    narrative.action,
    narrative.submitter,
    narrative.seq,
    count(*) as paragraphs
from narrative
inner join build_months
    on narrative.report_month = build_months.report_month
group by narrative.report_month, narrative.section, narrative.action, narrative.submitter, narrative.seq
having count(*) > 1
