"""Background steps of a flow, run by Celery.

The open-source viewflow wheel has no Celery integration, so `Job` builds on `AbstractJob`:
the task is enqueued when the transaction that created it commits, claimed under the flow lock,
its body runs outside the lock (so a slow body never holds the case), and it is finished under
the lock. Bodies must be idempotent: a worker killed after the body but before the finish makes
the message come back, and the body runs again.

Attempts are counted on the task row (`data["_attempts"]`), not by Celery, so the bound holds
across Celery retries, broker redeliveries and the stuck-job sweep: a step runs at most
FLOW_JOB_MAX_RETRIES + 1 times in all. A claim names the message that holds the step
(`data["_claim"]`, the Celery task id, which a retry or a redelivery keeps), so two messages
for one step never run its body at the same time. Between attempts the step waits SCHEDULED
until its next attempt is due. On final failure the task goes to ERROR, which fires a
`.OnError(...)` boundary if the flow has one, is audited, tells the administrators (bell and
e-mail), and waits on the monitoring page for Retry or Cancel.
"""

import logging
import uuid
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
from core.errors import ConflictError, NotAllowed

log = logging.getLogger(__name__)

JOB = "JOB"
ATTEMPTS = "_attempts"
CLAIM = "_claim"


class JobLost(Exception):
    """An attempt that never reported back: its worker died or was cut off mid-step."""


def job_max_attempts() -> int:
    """Attempts in all, the first one included."""
    return settings.FLOW_JOB_MAX_RETRIES + 1


def job_retry_backoff(attempts: int) -> int:
    """Seconds before attempt `attempts + 1`: the base doubled per attempt, at most 10 minutes."""
    return min(settings.FLOW_JOB_RETRY_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0), 600)


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

    @Activation.status.transition(source=STATUS.STARTED, target=STATUS.SCHEDULED)
    def reschedule(self, *, at):
        """An attempt failed (or its worker was lost) and attempts are left: the step waits for
        the next one. Its message is the caller's business (a Celery retry, or the sweep)."""
        self.task.data.pop(CLAIM, None)
        self.task.scheduled = at
        self.task.save()

    @Activation.status.transition(
        source=STATUS.ERROR, target=STATUS.SCHEDULED, permission=has_manage_permission
    )
    def retry(self):
        """An administrator's retry: a fresh set of attempts; the failure stays in `_errors`."""
        errors = self.task.data.setdefault("_errors", [])
        if "_exception" in self.task.data:
            failure = self.task.data.pop("_exception")
            failure["attempts"] = self.task.data.get(ATTEMPTS, 0)
            errors.append(failure)
        self.task.data[ATTEMPTS] = 0
        self.task.data.pop(CLAIM, None)
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


def job_run(*, task_id: int, token: str | None = None) -> str:
    """Claim, run, finish. Returns what happened; safe to call for a job already done.

    `token` names the message (the Celery task id). A job STARTED under another token is
    being run by someone else ("busy"): only the sweep takes a claim back, once it is older
    than any attempt may last. The body's exception propagates; the caller reports it with
    `job_attempt_failed`.
    """
    token = token or f"direct-{uuid.uuid4()}"
    task = _job_task(task_id)
    if task is None:
        return "gone"
    flow_class = task.flow_task.flow_class
    with flow_class.lock(task.process_id):
        task.refresh_from_db()
        if task.status not in (STATUS.SCHEDULED, STATUS.STARTED):
            return "skipped"  # done, cancelled or failed meanwhile: a duplicate message
        if task.status == STATUS.STARTED and task.data.get(CLAIM) != token:
            return "busy"
        activation = task.flow_task.activation_class(task)
        attempts = task.data.get(ATTEMPTS, 0)
        if attempts >= job_max_attempts():
            # Every attempt so far was claimed and never reported back (killed workers).
            _fail(task, activation, _lost(attempts))
            return "failed"
        task.data[ATTEMPTS] = attempts + 1
        task.data[CLAIM] = token
        activation.start()
    with transaction.atomic():
        task.flow_task._func(activation)
    with flow_class.lock(task.process_id):
        task.refresh_from_db()
        if task.status != STATUS.STARTED or task.data.get(CLAIM) != token:
            return "skipped"
        task.data.pop(CLAIM, None)
        task.flow_task.activation_class(task).execute()
    return "done"


