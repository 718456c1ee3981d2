"""Writes of curated communities; each change audited."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import NotAllowed
from core.transactions import lock, service_transaction
from programmes.models import Program

from . import selectors
from .models import Community, PlanItem


@service_transaction
def community_create(*, user, program_id: int, kind: str, name: str, curator_id: int) -> Community:
    """A methodist of the programme sets up a community curated by one of its members."""
    program = Program.objects.get(pk=program_id)
    if not selectors.programs_to_organise(user).filter(pk=program.pk).exists():
        raise NotAllowed(_("This step is for another role; you cannot take it."))
    curator = get_user_model().objects.filter(pk=curator_id, is_active=True).first()
    errors = {}
    if kind not in Community.Kind.values:
        errors["kind"] = [_("Choose the kind of community.")]
    if not name.strip():
        errors["name"] = [_("Name the community.")]
    if curator is None or not selectors.is_member(curator, program.pk):
        errors["curator"] = [_("The curator is one of the programme's members.")]
    if errors:
        raise ValidationError(errors)
    community = Community.objects.create(program=program, kind=kind, name=name, curator=curator)
    audit_record(
        actor=user,
        action="community.create",
        obj=community,
        data={"kind": kind, "curator": curator.pk},
    )
    return community


def _kept(user, community_id: int) -> Community:
    community = lock(Community.objects).get(pk=community_id)
    if not selectors.may_keep(user, community):
        raise NotAllowed(_("The community's curator keeps it."))
    return community


@service_transaction
def participants_set(*, user, community_id: int, participants: str) -> Community:
    community = _kept(user, community_id)
    community.participants = "\n".join(
        line.strip() for line in participants.splitlines() if line.strip()
    )
    community.save(update_fields=["participants", "updated_at"])
    audit_record(
        actor=user,
        action="community.participants",
        obj=community,
        data={"count": len(community.participant_list)},
    )
    return community


@service_transaction
def plan_item_add(
    *, user, community_id: int, academic_year: int, title: str, due, responsible: str
) -> PlanItem:
    community = _kept(user, community_id)
    if not title.strip() or not responsible.strip():
        raise ValidationError({"title": [_("Name the event and who answers for it.")]})
    item = PlanItem.objects.create(
        community=community,
        academic_year=academic_year,
        title=title,
        due=due,
        responsible=responsible,
    )
    audit_record(actor=user, action="community.plan_add", obj=community, data={"item": item.pk})
    return item


@service_transaction
def plan_item_done(*, user, item_id: int, done_on, result: str) -> PlanItem:
    """The item is held: when, and what came of it."""
    community_id = PlanItem.objects.values_list("community_id", flat=True).get(pk=item_id)
    community = _kept(user, community_id)
    item = lock(PlanItem.objects).get(pk=item_id)
    if not result.strip():
        raise ValidationError({"result": [_("Say what came of it.")]})
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": [_("It cannot have been held after today.")]})
    item.done_on, item.result = done_on, result
    item.save(update_fields=["done_on", "result", "updated_at"])
    audit_record(
        actor=user,
        action="community.plan_done",
        obj=community,
        data={"item": item.pk, "done_on": done_on.isoformat()},
    )
    return item
