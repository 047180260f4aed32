/* grain: report month × indicator × period — every reference period a report month's files
   carry (superseded files too: their values may have been in force before). */
select distinct
    report_month,
    indicator_code,
    period
from {{ ref('int_observations_resolved_to_catalog') }}
where indicator_code is not null
    and period is not null
