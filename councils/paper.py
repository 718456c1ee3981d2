"""The paper of a meeting: the protocol's and the extracts' content, and their documents.

The one place where the council's records meet the documents API. The protocol's content is an
immutable JSON snapshot taken when the meeting closes (also shown as an HTML page); its
document is registered in the programme's "protocol" journal, rendered to PDF/A in the
background from exactly that content, and PAdES-signed by the presiding chair and the
secretary. When it is signed, each item's extract is registered in the "protocol_extract"
journal, rendered, and linked to the item's case (the applicant sees it among the case's
documents).
"""

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from documents import services as documents
from documents.models import Document

from . import selectors
from .models import AgendaItem, Extract, Meeting, Protocol


def protocol_content(meeting: Meeting) -> dict:
    """The snapshot stored on the protocol (JSON: the date as ISO text)."""
    council = meeting.council
    chair = selectors.meeting_chair(meeting)
    secretary = selectors.meeting_secretary(meeting)
    present = [
        m.user.get_full_name()
        for m in selectors.present_members(meeting).order_by("user__last_name", "user__first_name")
    ]
    invited = [
        ", ".join(p for p in (a.guest_name, a.guest_position) if p)
        for a in meeting.attendance.filter(member__isnull=True).order_by("id")
    ]
    items = list(meeting.items.order_by("number"))
    return {
        "authority": council.program.authority_name,
        "title": council.name,
        "number": str(meeting.number),
        "date": meeting.date.isoformat(),
        "place": meeting.place,
        "format": str(meeting.get_format_display()),
        "chair": chair.user.get_full_name() if chair else "",
        "secretary": secretary.user.get_full_name() if secretary else "",
        "present": present,
        "present_count": len(present),
        "invited": invited,
        "agenda": [f"{i.number}. {i.title}" for i in items],
        "items": [_item_content(i) for i in items],
    }


def _item_content(item: AgendaItem) -> dict:
    return {
        "number": item.number,
        "title": item.title,
        "heard": item.heard,
        "spoke": item.spoke,
        "decided": item.decided,
        "votes_for": item.votes_for,
        "votes_against": item.votes_against,
        "abstained": item.abstained,
    }


def as_context(content: dict) -> dict:
    """The stored snapshot as the print forms take it (`date` a datetime.date)."""
    return {**content, "date": datetime.date.fromisoformat(content["date"])}


def extract_content(protocol: Protocol, item_number: int) -> dict:
    """The same keys as the protocol, with only the one item."""
    content = protocol.content
    items = [i for i in content["items"] if i["number"] == item_number]
    return {**content, "items": items}


# What "adopted" / "not adopted" say for each kind of case (the secretary edits the text).
_KIND_TEXTS = {
    AgendaItem.Kind.REPORT: (
        gettext_lazy("Accept the report."),
        gettext_lazy("Return the report for revision: "),
    ),
    AgendaItem.Kind.PROBLEM: (
        gettext_lazy("Take note of the problem; measures: "),
        gettext_lazy("Take note of the problem; no measures are needed."),
    ),
    AgendaItem.Kind.PLAN: (
        gettext_lazy("Approve the plan of work."),
        gettext_lazy("Return the plan of work for revision: "),
    ),
    AgendaItem.Kind.TERMINATION: (
        gettext_lazy("Terminate the status early; submit the decision to the department."),
        gettext_lazy("Do not terminate the status early."),
    ),
}


def _settled_by_council(item: AgendaItem) -> bool:
    """Whether the council's decision settles the programme's cases (no order follows it)."""
    from django.core.exceptions import ObjectDoesNotExist

    try:
        return item.meeting.council.program.settled_by_council
    except ObjectDoesNotExist:
        return False


def _subject_decided(item: AgendaItem, outcome: str) -> str | None:
    """The subject's own prefilled decision, where its owner gives one."""
    from . import subjects

    if not item.subject_type_id:
        return None
    entry = subjects.of_type(item.subject_type)
    case = entry.model._default_manager.filter(pk=item.subject_id).first() if entry else None
    if case is None:
        return None
    text = entry.decided(case, outcome == AgendaItem.Outcome.ADOPTED)
    return str(text) if text is not None else None


