"""Write the shipped DOCX print-form templates from their layouts, or check they match them.

manage.py docx_templates --write   after changing documents/printforms/docx_layouts.py
manage.py docx_templates           exits 1 when a shipped file differs from its layout
"""

import io
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from documents.printforms import docx_layouts


def targets() -> list[tuple[Path, str, docx_layouts.Words]]:
    """(file, form, wording) of every shipped template: the engine's, then each programme's."""
    base = Path(settings.BASE_DIR)
    engine = base / "documents/templates/documents/printforms"
    out = [(engine / f"{form}.docx", form, docx_layouts.ENGINE) for form in docx_layouts.LAYOUTS]
    for (folder, code), words in docx_layouts.programme_words().items():
        own = base / "programmes/definitions" / folder / "templates/documents/printforms" / code
        out += [(own / f"{form}.docx", form, words) for form in words.forms]
    return out


def body(data: bytes) -> bytes:
    """The document's text and layout (word/document.xml), without the file's timestamps."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("word/document.xml")


class Command(BaseCommand):
    help = "Write (--write) or check the shipped DOCX print-form templates against their layouts."

    def add_arguments(self, parser):
        parser.add_argument("--write", action="store_true", help="Write the files.")

    def handle(self, *args, write=False, **options):
        stale = []
        for path, form, words in targets():
            built = docx_layouts.build(form, words)
            if write:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(built)
                self.stdout.write(f"wrote {path.relative_to(settings.BASE_DIR)}")
            elif not path.is_file() or body(path.read_bytes()) != body(built):
                stale.append(str(path.relative_to(settings.BASE_DIR)))
        if stale:
            raise CommandError(
                "These DOCX templates differ from their layouts (manage.py docx_templates "
                "--write): " + ", ".join(stale)
            )
