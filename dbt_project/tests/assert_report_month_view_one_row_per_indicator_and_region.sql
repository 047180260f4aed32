-- rpt_indicator_report_month: one row per report month × indicator × region, none after M.
select
    report_month,
    indicator_code,
    region_code
from {{ ref('rpt_indicator_report_month') }}
where report_month in ({{ build_report_months_for_tests() }})
group by report_month, indicator_code, region_code
having count(*) > 1 or max(period) > max(report_month)
