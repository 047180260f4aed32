with source as (

    select * from {{ source('landing', 'files') }}

)

select
    report_month,
    file_sha256,
    source_file,
    department as submitted_by,
    size_bytes,
    received_at,
    is_current_file,
    archive_path,
    layout,
    encoding,
    status as file_status,
    rows_read,
    rows_quarantined
from source
