"""Who sees and manages which community."""

from django.db.models import Q, QuerySet

from applications.selectors import organisations_of
from programmes import access
from programmes.models import Program
from statuses.models import Status

from .models import Community


def member_program_ids(user) -> QuerySet:
    """Programmes in which the user holds (or acts for) a live status."""
    return Status.objects.filter(
        state__in=Status.LIVE_STATES, organisation__in=organisations_of(user).values("pk")
    ).values("program_id")


def communities_visible_qs(user) -> QuerySet[Community]:
    """Staff of the programme, and its members (they take part in its communities)."""
    if not user.is_authenticated:
        return Community.objects.none()
    served = access.staff_program_ids(user, access.SEE_ALL)
    if served is None:
        return Community.objects.all()
    return Community.objects.filter(
        Q(program_id__in=served) | Q(program_id__in=member_program_ids(user)) | Q(curator=user)
    ).distinct()


def programs_to_organise(user) -> QuerySet[Program]:
    """Programmes whose communities this user sets up: the methodists serving them."""
    ids = access.staff_program_ids(user, access.CHECK)
    qs = Program.objects.all() if ids is None else Program.objects.filter(pk__in=ids)
    return qs.filter(is_active=True).order_by("title")


def may_organise(user, community: Community) -> bool:
    return user.has_perm(access.CHECK) and access.may(user, access.CHECK, community.program_id)


def may_keep(user, community: Community) -> bool:
    """The curator keeps the community's participants and plan; the methodists may too."""
    return community.curator_id == user.pk or may_organise(user, community)


def is_member(user, program_id: int) -> bool:
    live = Status.objects.filter(
        program_id=program_id,
        state__in=Status.LIVE_STATES,
        organisation__in=organisations_of(user).values("pk"),
    )
    return live.exists()


def curator_candidates(program_id: int):
    """The people acting for a live status of the programme: its members."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            organisationmembership__organisation__statuses__program_id=program_id,
            organisationmembership__organisation__statuses__state__in=Status.LIVE_STATES,
        )
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )
