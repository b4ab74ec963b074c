"""The deletion records now live in the office app (state only; see office 0001, which moves the content type,
and office 0002, which renames the table)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('oversight', '0012_case_status_label_plain'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='DeletionRecord'),
            ],
        ),
    ]
