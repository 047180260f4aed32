"""`airflow` for the stack's services, with one compatibility fix applied first.

The pinned apache-airflow-providers-celery 3.26.0 imports ``retry`` from
``celery.backends.database``, which celery 5.7.0 (also pinned) removed: every process that loads
the CeleryExecutor fails with ImportError. Until constraints.txt pins a pair that agree, the
services start through ``python -m deploy.airflow_cli <subcommand>``, which restores the old
decorator (retry a database call on connection errors, as celery < 5.7 did) and runs Airflow's CLI.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from typing import Any

RETRIES = 3


def restore_celery_database_retry() -> None:
    import celery.backends.database as database

    if hasattr(database, "retry"):
        return
    from sqlalchemy.exc import DatabaseError, InvalidRequestError
    from sqlalchemy.orm.exc import StaleDataError

    def retry(fun: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(fun)
        def with_retries(*args: Any, **kwargs: Any) -> Any:
            for attempt in range(RETRIES):
                try:
                    return fun(*args, **kwargs)
                except (DatabaseError, InvalidRequestError, StaleDataError):
                    if attempt == RETRIES - 1:
                        raise
            return None

        return with_retries

    database.retry = retry


def main() -> None:
    restore_celery_database_retry()
    from airflow.__main__ import main as airflow_main

    sys.argv = ["airflow", *sys.argv[1:]]
    airflow_main()


if __name__ == "__main__":
    main()
