"""The lock order of core.transactions on PostgreSQL: applications created while members vote
never deadlock (issue 10: 8 votes in a load run ended in a 500 and a lost draft), and a deadlock
PostgreSQL still detects is run again at the service boundary."""

import datetime
import re
import threading

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from applications import services as wf_services
from applications.models import Application
from core.transactions import lock, service_transaction
from councils import services
from councils.models import Vote
from programmes.models import Organisation
from tests.factories import CoordinatorFactory, OrganisationFactory
from tests.integration.test_concurrency import run_together

# One open vote with its seats: the same set-up as the council's own concurrency tests.
from tests.integration.test_council_concurrency import _voting_item
from tests.story import (
    council_of,
    meeting_decides,
    rendered,
    waiting_for_council,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.server]


def test_creating_applications_while_members_vote_never_deadlocks(
    postgres, program, school, coordinator, methodist, secretary
):
    """A vote locked its item with `select_related`, so PostgreSQL locked the meeting, council
    and programme rows FOR UPDATE too; a create checks its programme foreign key at COMMIT
    (FOR KEY SHARE), after taking the audit head the vote was waiting for."""
    item, seats = _voting_item(program, school, coordinator, methodist, secretary)
    coordinators = []
    for i in range(5):
        org = OrganisationFactory(short_name=f"Школа {i}")
        coordinators.append((CoordinatorFactory(username=f"c{i}", organisation=org), org))

    def create(user, org):
        return wf_services.application_create(
            user=user, organisation=org, program=program, fields={"topic": "t"}, events=[]
        )

    def votes(seat):
        """One member changing their vote twelve times (for, against, for, ...)."""
        for n in range(12):
            services.vote_cast(
                item_id=item.pk, user=seat.user, choice="against" if n % 2 else "for"
            )

    # The first five threads take one member each; the other three create drafts meanwhile.
    jobs = [lambda seat=seat: votes(seat) for seat in seats]
    jobs += [lambda user=user, org=org: create(user, org) for user, org in coordinators * 12]
    outcomes = run_together(jobs, threads=8)
    errors = [repr(exc) for _r, exc in outcomes if exc is not None]
    assert errors == [], "\n".join(errors[:4])
    assert Application.objects.filter(topic="t").count() == 60
    assert len(seats) == 5
    assert set(Vote.objects.filter(item=item).values_list("choice", flat=True)) == {"against"}


def test_a_deadlock_postgresql_detects_is_run_again_and_both_commit(postgres):
    """Two transactions lock two rows in opposite orders: PostgreSQL aborts one, the service
    boundary runs it again, both commit, and each commits its after-commit work once."""
    first, second = OrganisationFactory(), OrganisationFactory()
    both_hold_one = threading.Barrier(2, timeout=10)
    attempts, committed = [], []

    def crossing(one, other):
        @service_transaction
        def work():
            attempts.append(one.pk)
            transaction.on_commit(lambda: committed.append(one.pk))
            lock(Organisation.objects).get(pk=one.pk)
            if attempts.count(one.pk) == 1:
                both_hold_one.wait()
            organisation = lock(Organisation.objects).get(pk=other.pk)
            organisation.address = f"from {one.pk}"
            organisation.save(update_fields=["address"])
            return one.pk

        return work

    outcomes = run_together([crossing(first, second), crossing(second, first)], threads=2)
    assert [exc for _r, exc in outcomes if exc is not None] == []
    assert sorted(r for r, _e in outcomes) == sorted([first.pk, second.pk])
    assert len(attempts) == 3  # one of the two ran again
    assert sorted(committed) == sorted([first.pk, second.pk])


CASE_TABLES = {
    "viewflow_process",
    "councils_agendaitem",
    "workflows_application",
    "workflows_status",
    "statuses_terminationcase",
    "statuses_duty",
    "statuses_submission",
}
LOCKED_TABLE = re.compile(r'FROM "(\w+)".* FOR (?:NO KEY )?UPDATE', re.S)


def _case_tables_locked_after_the_audit_head(queries: list[str]) -> set[str]:
    """Case tables first locked only after the audit head: another transaction that locks the
    same row and then audits would deadlock with this one."""
    before, after, head_taken = set(), set(), False
    for sql in queries:
        match = LOCKED_TABLE.search(sql)
        if not match:
            continue
        table = match.group(1)
        if table == "audit_auditchainhead":
            head_taken = True
        elif table in CASE_TABLES:
            (after if head_taken else before).add(table)
    return after - before


def test_a_signed_protocol_locks_the_cases_it_releases_before_the_audit_head(
    postgres, granted_status, program, methodist, secretary, coordinator, monkeypatch
):
    """The protocol releases every case after its signatures' audit events: it locks their
    rows first (here an application waiting for the council and a holder's termination case,
    whose status a holder's own action locks before auditing)."""
    from statuses import services as status_services

    termination = status_services.termination_request(
        user=coordinator, status_id=granted_status.pk, reason="Реорганизация школы"
    )
    application = waiting_for_council(program, methodist=methodist, school_name="Лицей 9")
    signing = []
    real_sign = services.protocol_sign

    def protocol_sign(**kwargs):
        with CaptureQueriesContext(connection) as queries:
            result = real_sign(**kwargs)
        signing.append([q["sql"] for q in queries.captured_queries])
        return result

    monkeypatch.setattr(services, "protocol_sign", protocol_sign)
    meeting_decides(
        council_of(program, secretary=secretary),
        {
            application: ("granted", "Соответствует положению"),
            termination: ("adopted", "Поддержать"),
        },
        secretary=secretary,
        meeting_date=datetime.date.today(),
    )
    application.refresh_from_db()
    termination.refresh_from_db()
    assert application.state == Application.State.AT_DEPARTMENT
    assert termination.state == termination.State.AT_DEPARTMENT
    assert len(signing) == 2
    assert [_case_tables_locked_after_the_audit_head(q) for q in signing] == [set(), set()]


def test_signing_an_order_locks_its_cases_before_the_audit_head(
    postgres, program, methodist, secretary, official
):
    """The signature's audit event came before the cases' flow locks and rows: an official
    returning one of the cases at that moment (flow lock, row, then audit) closed a cycle."""
    from applications import services as wf
    from documents.services import signer_certificate_issue

    cases = [waiting_for_council(program, methodist=methodist, school_name=n) for n in "АБ"]
    meeting_decides(
        council_of(program, secretary=secretary),
        {c: ("granted", "Соответствует положению") for c in cases},
        secretary=secretary,
        meeting_date=datetime.date.today(),
    )
    signer_certificate_issue(user=official)
    order = wf.order_draft_for_cases(application_ids=[c.pk for c in cases], user=official)
    rendered(order.document)

    with CaptureQueriesContext(connection) as queries:
        wf.order_sign_and_approve_cases(order_id=order.pk, user=official)

    assert (
        _case_tables_locked_after_the_audit_head([q["sql"] for q in queries.captured_queries])
        == set()
    )
    assert {c.state for c in Application.objects.filter(pk__in=[c.pk for c in cases])} == {
        Application.State.GRANTED
    }
