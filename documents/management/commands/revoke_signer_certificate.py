"""Revoke a signer's certificate: it can no longer sign, and its signatures show as invalid."""

from django.core.management.base import BaseCommand, CommandError

from documents.models import SignerCertificate
from documents.services import signer_certificate_revoke


class Command(BaseCommand):
    help = "Revoke a signing certificate by its serial number (hex), or all of a user's."

    def add_arguments(self, parser):
        parser.add_argument("--serial")
        parser.add_argument("--username")
        parser.add_argument("--reason", required=True)

    def handle(self, *args, serial, username, reason, **options):
        rows = SignerCertificate.objects.filter(revoked_at__isnull=True)
        if serial:
            rows = rows.filter(serial=serial.lower().lstrip("0") or "0")
        elif username:
            rows = rows.filter(user__username=username)
        else:
            raise CommandError("Give --serial or --username.")
        if not rows.exists():
            raise CommandError("No valid certificate matches.")
        for row in rows:
            signer_certificate_revoke(certificate=row, reason=reason)
            self.stdout.write(f"Revoked {row.subject} serial {row.serial}.")
