"""The face detector's model file: where it ships and the checksum it must have.

YuNet (``weights/face_detection_yunet_2023mar.onnx``, provenance and licence in ``weights/README.md``) is the
only face detector of the platform, for camera frames and reference photos alike. The engine refuses to load a
file whose SHA-256 differs, and the start-up check ``recognition.E003`` fails on it, so a model swapped on disk
never decides silently which faces are compared with a watchlist (R10, R13: the thresholds were derived on
this model's boxes). Pure Python: the check runs in web processes, which never load OpenCV.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

YUNET_PATH = Path(__file__).resolve().parent / "weights" / "face_detection_yunet_2023mar.onnx"
YUNET_SHA256 = "8f2383e4dd3cfbb4553ea8718107fc0423210dc964f9f4280604804ed2552fa4"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def model_file_problem(path: Path | None = None) -> str | None:
    """None when the model file is there with the expected checksum, else what is wrong, in plain words."""
    path = Path(path or YUNET_PATH)
    try:
        actual = file_sha256(path)
    except OSError as exc:
        return f"the face detector model {path} cannot be read: {exc.strerror or exc}"
    if actual != YUNET_SHA256:
        return f"the face detector model {path} has SHA-256 {actual}, expected {YUNET_SHA256}: the file was changed"
    return None
