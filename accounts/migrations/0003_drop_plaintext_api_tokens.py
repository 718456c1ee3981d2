"""DRF's authtoken app is gone (API tokens are knox's now, stored as digests): drop its table,
whose rows were tokens in clear text, and forget its migrations so the app could come back clean."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_text_columns_sized_for_real_names"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [
        migrations.RunSQL(
            sql=[
                "DROP TABLE IF EXISTS authtoken_token",
                "DELETE FROM django_migrations WHERE app = 'authtoken'",
            ],
            # The clear-text tokens are not brought back: the reverse leaves the table dropped.
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
