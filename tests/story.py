"""Steps of the core case as the people take them, through the services (no HTTP)."""

from applications import selectors, services


def open_task(application):
    """The step the case waits on now (re-read: the flow has moved since the caller looked)."""
    application.refresh_from_db()
    return selectors.application_open_task(application)


def act(user, application, **data):
    """`user` completes the open step of `application` with `data`; returns that step's task."""
    task = open_task(application)
    services.task_complete(task_id=task.pk, user=user, data=data)
    application.refresh_from_db()
    return task


def submitted(*, coordinator, school, program):
    """A complete application of `school`, submitted by its coordinator (now at the methodist)."""
    from tests.factories import ApplicationFactory

    application = ApplicationFactory(organisation=school, created_by=coordinator, program=program)
    services.application_submit(application_id=application.pk, user=coordinator)
    application.refresh_from_db()
    return application


def waiting_for_council(program, *, methodist, school_name):
    """A new school's application, submitted and accepted by the methodist: it now waits for
    the programme's council."""
    from tests.factories import CoordinatorFactory, OrganisationFactory

    school = OrganisationFactory(short_name=school_name)
    coordinator = CoordinatorFactory(username=f"coord-{school_name}", organisation=school)
    application = submitted(coordinator=coordinator, school=school, program=program)
    act(methodist, application, decision="accept", comment="")
    return application


def another_councils_secretary(*, staff: bool):
    """The secretary of another programme's council (Klin). `staff`: also in the secretaries'
    group, who see every case and so every meeting; else only a seat on that council."""
    import datetime

    from applications import roles
    from councils.models import CouncilMember
    from tests.factories import ProgramFactory, UserFactory

    klin = ProgramFactory(code="klin", title="Мастерская наставничества", registration_prefix="МН")
    other = council_of(klin, secretary=UserFactory(username="klin_secretary"))
    user = UserFactory(
        username=f"klin_secretary_{'staff' if staff else 'seat'}",
        groups=[roles.SECRETARIES] if staff else [],
    )
    CouncilMember.objects.create(
        council=other,
        user=user,
        role=CouncilMember.Role.SECRETARY,
        valid_from=datetime.date(2020, 1, 1),
    )
    return user


def council_of(program, *, secretary):
    """The programme's council (made on first use): `secretary` as its secretary, a chair and
    two members, the default rules (more than half present, majority of those present)."""
    import datetime

    from councils.models import Council, CouncilMember
    from tests.factories import CouncilFactory, CouncilMemberFactory

    council = Council.objects.filter(program=program).first()
    if council is None:
        council = CouncilFactory(program=program)
        CouncilMemberFactory(council=council, user__username="council_chair", role="chair")
        CouncilMemberFactory(council=council, user__username="council_member1")
        CouncilMemberFactory(council=council, user__username="council_member2")
    if not council.members.filter(user=secretary, role=CouncilMember.Role.SECRETARY).exists():
        CouncilMember.objects.create(
            council=council,
            user=secretary,
            role=CouncilMember.Role.SECRETARY,
            valid_from=datetime.date(2000, 1, 1),
        )
    signing_certificates(
        [m.user for m in council.members.filter(role__in=["chair", "deputy_chair", "secretary"])]
    )
    return council


def signing_certificates(people):
    """Chair and secretary sign protocols with their own keys: a certificate each (once)."""
    from documents.services import signer_certificate_current, signer_certificate_issue

    for person in people:
        if signer_certificate_current(person) is None:
            signer_certificate_issue(user=person)


def meeting_decides(council, outcomes, *, secretary, meeting_date):
    """A small meeting as the secretary runs it: each case of `outcomes` (case → (decision,
    decision text)) on the agenda, everyone present, members voting, items and meeting closed,
    protocol signed by chair and secretary. A case is an application or any other row waiting
    for the council (a submission, a problem notice, a termination case, an escalated duty, a
    network report); the decision is "granted"/"adopted", "refused"/"not_adopted" or
    "postponed". Returns the signed protocol."""
    from councils import services as councils

    meeting = councils.meeting_create(council_id=council.pk, user=secretary, date=meeting_date)
    items = {}
    for case in outcomes:
        items[case] = councils.agenda_item_add(
            meeting_id=meeting.pk,
            user=secretary,
            subject=case._meta.label_lower,
            subject_id=case.pk,
        )
    protocol = meeting_concludes(
        meeting,
        {items[case]: outcome for case, outcome in outcomes.items()},
        secretary=secretary,
    )
    for case in outcomes:
        case.refresh_from_db()
    return protocol


