"""Staff roles reach the programmes their holder serves: a Tomsk methodist neither sees nor
takes a case of another programme, hears nothing of it, and the dashboard shows one programme
at a time. Serving a programme puts the person in the role's group and back out."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from rest_framework.test import APIClient
from viewflow.workflow.models import Task

from applications import roles, selectors, services
from notifications.models import Notification
from programmes import access
from programmes.models import ProgrammeStaff
from statuses import selectors as status_selectors
from tests.factories import CoordinatorFactory, OrganisationFactory, ProgramFactory, UserFactory
from tests.story import open_task, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def debut():
    """A second programme, with its own methodist."""
    return ProgramFactory(
        code="debut",
        title="Педагогический дебют",
        status_name="Лауреат конкурса «Педагогический дебют»",
        registration_prefix="ПД",
    )


@pytest.fixture
def two_cases(program, debut):
    """One submitted case of each programme, waiting for a methodist's check."""
    cases = []
    for prog, name in ((program, "Школа № 1"), (debut, "Школа № 2")):
        school = OrganisationFactory(short_name=name)
        coordinator = CoordinatorFactory(username=f"coord-{prog.code}", organisation=school)
        cases.append(submitted(coordinator=coordinator, school=school, program=prog))
    return cases


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_methodist_of_one_programme_sees_and_takes_nothing_of_another(
    client, program, debut, two_cases
):
    tomsk_case, debut_case = two_cases
    tomsk_methodist = UserFactory(username="tomsk_methodist", groups=[roles.METHODISTS])

    assert set(selectors.application_visible_qs(tomsk_methodist)) == {tomsk_case}
    client.force_login(tomsk_methodist)
    assert client.get(reverse("application-detail", args=[debut_case.pk])).status_code == 404
    listed = client.get(reverse("application-list")).content.decode()
    assert tomsk_case.reg_number in listed and debut_case.reg_number not in listed
    api = _api(tomsk_methodist)
    assert api.get(f"/api/applications/{debut_case.pk}/").status_code == 404
    ids = {row["id"] for row in api.get("/api/applications/").json()["results"]}
    assert ids == {tomsk_case.pk}

    # Its step is not in the queue, and taking it directly answers like a missing one.
    tasks = selectors.task_visible_qs(tomsk_methodist)
    assert {t.process_id for t in tasks} == {tomsk_case.process_id}
    debut_task = open_task(debut_case)
    with pytest.raises(Task.DoesNotExist):
        services.task_claim(task_id=debut_task.pk, user=tomsk_methodist)
    assert api.post(f"/api/tasks/{debut_task.pk}/claim/").status_code == 404


def test_a_person_may_serve_several_programmes_in_different_roles(program, debut, two_cases):
    tomsk_case, debut_case = two_cases
    person = UserFactory(username="both", groups=[roles.METHODISTS], serves=[program])
    ProgrammeStaff.objects.create(
        user=person, program=debut, group=Group.objects.get(name=roles.SECRETARIES)
    )

    assert set(selectors.application_visible_qs(person)) == {tomsk_case, debut_case}
    # A methodist in Tomsk only: the check of the other programme's case is not theirs.
    assert access.may(person, access.CHECK, program.pk)
    assert not access.may(person, access.CHECK, debut.pk)
    assert access.may(person, access.DECIDE, debut.pk)
    assert {t.process_id for t in selectors.task_visible_qs(person)} == {tomsk_case.process_id}
    debut_task = open_task(debut_case)
    from core.errors import NotAllowed

    with pytest.raises(NotAllowed):
        services.task_claim(task_id=debut_task.pk, user=person)


def test_the_new_step_is_announced_to_the_methodists_of_its_programme_only(program, debut):
    tomsk_methodist = UserFactory(username="tomsk_m", groups=[roles.METHODISTS], serves=[program])
    debut_methodist = UserFactory(username="debut_m", groups=[roles.METHODISTS], serves=[debut])
    school = OrganisationFactory(short_name="Школа № 3")
    coordinator = CoordinatorFactory(username="coord3", organisation=school)

    submitted(coordinator=coordinator, school=school, program=debut)

    told = set(
        Notification.objects.filter(kind="task_assigned").values_list(
            "recipient__username", flat=True
        )
    )
    assert debut_methodist.username in told
    assert tomsk_methodist.username not in told


def test_the_dashboard_shows_one_programme_at_a_time(client, program, debut):
    person = UserFactory(username="both_m", groups=[roles.METHODISTS], serves=[program, debut])
    only_tomsk = UserFactory(username="tomsk_only", groups=[roles.METHODISTS], serves=[program])

    client.force_login(person)
    page = client.get(reverse("status-dashboard")).content.decode()
    assert page.count(program.title) >= 1 and f"?program={debut.code}" in page
    other = client.get(reverse("status-dashboard"), {"program": debut.code})
    assert other.status_code == 200
    assert other.context["program"] == debut
    assert set(status_selectors.dashboard_programs(person)) == {program, debut}

    client.force_login(only_tomsk)
    assert client.get(reverse("status-dashboard"), {"program": debut.code}).status_code == 404
    page = client.get(reverse("status-dashboard"))
    assert page.context["program"] == program and "?program=" not in page.content.decode()


def test_a_role_without_a_programme_reaches_no_case(program, two_cases):
    unassigned = UserFactory(username="new_methodist", groups=[roles.METHODISTS], serves=[])
    assert unassigned.has_perm(access.CHECK)
    assert not selectors.application_visible_qs(unassigned).exists()
    assert not selectors.task_visible_qs(unassigned).exists()
    assert not access.may(unassigned, access.CHECK, program.pk)


def test_serving_a_programme_puts_the_person_in_the_role_and_back_out(program, debut):
    person = UserFactory(username="joins")
    methodists = Group.objects.get(name=roles.METHODISTS)
    first = ProgrammeStaff.objects.create(user=person, program=program, group=methodists)
    second = ProgrammeStaff.objects.create(user=person, program=debut, group=methodists)
    assert person.groups.filter(pk=methodists.pk).exists()

    first.delete()
    assert person.groups.filter(pk=methodists.pk).exists()  # still serves the debut
    ProgrammeStaff.objects.filter(pk=second.pk).delete()
    assert not person.groups.filter(pk=methodists.pk).exists()


def test_the_upgrade_keeps_todays_staff_on_every_programme(program, debut):
    """Before roles per programme a role reached every programme: the migration keeps it so for
    the people holding one, and administrators narrow it afterwards."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("programmes.migrations.0002_programme_staff")
    roles.roles_sync()
    veteran = UserFactory(username="veteran", serves=[])
    veteran.groups.add(Group.objects.get(name=roles.DEPARTMENT))
    member = UserFactory(username="member_only", groups=[roles.COUNCIL_MEMBERS])

    migration.serve_every_programme(apps, None)

    assert set(
        ProgrammeStaff.objects.filter(user=veteran).values_list("program__code", flat=True)
    ) == {program.code, debut.code}
    assert not ProgrammeStaff.objects.filter(user=member).exists()
