"""What the recognition layer plugs into the watchlists layer (STYLE, habit 11: arrows point one way).

watchlists never imports recognition. Recognition registers, in its AppConfig.ready():
- the reference encoder, which turns a reference photo into a face template (the face engine lives in
  recognition/engine/ and is loaded only where the encoder first runs: in workers);
- re-encrypters, which re-seal recognition's own encrypted data (alert crops) during a key rotation.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


class ReferenceImageRefused(Exception):
    """The encoder refuses the image; the message says why in plain words (no face, several faces, ...)."""


# encoder(image_bytes, *, min_face_px) -> one 128-d encoding; raises ReferenceImageRefused.
ReferenceEncoder = Callable[..., np.ndarray]
# reencrypter(new_key_id) -> counts of what it re-sealed, e.g. {"alert_crops": 3}.
Reencrypter = Callable[[str], dict[str, int]]

_encoder: list[ReferenceEncoder] = []
_reencrypters: dict[str, Reencrypter] = {}


def reference_encoder_register(encoder: ReferenceEncoder) -> None:
    _encoder[:] = [encoder]


def reference_encoder() -> ReferenceEncoder:
    if not _encoder:
        raise RuntimeError("No reference encoder is registered: the recognition app must be installed.")
    return _encoder[0]


def reencrypter_register(name: str, reencrypter: Reencrypter) -> None:
    _reencrypters[name] = reencrypter


def reencrypters() -> tuple[Reencrypter, ...]:
    return tuple(_reencrypters.values())


# What must be registered (start-up check watchlists.E030): the encoder, and each re-encrypter by name.
EXPECTED_REENCRYPTERS = ("recognition.alert_crops", "recognition.recordings")


def missing_registrations() -> list[str]:
    missing = [] if _encoder else ["the reference encoder"]
    return missing + [f"the re-encrypter {name!r}" for name in EXPECTED_REENCRYPTERS if name not in _reencrypters]
