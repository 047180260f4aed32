{{ config(
    materialized=per_month_materialization(),
    incremental_strategy='delete+insert',
    unique_key=['report_month']
) }}
/* grain: report month × indicator × period — every reference period a report month's files
   carry (superseded files too: their values may have been in force before).
   Incremental on DuckDB: a build writes its own report month's periods. */
-- depends_on: {{ ref('stg_landing__files') }}
select distinct
    report_month,
    indicator_code,
    period
from {{ ref('int_observations_resolved_to_catalog') }}
where indicator_code is not null
    and period is not null
    and {{ in_build_report_months('report_month') }}
