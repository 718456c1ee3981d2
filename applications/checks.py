"""System checks of the application flow: any check fails when the sweep could run a flow job
twice at once."""

from django.conf import settings
from django.core import checks


@checks.register()
def job_stuck_after_exceeds_task_time_limit(app_configs, **kwargs):
    """The sweep takes back a job STARTED longer ago than FLOW_JOB_STUCK_AFTER_SECONDS. If that
    is shorter than a task may run, an attempt still in progress would be taken back and its
    body run a second time, at the same moment, by another worker."""
    stuck = settings.FLOW_JOB_STUCK_AFTER_SECONDS
    limit = settings.CELERY_TASK_TIME_LIMIT
    if limit and stuck <= limit:
        return [
            checks.Error(
                f"FLOW_JOB_STUCK_AFTER_SECONDS ({stuck}) must be longer than "
                f"CELERY_TASK_TIME_LIMIT ({limit}).",
                hint="A background step still running would be taken back and run twice.",
                id="workflows.E002",
            )
        ]
    return []
