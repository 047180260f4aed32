"""The DAG's wait for release approval: Airflow's human-in-the-loop ``ApprovalOperator``, which
does not wait when approval is not required or the portal already recorded it for this draft."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from airflow.providers.standard.operators.hitl import ApprovalOperator
from airflow.sdk import Param

from yuebao.approval import TASK_ID, approval_after
from yuebao.settings import Settings

DRAFT_TASK = "render_draft"


class PublicationApproval(ApprovalOperator):
    """发布审批: Approve publishes the month; Reject skips publication (the month stays unpublished)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.pop("params", None)  # the DAG's params: not part of the approval form
        month = f"{{{{ ti.xcom_pull(task_ids='{DRAFT_TASK}')['month'] }}}}"
        super().__init__(
            task_id=TASK_ID,
            subject=f"发布审批 {month}：月度指标与月报",
            body=(f"{month} 月报草稿已生成并通过数据质量检查：`{{{{ ti.xcom_pull(task_ids='{DRAFT_TASK}')"
                  ".get('draft_dir', '') }}`。批准后替换已发布的数据仓库并发送月报；驳回则本月不发布。"),
            params={"approved_by": Param("", type="string", description="审批人", source="task"),
                    "comment": Param("", type="string", description="审批意见", source="task")},
            retries=0,
            **kwargs,
        )

    def execute(self, context: Any) -> Any:
        draft = context["ti"].xcom_pull(task_ids=DRAFT_TASK) or {}
        if not Settings.from_environ().approval_required:
            self.log.info("approval not required (YUEBAO_APPROVAL_REQUIRED is off): publishing")
            return None
        rendered_at = datetime.fromisoformat(draft["rendered_at"]) if draft.get("rendered_at") else None
        recorded = approval_after(Path(draft["home"]), draft["month"], rendered_at)
        if recorded is not None:
            self.log.info("approved in the portal by %s at %s", recorded.approved_by, recorded.approved_at)
            return {"chosen_options": [self.APPROVE], "params_input": {}, "responded_at": recorded.approved_at,
                    "responded_by_user": {"id": recorded.approved_by, "name": recorded.approved_by}}
        return super().execute(context)
