"""What a council can consider: a registry of agenda subjects, filled by the apps that own them.

Each kind of case the council decides (an application, a yearly report, a problem notice, an
early termination, the network's report, a missed report) is a row of some model that the
owning app registers here in its `AppConfig.ready()`: which agenda kind it is, which of its rows
wait for a given council, how an item is titled, whose organisation it concerns (recusals, the
extract's owner) and the one service the signed protocol calls on it. The council's code then
treats every subject alike; it never imports the owning apps at import time.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet


@dataclass(frozen=True)
class AgendaSubject:
    model: type[Model]
    kind: str
    # Rows of this model waiting for `council` (agenda membership is filtered by councils).
    waiting: Callable[..., QuerySet]
    title: Callable[[Model], str]
    # `release(item, *, subject, protocol, extract, actor)`: the signed protocol's decision on
    # this row (item.outcome: adopted / not adopted / postponed, item.decided: the text).
    release: Callable[..., None]
    organisation_id: Callable[[Model], int | None] = lambda obj: None
    # The page where staff and members see the row (for the council's lists), or "".
    url: Callable[[Model], str] = lambda obj: ""
    # The rows `release` will lock, as `(step, model, pk)` of core.transactions: the protocol
    # locks them before its signatures' audit events take the audit head.
    locks: Callable[[Model], list] = lambda obj: []
    # `visible(user, obj)`: who may read the extract of an item on this row; None: whoever may
    # see the extract's document.
    visible: Callable[..., bool] | None = None
    # `decided(obj, adopted) -> str | None`: the prefilled РЕШИЛИ where the row's own words
    # differ from its kind's (a member's proposal is not a problem); None: the kind's.
    decided: Callable[..., str | None] = lambda obj, adopted: None

    @property
    def label(self) -> str:
        return self.model._meta.label_lower


_SUBJECTS: dict[str, AgendaSubject] = {}


def register(subject: AgendaSubject) -> None:
    _SUBJECTS[subject.label] = subject


def all_subjects() -> list[AgendaSubject]:
    return list(_SUBJECTS.values())


def by_label(label: str) -> AgendaSubject | None:
    return _SUBJECTS.get((label or "").lower())


def of_type(content_type: ContentType) -> AgendaSubject | None:
    return _SUBJECTS.get(f"{content_type.app_label}.{content_type.model}")
