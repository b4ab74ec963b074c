"""Rename the moved tables to the oversight app's names (foreign keys follow the table)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('oversight', '0006_camera_and_person_move_here'),
        ('recognition', '0003_camera_moved_to_oversight'),
        ('watchlists', '0003_person_moved_to_oversight'),
    ]

    operations = [
        migrations.AlterModelTable(name='camera', table=None),
        migrations.AlterModelTable(name='person', table=None),
    ]
