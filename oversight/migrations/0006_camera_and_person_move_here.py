"""The camera registry and the persons of a case move to the oversight app (one app per concept).

State only: the tables keep their rows; 0007 renames them once every reference points here. Content types (and
with them model and object permissions) follow the models.
"""

import django.core.validators
import django.db.models.deletion
import oversight.models
from decimal import Decimal
from django.db import migrations, models

MOVES = [("recognition", "camera"), ("watchlists", "person")]


def move_content_types(apps, schema_editor, reverse=False):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for old_app, model in MOVES:
        source, target = ("oversight", old_app) if reverse else (old_app, "oversight")
        ContentType.objects.filter(app_label=source, model=model).update(app_label=target)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, reverse=True)


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('oversight', '0005_decision_vote_requester_matches_case'),
        ('recognition', '0002_scans_alerts_reviews'),
        ('watchlists', '0002_reference_photo'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Camera',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100, unique=True)),
                        ('location_label', models.CharField(max_length=200)),
                        ('latitude', models.DecimalField(blank=True, decimal_places=6, max_digits=9, null=True, validators=[django.core.validators.MinValueValidator(Decimal('-90')), django.core.validators.MaxValueValidator(Decimal('90'))])),
                        ('longitude', models.DecimalField(blank=True, decimal_places=6, max_digits=9, null=True, validators=[django.core.validators.MinValueValidator(Decimal('-180')), django.core.validators.MaxValueValidator(Decimal('180'))])),
                        ('source', models.CharField(max_length=500, validators=[oversight.models.validate_camera_source])),
                        ('enabled', models.BooleanField(default=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('last_frame_at', models.DateTimeField(blank=True, null=True)),
                        ('analysed_fps', models.FloatField(blank=True, null=True)),
                        ('last_error', models.TextField(blank=True)),
                        ('last_error_at', models.DateTimeField(blank=True, null=True)),
                    ],
                    options={
                        'db_table': 'recognition_camera',
                        'ordering': ['name'],
                        'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('latitude__isnull', True), ('longitude__isnull', True)), models.Q(('latitude__isnull', False), ('longitude__isnull', False)), _connector='OR'), name='camera_coordinates_both_or_neither'), models.CheckConstraint(condition=models.Q(('latitude__isnull', True), models.Q(('latitude__gte', -90), ('latitude__lte', 90)), _connector='OR'), name='camera_latitude_range'), models.CheckConstraint(condition=models.Q(('longitude__isnull', True), models.Q(('longitude__gte', -180), ('longitude__lte', 180)), _connector='OR'), name='camera_longitude_range')],
                    },
                ),
                migrations.CreateModel(
                    name='Person',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('full_name', models.CharField(max_length=200, validators=[oversight.models.validate_named_person])),
                        ('category', models.CharField(choices=[('suspect', 'Suspect'), ('convicted', 'Convicted person'), ('victim', 'Victim'), ('witness', 'Witness'), ('missing_person', 'Missing person')], max_length=20)),
                        ('reason', models.TextField(help_text='Why this person is sought in this case.')),
                        ('in_scope', models.BooleanField(default=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='persons', to='oversight.case')),
                    ],
                    options={
                        'db_table': 'watchlists_person',
                        'ordering': ['case_id', 'id'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('category__in', ['suspect', 'convicted', 'victim', 'witness', 'missing_person'])), name='person_category_valid'), models.CheckConstraint(condition=models.Q(('full_name', ''), _negated=True), name='person_full_name_required'), models.CheckConstraint(condition=models.Q(('reason', ''), _negated=True), name='person_reason_required')],
                    },
                ),
                migrations.AlterField(
                    model_name='casecamera',
                    name='camera',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='case_cameras', to='oversight.camera'),
                ),
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
