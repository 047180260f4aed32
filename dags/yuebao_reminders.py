"""yuebao_reminders: every morning, remind departments that have not delivered the month's files.

From the due day (Airflow Variable ``yuebao_reminder_day``, else ``Settings.reminder_day``: env
``YUEBAO_REMINDER_DAY``, default 3) of each month, departments that own indicators in the catalog
and have no file in ``<inbox>/<previous month>/`` get a reminder over the ``yuebao_smtp``
connection (or the outbox).
"""

from __future__ import annotations

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
        from dataclasses import replace

        from yuebao import SEEDS_DIR
        from yuebao.delivery import mailer_for, report_month_due, send_reminders
        from yuebao.settings import Settings

        local = pendulum.instance(get_current_context()["logical_date"]).in_timezone("Asia/Shanghai")
        settings = Settings.from_environ()
        variable = Variable.get("yuebao_reminder_day", default=None)
        if variable is not None:
            settings = replace(settings, reminder_day=int(variable))  # checked like the environment's
        home, seeds = settings.home, settings.reference or SEEDS_DIR
        month = report_month_due(local.date())
        return send_reminders(settings.inbox, seeds, local.date(), settings.reminder_day,
                              mailer_for(home, month, settings.smtp_conn_id), home / "outbox" / "reminders.jsonl")

    remind_missing_departments()


reminders_dag = yuebao_reminders()