def job_attempt_failed(*, task_id: int, token: str, exc: BaseException) -> int | None:
    """Record that the attempt under `token` raised `exc`. Returns the seconds to wait before
    the next attempt, or None when this message makes no further attempt: the attempts are
    used up (the job is now ERROR), or the job is not this message's (done, cancelled, taken
    back by the sweep, or never claimed because the claim itself failed, in which case it is
    still SCHEDULED and the sweep sends it again)."""
    task = _job_task(task_id)
    if task is None:
        return None
    with task.flow_task.flow_class.lock(task.process_id):
        task.refresh_from_db()
        if task.status != STATUS.STARTED or task.data.get(CLAIM) != token:
            return None
        activation = task.flow_task.activation_class(task)
        attempts = task.data.get(ATTEMPTS, 0)
        if attempts >= job_max_attempts():
            _fail(task, activation, exc)
            return None
        countdown = job_retry_backoff(attempts)
        task.data["_last_error"] = _error_text(exc)
        activation.reschedule(at=timezone.now() + timedelta(seconds=countdown))
        audit_record(
            actor=None,
            action="flow_job.attempt_failed",
            obj=task,
            from_state=STATUS.STARTED,
            to_state=STATUS.SCHEDULED,
            comment=_error_text(exc),
            data=_audit_data(task, attempt=attempts, retry_in=countdown),
        )
    log.warning(
        "Flow job %s (%s) attempt %s of %s failed: %s; next attempt in %ss",
        task_id,
        task.flow_task.name,
        attempts,
        job_max_attempts(),
        exc,
        countdown,
    )
    return countdown


def _error_text(exc: BaseException) -> str:
    return (str(exc) or type(exc).__name__)[:2000]


def _audit_data(task: Task, **extra) -> dict:
    return {"step": task.flow_task.name, "process": task.process_id, **extra}


def _lost(attempts: int) -> JobLost:
    return JobLost(
        _("None of the %(attempts)s attempts of the step finished (its worker was lost).")
        % {"attempts": attempts}
    )


def _fail(task: Task, activation, exc: BaseException) -> None:
    """Final failure, under the flow lock: ERROR (the flow's error path, or an administrator
    on the monitoring page), audited, and the administrators are told in the bell and by
    e-mail in the same transaction."""
    from . import notify  # notify imports the flow's selectors, which import this module

    if exc.__traceback__ is None:  # viewflow's error() reads the traceback of a raised one
        try:
            raise exc
        except BaseException as raised:
            exc = raised
    task.data.pop(CLAIM, None)
    task.data.pop("_last_error", None)
    if task.status == STATUS.SCHEDULED:
        activation.start()
    activation.error(exc)
    event = audit_record(
        actor=None,
        action="flow_job.failed",
        obj=task,
        from_state=STATUS.STARTED,
        to_state=STATUS.ERROR,
        comment=_error_text(exc),
        data=_audit_data(task, attempts=task.data.get(ATTEMPTS, 0)),
    )
    notify.flow_job_failed(task=task, event=event)
    log.error(
        "Flow job %s (%s) failed after %s attempts: %s",
        task.pk,
        task.flow_task.name,
        task.data.get(ATTEMPTS, 0),
        exc,
    )


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
    """Jobs whose message was lost (SCHEDULED and due for too long) or whose worker died
    (STARTED too long: longer than any attempt may run, see the system check)."""
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.FLOW_JOB_STUCK_AFTER_SECONDS)
    return Task.objects.filter(flow_task_type=JOB).filter(
        Q(status=STATUS.SCHEDULED, scheduled__lt=cutoff)
        | Q(status=STATUS.STARTED, started__lt=cutoff)
    )


def jobs_requeue_stuck(*, now=None) -> int:
    """Send stuck jobs again, spending their attempts, never resetting them.

    A job STARTED too long is taken back from the message that claimed it (its worker is
    gone): SCHEDULED again, or ERROR if that was its last attempt. A job SCHEDULED and due too
    long gets its due time moved to `now`, so each sweep period sends it once, not every
    minute. Either way, one new message; a duplicate is harmless, the runner re-checks the
    state and the claim. Returns how many were sent.
    """
    now = now or timezone.now()
    sent = 0
    for task_id in list(jobs_stuck_qs(now=now).values_list("pk", flat=True)):
        task = _job_task(task_id)
        if task is None:
            continue
        with task.flow_task.flow_class.lock(task.process_id):
            task.refresh_from_db()
            if not jobs_stuck_qs(now=now).filter(pk=task.pk).exists():
                continue  # it moved on meanwhile
            activation = task.flow_task.activation_class(task)
            if task.status == STATUS.STARTED:
                attempts = task.data.get(ATTEMPTS, 0)
                if attempts >= job_max_attempts():
                    _fail(task, activation, _lost(attempts))
                    continue
                activation.reschedule(at=now)
                audit_record(
                    actor=None,
                    action="flow_job.taken_back",
                    obj=task,
                    from_state=STATUS.STARTED,
                    to_state=STATUS.SCHEDULED,
                    data=_audit_data(task, attempts=attempts),
                )
            else:
                task.scheduled = now
                task.save(update_fields=["scheduled"])
            _enqueue_on_commit(task.pk)
            sent += 1
    return sent
