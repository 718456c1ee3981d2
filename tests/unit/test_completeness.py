"""What a submitted application must contain, and who may see and change which case."""

import datetime
import re

import pytest

from applications import selectors, services
from applications.models import Application, Order, PlannedEvent
from statuses.models import Status
from tests.factories import (
    ApplicationFactory,
    CoordinatorFactory,
    ProgramFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
State = Application.State

REQUIRED_FIELDS = [
    "topic",
    "direction",
    "goals",
    "tasks",
    "expected_results",
    "responsible_name",
    "responsible_position",
]


def _status(*, application, state=Status.State.ACTIVE, valid_until=datetime.date(2029, 8, 31)):
    """A status in the registry for the application's organisation, granted by an order."""
    order = Order.objects.create(
        program=application.program,
        number=f"{application.pk}-р",
        date=datetime.date(2026, 11, 20),
        year=2026,
        signed_by=UserFactory(),
    )
    return Status.objects.create(
        program=application.program,
        organisation=application.organisation,
        application=application,
        order=order,
        topic=application.topic,
        valid_from=order.date,
        valid_until=valid_until,
        state=state,
        ended_on=valid_until if state in Status.FINAL_STATES else None,
    )


# --- Completeness --------------------------------------------------------------------------


def test_the_factory_draft_is_complete(program):
    assert selectors.application_completeness_errors(ApplicationFactory(program=program)) == {}


@pytest.mark.parametrize("field", REQUIRED_FIELDS)
def test_each_required_field_left_empty_is_named(program, field):
    application = ApplicationFactory(program=program, **{field: ""})
    assert set(selectors.application_completeness_errors(application)) == {field}


@pytest.mark.parametrize("field", ["topic", "goals", "responsible_name"])
def test_whitespace_is_not_content(program, field):
    application = ApplicationFactory(program=program, **{field: "  \n\t "})
    assert set(selectors.application_completeness_errors(application)) == {field}


@pytest.mark.parametrize(
    ("phone", "email", "errors"),
    [
        ("+7 3822 00-00-00", "", set()),
        ("", "school@example.org", set()),
        ("+7 3822 00-00-00", "school@example.org", set()),
        ("", "", {"responsible_phone"}),
        ("   ", "", {"responsible_phone"}),
    ],
)
def test_a_phone_or_an_email_is_enough(program, phone, email, errors):
    application = ApplicationFactory(
        program=program, responsible_phone=phone, responsible_email=email
    )
    assert set(selectors.application_completeness_errors(application)) == errors


def _years_named(message: str) -> set[int]:
    return {int(y) for y in re.findall(r"\b(\d+)\b", str(message))}


def test_a_year_without_planned_events_is_named(program):
    application = ApplicationFactory(program=program, events=[1, 3, 3])
    errors = selectors.application_completeness_errors(application)
    assert set(errors) == {"planned_events"}
    assert _years_named(errors["planned_events"][0]) == {2}


def test_no_planned_events_at_all_names_every_year(program):
    application = ApplicationFactory(program=program, events=[])
    errors = selectors.application_completeness_errors(application)
    assert _years_named(errors["planned_events"][0]) == {1, 2, 3}


def test_the_years_to_plan_follow_the_programmes_term():
    one_year = ProgramFactory(code="one-year", status_term_years=1, registration_prefix="ОГ")
    assert (
        selectors.application_completeness_errors(ApplicationFactory(program=one_year, events=[1]))
        == {}
    )
    errors = selectors.application_completeness_errors(
        ApplicationFactory(program=ProgramFactory(), events=[1])
    )
    assert _years_named(errors["planned_events"][0]) == {2, 3}


def test_an_active_status_of_the_same_programme_blocks_a_new_application(program, school):
    granted = ApplicationFactory(program=program, organisation=school, state=State.GRANTED)
    _status(application=granted)
    application = ApplicationFactory(program=program, organisation=school)
    errors = selectors.application_completeness_errors(application)
    assert set(errors) == {"organisation"}
    assert "31.08.2029" in errors["organisation"][0]


@pytest.mark.parametrize("state", [Status.State.RENEWAL, Status.State.SUSPENDED])
def test_a_status_under_renewal_or_suspended_still_blocks(program, school, state):
    granted = ApplicationFactory(program=program, organisation=school, state=State.GRANTED)
    _status(application=granted, state=state)
    application = ApplicationFactory(program=program, organisation=school)
    assert set(selectors.application_completeness_errors(application)) == {"organisation"}


@pytest.mark.parametrize("state", [Status.State.EXPIRED, Status.State.TERMINATED])
def test_a_status_that_ended_does_not_block(program, school, state):
    earlier = ApplicationFactory(program=program, organisation=school, state=State.GRANTED)
    _status(application=earlier, state=state)
    application = ApplicationFactory(program=program, organisation=school)
    assert selectors.application_completeness_errors(application) == {}


def test_a_status_of_another_programme_or_organisation_does_not_block(program, school):
    other_program = ProgramFactory(code="klin", registration_prefix="КЛ")
    _status(application=ApplicationFactory(program=other_program, organisation=school))
    _status(application=ApplicationFactory(program=program))  # another school
    application = ApplicationFactory(program=program, organisation=school)
    assert selectors.application_completeness_errors(application) == {}


# --- Who sees and changes what ------------------------------------------------------------


@pytest.fixture
def two_schools_applications(program, school, coordinator, other_coordinator):
    ours = ApplicationFactory(program=program, organisation=school, created_by=coordinator)
    theirs = ApplicationFactory(
        program=program,
        organisation=other_coordinator.organisations.get(),
        created_by=other_coordinator,
    )
    return ours, theirs


def test_a_coordinator_sees_only_their_organisations_applications(
    two_schools_applications, coordinator, other_coordinator
):
    ours, theirs = two_schools_applications
    assert list(selectors.application_visible_qs(coordinator)) == [ours]
    assert list(selectors.application_visible_qs(other_coordinator)) == [theirs]


def test_a_coordinator_of_two_schools_sees_both_once(two_schools_applications, coordinator):
    ours, theirs = two_schools_applications
    from programmes.models import OrganisationMembership

    OrganisationMembership.objects.create(user=coordinator, organisation=theirs.organisation)
    visible = list(selectors.application_visible_qs(coordinator))
    assert sorted(a.pk for a in visible) == sorted([ours.pk, theirs.pk])


def test_staff_see_every_submitted_application(
    two_schools_applications, methodist, secretary, official
):
    for application in two_schools_applications:
        services.application_submit(application_id=application.pk, user=application.created_by)
    for person in (methodist, secretary, official):
        assert set(selectors.application_visible_qs(person)) == set(two_schools_applications)


def test_staff_do_not_see_unsent_drafts(two_schools_applications, methodist, secretary, official):
    """Decision 43: a draft is its school's alone until it is submitted."""
    for person in (methodist, secretary, official):
        assert not selectors.application_visible_qs(person).exists()


def test_a_user_without_a_role_or_school_sees_nothing(two_schools_applications):
    from django.contrib.auth.models import AnonymousUser

    assert not selectors.application_visible_qs(UserFactory(username="nobody")).exists()
    assert not selectors.application_visible_qs(AnonymousUser()).exists()


@pytest.mark.parametrize(
    ("state", "editable"),
    [
        (State.DRAFT, True),
        (State.RETURNED, True),
        (State.AT_METHODIST, False),
        (State.AT_COUNCIL, False),
        (State.AT_DEPARTMENT, False),
        (State.GRANTED, False),
        (State.REFUSED, False),
    ],
)
def test_only_members_edit_and_only_drafts_or_returned(
    program, school, coordinator, other_coordinator, methodist, state, editable
):
    application = ApplicationFactory(
        program=program, organisation=school, created_by=coordinator, state=state
    )
    assert selectors.application_can_edit(application=application, user=coordinator) is editable
    assert selectors.application_can_edit(application=application, user=other_coordinator) is False
    assert selectors.application_can_edit(application=application, user=methodist) is False


def test_another_member_of_the_school_may_edit_too(program, school, coordinator):
    colleague = CoordinatorFactory(username="colleague", organisation=school)
    application = ApplicationFactory(program=program, organisation=school, created_by=coordinator)
    assert selectors.application_can_edit(application=application, user=colleague) is True


def _submitted(program, school, coordinator):
    application = ApplicationFactory(program=program, organisation=school, created_by=coordinator)
    services.application_submit(application_id=application.pk, user=coordinator)
    application.refresh_from_db()
    return application


def test_the_unclaimed_check_is_offered_to_methodists_only(
    program, school, coordinator, other_coordinator, methodist, secretary, official
):
    application = _submitted(program, school, coordinator)
    check = selectors.application_open_task(application)
    assert check.flow_task.name == "check"
    assert list(selectors.task_visible_qs(methodist)) == [check]
    for person in (secretary, official, coordinator, other_coordinator):
        assert not selectors.task_visible_qs(person).exists(), person


def test_a_claimed_check_is_seen_by_its_holder_only(program, school, coordinator, methodist):
    from applications import roles

    colleague = UserFactory(username="methodist2", groups=[roles.METHODISTS])
    application = _submitted(program, school, coordinator)
    check = selectors.application_open_task(application)
    services.task_claim(task_id=check.pk, user=methodist)
    assert list(selectors.task_visible_qs(methodist)) == [check]
    assert not selectors.task_visible_qs(colleague).exists()


def test_the_revision_is_offered_only_to_the_applicant_it_was_returned_to(
    program, school, coordinator, other_coordinator, methodist, secretary
):
    application = _submitted(program, school, coordinator)
    check = selectors.application_open_task(application)
    services.task_complete(
        task_id=check.pk, user=methodist, data={"decision": "return", "comment": "Уточните план"}
    )
    application.refresh_from_db()
    assert application.state == State.RETURNED
    revise = selectors.application_open_task(application)
    assert revise.flow_task.name == "revise"
    assert revise.owner == coordinator
    assert list(selectors.task_visible_qs(coordinator)) == [revise]
    for person in (other_coordinator, methodist, secretary):
        assert not selectors.task_visible_qs(person).exists(), person


def test_a_half_filled_event_of_a_draft_is_named_at_submission(program):
    application = ApplicationFactory(program=program)
    PlannedEvent.objects.create(application=application, year_index=2, title="Круглый стол")
    PlannedEvent.objects.create(application=application, year_index=3, timing="май")
    (no_timing, no_title) = selectors.application_completeness_errors(application)["planned_events"]
    assert "Круглый стол" in no_timing and "2" in no_timing
    assert "3" in no_title


def test_an_event_beyond_the_programmes_term_is_named(program):
    application = ApplicationFactory(program=program, events=[1, 2, 3, 4])
    (message,) = selectors.application_completeness_errors(application)["planned_events"]
    assert "4" in message and "1–3" in message
