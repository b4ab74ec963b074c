"""Reference photos are decoded in the worker: decoded_at says when the stored file became the normalised copy.

Photos stored before this migration were decoded and normalised by the web process on upload: they count as decoded
(at their upload time), so the worker does not decode them again.
"""

from django.db import migrations, models
from django.db.models import F


def mark_existing_decoded(apps, schema_editor):
    ReferencePhoto = apps.get_model("watchlists", "ReferencePhoto")
    ReferencePhoto.objects.filter(decoded_at__isnull=True).update(decoded_at=F("uploaded_at"))


class Migration(migrations.Migration):
    dependencies = [("watchlists", "0004_subject_probe_photo")]

    operations = [
        migrations.AddField(
            model_name="referencephoto",
            name="decoded_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(mark_existing_decoded, migrations.RunPython.noop),
    ]
