"""Property test: no sequence of allowed actions on statuses reaches an impossible state.

Hypothesis drives grants, renewals (filed, approved, refused), suspensions, terminations, the
passing of time and the daily sweep in any order; after every step the invariants must hold:
terms of a status form one chain without gaps or overlaps and span the status's dates, a final
state (EXPIRED, TERMINATED) never changes, an organisation holds at most one live status per
programme, nothing live is past its end after a sweep, and an ended status says when it ended.
"""

import itertools
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from applications import services
from applications.models import Application, Order
from core.errors import ConflictError
from statuses import services as status_services
from statuses.models import Status
from tests.factories import (
    ApplicationFactory,
    CoordinatorFactory,
    OrganisationFactory,
    ProgramFactory,
    UserFactory,
)

TOMSK = ZoneInfo("Asia/Tomsk")
S = Status.State


class StatusLife(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.program = ProgramFactory()
        self.official = UserFactory(username="official-h")
        self.schools = [OrganisationFactory(), OrganisationFactory()]
        self.coordinators = [CoordinatorFactory(organisation=s) for s in self.schools]
        self.today = date(2026, 11, 20)
        self.numbers = itertools.count(1)
        self.final = {}  # status id -> the final state it reached
        self.swept = False

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- helpers ------------------------------------------------------------------------

    def _order(self) -> Order:
        return Order.objects.create(
            program=self.program,
            number=f"{next(self.numbers)}-р",
            date=self.today,
            year=self.today.year,
            signed_by=self.official,
        )

    def _statuses(self):
        return list(Status.objects.order_by("pk"))

    def _pick(self, data):
        statuses = self._statuses()
        if not statuses:
            return None
        return data.draw(st.sampled_from(statuses))

    # --- rules --------------------------------------------------------------------------

    @initialize()
    def first_grant(self):
        self.grant_new_status(school=0)

    @rule(
        days=st.one_of(st.sampled_from([1, 30, 90, 180, 365, 1000, 1100]), st.integers(1, 1200)),
        sweep=st.booleans(),
    )
    def time_passes(self, days, sweep):
        self.today += timedelta(days=days)
        self.swept = False
        if sweep:
            self.daily_sweep()

    @rule()
    def daily_sweep(self):
        now = datetime(self.today.year, self.today.month, self.today.day, 12, tzinfo=TOMSK)
        status_services.lifecycle_sweep(now=now)
        self.swept = True

    @rule(school=st.integers(min_value=0, max_value=1))
    def grant_new_status(self, school):
        organisation = self.schools[school]
        live = Status.objects.filter(
            program=self.program, organisation=organisation, state__in=Status.LIVE_STATES
        ).exists()
        application = ApplicationFactory(
            program=self.program,
            organisation=organisation,
            created_by=self.coordinators[school],
            state=Application.State.GRANTED,
            order=self._order(),
        )
        if live:
            with pytest.raises(IntegrityError):
                services.status_grant(application=application)
        else:
            services.status_grant(application=application)

    @rule(data=st.data())
    def file_renewal(self, data):
        status = self._pick(data)
        if status is None:
            return
        user = self.coordinators[self.schools.index(status.organisation)]
        refusal = status_services.renewal_refusal(status, today=self.today)
        try:
            with transaction.atomic():
                draft = status_services.renewal_application_create(
                    user=user, status_id=status.pk, today=self.today
                )
                draft.reg_number = f"R-{draft.pk}"
                draft.state = Application.State.AT_METHODIST
                draft.save()
                status_services.renewal_submitted(application=draft, user=user, today=self.today)
        except ConflictError:
            assert refusal, "a renewal was refused although it could be filed"
        else:
            assert not refusal, "a renewal was filed although it should be refused"

    def _open_renewal(self, data):
        open_ = list(
            Application.objects.filter(
                kind=Application.Kind.RENEWAL, state=Application.State.AT_METHODIST
            )
        )
        return data.draw(st.sampled_from(open_)) if open_ else None

    @rule(data=st.data())
    def approve_renewal(self, data):
        application = self._open_renewal(data)
        if application is None:
            return
        status = application.renews
        application.state = Application.State.GRANTED
        application.order = self._order()
        application.save()
        # The renewed term runs from the day after the current end to 31 August three
        # academic years later; approving it after that day would grant a term already over.
        renewed_end = date(status.valid_until.year + 3, 8, 31)
        if status.state == S.RENEWAL and renewed_end >= self.today:
            before = status.valid_until
            services.status_grant(application=application)
            status.refresh_from_db()
            assert status.state == S.ACTIVE and status.valid_until > before
        else:
            with pytest.raises(ConflictError), transaction.atomic():
                services.status_grant(application=application)

    @rule(data=st.data())
    def refuse_renewal(self, data):
        application = self._open_renewal(data)
        if application is None:
            return
        application.state = Application.State.REFUSED
        application.save()
        status_services.renewal_refused(
            application=application, actor=self.official, today=self.today
        )

    @rule(data=st.data(), action=st.sampled_from(["suspend", "resume", "terminate"]))
    def staff_action(self, data, action):
        status = self._pick(data)
        if status is None:
            return
        try:
            with transaction.atomic():
                if action == "terminate":
                    status_services.status_terminate(
                        status_id=status.pk,
                        actor=self.official,
                        reason="Реорганизация",
                        order=self._order(),
                        today=self.today,
                    )
                elif action == "suspend":
                    status_services.status_suspend(
                        status_id=status.pk, actor=self.official, reason="Пауза", today=self.today
                    )
                else:
                    status_services.status_resume(
                        status_id=status.pk, actor=self.official, today=self.today
                    )
        except ConflictError:
            pass

    # --- invariants ---------------------------------------------------------------------

    @invariant()
    def terms_form_one_chain_spanning_the_status(self):
        for status in self._statuses():
            terms = list(status.terms.order_by("number"))
            assert terms, "a status without a term"
            assert [t.number for t in terms] == list(range(1, len(terms) + 1))
            assert terms[0].previous is None
            for earlier, later in itertools.pairwise(terms):
                assert later.previous_id == earlier.pk
                assert later.valid_from == earlier.valid_until + timedelta(days=1)
            assert status.valid_from == terms[0].valid_from
            assert status.valid_until == terms[-1].valid_until

    @invariant()
    def final_states_stay_final(self):
        for status in self._statuses():
            if status.pk in self.final:
                assert status.state == self.final[status.pk]
            elif status.state in Status.FINAL_STATES:
                self.final[status.pk] = status.state

    @invariant()
    def one_live_status_per_organisation(self):
        for organisation in self.schools:
            live = Status.objects.filter(
                program=self.program, organisation=organisation, state__in=Status.LIVE_STATES
            )
            assert live.count() <= 1

    @invariant()
    def nothing_live_past_its_end_after_a_sweep(self):
        if not self.swept:
            return
        for status in self._statuses():
            if status.state in (S.ACTIVE, S.SUSPENDED):
                assert status.valid_until >= self.today

    @invariant()
    def ended_iff_final(self):
        for status in self._statuses():
            assert (status.ended_on is not None) == (status.state in Status.FINAL_STATES)


@pytest.mark.django_db
def test_no_sequence_of_actions_reaches_an_impossible_state():
    run_state_machine_as_test(
        StatusLife,
        settings=settings(
            max_examples=60,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
