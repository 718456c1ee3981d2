"""Verify a document offline: what it is, its signatures, and whether a file is it."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from documents import selectors


class Command(BaseCommand):
    help = (
        "Show a document by its verification code (the QR code) and, with --file, check "
        "whether that file is the document and its signatures are valid. Exit code 1 when not."
    )

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument("--file")

    def handle(self, *args, code, file, **options):
        document = selectors.document_by_code(code)
        if document is None:
            raise CommandError("No document has this verification code.")
        current = document.current_version
        out = self.stdout
        out.write(f"Document: {document.get_kind_display()} — {document.title}")
        out.write(f"Number: {document.reg_number or '—'}")
        out.write(f"Date: {document.reg_date:%d.%m.%Y}" if document.reg_date else "Date: —")
        out.write(f"SHA-256 (current version): {current.sha256 if current else '—'}")
        for s in selectors.signatures_report(document):
            state = "REVOKED" if s.revoked else "valid"
            out.write(
                f"Signature: {s.signer_name}, {s.signed_at:%d.%m.%Y %H:%M}, {s.subject}, "
                f"serial {s.serial}: {state}"
            )
        if not file:
            return
        check = selectors.file_check(document=document, data=Path(file).read_bytes())
        out.write(f"File SHA-256: {check.sha256}")
        for s in check.signatures:
            verdict = "valid" if s.valid else "INVALID (" + ", ".join(s.problems) + ")"
            out.write(f"Signature in the file: {s.subject}: {verdict}")
        if check.genuine and check.is_current:
            out.write("RESULT: the file is the current version of this document; VALID.")
        elif check.genuine:
            out.write(
                f"RESULT: the file is version {check.matches_version.number}, not the current one."
            )
        else:
            out.write("RESULT: the file does NOT match this document or a signature is INVALID.")
            raise SystemExit(1)