def meeting_concludes(meeting, outcomes, *, secretary):
    """A planned meeting whose agenda is built: everyone present, each item of `outcomes`
    (item → (decision, text)) voted and closed, the meeting closed, its protocol rendered and
    signed by chair and secretary. Returns the signed protocol."""
    from councils import selectors as council_selectors
    from councils import services as councils

    seats = list(council_selectors.members_on(meeting.council, meeting.date))
    councils.attendance_record(
        meeting_id=meeting.pk, user=secretary, member_ids=[s.pk for s in seats], guests=[]
    )
    councils.meeting_open(meeting_id=meeting.pk, user=secretary)
    for item, (decision, reasons) in outcomes.items():
        if decision != "postponed":
            councils.item_voting_start(item_id=item.pk, user=secretary)
            choice = "for" if decision in ("granted", "adopted") else "against"
            for seat in council_selectors.item_eligible(item):
                councils.vote_cast(item_id=item.pk, user=seat.user, choice=choice)
        councils.item_close(
            item_id=item.pk,
            user=secretary,
            heard="Секретарь совета",
            spoke="",
            decided=reasons,
            postpone=decision == "postponed",
        )
    protocol = councils.meeting_close(meeting_id=meeting.pk, user=secretary)
    rendered(protocol.document)
    chair = council_selectors.meeting_chair(meeting)
    councils.protocol_sign(protocol_id=protocol.pk, user=chair.user)
    councils.protocol_sign(protocol_id=protocol.pk, user=secretary)
    protocol.refresh_from_db()
    return protocol


def council_considers(case, *, secretary, decision, text, meeting_date):
    """One row waiting for its programme's council is decided at a meeting of its own."""
    program = _program_of(case)
    council = council_of(program, secretary=secretary)
    return meeting_decides(
        council, {case: (decision, text)}, secretary=secretary, meeting_date=meeting_date
    )


def _program_of(case):
    for path in ("program", "status.program", "duty.status.program"):
        obj = case
        try:
            for name in path.split("."):
                obj = getattr(obj, name)
        except AttributeError:
            continue
        return obj
    raise AssertionError(f"no programme for {case!r}")


def rendered(document):
    """The document's PDF is ready before anyone signs it. With Celery eager (the default in
    tests) it already is; under a real worker that may be busy, killed or cut off from the
    broker, the pending rendering is run here, as the worker would (safe to run twice)."""
    from documents.services import print_form_render

    for request_id in document.renders.filter(state="pending").values_list("pk", flat=True):
        print_form_render(request_id=request_id)
    document.refresh_from_db()
    assert document.render_state == "ready", document.render_error


def council_decides(application, *, methodist, secretary, decision, reasons, meeting_date):
    """The methodist accepts the application, then the council decides it at a meeting.
    Returns the signed protocol."""
    act(methodist, application, decision="accept", comment="")
    return council_at_meeting(
        application,
        secretary=secretary,
        decision=decision,
        reasons=reasons,
        meeting_date=meeting_date,
    )


def council_at_meeting(application, *, secretary, decision, reasons, meeting_date):
    """A case waiting for the council is decided at a meeting of its own."""
    council = council_of(application.program, secretary=secretary)
    return meeting_decides(
        council, {application: (decision, reasons)}, secretary=secretary, meeting_date=meeting_date
    )


def granted(*, coordinator, school, program, methodist, secretary, official, on, order="1-р"):
    """The whole review of a new application up to the department's order dated `on`; the
    status is entered at once (the background job runs after commit, which plain `db` tests
    never reach, and `status_grant` is idempotent)."""
    application = submitted(coordinator=coordinator, school=school, program=program)
    council_decides(
        application,
        methodist=methodist,
        secretary=secretary,
        decision="granted",
        reasons="Соответствует положению",
        meeting_date=on,
    )
    act(official, application, decision="approve", order_number=order, order_date=on, comment="")
    return services.status_grant(application=application)


def renewed(status, *, coordinator, methodist, secretary, official, on, order="2-р"):
    """The holder files a renewal drafted from the status; it goes through the same review and
    the department approves it by an order dated `on`. Returns the renewal application."""
    from statuses import services as status_services

    application = status_services.renewal_application_create(
        user=coordinator, status_id=status.pk, today=on
    )
    services.application_submit(application_id=application.pk, user=coordinator)
    application.refresh_from_db()
    council_decides(
        application,
        methodist=methodist,
        secretary=secretary,
        decision="granted",
        reasons="Работа площадки эффективна",
        meeting_date=on,
    )
    act(official, application, decision="approve", order_number=order, order_date=on, comment="")
    services.status_grant(application=application)
    application.refresh_from_db()
    return application
