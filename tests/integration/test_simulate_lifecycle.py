"""`manage.py simulate_lifecycle`: three years of one platform, printed, nothing kept."""

import io

import pytest
from django.core.management import call_command

from councils.models import Meeting, Protocol
from statuses.models import Status

pytestmark = pytest.mark.django_db


def test_simulation_prints_three_years_and_keeps_nothing():
    out = io.StringIO()
    call_command("simulate_lifecycle", stdout=out)
    text = out.getvalue()
    lines = text.splitlines()
    # The grant, a missed deadline that reaches the council, reminders, the renewal.
    assert any(line.startswith("20.11.2026") for line in lines)
    assert "16.09.2027" in text and "23.09.2027" in text  # missed, then escalated
    assert sum("✉" in line for line in lines) > 20
    assert "28.02.2029" in text  # invited to renew six months before 31.08.2029
    assert "01.09.2029–31.08.2032" in text  # the second term follows without a gap
    # The council decides at meetings whose signed protocols move the cases: the application,
    # each plan and report, the missed plan (the council keeps the status), the renewal.
    meetings = [line for line in lines if "Заседание №" in line]
    signed = [line for line in lines if "Протокол №" in line and "подписан" in line]
    assert len(meetings) == len(signed) >= 9
    assert any("24.09.2027" in line and "не принято" in line for line in meetings)
    assert "Принят советом" in text
    assert not Status.objects.exists()
    assert not Meeting.objects.exists()


def test_simulation_can_be_kept_for_the_pages(client):
    call_command("simulate_lifecycle", "--keep", stdout=io.StringIO())
    status = Status.objects.get()
    assert status.terms.count() == 2
    assert Protocol.objects.filter(state=Protocol.State.SIGNED).count() >= 9
    assert status.organisation.name in client.get("/public/registry/").content.decode()


def test_simulation_runs_on_the_demo_database():
    """`make run` leaves demo data: a council with its own seats and a CA made today, after the
    simulation's first day. The simulation still runs there: the meeting's own chair and
    secretary sign, with certificates valid at the simulated time."""
    call_command("seed_demo", stdout=io.StringIO())
    out = io.StringIO()
    call_command("simulate_lifecycle", "--keep", stdout=out)
    status = Status.objects.get()
    assert status.terms.count() == 2
    assert "01.09.2029–31.08.2032" in out.getvalue()
