"""Reference photo upload checks without the face engine (R12): type by content, size, pixels, corruption, EXIF."""

import io
import struct
import subprocess
import sys
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
from PIL import ExifTags, Image

from watchlists.imaging import ImageRejected, RejectionCode, validate_reference_image

PEOPLE = Path(__file__).resolve().parent.parent / "fixtures" / "faces" / "people"
MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000


def validate(data: bytes, **limits):
    return validate_reference_image(data, max_bytes=limits.get("max_bytes", MAX_BYTES), max_pixels=MAX_PIXELS)


def rejection(data: bytes, **limits) -> ImageRejected:
    with pytest.raises(ImageRejected) as excinfo:
        validate(data, **limits)
    return excinfo.value


def encode(image: Image.Image, image_format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_declaring(width: int, height: int) -> bytes:
    """A well-formed PNG header (signature, IHDR with correct CRC) over a tiny IDAT: a decompression bomb's shape."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


@pytest.fixture
def pillow_opens(monkeypatch):
    """Records every call to Image.open, so a test can prove the data was refused before Pillow saw it."""
    calls = []
    real_open = Image.open

    def recording_open(*args, **kwargs):
        calls.append(args)
        return real_open(*args, **kwargs)

    monkeypatch.setattr(Image, "open", recording_open)
    return calls


def jpeg_frame_header_offset(data: bytes) -> int:
    """Offset of the main image's SOF marker, walking the segments (an EXIF thumbnail has its own SOF inside APP1)."""
    position = 2
    while True:
        marker = data[position + 1]
        if marker in (0xC0, 0xC1, 0xC2):
            return position
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        position += 2 + length


def test_real_jpeg_is_accepted_with_its_dimensions_and_capture_time():
    original = (PEOPLE / "obama_1.jpg").read_bytes()
    result = validate(original)
    assert (result.format, result.width, result.height) == ("JPEG", 910, 1137)
    assert result.captured_at == datetime(2012, 12, 6, 15, 46, 1)  # no offset recorded: naive
    normalized = Image.open(io.BytesIO(result.normalized_bytes))
    assert (normalized.format, normalized.mode, normalized.size) == ("JPEG", "RGB", (910, 1137))
    assert len(normalized.getexif()) == 0
    assert Image.open(io.BytesIO(original)).getexif()  # the source did carry EXIF
    assert len(result.sha256) == 64 and result.original_sha256 != result.sha256


def test_real_rgba_png_is_accepted_as_rgb_png():
    result = validate((PEOPLE / "alex_lacamoire_1.png").read_bytes())
    assert (result.format, result.width, result.height) == ("PNG", 424, 394)
    assert result.captured_at is None
    normalized = Image.open(io.BytesIO(result.normalized_bytes))
    assert (normalized.format, normalized.mode) == ("PNG", "RGB")
    assert "icc_profile" not in normalized.info and "xmp" not in normalized.info


def test_transparent_pixels_become_white():
    image = Image.new("RGBA", (40, 30), (200, 10, 10, 255))
    image.paste((0, 0, 255, 0), (0, 0, 20, 30))  # left half fully transparent, hidden blue underneath
    result = validate(encode(image, "PNG"))
    pixels = Image.open(io.BytesIO(result.normalized_bytes)).load()
    assert pixels[5, 5] == (255, 255, 255)
    assert pixels[30, 5] == (200, 10, 10)


def test_jpeg_cut_in_half_is_rejected_as_corrupt():
    data = (PEOPLE / "obama_1.jpg").read_bytes()
    error = rejection(data[: len(data) // 2])
    assert error.code == RejectionCode.CORRUPT
    assert "damaged or incomplete" in error.message


def test_png_cut_short_is_rejected_as_corrupt():
    data = (PEOPLE / "alex_lacamoire_1.png").read_bytes()
    assert rejection(data[: len(data) * 2 // 3]).code == RejectionCode.CORRUPT


def test_png_declaring_huge_dimensions_is_refused_before_decoding(pillow_opens):
    error = rejection(png_declaring(100_000, 100_000))
    assert error.code == RejectionCode.TOO_MANY_PIXELS
    assert "100000 x 100000" in error.message and "limit is 40 megapixels" in error.message
    assert pillow_opens == []


def test_jpeg_declaring_huge_dimensions_is_refused_before_decoding(pillow_opens):
    data = bytearray((PEOPLE / "obama_1.jpg").read_bytes())
    sof = jpeg_frame_header_offset(data)  # marker(2), length(2), precision(1), height(2), width(2)
    assert struct.unpack(">HH", data[sof + 5 : sof + 9]) == (1137, 910)
    data[sof + 5 : sof + 9] = struct.pack(">HH", 60_000, 60_000)
    assert rejection(bytes(data)).code == RejectionCode.TOO_MANY_PIXELS
    assert pillow_opens == []


def test_image_just_over_the_pixel_limit_is_refused():
    image = Image.new("RGB", (101, 100), "gray")
    with pytest.raises(ImageRejected) as excinfo:
        validate_reference_image(encode(image, "PNG"), max_bytes=MAX_BYTES, max_pixels=10_000)
    assert excinfo.value.code == RejectionCode.TOO_MANY_PIXELS


def test_gif_is_rejected_by_name():
    error = rejection(encode(Image.new("RGB", (64, 64), "red"), "GIF"))
    assert error.code == RejectionCode.UNSUPPORTED_FORMAT
    assert error.message == "GIF images are not accepted; upload JPEG or PNG."


def test_webp_is_rejected_by_name():
    error = rejection(encode(Image.open(PEOPLE / "obama_1.jpg"), "WEBP"))
    assert error.code == RejectionCode.UNSUPPORTED_FORMAT
    assert error.message == "WebP images are not accepted; upload JPEG or PNG."


def test_text_file_named_like_a_photo_is_not_an_image(tmp_path):
    renamed = tmp_path / "suspect_photo.jpg"
    renamed.write_text("Name: John Doe\nDate of birth: 1980-01-01\n")
    error = rejection(renamed.read_bytes())
    assert error.code == RejectionCode.NOT_AN_IMAGE
    assert error.message == "The file is not an image; upload JPEG or PNG."


def test_empty_file_is_not_an_image():
    assert rejection(b"").code == RejectionCode.NOT_AN_IMAGE


def test_oversized_file_is_refused_before_decoding(pillow_opens):
    data = b"\xff\xd8\xff\xe0" + b"\x00" * (2 * 1024 * 1024)
    error = rejection(data, max_bytes=1024 * 1024)
    assert error.code == RejectionCode.TOO_LARGE
    assert error.message == "The file is 2 MB; the limit is 1 MB."
    assert pillow_opens == []


def test_each_kind_of_rejection_has_its_own_code():
    half_jpeg = (PEOPLE / "obama_1.jpg").read_bytes()[:50_000]
    codes = {
        rejection(b"x" * 200, max_bytes=100).code,
        rejection(b"plain text").code,
        rejection(encode(Image.new("RGB", (8, 8)), "GIF")).code,
        rejection(png_declaring(100_000, 100_000)).code,
        rejection(half_jpeg).code,
    }
    assert codes == set(RejectionCode)


def upright_reference() -> Image.Image:
    image = Image.open(PEOPLE / "kit_harington_1.jpg")  # 1200 x 599, landscape and upright
    image.load()
    return image


@pytest.mark.parametrize(
    ("orientation", "stored_as"),
    [
        # Orientation 6: a viewer turns the stored pixels 90 degrees clockwise, so store them turned anticlockwise.
        (6, Image.Transpose.ROTATE_90),
        # Orientation 8: the viewer must turn them anticlockwise; so store them turned clockwise.
        (8, Image.Transpose.ROTATE_270),
    ],
)
def test_exif_orientation_is_applied_and_all_exif_including_gps_is_removed(orientation, stored_as):
    upright = upright_reference()
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "EvidenceCam"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (50.0, 5.0, 10.0)
    photo_ifd = exif.get_ifd(ExifTags.IFD.Exif)
    photo_ifd[ExifTags.Base.DateTimeOriginal] = "2026:11:28 10:15:00"
    photo_ifd[ExifTags.Base.OffsetTimeOriginal] = "+01:00"
    stored = upright.transpose(stored_as)
    assert stored.size == (599, 1200)

    result = validate(encode(stored, "JPEG", quality=95, exif=exif.tobytes()))

    assert (result.width, result.height) == (1200, 599)
    normalized = Image.open(io.BytesIO(result.normalized_bytes))
    assert normalized.size == upright.size
    difference = np.abs(np.asarray(normalized, dtype=np.int16) - np.asarray(upright, dtype=np.int16)).mean()
    assert difference < 4  # the same picture, upright (a wrong turn differs by ~50)
    assert len(normalized.getexif()) == 0 and "exif" not in normalized.info
    assert b"EvidenceCam" not in result.normalized_bytes
    assert result.captured_at == datetime(2026, 11, 28, 10, 15, tzinfo=timezone(timedelta(hours=1)))


def test_exif_in_png_is_removed():
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "EvidenceCam"
    exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] = "N"
    result = validate(encode(Image.new("RGB", (64, 48), "teal"), "PNG", exif=exif.tobytes()))
    assert b"EvidenceCam" not in result.normalized_bytes and b"eXIf" not in result.normalized_bytes


def test_upload_checks_do_not_load_the_face_engine():
    code = (
        "import sys, watchlists.imaging, watchlists.crypto; "
        "print('cv2' in sys.modules, 'face_recognition' in sys.modules)"
    )
    root = Path(__file__).resolve().parents[2]
    output = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert output.stdout.split() == ["False", "False"]
