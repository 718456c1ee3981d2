"""Background steps of a flow, run by Celery.

The open-source viewflow wheel has no Celery integration, so `Job` builds on `AbstractJob`:
the task is enqueued when the transaction that created it commits, claimed under the flow lock,
its body runs outside the lock (so a slow body never holds the case), and it is finished under
the lock. Bodies must be idempotent: a worker killed after the body but before the finish makes
the message come back, and the body runs again. On final failure the task goes to ERROR, which
fires a `.OnError(...)` boundary if the flow has one, and an administrator can retry or cancel it
from the monitoring page.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow import this
from viewflow.workflow.activation import Activation, has_manage_permission
from viewflow.workflow.models import Task
from viewflow.workflow.nodes.job import AbstractJob, AbstractJobActivation
from viewflow.workflow.status import STATUS

from audit.services import audit_record

from .errors import ConflictError, NotAllowed

log = logging.getLogger(__name__)

JOB = "JOB"


def _enqueue_on_commit(task_id: int) -> None:
    """After commit the step is done: an unreachable broker must neither fail the request (the
    job stays SCHEDULED and `sweep_flow_jobs` sends it) nor skip later callbacks, and no publish
    retries stall the person who signed."""
    from .tasks import run_flow_job  # tasks import this module

    transaction.on_commit(
        lambda: run_flow_job.apply_async(kwargs={"task_id": task_id}, retry=False), robust=True
    )


class JobActivation(AbstractJobActivation):
    @Activation.status.transition(source=STATUS.NEW, target=STATUS.SCHEDULED)
    def activate(self):
        """Schedule: the message is sent only if the step that created the job commits."""
        self.task.scheduled = timezone.now()
        self.task.save()
        _enqueue_on_commit(self.task.pk)

    @Activation.status.transition(
        source=STATUS.ERROR, target=STATUS.SCHEDULED, permission=has_manage_permission
    )
    def retry(self):
        errors = self.task.data.setdefault("_errors", [])
        if "_exception" in self.task.data:
            errors.append(self.task.data.pop("_exception"))
        self.task.finished = None
        self.task.scheduled = timezone.now()
        self.task.save()
        _enqueue_on_commit(self.task.pk)

    @Activation.status.transition(
        source=[STATUS.SCHEDULED, STATUS.ERROR],
        target=STATUS.CANCELED,
        permission=has_manage_permission,
    )
    def cancel(self):
        self.task.finished = timezone.now()
        self.task.save()


class Job(AbstractJob):
    """A background step: `Job(this.body)`, where `body(activation)` is idempotent."""

    activation_class = JobActivation

    def __init__(self, func, **kwargs):
        super().__init__(**kwargs)
        self._func = func

    def _resolve(self, instance):
        super()._resolve(instance)
        self._func = this.resolve(instance, self._func)


def _job_task(task_id: int) -> Task | None:
    return Task.objects.filter(pk=task_id, flow_task_type=JOB).select_related("process").first()


def job_run(*, task_id: int) -> str:
    """Claim, run, finish. Returns what happened; safe to call for a job already done."""
    task = _job_task(task_id)
    if task is None:
        return "gone"
    flow_class = task.flow_task.flow_class
    with flow_class.lock(task.process_id):
        task.refresh_from_db()
        if task.status not in (STATUS.SCHEDULED, STATUS.STARTED):
            return "skipped"  # done, cancelled or failed meanwhile: a duplicate message
        activation = task.flow_task.activation_class(task)
        activation.start()
    with transaction.atomic():
        task.flow_task._func(activation)
    with flow_class.lock(task.process_id):
        task.refresh_from_db()
        if task.status != STATUS.STARTED:
            return "skipped"
        task.flow_task.activation_class(task).execute()
    return "done"


def job_fail(*, task_id: int, exc: BaseException) -> None:
    """Final failure: ERROR, so the flow's error path or an administrator takes over."""
    task = _job_task(task_id)
    if task is None:
        return
    with task.flow_task.flow_class.lock(task.process_id):
        task.refresh_from_db()
        if task.status not in (STATUS.SCHEDULED, STATUS.STARTED):
            return
        activation = task.flow_task.activation_class(task)
        if task.status == STATUS.SCHEDULED:
            activation.start()
        activation.error(exc)
        audit_record(
            actor=None,
            action="flow_job.failed",
            obj=task,
            from_state=STATUS.STARTED,
            to_state=STATUS.ERROR,
            comment=str(exc)[:2000],
            data={"step": task.flow_task.name, "process": task.process_id},
        )
    log.error("Flow job %s (%s) failed: %s", task_id, task.flow_task.name, exc)


def _manage(task_id: int, actor, transition: str, action: str) -> Task:
    task = _job_task(task_id)
    if task is None:
        raise Task.DoesNotExist
    with task.flow_task.flow_class.lock(task.process_id):
        task.refresh_from_db()
        activation = task.flow_task.activation_class(task)
        method = getattr(activation, transition)
        if not method.has_perm(actor):
            raise NotAllowed(_("Only an administrator of the flow may do this."))
        if not method.can_proceed():
            raise ConflictError(
                _("This step is no longer in a state that allows it; refresh the page.")
            )
        previous = task.status
        method()
        audit_record(
            actor=actor,
            action=action,
            obj=task,
            from_state=previous,
            to_state=task.status,
            data={"step": task.flow_task.name, "process": task.process_id},
        )
    return task


def job_retry(*, task_id: int, actor) -> Task:
    """An administrator sends a failed job round again."""
    return _manage(task_id, actor, "retry", "flow_job.retry")


def job_cancel(*, task_id: int, actor) -> Task:
    """An administrator gives up on a job; the case then waits for a decision by hand."""
    return _manage(task_id, actor, "cancel", "flow_job.cancel")


def jobs_stuck_qs(*, now=None):
    """Jobs whose message was lost (SCHEDULED too long) or whose worker died (STARTED too long)."""
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.FLOW_JOB_STUCK_AFTER_SECONDS)
    return Task.objects.filter(flow_task_type=JOB).filter(
        Q(status=STATUS.SCHEDULED, scheduled__lt=cutoff)
        | Q(status=STATUS.STARTED, started__lt=cutoff)
    )


def jobs_requeue_stuck(*, now=None) -> int:
    """Send stuck jobs again. A duplicate message is harmless: the runner re-checks the state."""
    from .tasks import run_flow_job

    ids = list(jobs_stuck_qs(now=now).values_list("pk", flat=True))
    for task_id in ids:
        run_flow_job.delay(task_id=task_id)
    return len(ids)
