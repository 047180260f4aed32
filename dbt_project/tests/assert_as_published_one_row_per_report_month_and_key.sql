-- fct_indicator_as_published: at most one row per report month × indicator × region × period
-- (checked for the report month being built).
select
    report_month,
    observation_key
from {{ ref('fct_indicator_as_published') }}
where report_month in ({{ build_report_months_for_tests() }})
group by report_month, observation_key
having count(*) > 1
