"""Issue a signing certificate from Docket's own CA (created on first use)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from documents.services import signer_certificate_issue


class Command(BaseCommand):
    help = "Issue a document-signing certificate for a user from Docket's own CA."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--organisation", default="", help="O= of the certificate subject.")

    def handle(self, *args, username, organisation, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        row = signer_certificate_issue(user=user, organisation=organisation)
        self.stdout.write(
            f"Issued {row.subject} serial {row.serial}, valid until {row.not_after:%d.%m.%Y}."
        )
