"""The status as a state machine (viewflow.fsm, open-source part only).

    ACTIVE ──renewal_start──▶ RENEWAL ──renewal_grant──▶ ACTIVE (a new term)
      │  ▲                      └──renewal_refuse──▶ ACTIVE (still in term) | EXPIRED
      │  └─resume── SUSPENDED ◀─suspend─┘ (from ACTIVE)
      ├──expire──▶ EXPIRED      (ACTIVE or SUSPENDED, the day after valid_until)
      └──terminate──▶ TERMINATED (ACTIVE, SUSPENDED or RENEWAL)

EXPIRED and TERMINATED are final: no transition leaves them. The machine only decides whether
a move is allowed and sets the state; `services` saves, audits and notifies.
"""

from datetime import date

from django.utils.translation import gettext as _
from viewflow.fsm.base import State

from statuses.models import Status

S = Status.State


class StatusMachine:
    """Wraps one `Status` row; `today` is the day the move happens (the sweeps pass theirs)."""

    state = State(S, default=S.ACTIVE)

    def __init__(self, status: Status, *, today: date):
        self.status = status
        self.today = today

    @state.getter()
    def _get_state(self):
        return self.status.state

    @state.setter()
    def _set_state(self, value):
        self.status.state = value

    def in_term(self) -> State.CONDITION:
        return State.CONDITION(
            self.today <= self.status.valid_until,
            _("The status expired on %(date)s.")
            % {"date": self.status.valid_until.strftime("%d.%m.%Y")},
        )

    def past_term(self) -> State.CONDITION:
        return State.CONDITION(
            self.today > self.status.valid_until,
            _("The status is valid until %(date)s.")
            % {"date": self.status.valid_until.strftime("%d.%m.%Y")},
        )

    def _end(self, reason: str = "") -> None:
        self.status.ended_on = self.today
        self.status.end_reason = reason

    @state.transition(source=S.ACTIVE, target=S.RENEWAL, conditions=[in_term])
    def renewal_start(self):
        """A renewal application was filed while the status is still valid."""

    @state.transition(source=S.RENEWAL, target=S.ACTIVE)
    def renewal_grant(self, *, valid_until: date):
        """The renewal is approved: the status runs on to the end of the new term."""
        if valid_until <= self.status.valid_until:
            raise ValueError("a renewal must extend the status")
        self.status.valid_until = valid_until

    def _after_refusal(self, *args, **kwargs):
        return S.ACTIVE if self.today <= self.status.valid_until else S.EXPIRED

    @state.transition(
        source=S.RENEWAL, target=State.GET_STATE(_after_refusal, states=[S.ACTIVE, S.EXPIRED])
    )
    def renewal_refuse(self, *, reason: str = ""):
        """Refused: the status runs to the end of its term, or ends now if that has passed."""
        if self.status.state == S.EXPIRED:
            self._end(reason)

    @state.transition(source=S.ACTIVE, target=S.SUSPENDED, conditions=[in_term])
    def suspend(self):
        """Paused by the council (e.g. the coordinator left); deadlines keep running."""

    @state.transition(source=S.SUSPENDED, target=S.ACTIVE, conditions=[in_term])
    def resume(self):
        """Back to work within the term."""

    @state.transition(source=[S.ACTIVE, S.SUSPENDED], target=S.EXPIRED, conditions=[past_term])
    def expire(self):
        """The day after valid_until, with no renewal under review."""
        self._end(_("The term ended."))

    @state.transition(source=[S.ACTIVE, S.SUSPENDED, S.RENEWAL], target=S.TERMINATED)
    def terminate(self, *, reason: str):
        """Ended early by the holder's request or the council's decision, approved by order."""
        if not reason.strip():
            raise ValueError("termination needs a reason")
        self._end(reason)
