"""yuebao_reminders: every morning, remind departments that have not delivered the month's files.

From the due day (Airflow Variable ``yuebao_reminder_day``, else env ``YUEBAO_REMINDER_DAY``,
default 3) of each month, departments that own indicators in the catalog and have no file in
``<inbox>/<previous month>/`` get a reminder over the ``yuebao_smtp`` connection (or the outbox).
"""

from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.sdk import Variable, dag, get_current_context, task
from airflow.timetables.trigger import CronTriggerTimetable


@dag(
    dag_id="yuebao_reminders",
    description="Daily reminder to departments whose monthly files have not arrived by the due day",
    schedule=CronTriggerTimetable("0 9 * * *", timezone="Asia/Shanghai"),
    start_date=pendulum.datetime(2024, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    tags=["yuebao"],
    default_args={"retries": 2, "retry_delay": timedelta(minutes=10)},
)
def yuebao_reminders() -> None:
    @task
    def remind_missing_departments() -> list[str]:
        from pathlib import Path

        from yuebao import SEEDS_DIR
        from yuebao.delivery import due_day, mailer_for, report_month_due, send_reminders

        local = pendulum.instance(get_current_context()["logical_date"]).in_timezone("Asia/Shanghai")
        home = Path(os.environ.get("YUEBAO_HOME", "home"))
        inbox = Path(os.environ.get("YUEBAO_INBOX", "inbox"))
        seeds = Path(os.environ["YUEBAO_REFERENCE"]) if os.environ.get("YUEBAO_REFERENCE") else SEEDS_DIR
        day = due_day(Variable.get("yuebao_reminder_day", default=None))
        month = report_month_due(local.date())
        return send_reminders(inbox, seeds, local.date(), day, mailer_for(home, month),
                              home / "outbox" / "reminders.jsonl")

    remind_missing_departments()


reminders_dag = yuebao_reminders()
