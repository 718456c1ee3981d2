"""Check that no audit event was edited, removed, inserted, rewritten or cut off."""

from django.core.management.base import BaseCommand, CommandError

from audit.services import audit_verify


class Command(BaseCommand):
    help = (
        "Verify the audit log: the HMAC chain (AUDIT_HMAC_KEY), every checkpoint, the latest "
        "checkpoint kept outside the database (AUDIT_CHECKPOINT_FILE) and its signed PDF. "
        "Exit status 1 with the reasons on any mismatch."
    )

    def handle(self, *args, **options):
        report = audit_verify()
        if not report.ok:
            raise CommandError(
                "Audit log NOT intact:\n" + "\n".join(f"- {p}" for p in report.problems)
            )
        for note in report.notes:
            self.stdout.write(self.style.WARNING(note))
        checkpoint = report.checkpoint
        confirmed = (
            f"; checkpoint {checkpoint.number} of {checkpoint.at:%d.%m.%Y %H:%M} "
            f"({checkpoint.event_count} events) confirmed"
            if checkpoint
            else ""
        )
        self.stdout.write(
            self.style.SUCCESS(f"Audit chain intact: {report.events} events{confirmed}.")
        )
