"""Row locks and service transactions: the one lock order of Docket (decisions.md 38).

Every write that must not interleave with another takes row locks, and two transactions that
take the same locks in opposite orders deadlock on PostgreSQL. So every service takes them in
this order, outermost first, and never goes back up the list:

1. the flow lock of a case (viewflow's process row, NOWAIT: `task.activation()`, `Node.run`,
   the job runner); of several cases, in pk order;
2. the council (`meeting_create`), then a meeting, then its protocol, then agenda items (by
   number or pk);
3. the case rows: applications (in pk order), then the status, then a case about it (a
   termination case, problem notice, network report, agreement, then the agreement's party),
   then its duties (pk order), then a duty's submission;
4. documents (in pk order), then a render request, signer certificates and the certificate
   authority;
5. notifications (claimed in their own short transactions, `skip_locked`);
6. the audit chain head: `audit_record` locks it and holds it to the commit, so a service
   writes its audit events after it has taken the other locks it needs. After the head only
   rows no other transaction locks before its own head: rows this transaction created, and
   journal counters (every registration follows the audit event of its document's draft, so
   the head already queues them). decisions.md 38 lists the few steps that still lock a
   case after the head, and why they are safe.

PostgreSQL adds locks nobody wrote: Django creates foreign keys `DEFERRABLE INITIALLY DEFERRED`,
so every row inserted or updated checks the rows it references at COMMIT, with FOR KEY SHARE,
after the audit head. A plain FOR UPDATE on a referenced row (a programme, a meeting, an
organisation) conflicts with that, and `SELECT ... FOR UPDATE` of a query with
`select_related` locks every joined row too: a vote locked its meeting, council and programme,
and an application being created waited for the programme at its commit while holding the audit
head the vote waited for (issue 10, the deadlock of 8 votes in a load run). So a lock that
serialises work on a row is `lock(queryset)`: FOR NO KEY UPDATE (which FOR KEY SHARE does not
wait for) of the queried table only.

A transaction PostgreSQL still aborts as a deadlock or a serialization failure is run again, a
bounded number of times, by `service_transaction` where the outermost transaction starts (the
service a view, an API endpoint, a task or a command calls). Inside a transaction that is
already open it is a plain savepoint: an inner block cannot be retried, the aborted outer
transaction would be lost. A retry is safe because everything a service does outside the
database waits for the commit (`transaction.on_commit`: Celery messages, letters; a rolled-back
attempt runs none of its callbacks); the one exception is a file written to storage by an
attempt that then rolls back, which stays as an unreferenced file (as with any rollback).
"""

import functools
import logging
import random
import time
from contextlib import contextmanager

from django.db import DatabaseError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.lock import SelectForUpdateLock

log = logging.getLogger(__name__)

# SQLSTATEs after which the whole transaction may simply be run again.
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})  # deadlock_detected, serialization_failure
ATTEMPTS = 3


def lock(queryset: QuerySet) -> QuerySet:
    """`queryset` as SELECT ... FOR NO KEY UPDATE OF its own table (see the module docstring:
    joined rows are not locked, and foreign-key checks of other transactions do not wait)."""
    return queryset.select_for_update(of=("self",), no_key=True)


class FlowRowLock(SelectForUpdateLock):
    """viewflow's NOWAIT lock on the process row (step 1 of the order), correct inside a
    transaction that is already open too.

    viewflow's own catches the failed NOWAIT inside its atomic block: as the outermost
    transaction that block merely rolls back at its end, but as a savepoint (a case's step taken
    inside a service transaction: signing an order for several cases, a protocol releasing its
    cases, any step under `service_transaction`) releasing it fails with "current transaction is
    aborted". Here each attempt has its own savepoint, rolled back when it fails; the row lock
    of the attempt that succeeds stays with the enclosing transaction until it ends. Also FOR NO
    KEY UPDATE, like `lock()`."""

    @contextmanager
    def __call__(self, flow_class, process_pk):
        rows = flow_class.process_class._default_manager.filter(pk=process_pk)
        with transaction.atomic():
            for attempt in range(self.attempts):
                try:
                    with transaction.atomic():
                        rows.select_for_update(nowait=self.nowait, no_key=True).exists()
                except DatabaseError as exc:
                    if attempt == self.attempts - 1:
                        raise FlowLockFailed(f"Lock failed for {flow_class}") from exc
                    time.sleep(((attempt + 1) * random.random() + 2**attempt) / 2.5)
                else:
                    break
            yield


flow_row_lock = FlowRowLock()


# The steps of the order, for code that gathers rows from several apps and locks them at once.
(
    FLOW,
    COUNCIL,
    MEETING,
    PROTOCOL,
    AGENDA_ITEM,
    APPLICATION,
    STATUS,
    STATUS_CASE,
    DUTY,
    SUBMISSION,
) = range(10)


def lock_in_order(rows) -> None:
    """Lock `(step, model, pk)` rows by step, then model, then pk: the order above, and one
    order among rows of the same step."""
    for _step, model, pk in sorted(set(rows), key=lambda r: (r[0], r[1]._meta.label, r[2])):
        lock(model.objects).filter(pk=pk).first()


def is_retryable(exc: BaseException) -> bool:
    """A deadlock or serialization failure, as psycopg reports it under Django's wrapper."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if getattr(exc, "sqlstate", None) in RETRYABLE_SQLSTATES:
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _pause(attempt: int) -> None:
    # Short and jittered: the other transaction of the deadlock has usually committed already.
    time.sleep(random.uniform(0.01, 0.05) * 2**attempt)


def service_transaction(func=None, *, attempts: int = ATTEMPTS):
    """`transaction.atomic` for a service, run again when PostgreSQL aborts the transaction as
    a deadlock or serialization failure, if this call starts the outermost transaction.

    After the last attempt the person gets a ConflictError ("busy, try again"), never a 500."""

    def decorate(function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            if transaction.get_connection().in_atomic_block:
                with transaction.atomic():
                    return function(*args, **kwargs)
            for attempt in range(1, attempts + 1):
                try:
                    with transaction.atomic():
                        return function(*args, **kwargs)
                except DatabaseError as exc:
                    if not is_retryable(exc):
                        raise
                    if attempt == attempts:
                        from core.errors import ConflictError

                        log.error("%s: aborted %s times (%s)", function.__name__, attempts, exc)
                        raise ConflictError(
                            _("Docket is busy with the same records right now; try again.")
                        ) from exc
                    log.warning(
                        "%s: transaction aborted (%s), attempt %s of %s",
                        function.__name__,
                        getattr(exc.__cause__, "sqlstate", ""),
                        attempt,
                        attempts,
                    )
                    _pause(attempt)
            raise AssertionError("unreachable")  # pragma: no cover

        return wrapper

    return decorate(func) if func is not None else decorate
