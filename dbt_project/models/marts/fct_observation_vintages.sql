/* grain: one row per observation of every file ever received (every vintage), resolved to the
   catalog; is_current marks the one in force for its indicator × region × period. */
select
    period,
    region_code,
    indicator_code,
    value,
    unit,
    yoy_pct,
    rank_province,
    rank_subregion,
    annual_target,
    report_month,
    received_at,
    submitted_by,
    source_file,
    source_sheet,
    source_row,
    file_sha256,
    vintage_rank,
    is_current_file,
    coalesce(vintage_rank = 1, false) as is_current
from {{ ref('int_observations_ranked_by_vintage') }}
