"""Three years of a status in moved time: reminders, missed deadlines, renewal, expiry."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from applications import services
from applications.models import Application
from audit.models import AuditEvent
from audit.services import audit_verify_chain
from core.errors import ConflictError
from notifications.models import Kind, Notification
from statuses import selectors as status_selectors
from statuses import services as status_services
from statuses.models import Duty, Status, StatusTerm, Submission
from statuses.tasks import sweep_status_lifecycle
from tests.story import council_considers, renewed

pytestmark = pytest.mark.django_db
TOMSK = ZoneInfo("Asia/Tomsk")
GRANTED_ON = datetime.date(2026, 11, 20)


def at(day: datetime.date, hour: int = 9):
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=TOMSK)


def days(start: datetime.date, end: datetime.date):
    while start <= end:
        yield start
        start += datetime.timedelta(days=1)


def sweep_on(day: datetime.date, hour: int = 9):
    """What beat does on that day: the sweep, here twice to prove it is idempotent."""
    with time_machine.travel(at(day, hour), tick=False):
        sweep_status_lifecycle.apply()
        sweep_status_lifecycle.apply()


@pytest.fixture
def status(granted_status):
    return granted_status


def first_report(status) -> Duty:
    return status.duties.get(kind=Duty.Kind.REPORT, academic_year=2026)


def test_grant_opens_the_first_term_and_six_duties_on_working_days(status):
    term = status.terms.get()
    assert (term.number, term.valid_from, term.valid_until) == (
        1,
        GRANTED_ON,
        datetime.date(2029, 8, 31),
    )
    due = {(d.kind, d.academic_year): d.due_date for d in status.duties.all()}
    assert due == {
        # The 2026/27 plan date (15.09) passed before the grant: 10 working days after it.
        ("plan", 2026): datetime.date(2026, 12, 4),
        ("report", 2026): datetime.date(2027, 6, 1),
        ("plan", 2027): datetime.date(2027, 9, 15),
        ("report", 2027): datetime.date(2028, 6, 1),
        ("plan", 2028): datetime.date(2028, 9, 15),
        ("report", 2028): datetime.date(2029, 6, 1),
    }


def test_a_deadline_on_a_day_off_moves_to_the_next_working_day(status, program):
    from statuses.models import DutySchedule

    # 12.06.2027 is Russia Day (a Saturday) and 14.06 its day off: due Tuesday 15.06.2027.
    DutySchedule.objects.create(program=program, report_due_month=6, report_due_day=12)
    status.duties.all().delete()
    status_services._duties_create(status.terms.get())
    assert first_report(status).due_date == datetime.date(2027, 6, 15)


def test_reminders_fire_once_each_on_their_working_days(status, coordinator):
    report = first_report(status)
    for day in days(datetime.date(2027, 4, 20), datetime.date(2027, 6, 1)):
        sweep_on(day)
    reminders = Notification.objects.filter(
        kind=Kind.DEADLINE_APPROACHING,
        dedup_key__startswith=f"duty:{report.pk}:remind:",
        recipient=coordinator,
        channel=Notification.Channel.INAPP,
    )
    sent = sorted((timezone.localdate(n.created_at), n.dedup_key) for n in reminders)
    # 14 working days before 01.06.2027 (9–10 May are off) and 3 working days before.
    assert sent == [
        (datetime.date(2027, 5, 12), f"duty:{report.pk}:remind:14"),
        (datetime.date(2027, 5, 27), f"duty:{report.pk}:remind:3"),
    ]
    report.refresh_from_db()
    assert report.reminders_sent == [14, 3]
    assert AuditEvent.objects.filter(action="duty.remind", object_id=str(report.pk)).count() == 2


def test_a_late_sweep_sends_only_the_nearest_reminder(status, coordinator):
    report = first_report(status)
    sweep_on(datetime.date(2027, 5, 28))  # beat was down for a month
    keys = set(
        Notification.objects.filter(recipient=coordinator, kind=Kind.DEADLINE_APPROACHING)
        .filter(dedup_key__startswith=f"duty:{report.pk}:")
        .values_list("dedup_key", flat=True)
    )
    assert keys == {f"duty:{report.pk}:remind:3"}
    sweep_on(datetime.date(2027, 5, 31))
    report.refresh_from_db()
    assert report.reminders_sent == [14, 3]
    assert (
        Notification.objects.filter(dedup_key__startswith=f"duty:{report.pk}:remind")
        .filter(recipient=coordinator, channel="inapp")
        .count()
        == 1
    )


def test_no_reminder_for_a_submitted_report(status, coordinator):
    report = first_report(status)
    with time_machine.travel(at(datetime.date(2027, 5, 5)), tick=False):
        status_services.submission_create(
            user=coordinator,
            duty_id=report.pk,
            fields={
                "summary": "Итоги года",
                "events_held": 4,
                "young_teachers": 31,
                "schools": 6,
                "mentors": 9,
            },
            events=[{"title": "Семинар", "planned": "октябрь", "participants": 25}],
        )
    for day in days(datetime.date(2027, 5, 6), datetime.date(2027, 6, 15)):
        sweep_on(day)
    report.refresh_from_db()
    assert report.state == Duty.State.AT_METHODIST
    assert report.reminders_sent == [] and report.missed_at is None


def test_a_missed_report_is_noticed_then_escalated_after_the_grace_period(
    status, coordinator, methodist, secretary
):
    report = first_report(status)
    sweep_on(datetime.date(2027, 6, 1), hour=23)  # the due day itself is not late
    report.refresh_from_db()
    assert report.missed_at is None

    sweep_on(datetime.date(2027, 6, 2))
    report.refresh_from_db()
    assert report.missed_at is not None and report.escalated_at is None
    missed = Notification.objects.filter(dedup_key=f"duty:{report.pk}:missed", channel="inapp")
    assert {n.recipient for n in missed} == {coordinator, methodist}

    # Grace: 5 working days after 01.06.2027 is 08.06.2027; the council hears on 09.06.
    sweep_on(datetime.date(2027, 6, 8), hour=23)
    report.refresh_from_db()
    assert report.escalated_at is None
    sweep_on(datetime.date(2027, 6, 9))
    sweep_on(datetime.date(2027, 6, 10))
    report.refresh_from_db()
    assert timezone.localdate(report.escalated_at) == datetime.date(2027, 6, 9)
    escalated = Notification.objects.filter(
        dedup_key=f"duty:{report.pk}:escalated", channel="inapp"
    )
    assert secretary in {n.recipient for n in escalated}
    assert escalated.filter(recipient=secretary).count() == 1
    assert AuditEvent.objects.filter(action="duty.escalate", object_id=str(report.pk)).count() == 1
    # The dashboard shows it overdue.
    board = status_selectors.methodist_dashboard(
        program=status.program, today=datetime.date(2027, 6, 10)
    )
    assert report in board["overdue"]


def test_expiry_happens_the_day_after_valid_until_and_only_once(status, coordinator):
    sweep_on(datetime.date(2029, 8, 31), hour=23)
    status.refresh_from_db()
    assert status.state == Status.State.ACTIVE
    assert status in status_selectors.public_registry_qs()

    sweep_on(datetime.date(2029, 9, 1), hour=0)
    sweep_on(datetime.date(2029, 9, 2))
    status.refresh_from_db()
    assert status.state == Status.State.EXPIRED
    assert status.ended_on == datetime.date(2029, 9, 1)
    assert AuditEvent.objects.filter(action="status.expire").count() == 1
    told = Notification.objects.filter(kind=Kind.STATUS_CHANGED, recipient=coordinator)
    assert told.filter(channel="inapp").count() == 1
    assert status not in status_selectors.public_registry_qs()
    assert not status.duties.filter(state__in=Duty.OWED_STATES).exists()
    assert audit_verify_chain()[0]


def test_renewal_invitation_comes_six_months_before_the_end_once(status, coordinator):
    sweep_on(datetime.date(2029, 2, 27))
    assert not Notification.objects.filter(kind=Kind.STATUS_EXPIRING).exists()
    sweep_on(datetime.date(2029, 2, 28))
    sweep_on(datetime.date(2029, 3, 1))
    invites = Notification.objects.filter(
        kind=Kind.STATUS_EXPIRING, recipient=coordinator, channel="inapp"
    )
    assert invites.count() == 1


def test_renewal_approved_before_expiry_extends_without_a_gap(
    status, coordinator, methodist, secretary, official
):
    with time_machine.travel(at(datetime.date(2029, 4, 10)), tick=False):
        draft = status_services.renewal_application_create(user=coordinator, status_id=status.pk)
        assert draft.kind == Application.Kind.RENEWAL and draft.renews == status
        assert draft.topic == status.topic
        assert draft.planned_events.count() == 3
        services.application_submit(application_id=draft.pk, user=coordinator)
    status.refresh_from_db()
    assert status.state == Status.State.RENEWAL
    # Under review the status stays in the public registry.
    assert status in status_selectors.public_registry_qs()

    with time_machine.travel(at(datetime.date(2029, 5, 20)), tick=False):
        application = renewed_after_submit(draft, methodist, secretary, official)
    status.refresh_from_db()
    assert application.state == Application.State.GRANTED
    assert status.state == Status.State.ACTIVE
    first, second = status.terms.order_by("number")
    assert second.previous == first
    assert second.valid_from == first.valid_until + datetime.timedelta(days=1)
    assert (second.valid_from, second.valid_until) == (
        datetime.date(2029, 9, 1),
        datetime.date(2032, 8, 31),
    )
    assert status.valid_until == datetime.date(2032, 8, 31)
    assert status.duties.filter(term=second).count() == 6
    sweep_on(datetime.date(2029, 9, 1))
    status.refresh_from_db()
    assert status.state == Status.State.ACTIVE
    # Granting twice (a job retried) changes nothing.
    services.status_grant(application=application)
    assert StatusTerm.objects.filter(status=status).count() == 2


def renewed_after_submit(application, methodist, secretary, official):
    from tests.story import act, council_decides

    today = timezone.localdate()
    council_decides(
        application,
        methodist=methodist,
        secretary=secretary,
        decision="granted",
        reasons="Работа эффективна",
        meeting_date=today,
    )
    act(official, application, decision="approve", order_number="77-р", order_date=today)
    services.status_grant(application=application)
    application.refresh_from_db()
    return application


def test_renewal_after_expiry_is_refused_with_a_clear_message(status, coordinator):
    with time_machine.travel(at(datetime.date(2029, 8, 20)), tick=False):
        draft = status_services.renewal_application_create(user=coordinator, status_id=status.pk)
    sweep_on(datetime.date(2029, 9, 1))
    with time_machine.travel(at(datetime.date(2029, 9, 3)), tick=False):
        with pytest.raises(ConflictError) as err:
            services.application_submit(application_id=draft.pk, user=coordinator)
        assert "31.08.2029" in str(err.value.message)
        with pytest.raises(ConflictError):
            status_services.renewal_application_create(user=coordinator, status_id=status.pk)
    draft.refresh_from_db()
    status.refresh_from_db()
    assert draft.state == Application.State.DRAFT and draft.reg_number == ""
    assert status.state == Status.State.EXPIRED


def test_a_renewal_under_review_at_the_end_of_the_term_keeps_the_status_until_decided(
    status, coordinator, methodist, secretary
):
    from tests.story import council_decides

    with time_machine.travel(at(datetime.date(2029, 8, 1)), tick=False):
        draft = status_services.renewal_application_create(user=coordinator, status_id=status.pk)
        services.application_submit(application_id=draft.pk, user=coordinator)
    sweep_on(datetime.date(2029, 9, 2))
    status.refresh_from_db()
    assert status.state == Status.State.RENEWAL
    with time_machine.travel(at(datetime.date(2029, 9, 10)), tick=False):
        draft.refresh_from_db()
        council_decides(
            draft,
            methodist=methodist,
            secretary=secretary,
            decision="refused",
            reasons="Отчёты не приняты",
            meeting_date=datetime.date(2029, 9, 10),
        )
    status.refresh_from_db()
    assert status.state == Status.State.EXPIRED
    assert status.ended_on == datetime.date(2029, 9, 10)


def test_renewal_refused_in_term_leaves_the_status_active_until_its_end(
    status, coordinator, methodist, secretary
):
    from tests.story import council_decides

    with time_machine.travel(at(datetime.date(2029, 4, 1)), tick=False):
        draft = status_services.renewal_application_create(user=coordinator, status_id=status.pk)
        services.application_submit(application_id=draft.pk, user=coordinator)
        draft.refresh_from_db()
        council_decides(
            draft,
            methodist=methodist,
            secretary=secretary,
            decision="refused",
            reasons="Нет",
            meeting_date=datetime.date(2029, 4, 1),
        )
    status.refresh_from_db()
    assert status.state == Status.State.ACTIVE
    assert status.valid_until == datetime.date(2029, 8, 31)
    actions = [e.action for e in status_selectors.status_history(status)]
    assert actions.index("status.renewal_start") < actions.index("status.renewal_refuse")


def test_report_review_holder_methodist_council(status, coordinator, methodist, secretary):
    report = first_report(status)
    fields = {
        "summary": "Итоги",
        "events_held": 3,
        "young_teachers": 20,
        "schools": 4,
        "mentors": 6,
        "problems": "Мало наставников",
    }
    events = [
        {
            "title": "Мастер-класс",
            "planned": "ноябрь",
            "held_on": datetime.date(2026, 12, 1),
            "participants": 18,
            "result": "Проведён",
            "deviation": "Перенесён на декабрь",
            "reason": "Карантин",
        }
    ]
    with time_machine.travel(at(datetime.date(2027, 5, 20)), tick=False):
        first = status_services.submission_create(
            user=coordinator, duty_id=report.pk, fields=fields, events=events
        )
        with pytest.raises(ConflictError):
            status_services.submission_create(
                user=coordinator, duty_id=report.pk, fields=fields, events=events
            )
        status_services.submission_check(
            user=methodist, submission_id=first.pk, decision="return", comment="Добавьте фото"
        )
        second = status_services.submission_create(
            user=coordinator, duty_id=report.pk, fields=fields, events=events
        )
        status_services.submission_check(user=methodist, submission_id=second.pk, decision="accept")
        second.refresh_from_db()
        assert second.state == Submission.State.AT_COUNCIL
        council_considers(
            second,
            secretary=secretary,
            decision="adopted",
            text="Принять",
            meeting_date=datetime.date(2027, 5, 20),
        )
    report.refresh_from_db()
    assert report.state == Duty.State.ACCEPTED
    assert second.number == 2
    actions = [e.action for e in status_selectors.status_history(status) if e.subject]
    assert actions == [
        "duty.submit",
        "duty.return",
        "duty.submit",
        "duty.accept",
        "duty.council_accept",
    ]
    returned = Notification.objects.filter(kind=Kind.DUTY_REVIEWED, recipient=coordinator)
    assert returned.filter(channel="inapp").count() == 2  # the return and the acceptance


def test_a_report_without_its_counts_is_refused_and_nothing_changes(status, coordinator):
    from django.core.exceptions import ValidationError

    report = first_report(status)
    with pytest.raises(ValidationError) as err:
        status_services.submission_create(
            user=coordinator, duty_id=report.pk, fields={"summary": "Итоги"}, events=[]
        )
    assert {"events_held", "young_teachers", "schools", "mentors", "events"} <= set(
        err.value.message_dict
    )
    report.refresh_from_db()
    assert report.state == Duty.State.PENDING and not report.submissions.exists()


def test_others_cannot_submit(status, other_coordinator):
    from core.errors import NotAllowed

    with pytest.raises(NotAllowed):
        status_services.submission_create(
            user=other_coordinator,
            duty_id=first_report(status).pk,
            fields={"summary": "x"},
            events=[{"title": "x", "planned": "x"}],
        )


def test_termination_needs_a_reason_and_is_final(status, official):
    from applications.models import Order

    order = Order.objects.create(
        program=status.program,
        number="9-р",
        date=datetime.date(2027, 3, 1),
        year=2027,
        signed_by=official,
    )
    status_services.status_terminate(
        status_id=status.pk,
        actor=official,
        reason="Реорганизация учреждения",
        order=order,
        today=datetime.date(2027, 3, 1),
    )
    status.refresh_from_db()
    assert status.state == Status.State.TERMINATED
    assert status.end_reason == "Реорганизация учреждения"
    with pytest.raises(ConflictError):
        status_services.status_resume(
            status_id=status.pk, actor=official, today=datetime.date(2027, 3, 2)
        )
    assert not status.duties.filter(state__in=Duty.OWED_STATES).exists()


def test_story_helper_renewed(status, coordinator, methodist, secretary, official):
    with time_machine.travel(at(datetime.date(2029, 6, 1)), tick=False):
        renewed(
            status,
            coordinator=coordinator,
            methodist=methodist,
            secretary=secretary,
            official=official,
            on=datetime.date(2029, 6, 1),
        )
    status.refresh_from_db()
    assert status.valid_until == datetime.date(2032, 8, 31)


def test_the_grant_letter_lists_the_deadlines_and_no_reminder_predates_its_duty(
    status, coordinator
):
    letter = Notification.objects.get(
        kind=Kind.STATUS_GRANTED, recipient=coordinator, channel="inapp"
    )
    assert "04.12.2026" in letter.body_text and "01.06.2027" in letter.body_text
    plan = status.duties.get(kind=Duty.Kind.PLAN, academic_year=2026)
    sweep_on(GRANTED_ON, hour=23)  # 14 working days before 04.12 was before the grant
    sweep_on(datetime.date(2026, 11, 30))
    assert not Notification.objects.filter(dedup_key__startswith=f"duty:{plan.pk}:").exists()
    sweep_on(datetime.date(2026, 12, 1))
    keys = set(
        Notification.objects.filter(dedup_key__startswith=f"duty:{plan.pk}:").values_list(
            "dedup_key", flat=True
        )
    )
    assert keys == {f"duty:{plan.pk}:remind:3"}


def test_a_renewal_approved_after_the_term_it_would_add_is_refused_before_any_order(
    status, coordinator, methodist, secretary, official
):
    """A review left open for three years would grant a term already over: the department
    is told so before it drafts or signs an order, and can still refuse the renewal."""
    from tests.story import act, council_at_meeting, council_decides

    with time_machine.travel(at(datetime.date(2029, 8, 1)), tick=False):
        draft = status_services.renewal_application_create(user=coordinator, status_id=status.pk)
        services.application_submit(application_id=draft.pk, user=coordinator)
        draft.refresh_from_db()
        council_decides(
            draft,
            methodist=methodist,
            secretary=secretary,
            decision="granted",
            reasons="Работа эффективна",
            meeting_date=datetime.date(2029, 8, 1),
        )
    at_day = datetime.date(2032, 9, 6)
    with time_machine.travel(at(at_day), tick=False):
        with pytest.raises(ConflictError) as err:
            services.order_draft(application_id=draft.pk, user=official)
        assert "31.08.2032" in str(err.value.message)
        draft.refresh_from_db()
        assert draft.order_id is None
        with pytest.raises(ConflictError):
            act(official, draft, decision="approve", order_number="5-р", order_date=at_day)
        act(official, draft, decision="return", comment="Срок продления истёк")
        council_at_meeting(
            draft,
            secretary=secretary,
            decision="refused",
            reasons="Срок продления истёк",
            meeting_date=at_day,
        )
    status.refresh_from_db()
    assert status.state == Status.State.EXPIRED
    assert status.valid_until == datetime.date(2029, 8, 31)
    assert status.ended_on == at_day
    assert status.terms.count() == 1


def test_a_row_the_sweep_keeps_failing_on_does_not_stop_the_others_and_is_given_up_visibly(
    status, program, methodist, secretary, official, settings, client
):
    """Two schools miss their first plan (due 04.12.2026). Telling the first one fails every
    time (its row raises). The sweep still tells the second; it counts the first one's failures
    run by run, and after STATUS_SWEEP_MAX_ATTEMPTS gives up on it: audited, the administrator
    told, listed on /monitoring/ and skipped by later runs. Retry there sends it round again."""
    from unittest import mock

    from statuses import notify as status_notify
    from statuses.models import SweepFailure
    from tests.factories import CoordinatorFactory, OrganisationFactory, UserFactory
    from tests.story import granted

    settings.STATUS_SWEEP_MAX_ATTEMPTS = 2
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    other_school = OrganisationFactory()
    other_coordinator = CoordinatorFactory(username="coord_b", organisation=other_school)
    with time_machine.travel(at(GRANTED_ON, 10), tick=False):
        other = granted(
            coordinator=other_coordinator,
            school=other_school,
            program=program,
            methodist=methodist,
            secretary=secretary,
            official=official,
            on=GRANTED_ON,
            order="2-р",
        )
    broken = status.duties.get(kind=Duty.Kind.PLAN, academic_year=2026)
    fine = other.duties.get(kind=Duty.Kind.PLAN, academic_year=2026)
    real = status_notify.duty_missed

    def duty_missed(*, duty):
        if duty.pk == broken.pk:
            raise RuntimeError("адрес школы не найден")
        return real(duty=duty)

    with mock.patch.object(status_notify, "duty_missed", side_effect=duty_missed) as told:
        sweep_on(datetime.date(2026, 12, 7))  # two runs
        fine.refresh_from_db()
        assert fine.missed_at is not None  # the other school is told all the same
        broken.refresh_from_db()
        assert broken.missed_at is None  # rolled back alone
        failure = SweepFailure.objects.get(sweep="missed", model="duty", object_id=broken.pk)
        assert failure.attempts == 2 and failure.given_up_at is not None
        assert "адрес школы не найден" in failure.last_error
        calls = told.call_count
        sweep_on(datetime.date(2026, 12, 8))
        assert told.call_count == calls  # given up: later runs leave it alone
    assert AuditEvent.objects.filter(action="status_sweep.failed").count() == 1
    bell = Notification.objects.get(recipient=admin, kind=Kind.JOB_FAILED, channel="inapp")
    assert "адрес школы не найден" in bell.body_text

    client.force_login(admin)
    page = client.get("/monitoring/").content.decode()
    assert "адрес школы не найден" in page and f"/duties/{broken.pk}/" in page
    client.post("/monitoring/", {"action": "sweep_retry", "failure": failure.pk})
    assert not SweepFailure.objects.exists()
    assert AuditEvent.objects.filter(action="status_sweep.retry", actor=admin).exists()
    sweep_on(datetime.date(2026, 12, 9))  # the cause is gone: it goes through
    broken.refresh_from_db()
    assert broken.missed_at is not None
    assert not SweepFailure.objects.exists()
