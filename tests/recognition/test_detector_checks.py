"""The face detector's model file and the minimum face size are checked at start-up (recognition.E003/E004/W004)."""

import shutil

import pytest

from recognition import detector_model, engine
from recognition.checks import face_detector_check, min_face_size_check


def ids(messages) -> set[str]:
    return {m.id for m in messages}


def test_the_shipped_model_passes_the_check():
    assert detector_model.file_sha256(detector_model.YUNET_PATH) == detector_model.YUNET_SHA256
    assert face_detector_check() == []


def test_a_changed_model_file_fails_the_check_and_the_engine_refuses_to_load_it(tmp_path, monkeypatch):
    changed = tmp_path / "face_detection_yunet_2023mar.onnx"
    shutil.copyfile(detector_model.YUNET_PATH, changed)
    data = bytearray(changed.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit
    changed.write_bytes(bytes(data))
    monkeypatch.setattr(detector_model, "YUNET_PATH", changed)
    messages = face_detector_check()
    assert ids(messages) == {"recognition.E003"}
    assert "was changed" in messages[0].msg

    monkeypatch.setattr(engine, "YUNET_PATH", changed)
    monkeypatch.setattr(engine._YuNet, "_instance", None)
    with pytest.raises(engine.EngineError, match="was changed"):
        engine._YuNet.get()


def test_a_missing_model_file_fails_the_check(tmp_path, monkeypatch):
    monkeypatch.setattr(detector_model, "YUNET_PATH", tmp_path / "missing.onnx")
    assert ids(face_detector_check()) == {"recognition.E003"}


@pytest.mark.parametrize(("size", "expected"), [(50, set()), (45, {"recognition.W004"}), (30, {"recognition.E004"})])
def test_a_minimum_face_size_under_50_px_is_reported(settings, size, expected):
    settings.RECOGNITION_MIN_FACE_PX = size
    assert ids(min_face_size_check()) == expected
