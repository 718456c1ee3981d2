from django.db import migrations

GENESIS = "0" * 64


def create_head(apps, schema_editor):
    apps.get_model("audit", "AuditChainHead").objects.get_or_create(id=1, defaults={"last_hash": GENESIS})


def remove_head(apps, schema_editor):
    apps.get_model("audit", "AuditChainHead").objects.filter(id=1).delete()


class Migration(migrations.Migration):
    """The chain head must exist before the first append, so appenders only ever lock it."""

    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(create_head, remove_head)]
