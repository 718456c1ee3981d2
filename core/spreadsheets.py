"""Spreadsheet exports that cannot carry a formula (CSV and formula injection, OWASP).

A text typed by a user (a school's topic, an organisation's name) that starts with `=`, `+`,
`-` or `@` is run as a formula by Excel, LibreOffice and Google Sheets when the exported file is
opened: `=HYPERLINK(...)` leaks the sheet, DDE payloads start programs. Every CSV and XLSX that
Docket writes goes through `cell_safe`, which prefixes such a text with an apostrophe (OWASP's
advice), so it is shown as the text it is. Numbers and dates are never touched.
"""

import csv

FORMULA_STARTS = ("=", "+", "-", "@")
CONTROL_STARTS = ("\t", "\r", "\n")


def cell_safe(value):
    """The value as a spreadsheet shows it without evaluating it.

    A text that starts with a formula character, also after leading whitespace (spreadsheets
    trim it), or with a tab or a line break, gets a leading apostrophe; anything else, numbers
    and dates included, is returned as it is."""
    if not isinstance(value, str) or not value:
        return value
    if value.startswith(CONTROL_STARTS) or value.lstrip().startswith(FORMULA_STARTS):
        return "'" + value
    return value


def row_safe(values) -> list:
    return [cell_safe(v) for v in values]


class SafeCsvWriter:
    """`csv.writer` whose every row goes through `cell_safe`."""

    def __init__(self, buffer, **options):
        self._writer = csv.writer(buffer, **options)

    def writerow(self, values):
        return self._writer.writerow(row_safe(values))

    def writerows(self, rows):
        for values in rows:
            self.writerow(values)


def xlsx_append(sheet, values) -> None:
    """`sheet.append` for openpyxl: a text starting with `=` would be stored as a formula."""
    sheet.append(row_safe(values))
