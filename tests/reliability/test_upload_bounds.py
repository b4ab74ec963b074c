"""Uploads are bounded before they cost: a 200 MB request is refused before its body is read, and the web process's
memory does not grow with it; an image's pixel count and bit depth are judged from its header before decoding."""

import json
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from watchlists.imaging import ImageRejected, RejectionCode, validate_reference_image

REPO = Path(__file__).resolve().parents[2]
PROBE = Path(__file__).with_name("upload_memory_probe.py")
MB = 1024 * 1024
# The stated bound: refusing a 200 MB upload may raise the web process's peak RSS by at most this much.
RSS_GROWTH_BOUND_KIB = 8 * 1024


def probe(path: str, size: int) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONPATH": str(REPO), "OVERSIGHT_TESTING": "1"}
    done = subprocess.run(
        [sys.executable, str(PROBE), path, str(size)], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("path", ["/cases/1/persons/1/photos/", "/api/cases/1/persons/1/photos/"])
def test_a_200_mb_upload_is_refused_unread_and_memory_stays_flat(path):
    figures = probe(path, 200 * MB)
    print(figures)
    assert figures["status"].startswith("413")
    assert figures["body_bytes_read"] == 0
    assert figures["peak_rss_after_kib"] - figures["peak_rss_before_kib"] < RSS_GROWTH_BOUND_KIB


def png_header(width: int, height: int, bit_depth: int, colour_type: int = 0) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    chunk = struct.pack(">I", len(ihdr)) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return b"\x89PNG\r\n\x1a\n" + chunk


def test_a_16_bit_png_of_6000_by_6000_is_refused_from_its_header():
    # Only the header: had anything tried to decode it, the refusal would say the file is damaged instead.
    with pytest.raises(ImageRejected) as refused:
        validate_reference_image(png_header(6000, 6000, 16), max_bytes=10 * MB, max_pixels=40_000_000)
    assert refused.value.code == RejectionCode.TOO_MANY_PIXELS
    assert "16 bits per sample" in refused.value.template % refused.value.params


def test_an_8_bit_png_of_the_same_size_passes_the_header_checks():
    with pytest.raises(ImageRejected) as refused:
        validate_reference_image(png_header(6000, 6000, 8), max_bytes=10 * MB, max_pixels=40_000_000)
    assert refused.value.code == RejectionCode.CORRUPT  # it got as far as decoding the (missing) pixels
