"""Who may see and do what, programme by programme.

A staff permission (check, decide, approve, see every case) comes from a role's group; which
programmes it reaches comes from `ProgrammeStaff`: a person holds the permission for a
programme's cases only through a role they serve in that programme. Superusers reach every
programme. Every domain package reads the rule here, without importing another's selectors.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from .models import ProgrammeStaff

# Staff who see every case of the programmes they serve (methodists, secretaries, officials).
SEE_ALL = "workflows.view_all_applications"
# The steps of a case: the methodist's check, the council's decision, the authority's order.
CHECK = "workflows.check_application"
DECIDE = "workflows.decide_application"
APPROVE = "workflows.approve_application"


def _granting(perm: str, prefix: str = "") -> Q:
    app_label, codename = perm.split(".", 1)
    return Q(
        **{
            f"{prefix}group__permissions__codename": codename,
            f"{prefix}group__permissions__content_type__app_label": app_label,
        }
    )


def staff_program_ids(user, perm: str = SEE_ALL) -> QuerySet | None:
    """Ids of the programmes for whose cases the user holds `perm` (a values() queryset to use
    in `__in`), or None for a superuser: every programme."""
    if not user.is_authenticated or not user.is_active:
        return ProgrammeStaff.objects.none().values("program_id")
    if user.is_superuser:
        return None
    if not user.has_perm(perm):
        return ProgrammeStaff.objects.none().values("program_id")
    return ProgrammeStaff.objects.filter(_granting(perm), user=user).values("program_id")


def scoped(qs: QuerySet, user, *, field: str = "program_id", perm: str = SEE_ALL) -> QuerySet:
    """The rows of `qs` whose programme (at `field`) the user serves with `perm`."""
    ids = staff_program_ids(user, perm)
    return qs if ids is None else qs.filter(**{f"{field}__in": ids})


def may(user, perm: str, program_id: int) -> bool:
    """Whether the user holds `perm` for the cases of this programme."""
    ids = staff_program_ids(user, perm)
    return ids is None or ids.filter(program_id=program_id).exists()


def serves_any(user, perms) -> bool:
    """Whether the user holds one of `perms` for some programme (menus, staff pages)."""
    return any(
        staff_program_ids(user, perm) is None or staff_program_ids(user, perm).exists()
        for perm in perms
    )


def staff_serving(perm: str, program_id: int) -> QuerySet:
    """Active people who hold `perm` for this programme's cases: whom to tell about its steps.
    Superusers are not told about every step of every programme (notifications)."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            _granting(perm, "programme_roles__"),
            programme_roles__program_id=program_id,
        )
        .filter(_in_group_of_role(perm))
        .distinct()
        .order_by("pk")
    )


def _in_group_of_role(perm: str) -> Q:
    """The person still holds the permission globally (is in a group granting it)."""
    app_label, codename = perm.split(".", 1)
    return Q(
        groups__permissions__codename=codename,
        groups__permissions__content_type__app_label=app_label,
    )


def serves(user, program_id: int) -> bool:
    """Whether the user is on the programme's staff in any role (he may not be its applicant)."""
    return (
        user.is_authenticated
        and ProgrammeStaff.objects.filter(user=user, program_id=program_id).exists()
    )
