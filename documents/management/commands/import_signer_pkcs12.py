"""Import a signer's key and certificate from a PKCS#12 file (certificates of an outside CA)."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from documents.services import signer_certificate_import


class Command(BaseCommand):
    help = (
        "Import a PKCS#12 (.p12/.pfx) for a user; the key is stored encrypted and only that "
        "user can sign with it. Trust the issuing CA with DOCUMENTS_TRUST_ROOTS_FILE."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("file")
        parser.add_argument(
            "--password-file",
            help="File whose first line is the PKCS#12 password (never pass it on the command line).",
        )

    def handle(self, *args, username, file, password_file, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        password = None
        if password_file:
            password = Path(password_file).read_text().splitlines()[0].encode() or None
        try:
            row = signer_certificate_import(
                user=user, data=Path(file).read_bytes(), password=password
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"Imported {row.subject} serial {row.serial} for {username}.")
