"""Rename the moved table to the office app's name (its foreign key and index follow the table)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('office', '0001_deletion_record_moves_here'),
        ('oversight', '0013_deletion_record_moved_to_office'),
    ]

    operations = [
        migrations.AlterModelTable(name='deletionrecord', table=None),
    ]
