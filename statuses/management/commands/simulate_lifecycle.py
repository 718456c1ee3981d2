"""Three years of one platform in simulated time, printed as a timeline.

For a newcomer: one status from the application to its renewal, with every plan and report,
one deadline missed and escalated, the reminders, the renewal invitation, and every letter the
people would get. The council decides at real meetings: the secretary builds the agenda from
what waits for the council, the members vote, the chair and the secretary sign the protocol,
and only then do the cases move. By default everything happens inside one transaction that is rolled back;
`--keep` commits it so the pages (status, registry, dashboard) show the simulated platform.
"""

import itertools
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from accounts.models import User
from applications import regulations, roles, services
from applications import selectors as workflow_selectors
from applications.models import Application, PlannedEvent
from audit.models import AuditEvent
from core.demo import demo_data_guard, demo_flag_add
from councils import selectors as council_selectors
from councils import services as councils
from councils.models import AgendaItem, Council, CouncilMember, Meeting, Protocol
from notifications.models import Notification
from programmes import services as programme_services
from programmes.models import Organisation, OrganisationMembership, Program, ProgrammeStaff
from statuses import selectors, workdays
from statuses import services as status_services
from statuses.models import Duty, Status, Submission

GRANTED_ON = date(2026, 11, 20)
HOUR = 10
# The timeline shows what moves the cases; a meeting is one line when it closes and one when
# its protocol is signed, not every vote, signature and rendering behind it.
QUIET = ["personal_data.read", "application.claim", "protocol.signoff"]
QUIET_PREFIXES = r"^(meeting\.(?!close$)|document\.|certificate\.|journal\.|print_form\.|ca\.)"


class Rollback(Exception):
    """Leaves the simulation's transaction without keeping anything."""


class Command(BaseCommand):
    help = (
        "Run one status through three academic years in simulated time (plans, reports, one "
        "missed deadline, renewal) and print the timeline of events and notifications. "
        "Nothing is kept unless --keep is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--keep", action="store_true", help="commit the simulated data")
        demo_flag_add(parser)

    def handle(self, *args, keep=False, **options):
        # Even rolled back it draws journal numbers under lock and writes document files.
        demo_data_guard(command="simulate_lifecycle", options=options)
        try:
            import time_machine  # noqa: F401  (a dev dependency: `make venv` installs it)
        except ImportError as exc:
            raise CommandError("simulate_lifecycle needs time-machine: run `make venv`.") from exc
        with translation.override("ru"):
            try:
                with transaction.atomic():
                    Simulation(self.stdout, self.style).run()
                    if not keep:
                        raise Rollback
            except Rollback:
                self.stdout.write(self.style.WARNING("Simulation rolled back (use --keep)."))
            else:
                self.stdout.write(self.style.SUCCESS("Simulation kept in the database."))