def default_texts(item: AgendaItem, *, outcome: str) -> dict:
    """СЛУШАЛИ / ВЫСТУПИЛИ / РЕШИЛИ prefilled from the case and the computed result; the
    secretary edits them before closing the item."""
    heard = _("The secretary of the council on: %(title)s.") % {"title": item.title}
    settled = _settled_by_council(item)
    if outcome == AgendaItem.Outcome.POSTPONED:
        decided = _("Postpone consideration of the question to the next meeting.")
    elif item.kind == AgendaItem.Kind.APPLICATION:
        decided = (
            (
                _("Grant the status.")
                if settled
                else _("Grant the status; submit the decision for approval by order.")
            )
            if outcome == AgendaItem.Outcome.ADOPTED
            else _("Refuse to grant the status.")
        )
    elif item.kind == AgendaItem.Kind.TERMINATION and settled:
        decided = (
            _("Terminate the status early.")
            if outcome == AgendaItem.Outcome.ADOPTED
            else _("Do not terminate the status early.")
        )
    elif (own := _subject_decided(item, outcome)) is not None:
        decided = own
    elif item.kind in _KIND_TEXTS:
        adopted, not_adopted = _KIND_TEXTS[item.kind]
        decided = str(adopted if outcome == AgendaItem.Outcome.ADOPTED else not_adopted)
    else:
        decided = (
            _("The proposal is adopted.")
            if outcome == AgendaItem.Outcome.ADOPTED
            else _("The proposal is not adopted.")
        )
    return {"heard": heard, "spoke": "", "decided": decided}


# --- Documents --------------------------------------------------------------------------------


def protocol_issue(*, protocol: Protocol, actor) -> Document:
    """Register the protocol, name who signs it (presiding chair, then secretary) and have its
    PDF prepared from the snapshot. A correction gets its own number and document."""
    meeting = protocol.meeting
    program = meeting.council.program
    document = documents.document_draft(
        kind=Document.Kind.PROTOCOL, title=str(protocol), author=actor
    )
    documents.document_link(document=document, obj=meeting)
    documents.journal_register(
        document=document, journal_code="protocol", scope=program.code, actor=actor
    )
    signers = [
        (seat.user, label)
        for seat, label in (
            (selectors.meeting_chair(meeting), _("Chair")),
            (selectors.meeting_secretary(meeting), _("Secretary")),
        )
        if seat is not None
    ]
    documents.document_signatories_set(document=document, signers=signers, actor=actor)
    documents.print_form_request(
        document=document,
        form="protocol",
        context=as_context(protocol.content),
        actor=actor,
        scope=program.code,
    )
    return document


def protocol_document_sign(*, protocol: Protocol, user) -> None:
    """The sign-off is the signer's own PAdES signature on the protocol's PDF; refused (and
    nothing recorded) while the PDF is being prepared or without a valid certificate."""
    program = protocol.meeting.council.program
    documents.document_sign(
        document=protocol.document,
        signer=user,
        reason=str(_("Protocol of the council meeting")),
        location=program.document_place,
    )


def extract_issue(*, extract: Extract, case, actor, owner_org_id: int | None = None) -> Document:
    """The extract as a registered document, linked to its case (the meeting for a free item)
    and owned by the organisation the case concerns."""
    program = extract.protocol.meeting.council.program
    document = documents.document_draft(
        kind=Document.Kind.PROTOCOL_EXTRACT,
        title=str(extract),
        author=actor,
        owner_org_id=owner_org_id,
    )
    documents.document_link(document=document, obj=case)
    documents.journal_register(
        document=document, journal_code="protocol_extract", scope=program.code, actor=actor
    )
    documents.print_form_request(
        document=document,
        form="protocol_extract",
        context=as_context(extract.content),
        actor=actor,
        scope=program.code,
    )
    return document
