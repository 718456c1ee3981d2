"""`service_transaction`: a deadlock or serialization failure runs the outermost transaction
again (bounded), never an inner one; other errors pass straight through."""

import pytest
from django.db import OperationalError, connection, transaction

from core.errors import ConflictError
from core.transactions import is_retryable, service_transaction

pytestmark = pytest.mark.django_db(transaction=True)


class _PgError(Exception):
    def __init__(self, sqlstate):
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def _aborted(sqlstate="40P01") -> OperationalError:
    """What Django raises for psycopg's DeadlockDetected: its OperationalError, the driver's
    error as the cause."""
    try:
        raise _PgError(sqlstate)
    except _PgError as cause:
        try:
            raise OperationalError("deadlock detected") from cause
        except OperationalError as exc:
            return exc


def _flaky(failures: int, sqlstate="40P01"):
    calls = []

    @service_transaction
    def work():
        calls.append(connection.in_atomic_block)
        transaction.on_commit(lambda: committed.append(len(calls)))
        if len(calls) <= failures:
            raise _aborted(sqlstate)
        return "done"

    committed = []
    return work, calls, committed


@pytest.mark.parametrize("sqlstate", ["40P01", "40001"])
def test_an_aborted_transaction_is_run_again_and_commits_once(sqlstate):
    work, calls, committed = _flaky(failures=1, sqlstate=sqlstate)
    assert work() == "done"
    assert calls == [True, True]  # each attempt in its own transaction
    assert committed == [2]  # the rolled-back attempt's on_commit callback never ran


def test_after_the_last_attempt_the_person_is_told_to_try_again():
    work, calls, committed = _flaky(failures=10)
    with pytest.raises(ConflictError):
        work()
    assert len(calls) == 3 and committed == []


def test_inside_an_open_transaction_nothing_is_retried():
    work, calls, _committed = _flaky(failures=1)
    with pytest.raises(OperationalError), transaction.atomic():
        work()
    assert len(calls) == 1


def test_other_database_errors_are_not_retried():
    work, calls, _committed = _flaky(failures=1, sqlstate="23505")
    with pytest.raises(OperationalError):
        work()
    assert len(calls) == 1
    assert is_retryable(_aborted("40P01")) and not is_retryable(_aborted("55P03"))