class Simulation:
    def __init__(self, out, style):
        self.out, self.style = out, style
        self.tz = ZoneInfo("Asia/Tomsk")
        self.last_event = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
        self.last_note = Notification.objects.order_by("-id").values_list("id", flat=True).first()
        self.plan: dict[date, list] = {}
        self.orders = itertools.count(1)

    # --- clock ------------------------------------------------------------------------------

    def moment(self, day: date, hour: int = HOUR) -> datetime:
        return datetime(day.year, day.month, day.day, hour, tzinfo=self.tz)

    def on(self, day: date, action) -> None:
        self.plan.setdefault(day, []).append(action)

    # --- people -----------------------------------------------------------------------------

    def _cast(self):
        roles.roles_sync()
        tag = datetime.now().strftime("%Y%m%d%H%M%S")
        program = Program.objects.filter(
            code=regulations.TOMSK_CODE
        ).first() or Program.objects.create(
            code=regulations.TOMSK_CODE, **regulations.TOMSK_PROGRAM
        )
        programme_services.form_first_version(program=program, definition=regulations.TOMSK_FORM)
        school = Organisation.objects.create(
            name="МАОУ СОШ № 99 г. Томска (симуляция)", short_name="СОШ № 99 (симуляция)"
        )

        def person(role, last, first, group=None):
            user = User.objects.create_user(
                username=f"sim-{role}-{tag}", first_name=first, last_name=last, email=""
            )
            if group:
                from django.contrib.auth.models import Group

                # Serving the programme puts the person in the role's group.
                ProgrammeStaff.objects.create(
                    user=user, program=program, group=Group.objects.get(name=group)
                )
            return user

        self.coordinator = person("coord", "Симонова", "Вера")
        OrganisationMembership.objects.create(user=self.coordinator, organisation=school)
        self.methodist = person("methodist", "Методова", "Анна", roles.METHODISTS)
        self.secretary = person("secretary", "Секретарёва", "Ольга", roles.SECRETARIES)
        self.official = person("official", "Приказов", "Пётр", roles.DEPARTMENT)
        self.council = self._council_of(program, person)
        return program, school

    def _council_of(self, program, person) -> Council:
        """The programme's council for the simulation: a chair, two members and the secretary
        (their seats run from the simulation's first day), each signer with a certificate."""
        council = Council.objects.filter(program=program).first() or Council.objects.create(
            program=program,
            name=program.council_name or "Координационный совет",
            **regulations.TOMSK_COUNCIL,
        )
        since = GRANTED_ON - timedelta(days=30)
        for role, last, first in (
            (CouncilMember.Role.CHAIR, "Председателева", "Ирина"),
            (CouncilMember.Role.MEMBER, "Членова", "Мария"),
            (CouncilMember.Role.MEMBER, "Советов", "Олег"),
        ):
            CouncilMember.objects.create(
                council=council,
                user=person(f"council-{role}-{last}", last, first),
                role=role,
                valid_from=since,
            )
        CouncilMember.objects.create(
            council=council,
            user=self.secretary,
            role=CouncilMember.Role.SECRETARY,
            valid_from=since,
        )
        return council

    # --- printing ---------------------------------------------------------------------------

    def _label(self, event: AuditEvent) -> str:
        if event.action == "meeting.close":
            meeting = Meeting.objects.get(pk=event.object_id)
            items = "; ".join(
                f"{i.number}. {i.title} — {i.get_outcome_display().lower()}"
                for i in meeting.items.order_by("number")
            )
            return f"{meeting}: {items}"
        if event.action == "protocol.signed":
            protocol = Protocol.objects.get(pk=event.object_id)
            return f"{protocol} подписан председателем и секретарём, решения вступили в силу"
        label = selectors.HISTORY_LABELS.get(event.action) or workflow_selectors.ACTION_LABELS.get(
            event.action, event.action
        )
        subject = ""
        if event.object_type == "statuses.duty":
            subject = f" ({Duty.objects.get(pk=event.object_id)})"
        elif event.object_type == "workflows.application":
            app = Application.objects.get(pk=event.object_id)
            subject = f" ({app.get_kind_display().lower()} {app.reg_number})".replace(" )", ")")
        return f"{label}{subject}"

    def flush(self, day: date) -> None:
        events = AuditEvent.objects.exclude(action__in=QUIET).exclude(action__regex=QUIET_PREFIXES)
        if self.last_event:
            events = events.filter(id__gt=self.last_event)
        notes = Notification.objects.filter(channel=Notification.Channel.INAPP)
        if self.last_note:
            notes = notes.filter(id__gt=self.last_note)
        events, notes = list(events.order_by("id")), list(notes.order_by("id"))
        stamp = day.strftime("%d.%m.%Y")
        for event in events:
            actor = event.actor.get_full_name() if event.actor else "система"
            self.out.write(f"{stamp}  {self._label(event)} — {actor}")
        grouped: dict[str, list[str]] = {}
        for note in notes:
            grouped.setdefault(note.subject, []).append(note.recipient.get_full_name())
        for subject, people in grouped.items():
            self.out.write(f"{stamp}    ✉ {subject} → {', '.join(people)}")
        if events:
            self.last_event = events[-1].id
        if notes:
            self.last_note = notes[-1].id

    # --- the story --------------------------------------------------------------------------

    def _act(self, user, application, **data):
        application.refresh_from_db()
        task = workflow_selectors.application_open_task(application)
        services.task_complete(task_id=task.pk, user=user, data=data)

    def _review(self, application, day: date):
        """Methodist, council, department: the same review for a new status and a renewal."""
        self.on(day, lambda: self._act(self.methodist, application, decision="accept", comment=""))
        council_day = day + timedelta(days=7)
        self.on(council_day, lambda: self._meeting(council_day))
        order_day = workdays.working_days_add(council_day, 5)

        def approve():
            self._act(
                self.official,
                application,
                decision="approve",
                order_number=f"{next(self.orders)}-р/сим",
                order_date=order_day,
                comment="",
            )
            services.status_grant(application=application)  # the background job, here at once
            self.status = Status.objects.get(pk=application.status_term.status_id)
            self._schedule_duties()

        self.on(order_day, approve)

    def _apply(self, program, school, day: date):
        application = Application.objects.create(
            program=program,
            organisation=school,
            created_by=self.coordinator,
            topic="Наставничество как ресурс профессиональной адаптации молодого учителя",
            direction="competence",
            goals="Профессиональное развитие молодых учителей",
            tasks="Семинары, мастер-классы, конкурс «Первые шаги»",
            expected_results="Закрепление молодых педагогов в профессии",
            responsible_name="Симонова Вера",
            responsible_position="Заместитель директора",
            responsible_phone="+7 3822 00-00-99",
            partners="ТГПУ",
        )
        for year in (1, 2, 3):
            PlannedEvent.objects.create(
                application=application, year_index=year, title=f"Семинар {year}", timing="ноябрь"
            )
        services.application_submit(application_id=application.pk, user=self.coordinator)
        application.refresh_from_db()
        self._review(application, day + timedelta(days=2))

    def _send(self, duty: Duty):
        report = duty.kind == Duty.Kind.REPORT
        fields = {"summary": f"{duty}: выполнено по плану"}
        if report:
            fields.update(events_held=4, young_teachers=27, schools=6, mentors=9)
            fields["problems"] = "Нехватка наставников по физике"
        events = [
            {
                "title": "Семинар «Первый урок»",
                "planned": "ноябрь",
                "held_on": date(duty.academic_year, 11, 18) if report else None,
                "participants": 24 if report else None,
                "result": "Проведён" if report else "",
            }
        ]
        status_services.submission_create(
            user=self.coordinator, duty_id=duty.pk, fields=fields, events=events
        )

    def _check(self, duty: Duty, decision="accept", comment=""):
        submission = duty.submissions.get(state=Submission.State.AT_METHODIST)
        status_services.submission_check(
            user=self.methodist, submission_id=submission.pk, decision=decision, comment=comment
        )

    # --- the council --------------------------------------------------------------------------

    def _decision(self, case: dict) -> tuple[str, str]:
        """How the simulated council votes: every case is adopted, except that a missed plan
        sent late is not a reason to end the status."""
        if case["subject"] == "statuses.duty":
            return "against", "Не предлагать прекращение статуса; план представить немедленно"
        if case["kind"] == AgendaItem.Kind.APPLICATION:
            return "for", "Присвоить статус; представить решение на утверждение приказом"
        return "for", "Принять"

    def _meeting(self, day: date) -> None:
        """A meeting of the council that day on everything waiting for it, run by the secretary
        as on the pages: agenda, attendance, votes, the protocol rendered and signed by chair
        and secretary (then the cases move). The render runs here, not in a worker: nothing
        is committed while the simulation runs."""
        waiting = council_selectors.cases_waiting(self.council)
        if not waiting:
            return
        secretary = self.secretary
        meeting = councils.meeting_create(council_id=self.council.pk, user=secretary, date=day)
        decisions = {}
        for case in waiting:
            item = councils.agenda_item_add(
                meeting_id=meeting.pk,
                user=secretary,
                subject=case["subject"],
                subject_id=case["object"].pk,
            )
            decisions[item.pk] = self._decision(case)
        seats = list(council_selectors.members_on(self.council, day))
        councils.attendance_record(
            meeting_id=meeting.pk, user=secretary, member_ids=[s.pk for s in seats], guests=[]
        )
        councils.meeting_open(meeting_id=meeting.pk, user=secretary)
        for item in meeting.items.order_by("number"):
            choice, decided = decisions[item.pk]
            councils.item_voting_start(item_id=item.pk, user=secretary)
            for seat in council_selectors.item_eligible(item):
                councils.vote_cast(item_id=item.pk, user=seat.user, choice=choice)
            councils.item_close(
                item_id=item.pk,
                user=secretary,
                heard=f"Секретаря совета: {item.title}",
                spoke="",
                decided=decided,
            )
        protocol = councils.meeting_close(meeting_id=meeting.pk, user=secretary)
        self._render(protocol.document)
        # The meeting's own chair and secretary sign: on a database with demo data the
        # programme's council already has seats, and theirs come first.
        chair = council_selectors.meeting_chair(meeting)
        for signer in (chair.user, council_selectors.meeting_secretary(meeting).user):
            self._certificate(signer)
            councils.protocol_sign(protocol_id=protocol.pk, user=signer)

    @staticmethod
    def _render(document) -> None:
        from documents.services import print_form_render

        for request_id in document.renders.filter(state="pending").values_list("pk", flat=True):
            print_form_render(request_id=request_id)
        document.refresh_from_db()
        if document.render_state != "ready":
            raise CommandError(f"The protocol could not be rendered: {document.render_error}")

    @staticmethod
    def _certificate(user) -> None:
        """A signer's certificate runs for a limited time: a new one when it has expired."""
        from documents.services import signer_certificate_current, signer_certificate_issue

        if signer_certificate_current(user) is None:
            signer_certificate_issue(user=user)

    def _schedule_duties(self):
        """Term 1 of the story: one plan missed (sent after the council heard of it), one
        report returned once; everything else a few days early."""
        if self.status.terms.count() > 1:
            return
        duties = list(self.status.duties.order_by("due_date"))
        for index, duty in enumerate(duties):
            if index == 2:  # the 2027/28 plan: missed, escalated, sent late
                grace = selectors.schedule_for(self.status.program).grace_working_days
                sent = workdays.working_days_add(duty.due_date, grace + 2)
            else:
                sent = duty.due_date - timedelta(days=4)
            if index == 2:  # the council meets that morning on the missed plan
                self.on(sent, lambda s=sent: self._meeting(s))
            self.on(sent, lambda d=duty: self._send(d))
            if index == 3:  # the 2027/28 report: returned once
                self.on(
                    sent + timedelta(days=1),
                    lambda d=duty: self._check(d, "return", "Добавьте сведения о публикациях"),
                )
                self.on(sent + timedelta(days=2), lambda d=duty: self._send(d))
                checked = sent + timedelta(days=3)
            else:
                checked = sent + timedelta(days=1)
            self.on(checked, lambda d=duty: self._check(d))
            council = checked + timedelta(days=7)
            self.on(council, lambda c=council: self._meeting(c))
        invite = self.status.valid_until.replace(month=2, day=28)
        self.on(invite + timedelta(days=14), self._renew)

    def _renew(self):
        day = self.today
        draft = status_services.renewal_application_create(
            user=self.coordinator, status_id=self.status.pk, today=day
        )
        services.application_submit(application_id=draft.pk, user=self.coordinator)
        draft.refresh_from_db()
        self._review(draft, day + timedelta(days=10))

    def run(self):
        import time_machine

        program, school = self._cast()
        self.status = None
        self.today = GRANTED_ON - timedelta(days=14)
        self.on(self.today, lambda: self._apply(program, school, self.today))
        end = date(GRANTED_ON.year + 3, 9, 2)
        self.out.write(self.style.MIGRATE_HEADING("Жизнь статуса: три учебных года"))
        while self.today <= end:
            with time_machine.travel(self.moment(self.today), tick=False):
                for action in self.plan.pop(self.today, []):
                    action()
            with time_machine.travel(self.moment(self.today, 23), tick=False):
                status_services.lifecycle_sweep(now=self.moment(self.today, 23))
            self.flush(self.today)
            self.today += timedelta(days=1)
        self.status.refresh_from_db()
        terms = ", ".join(str(t) for t in self.status.terms.all())
        self.out.write(
            self.style.SUCCESS(
                f"Итог: «{self.status.get_state_display()}» до "
                f"{self.status.valid_until:%d.%m.%Y}; сроки: {terms}"
            )
        )
        self.out.write(
            f"Страница статуса: /statuses/{self.status.pk}/, реестр: /public/registry/ "
            "(с --keep они показывают эту площадку)"
        )
