"""The export zip verifies where it is unpacked: the platform's public key travels inside it, its fingerprint is
offered on the export pages for comparing out of band, and the README's own commands work as written."""

import io
import re
import subprocess
import sys
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse

from audits import signing
from audits.models import AuditExport
from audits.services import audit_export_run
from tests.audits.helpers import fill_log

pytestmark = pytest.mark.django_db


@pytest.fixture
def export_root(settings, tmp_path):
    settings.AUDIT_EXPORT_DIR = str(tmp_path / "exports")
    call_command("audits_keygen", stdout=io.StringIO())
    return tmp_path / "exports"


def test_the_readme_commands_verify_the_unpacked_zip(client_for, dpo, export_root, tmp_path):
    fill_log(20)
    c = client_for(dpo)
    fingerprint = signing.fingerprint(signing.load_verify_key())
    form = c.get(reverse("audits:export")).content.decode()
    assert fingerprint in form and reverse("audits:public_key") in form
    c.post(reverse("audits:export"), {"justification": "Complaint 3/2026", "recipients": "DPO", "format": "verifiable"})
    job = AuditExport.objects.get()
    assert audit_export_run(export_id=job.pk).status == "done"
    assert fingerprint in c.get(reverse("audits:export_detail", args=[job.pk])).content.decode()
    key = c.get(reverse("audits:public_key"))
    assert key.status_code == 200 and key.content.startswith(b"-----BEGIN PUBLIC KEY-----")

    unpacked = tmp_path / "recipient"
    download = c.get(reverse("audits:export_download", args=[job.pk]))
    with zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))) as archive:
        archive.extractall(unpacked)
    (folder,) = list(unpacked.iterdir())
    readme = (folder / "README.txt").read_text(encoding="utf-8")
    assert (folder / "audit-public-key.pem").read_bytes() == key.content
    assert fingerprint in readme
    # The commands of step 3, run as the README says: from where the archive was unpacked.
    commands = re.findall(r"^ {7}(cd \S+|python3 verify_export\.py .*)$", readme, flags=re.MULTILINE)
    assert commands == [f"cd {folder.name}", "python3 verify_export.py . --public-key audit-public-key.pem"]
    cwd = unpacked / commands[0].split()[1]
    args = commands[1].split()[1:]
    result = subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": ""},  # no Django, no project on the path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("OK: events") and fingerprint in result.stderr


def test_the_public_key_is_for_those_who_may_export(client_for, requester, export_root):
    assert client_for(requester).get(reverse("audits:public_key")).status_code == 403
