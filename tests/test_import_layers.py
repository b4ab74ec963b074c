"""The apps' layers are enforced by import-linter: an upward import makes it fail.

The experiment runs on a copy of the apps, so the repository itself is never touched.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("audits", "oversight", "watchlists", "recognition", "accounts", "office", "transparency", "config")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


@pytest.fixture
def project_copy(tmp_path):
    for app in APPS:
        shutil.copytree(ROOT / app, tmp_path / app, ignore=shutil.ignore_patterns("__pycache__", "migrations"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def lint(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=path,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PYTHONPATH": str(path), "PATH": "/usr/bin:/bin"},
    )


def test_the_layers_hold_today(project_copy):
    result = lint(project_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("audits/services/record.py", "import oversight.models  # noqa", "Apps form layers"),
        ("oversight/selectors.py", "from watchlists import selectors as _up  # noqa", "Apps form layers"),
        ("watchlists/services.py", "import recognition.worker  # noqa", "Apps form layers"),
        # The office sits on top of the business layers: the case workflow never reaches up into it.
        ("oversight/services/lifecycle.py", "from office.services import retention as _up  # noqa", "Apps form layers"),
        ("recognition/selectors.py", "import office.selectors  # noqa", "Apps form layers"),
        # The public register sits on top of the office: the office never reaches up into it.
        ("office/reports/records.py", "import transparency.selectors  # noqa", "Apps form layers"),
        ("oversight/views.py", "import cv2  # noqa", "Only the face engine (recognition/engine/) imports OpenCV"),
        ("recognition/views.py", "from recognition import engine  # noqa", "Web code never imports the face engine"),
        ("office/report_views.py", "from recognition import engine  # noqa", "Web code never imports the face engine"),
        ("transparency/views.py", "from recognition import engine  # noqa", "Web code never imports the face engine"),
    ],
)
def test_an_upward_or_forbidden_import_breaks_a_contract(project_copy, module, line, contract):
    path = project_copy / module
    path.write_text(path.read_text() + f"\n{line}\n")
    result = lint(project_copy)
    assert result.returncode != 0
    broken = result.stdout.split("Broken contracts", 1)[-1]
    assert contract in broken
