"""Run all periodic work once, as Celery beat would, optionally as of another moment."""

from celery import current_app
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.clock import parse_now


class Command(BaseCommand):
    help = (
        "Run every task of the beat schedule (settings.CELERY_BEAT_SCHEDULE) once, in this "
        "process, as of --now (ISO-8601; default: the current time). For operators after an "
        "outage and for tests; the schedule itself is documented in docs/operations.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("--now", help="e.g. 2027-06-02T09:00:00+07:00")

    def handle(self, *args, now=None, **options):
        try:
            moment = parse_now(now)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        failed = []
        # As a worker does at start: import every app's tasks module (autodiscovery).
        current_app.loader.import_default_modules()
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
            # Beat names tasks by their registered (wire) names, not always their module path.
            task = current_app.tasks[entry["task"]]
            result = task.apply(kwargs={"now": moment.isoformat()})
            if result.failed():
                failed.append(name)
                self.stderr.write(f"{name}: FAILED: {result.result!r}")
            else:
                self.stdout.write(f"{name}: {result.result}")
        if failed:
            raise CommandError(f"{len(failed)} periodic task(s) failed: {', '.join(failed)}")
