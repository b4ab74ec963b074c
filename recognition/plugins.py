"""Recognition plugs into the layers below it (STYLE, habit 11): they call these without importing recognition.

The face engine is imported inside the encoder, on first use, so that a web process that never encodes a
photo never loads OpenCV or dlib.
"""

from __future__ import annotations

import numpy as np

from oversight.holds import hold_register
from oversight.registry import case_usage_register
from recognition import reports, retention
from watchlists.registry import ReferenceImageRefused, reencrypter_register, reference_encoder_register


def encode_reference_photo(image_bytes: bytes, *, min_face_px: int) -> np.ndarray:
    """The reference encoder watchlists calls (in workers): one face template, or a refusal in plain words."""
    from recognition import engine

    try:
        return engine.encode_reference_image(image_bytes, min_face_px=min_face_px)
    except engine.EngineError as exc:
        raise ReferenceImageRefused(str(exc)) from exc


def reencrypt_alert_crops(new_key_id: str) -> dict[str, int]:
    from recognition.services import alert_crops_reencrypt

    return alert_crops_reencrypt(new_key_id)


def reencrypt_recordings(new_key_id: str) -> dict[str, int]:
    from recognition.services.recordings import recordings_reencrypt

    return recordings_reencrypt(new_key_id)


def register_with_lower_layers() -> None:
    reference_encoder_register(encode_reference_photo)
    reencrypter_register("recognition.alert_crops", reencrypt_alert_crops)
    reencrypter_register("recognition.recordings", reencrypt_recordings)  # R24: recorded footage at rest
    # The case page's alert counts (the office's reports read recognition.reports directly).
    case_usage_register("recognition.scans_and_alerts", reports.usage_for_cases)
    # THE hold rule (oversight.holds): what recognition knows must stay (R12, R14).
    hold_register("review_in_progress", retention.review_in_progress_held)
    hold_register("sighting_under_verification", retention.sighting_under_verification_held)
