"""Writes of programme reference data."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from .models import ProgrammeStaff


def staff_groups_sync(*, user_id: int, group_id: int) -> None:
    """Keep a person in a role's group exactly while they serve some programme in that role.

    Called after a `ProgrammeStaff` row is saved or deleted (programmes.apps), so whichever
    way an administrator edits the rows (the programme's page, the list, a bulk delete), the
    group follows. A group given without any programme reaches no case (programmes.access)."""
    user = get_user_model().objects.filter(pk=user_id).first()
    group = Group.objects.filter(pk=group_id).first()
    if user is None or group is None:
        return
    if ProgrammeStaff.objects.filter(user_id=user_id, group_id=group_id).exists():
        user.groups.add(group)
    else:
        user.groups.remove(group)


def form_version_publish(*, program, definition: dict, note: str = "", actor=None):
    """A new version of the programme's application form: the one new cases are filed with.
    Cases already filed keep theirs. Refused (nothing saved) when the definition cannot be
    built into a form."""
    from django.db import transaction
    from django.db.models import Max

    from audit.services import audit_record

    from .formdef import require_valid
    from .models import FormVersion

    require_valid(definition, columns=FORM_COLUMNS)
    with transaction.atomic():
        last = program.form_versions.select_for_update().aggregate(n=Max("number"))["n"] or 0
        version = FormVersion.objects.create(
            program=program, number=last + 1, definition=definition, note=note
        )
        if actor is not None:
            audit_record(
                actor=actor,
                action="form_version.publish",
                obj=version,
                data={"program": program.code, "number": version.number},
            )
    return version


def current_form(program):
    """The version new cases of the programme are filed with (the latest)."""
    return program.form_versions.order_by("-number").first()


# The columns of an application that a form's field may mirror (lists, search, the registry
# and Tomsk's print forms read them); every other answer lives in the application's JSON.
FORM_COLUMNS = (
    "topic",
    "direction",
    "goals",
    "tasks",
    "expected_results",
    "responsible_name",
    "responsible_position",
    "responsible_phone",
    "responsible_email",
    "partners",
)


def form_first_version(*, program, definition: dict):
    """The programme's form, published as version 1 when it has none yet (safe to repeat:
    the demo and the simulations create their programmes this way)."""
    return current_form(program) or form_version_publish(program=program, definition=definition)


def _initials_name(user) -> str:
    """«Иванова А. П.»: how a person is named in lists and the registry."""
    initials = " ".join(f"{part[0]}." for part in (user.first_name, user.middle_name) if part)
    return " ".join(p for p in (user.last_name, initials) if p) or user.get_full_name()


def person_applicant(*, user):
    """The applicant record of a person who applies in his own name, made on his first
    application: his cases, journals and statuses hang on it as an organisation's do, and he
    is its only member. Safe to call again (the record is one per person)."""
    from django.db import transaction

    from audit.services import audit_record

    from .models import Organisation, OrganisationMembership

    with transaction.atomic():
        applicant, created = Organisation.objects.get_or_create(
            person=user,
            defaults={"name": user.get_full_name(), "short_name": _initials_name(user)},
        )
        OrganisationMembership.objects.get_or_create(user=user, organisation=applicant)
        if created:
            audit_record(actor=user, action="applicant.person_create", obj=applicant)
    return applicant
