"""The migration that starts keeping submissions gives applications submitted before it their
first submission, from the frozen context of their first printed version."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from applications import services
from applications.models import ApplicationSubmission
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("workflows", "0006_text_columns_sized_for_real_names")]
AFTER = [("workflows", "0007_application_drafts_and_submissions")]


def test_an_application_submitted_before_gets_its_first_submission(coordinator, school, program):
    application = ApplicationFactory(
        program=program, organisation=school, created_by=coordinator, topic="Тема заявки"
    )
    services.application_submit(application_id=application.pk, user=coordinator)
    ApplicationSubmission.objects.all().delete()  # as if submitted before the migration
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(BEFORE)
        executor.loader.build_graph()
        executor.migrate(AFTER)
        (first,) = ApplicationSubmission.objects.all()
    finally:
        # Back to the latest schema: going back to BEFORE also unapplied every later migration
        # of the other apps, which the tests after this one need.
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert (first.number, first.submitted_by) == (1, coordinator)
    assert first.data["fields"]["topic"] == "Тема заявки"
    assert first.data["fields"]["partners"] == "ТГПУ"
    assert [e["year_index"] for e in first.data["events"]] == [1, 2, 3]
    assert first.render is not None and first.render.version is not None
