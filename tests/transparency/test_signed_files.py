"""The register's files carry the time they were produced and a detached signature by the platform's key that the
office's verifier checks; a changed byte makes it fail (R23)."""

import csv
import io
import json
import subprocess
import sys

import pytest
from django.test import Client

from audits import verify_export


def _download(tmp_path, name):
    client = Client()
    (tmp_path / name).write_bytes(client.get(f"/transparency/{name}").content)
    (tmp_path / f"{name}.sig").write_bytes(client.get(f"/transparency/{name}.sig").content)
    (tmp_path / "key.pem").write_bytes(client.get("/transparency/platform-public-key.pem").content)
    return tmp_path / name


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["deployments.csv", "deployments.json"])
def test_the_signature_verifies_and_fails_on_a_changed_file(register_world, tmp_path, name, capsys):
    path = _download(tmp_path, name)
    key = str(tmp_path / "key.pem")
    assert verify_export.main(["--file", str(path), "--public-key", key]) == 0
    assert capsys.readouterr().out.startswith(f"OK: {name}")
    # The standalone copy served to the public, run as a script.
    script = tmp_path / "verify_export.py"
    script.write_bytes(Client().get("/transparency/verify_export.py").content)
    done = subprocess.run([sys.executable, str(script), "--file", str(path), "--public-key", key], capture_output=True)
    assert done.returncode == 0, done.stdout

    content = path.read_bytes()
    changed = content.replace(b"victims", b"threat!", 1)
    assert changed != content
    path.write_bytes(changed)
    assert verify_export.main(["--file", str(path), "--public-key", key]) == 1
    assert "differs from the file that was signed" in capsys.readouterr().out


@pytest.mark.django_db
def test_a_signature_with_a_changed_date_or_another_key_fails(register_world, tmp_path, settings, capsys):
    path = _download(tmp_path, "deployments.json")
    signature = json.loads((tmp_path / "deployments.json.sig").read_text())
    signature["produced_at"] = "2020-01-01T00:00:00+01:00"
    (tmp_path / "deployments.json.sig").write_text(json.dumps(signature))
    assert verify_export.main(["--file", str(path), "--public-key", str(tmp_path / "key.pem")]) == 1
    assert "does not verify" in capsys.readouterr().out


@pytest.mark.django_db
def test_each_file_names_when_it_was_produced_and_its_licence(register_world):
    document = json.loads(Client().get("/transparency/deployments.json").content)
    signature = json.loads(Client().get("/transparency/deployments.json.sig").content)
    assert document["produced_at"] == signature["produced_at"]
    assert "CC BY 4.0" in document["licence"]["name"]
    rows = list(csv.DictReader(io.StringIO(Client().get("/transparency/deployments.csv").content.decode())))
    assert rows and {row["register_produced_at"] for row in rows} == {document["produced_at"]}
    assert [row["use_id"] for row in rows] == [use["use_id"] for use in document["uses"]]
    assert set(document["schema"]) == set(rows[0])


@pytest.mark.django_db
def test_without_the_platforms_key_no_file_goes_out_unsigned(register_world, settings):
    from pathlib import Path

    Path(settings.AUDIT_SIGNING_KEY_FILE).unlink()
    client = Client()
    for name in ("deployments.csv", "deployments.json", "deployments.csv.sig", "platform-public-key.pem"):
        response = client.get(f"/transparency/{name}")
        assert response.status_code == 503, name
        assert "no-store" in response["Cache-Control"]
    page = client.get("/transparency/en/data/")
    assert page.status_code == 200 and "not available at the moment" in page.content.decode()
