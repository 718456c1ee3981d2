"""One application under review per school and programme (decisions.md 37)."""

from django.db import migrations, models
from django.db.models import Count

REVIEW_STATES = ["at_methodist", "returned", "at_council", "at_department"]


def refuse_existing_duplicates(apps, schema_editor):
    """The index cannot be built over duplicates, and which case to end is a person's call:
    name them so an administrator refuses or withdraws all but one before migrating."""
    Application = apps.get_model("workflows", "Application")
    clashes = (
        Application.objects.filter(state__in=REVIEW_STATES)
        .values("program_id", "organisation_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    lines = []
    for clash in clashes:
        numbers = Application.objects.filter(
            state__in=REVIEW_STATES,
            program_id=clash["program_id"],
            organisation_id=clash["organisation_id"],
        ).values_list("reg_number", flat=True)
        lines.append(f"organisation {clash['organisation_id']}: {', '.join(sorted(numbers))}")
    if lines:
        raise RuntimeError(
            "Several applications of one school are under review in one programme; decide all "
            "but one of each group before this migration: " + "; ".join(lines)
        )


class Migration(migrations.Migration):
    dependencies = [("workflows", "0007_application_drafts_and_submissions")]

    operations = [
        migrations.RunPython(refuse_existing_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="application",
            constraint=models.UniqueConstraint(
                condition=models.Q(state__in=REVIEW_STATES),
                fields=("program", "organisation"),
                name="one_application_under_review_per_program",
            ),
        ),
    ]
