"""Reads of the bank of best practice: who may submit and see what, and the open catalogue."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from applications.selectors import organisations_of
from documents.models import Signature
from programmes import access
from programmes.models import Program
from statuses.models import Status

from .models import Practice, PracticeVersion


def programs_to_submit(user) -> QuerySet[Program]:
    """The programmes keeping a bank in which the user holds (or acts for) a live status."""
    if not user.is_authenticated:
        return Program.objects.none()
    live = Status.objects.filter(
        program=OuterRef("pk"),
        state__in=Status.LIVE_STATES,
        organisation__in=organisations_of(user).values("pk"),
    )
    return Program.objects.filter(keeps_practice_bank=True).filter(Exists(live)).order_by("title")


def practice_can_view(user, practice: Practice) -> bool:
    """The author, and the staff who see the programme's cases."""
    if not getattr(user, "is_authenticated", False):
        return False
    return practice.author_id == user.pk or access.may(user, access.SEE_ALL, practice.program_id)


def practices_visible_qs(user) -> QuerySet[Practice]:
    if not user.is_authenticated:
        return Practice.objects.none()
    served = access.staff_program_ids(user, access.SEE_ALL)
    if served is None:
        return Practice.objects.all()
    return Practice.objects.filter(Q(author=user) | Q(program_id__in=served)).distinct()


def review_queue(user) -> QuerySet[Practice]:
    """Practices waiting for a decision in the programmes the user decides for."""
    return access.scoped(
        Practice.objects.filter(state=Practice.State.SUBMITTED), user, perm=access.DECIDE
    ).order_by("created_at", "pk")


def may_review(user, practice: Practice) -> bool:
    """The programme's secretaries decide on the council's behalf."""
    return user.has_perm(access.DECIDE) and access.may(user, access.DECIDE, practice.program_id)


def latest_version(practice: Practice) -> PracticeVersion | None:
    return practice.versions.order_by("-number").first()


def consent_given(practice: Practice) -> bool:
    """The author has signed the consent to publication (its own document)."""
    return (
        practice.consent_id is not None
        and Signature.objects.filter(
            document_id=practice.consent_id, signer_id=practice.author_id
        ).exists()
    )


def catalogue_qs(
    *, text: str = "", subject: str = "", level: str = "", program: str = "", kind: str = ""
):
    """The open catalogue: approved practices whose author consented, by their published
    version; search in the title, summary and authors, filters by subject and level."""
    signed = Signature.objects.filter(
        document_id=OuterRef("consent_id"), signer_id=OuterRef("author_id")
    )
    qs = (
        Practice.objects.filter(state=Practice.State.APPROVED, published__isnull=False)
        .filter(Exists(signed))
        .select_related("published", "program", "author")
    )
    if program:
        qs = qs.filter(program__code=program)
    if kind:
        qs = qs.filter(kind=kind)
    if subject:
        qs = qs.filter(published__subject_key__contains=subject.casefold())
    if level:
        qs = qs.filter(published__level=level)
    for word in text.casefold().split()[:8]:
        qs = qs.filter(published__search_text__contains=word)
    return qs.order_by("-recommended", "-reviewed_at", "-pk")
