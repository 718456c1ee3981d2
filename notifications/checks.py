"""A misconfiguration that would make the sweep send a letter twice is refused at start-up."""

from django.conf import settings
from django.core import checks


@checks.register()
def stuck_after_exceeds_task_time_limit(app_configs, **kwargs):
    """The sweep takes back a SENDING row claimed longer ago than NOTIFICATION_STUCK_AFTER_SECONDS.
    If that is shorter than a task may run, a slow send still in progress would be taken back and
    sent a second time by another worker."""
    stuck = settings.NOTIFICATION_STUCK_AFTER_SECONDS
    limit = settings.CELERY_TASK_TIME_LIMIT
    if limit and stuck <= limit:
        return [
            checks.Error(
                f"NOTIFICATION_STUCK_AFTER_SECONDS ({stuck}) must be longer than "
                f"CELERY_TASK_TIME_LIMIT ({limit}).",
                hint="A letter still being sent would be taken back and sent twice.",
                id="notifications.E001",
            )
        ]
    return []
