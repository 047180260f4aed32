with source as (

    select * from {{ source('landing', 'ingest_issues') }}

)

select
    report_month,
    file_sha256,
    is_current_file,
    source_file,
    department as submitted_by,
    source_sheet,
    source_row,
    source_column,
    raw_value,
    rule,
    severity,
    message,
    hint
from source
