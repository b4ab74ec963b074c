"""The camera registry now lives in the oversight app (state only; see oversight 0006)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('oversight', '0006_camera_and_person_move_here'),
        ('recognition', '0002_scans_alerts_reviews'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='scan',
                    name='camera',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='scans', to='oversight.camera'),
                ),
                migrations.AlterField(
                    model_name='alert',
                    name='camera',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='alerts', to='oversight.camera'),
                ),
                migrations.AlterField(
                    model_name='alert',
                    name='person',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='alerts', to='oversight.person'),
                ),
                migrations.DeleteModel(name='Camera'),
            ],
        ),
    ]
