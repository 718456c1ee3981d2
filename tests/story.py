"""Steps of the core case as the people take them, through the services (no HTTP)."""

from workflows import selectors, services


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


def council_decides(application, *, methodist, secretary, decision, reasons, meeting_date):
    """The methodist accepts the application, then the secretary records the council's decision."""
    act(methodist, application, decision="accept", comment="")
    act(secretary, application, decision=decision, reasons=reasons, meeting_date=meeting_date)
