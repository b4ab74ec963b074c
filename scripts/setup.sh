#!/usr/bin/env bash
# Create .venv and install everything the project needs, from this repository's files only.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade "pip<26" "setuptools<81" wheel
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
# face-recognition 1.3.0 depends on `dlib`, which would compile for >15 min;
# requirements.txt installs the prebuilt dlib-bin (same module) instead.
.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -r requirements-face.txt
.venv/bin/python -c "import face_recognition, cv2, dlib; print('face engine ready: dlib', dlib.__version__, 'opencv', cv2.__version__)"
