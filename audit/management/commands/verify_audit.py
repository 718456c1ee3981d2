"""Check that no audit event was edited, removed or inserted out of order."""

from django.core.management.base import BaseCommand, CommandError

from audit.services import audit_verify_chain


class Command(BaseCommand):
    help = "Verify the hash chain of the audit log."

    def handle(self, *args, **options):
        ok, count, broken = audit_verify_chain()
        if not ok:
            where = f"event #{broken.pk}" if broken else "chain head (events were removed)"
            raise CommandError(f"Audit chain broken at {where} after {count} valid events.")
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {count} events."))
