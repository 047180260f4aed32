-- fct_narrative: one paragraph per report month × section × action × submitter × seq, and one
-- place per paragraph of a file (checked for the report month being built).
select report_month, section, action, submitter, seq, count(*) as paragraphs
from {{ ref('fct_narrative') }}
where report_month in (
    select substring(cast(month_start as varchar), 1, 7)
    from ({{ build_report_months_for_tests() }}) as months (month_start)
)
group by report_month, section, action, submitter, seq
having count(*) > 1
