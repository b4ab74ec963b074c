"""The deletion records move to the office app (the office's own proof of what left, R9, R19, R21).

State only: the table keeps its rows; 0002 renames it once the state points here. The content type (and with it
the model permissions and any object permission) follows the model, as the camera registry's did (oversight 0006).
"""

import django.db.models.deletion
from django.db import migrations, models

MOVES = [("oversight", "deletionrecord")]


def move_content_types(apps, schema_editor, reverse=False):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for old_app, model in MOVES:
        source, target = ("office", old_app) if reverse else (old_app, "office")
        ContentType.objects.filter(app_label=source, model=model).update(app_label=target)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, reverse=True)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('oversight', '0012_case_status_label_plain'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='DeletionRecord',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('case_ref', models.CharField(blank=True, max_length=20)),
                        ('rule', models.CharField(max_length=64)),
                        ('kind', models.CharField(help_text='What was deleted, as app.Model.', max_length=64)),
                        ('action', models.CharField(default='delete', max_length=10)),
                        ('count', models.PositiveIntegerField()),
                        ('ids', models.JSONField(default=list)),
                        ('deleted_at', models.DateTimeField()),
                        ('audit_seq', models.BigIntegerField(blank=True, null=True)),
                        ('case', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='deletion_records', to='oversight.case')),
                    ],
                    options={
                        'db_table': 'oversight_deletionrecord',
                        'ordering': ['-deleted_at', '-id'],
                        'indexes': [models.Index(fields=['case', 'deleted_at'], name='deletion_case_time_idx')],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
