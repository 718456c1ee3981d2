"""The Russian production calendar for 2026 and 2027 (five-day week), as data admins can edit.

2026: Labour Code art. 112 and Government Decree No. 1466 of 24.09.2025 (3 January moved to
9 January, 4 January to 31 December). 2027: the holidays of art. 112 and its automatic moves
(a holiday on a weekend gives the next working day off: 3 May, 10 May, 14 June); from the draft
decree as reported: 5 November off, Saturday 13 November working. Where 2 and 3 January 2027
are moved is not in the draft as known here: enter it in the admin once the decree is signed.
"""

from datetime import date, timedelta

from django.db import migrations

DECREE_2026 = "Постановление Правительства РФ от 24.09.2025 № 1466"
DRAFT_2027 = "проект постановления о переносе выходных дней в 2027 году"


def _new_year(year):
    return [
        (date(year, 1, d), "holiday", "Новогодние каникулы" if d != 7 else "Рождество Христово")
        for d in range(1, 9)
    ]


DAYS = [
    *_new_year(2026),
    (date(2026, 1, 9), "day_off", f"Перенос с 03.01.2026 ({DECREE_2026})"),
    (date(2026, 2, 23), "holiday", "День защитника Отечества"),
    (date(2026, 3, 8), "holiday", "Международный женский день"),
    (date(2026, 3, 9), "day_off", "Перенос с 08.03.2026 (ст. 112 ТК РФ)"),
    (date(2026, 4, 30), "short", "Предпраздничный день"),
    (date(2026, 5, 1), "holiday", "Праздник Весны и Труда"),
    (date(2026, 5, 8), "short", "Предпраздничный день"),
    (date(2026, 5, 9), "holiday", "День Победы"),
    (date(2026, 5, 11), "day_off", "Перенос с 09.05.2026 (ст. 112 ТК РФ)"),
    (date(2026, 6, 11), "short", "Предпраздничный день"),
    (date(2026, 6, 12), "holiday", "День России"),
    (date(2026, 11, 3), "short", "Предпраздничный день"),
    (date(2026, 11, 4), "holiday", "День народного единства"),
    (date(2026, 12, 31), "day_off", f"Перенос с 04.01.2026 ({DECREE_2026})"),
    *_new_year(2027),
    (date(2027, 2, 22), "short", "Предпраздничный день"),
    (date(2027, 2, 23), "holiday", "День защитника Отечества"),
    (date(2027, 3, 8), "holiday", "Международный женский день"),
    (date(2027, 4, 30), "short", "Предпраздничный день"),
    (date(2027, 5, 1), "holiday", "Праздник Весны и Труда"),
    (date(2027, 5, 3), "day_off", "Перенос с 01.05.2027 (ст. 112 ТК РФ)"),
    (date(2027, 5, 9), "holiday", "День Победы"),
    (date(2027, 5, 10), "day_off", "Перенос с 09.05.2027 (ст. 112 ТК РФ)"),
    (date(2027, 6, 11), "short", "Предпраздничный день"),
    (date(2027, 6, 12), "holiday", "День России"),
    (date(2027, 6, 14), "day_off", "Перенос с 12.06.2027 (ст. 112 ТК РФ)"),
    (date(2027, 11, 3), "short", "Предпраздничный день"),
    (date(2027, 11, 4), "holiday", "День народного единства"),
    (date(2027, 11, 5), "day_off", f"Перенос с 13.11.2027 ({DRAFT_2027})"),
    (date(2027, 11, 13), "working", f"Рабочая суббота ({DRAFT_2027})"),
    (date(2027, 12, 31), "short", "Предпраздничный день"),
]


def load(apps, schema_editor):
    CalendarDay = apps.get_model("statuses", "CalendarDay")
    for day, kind, note in DAYS:
        CalendarDay.objects.update_or_create(date=day, defaults={"kind": kind, "note": note})


def unload(apps, schema_editor):
    CalendarDay = apps.get_model("statuses", "CalendarDay")
    CalendarDay.objects.filter(date__in=[d for d, _k, _n in DAYS]).delete()


def first_terms(apps, schema_editor):
    """Statuses granted before terms existed get their first term; their yearly duties are not
    back-filled (their next term will have them)."""
    Status = apps.get_model("workflows", "Status")
    StatusTerm = apps.get_model("statuses", "StatusTerm")
    for status in Status.objects.filter(terms__isnull=True):
        StatusTerm.objects.create(
            status=status,
            number=1,
            valid_from=status.valid_from,
            valid_until=status.valid_until,
            application_id=status.application_id,
            order_id=status.order_id,
        )


def _noop(apps, schema_editor):
    pass


class Migration(migrations.Migration):
    dependencies = [("statuses", "0001_status_terms_calendar_duties")]

    operations = [
        migrations.RunPython(load, unload),
        migrations.RunPython(first_terms, _noop),
    ]
