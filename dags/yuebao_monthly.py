"""yuebao_monthly: load one report month — ingest → dbt build → quality gate → (approval) → publish.

The file reads like configuration: every step is a function in ``yuebao.steps``; heavy imports
(dbt, Great Expectations, pandas) happen inside the tasks, never at parse time. The deployment's
``YUEBAO_*`` settings are read once per process into ``yuebao.settings.Settings`` (at parse for
the retries, in each task for the rest) and passed down.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import Asset, Param, dag, get_current_context, task
from airflow.sdk.exceptions import AirflowFailException
from airflow.timetables.trigger import CronTriggerTimetable

from ingestion.report_month import PATTERN as REPORT_MONTH_PATTERN
from ingestion.report_month import ReportMonth
from yuebao.approval_task import PublicationApproval
from yuebao.settings import Settings

WAREHOUSE = Asset("yuebao://warehouse/fct_indicator_monthly")


def _month_run(settings: Settings) -> dict[str, str | bool]:
    """The run's MonthRun as a dict, from params or, for scheduled runs, the logical date and the settings."""
    context = get_current_context()
    params = context["params"]
    month = params.get("month")
    if not month:
        # Runs on the 5th report the month before (the October report comes out early November).
        month = str(ReportMonth.before(context["logical_date"]))
    return {
        "month": month,
        "inbox": params.get("inbox") or str(settings.inbox),
        "home": params.get("home") or str(settings.home),
        "target": params.get("target") or settings.target,
        "reference": params.get("reference") or (str(settings.reference) if settings.reference else None),
        "documents": params.get("documents", True),
        "full_refresh": params.get("full_refresh", False),
        "hand_off": params.get("hand_off", False),
        "builds_on": params.get("builds_on"),
    }


def _record_failure(context: dict) -> None:
    """Leave the one-line reason of a failed task where `yuebao run` can print it."""
    from yuebao.cli_status import record_failure

    record_failure(context)


@dag(
    dag_id="yuebao_monthly",
    description="Monthly 八大行动 indicators: ingest departmental exports, model, check, publish",
    schedule=CronTriggerTimetable("0 6 5 * *", timezone="Asia/Shanghai"),
    start_date=pendulum.datetime(2024, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    tags=["yuebao"],
    params={
        "month": Param(None, type=["null", "string"], pattern=REPORT_MONTH_PATTERN,
                       description="Report month YYYY-MM (default: the month before the run date)"),
        "inbox": Param(None, type=["null", "string"], description="Inbox folder (default $YUEBAO_INBOX)"),
        "home": Param(None, type=["null", "string"], description="Warehouse home (default $YUEBAO_HOME)"),
        "target": Param(None, type=["null", "string"], enum=[None, "duckdb", "postgres"]),
        "reference": Param(None, type=["null", "string"], description="Catalog folder replacing the dbt seeds"),
        "documents": Param(True, type="boolean",
                           description="Render the bulletin and Data Docs and e-mail reports (a backfill's "
                                       "earlier months: false)"),
        "full_refresh": Param(False, type="boolean",
                              description="Rebuild every month's facts from the landing history (dbt --full-refresh)"),
        "hand_off": Param(False, type="boolean",
                          description="Move the checked build aside after dbt, for the next month to start from "
                                      "(yuebao backfill: a month is checked and published while the next one builds)"),
        "builds_on": Param(None, type=["null", "string"], pattern=REPORT_MONTH_PATTERN,
                           description="Start from this earlier month's handed-off build, not the published warehouse "
                                       "(yuebao backfill)"),
    },
    default_args={
        "retries": Settings.from_environ().task_retries,
        "retry_delay": timedelta(minutes=2),
        "on_failure_callback": _record_failure,
    },
)
def yuebao_monthly() -> None:
    @task
    def prepare() -> dict[str, str | bool]:
        from yuebao import steps
        from yuebao.month_run import MonthRun

        settings = Settings.from_environ()
        run = MonthRun.from_dict(_month_run(settings))
        steps.prepare(run, settings)
        return run.as_dict()

    @task
    def ingest(run: dict[str, str | bool]) -> dict[str, str | bool]:
        from yuebao import steps
        from yuebao.month_run import MonthRun

        steps.ingest(MonthRun.from_dict(run), Settings.from_environ())
        return run

    @task
    def dbt_build(run: dict[str, str | bool]) -> dict[str, str | bool]:
        from yuebao import steps
        from yuebao.month_run import MonthRun

        steps.transform(MonthRun.from_dict(run), Settings.from_environ())
        return run

    @task
    def validate(run: dict[str, str | bool]) -> dict[str, str | bool]:
        from yuebao import steps
        from yuebao.month_run import MonthRun

        try:
            steps.validate(MonthRun.from_dict(run), Settings.from_environ())
        except steps.GateBlocked as blocked:
            raise AirflowFailException(str(blocked)) from blocked  # a data problem: never retried
        return run

    @task
    def render_draft(run: dict[str, str | bool]) -> dict[str, str | bool]:
        from yuebao import steps
        from yuebao.month_run import MonthRun

        return run | steps.render_draft(MonthRun.from_dict(run), Settings.from_environ())

    @task(outlets=[WAREHOUSE])
    def publish(run: dict[str, str | bool]) -> dict[str, str]:
        from yuebao import steps
        from yuebao.approval import TASK_ID
        from yuebao.month_run import MonthRun

        settings = Settings.from_environ()
        month_run = MonthRun.from_dict(run)  # the draft's keys (draft_dir, rendered_at) are extra
        answer = get_current_context()["ti"].xcom_pull(task_ids=TASK_ID)
        steps.record_release_approval(month_run, settings, run.get("rendered_at"), answer)
        return steps.publish(month_run, settings)

    @task
    def deliver_reports() -> dict[str, list[str]]:
        from yuebao.delivery import deliver_month_reports
        from yuebao.month_run import MonthRun

        settings = Settings.from_environ()
        return deliver_month_reports(MonthRun.from_dict(_month_run(settings)), settings)

    # A teardown runs whether the gate passed or blocked (departments must learn why) and does not
    # decide the run's state: a blocked month still ends failed.
    # With approval required (YUEBAO_APPROVAL_REQUIRED, on in the deployed stack) the checked build's
    # bulletin is rendered as a draft and publication waits for a reviewer (Airflow's HITL
    # ApprovalOperator, answered in the UI or by the portal: yuebao/approval.py); otherwise the
    # draft and the wait are no-ops.
    draft = render_draft(validate(dbt_build(ingest(prepare()))))
    draft >> PublicationApproval() >> publish(draft) >> deliver_reports().as_teardown()


monthly_dag = yuebao_monthly()
