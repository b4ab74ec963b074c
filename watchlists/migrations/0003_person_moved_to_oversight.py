"""The persons of a case now live in the oversight app (state only; see oversight 0006)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('oversight', '0006_camera_and_person_move_here'),
        ('recognition', '0003_camera_moved_to_oversight'),
        ('watchlists', '0002_reference_photo'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='referencephoto',
                    name='person',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='photos', to='oversight.person'),
                ),
                migrations.DeleteModel(name='Person'),
            ],
        ),
    ]
