"""Checks an uploaded reference photo and normalises it, with Pillow only (R12).

The web process must not import the face engine (the package recognition/engine/ is the only code that imports
cv2/face_recognition); face checks (no face, several faces, face too small) run later in a worker.

Order of checks, cheapest and safest first:
1. byte size, before anything is parsed;
2. the type, from the content's magic bytes (never the file name), JPEG or PNG only;
3. the declared width x height, read from the PNG IHDR / JPEG SOF header by this module before
   Pillow sees the file, so a decompression bomb is refused without allocating its pixels;
4. Pillow opens the file (header only) restricted to that one format, must agree on format and size,
   then decodes it completely (``load()``), so truncated or corrupt files are refused;
5. EXIF orientation is applied and a fresh image is encoded from the pixels alone, dropping EXIF
   (GPS included), XMP, text chunks and ICC profiles (colours are first converted to sRGB).
"""

from __future__ import annotations

import enum
import hashlib
import io
import struct
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from django.utils.translation import gettext_noop
from PIL import Image, ImageFile, ImageOps

try:
    from PIL import ImageCms
except ImportError:  # Pillow built without LittleCMS: profiles are dropped without conversion
    ImageCms = None

JPEG_QUALITY = 95

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_JPEG_SIGNATURE = b"\xff\xd8\xff"
# JPEG start-of-frame markers that carry the frame size (not DHT C4, JPG C8 or DAC CC).
_JPEG_SOF_MARKERS = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
_JPEG_STANDALONE_MARKERS = frozenset({0x01, *range(0xD0, 0xD8)})  # TEM, RST0-7: no length field

_EXIF_IFD_POINTER = 0x8769
_EXIF_DATETIME_ORIGINAL = 0x9003
_EXIF_OFFSET_TIME_ORIGINAL = 0x9011


class RejectionCode(enum.StrEnum):
    TOO_LARGE = "too_large"  # byte size over the limit
    UNSUPPORTED_FORMAT = "unsupported_format"  # an image, but not JPEG or PNG (GIF, WebP, HEIC, ...)
    NOT_AN_IMAGE = "not_an_image"  # text, PDF, empty or unknown content
    TOO_MANY_PIXELS = "too_many_pixels"  # width x height over the limit
    CORRUPT = "corrupt"  # JPEG/PNG signature, but truncated or undecodable


class ImageRejected(Exception):
    """The upload is refused; ``message`` is written for the person who uploaded it.

    ``template`` (English, marked for translation) and ``params`` let a page say the same in the reader's
    language: ``gettext(exc.template) % exc.params``. ``message`` stays English (logs, tests).
    """

    def __init__(self, code: RejectionCode, template: str, **params):
        self.code = code
        self.template = template
        self.params = params
        self.message = template % params if params else template
        super().__init__(self.message)

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


@dataclass(frozen=True)
class ValidatedImage:
    format: str  # "JPEG" or "PNG", the format of normalized_bytes (same as the upload's)
    width: int  # of the normalised (upright) image
    height: int
    normalized_bytes: bytes  # RGB, upright, no metadata
    sha256: str  # hex digest of normalized_bytes
    original_sha256: str  # hex digest of the upload as received
    # EXIF DateTimeOriginal. Aware when the camera recorded OffsetTimeOriginal; otherwise naive
    # (the camera's local clock, zone unknown) and the caller decides how to present it.
    captured_at: datetime | None = None


# Signatures of formats we refuse, so that the message can say what the file is.
def _sniff_other(data: bytes) -> tuple[RejectionCode, str, str]:
    """(code, message, the kind of image it is or "")."""
    head = data[:64]
    image_kinds = [
        (head.startswith((b"GIF87a", b"GIF89a")), "GIF"),
        (head[:4] == b"RIFF" and head[8:12] == b"WEBP", "WebP"),
        (head[4:12] in (b"ftypheic", b"ftypheix", b"ftyphevc", b"ftypmif1", b"ftypmsf1"), "HEIC/HEIF"),
        (head[4:12] in (b"ftypavif", b"ftypavis"), "AVIF"),
        (head.startswith(b"BM"), "BMP"),
        (head.startswith((b"II*\x00", b"MM\x00*")), "TIFF"),
        (head.startswith((b"\x00\x00\x00\x0cjP  \r\n\x87\n", b"\xff\x4f\xff\x51")), "JPEG 2000"),
        (head.startswith(b"8BPS"), "Photoshop (PSD)"),
        (head.startswith(b"\x00\x00\x01\x00"), "ICO"),
        (head.startswith(b"qoif"), "QOI"),
        (head.startswith(b"\xff\x0a") or head[4:12] == b"JXL \r\n\x87\n", "JPEG XL"),
    ]
    for matched, name in image_kinds:
        if matched:
            return (
                RejectionCode.UNSUPPORTED_FORMAT,
                gettext_noop("%(kind)s images are not accepted; upload JPEG or PNG."),
                name,
            )
    stripped = head.lstrip().lower()
    if stripped.startswith(b"<svg") or (stripped.startswith(b"<?xml") and b"<svg" in data[:1024].lower()):
        return (
            RejectionCode.UNSUPPORTED_FORMAT,
            gettext_noop("%(kind)s images are not accepted; upload JPEG or PNG."),
            "SVG",
        )
    if head.startswith(b"%PDF"):
        return (
            RejectionCode.NOT_AN_IMAGE,
            gettext_noop("The file is a PDF document, not an image; upload JPEG or PNG."),
            "",
        )
    return RejectionCode.NOT_AN_IMAGE, gettext_noop("The file is not an image; upload JPEG or PNG."), ""


def _png_declared_size(data: bytes) -> tuple[int, int]:
    # The PNG specification requires IHDR to be the first chunk: length(4) "IHDR" width(4) height(4).
    if len(data) < 24 or data[12:16] != b"IHDR":
        raise ImageRejected(RejectionCode.CORRUPT, gettext_noop("The PNG file is damaged (no image header)."))
    return struct.unpack(">II", data[16:24])


def _png_bit_depth(data: bytes) -> int:
    # IHDR: ... width(4) height(4) bit depth(1) colour type(1) ...
    return data[24] if len(data) > 24 else 8


def _jpeg_frame_header(data: bytes) -> tuple[int, int, int]:
    """Walk the JPEG markers up to the first start-of-frame and read its width, height and sample precision."""
    position = 2  # after SOI
    end = len(data)
    while position < end:
        if data[position] != 0xFF:
            raise ImageRejected(RejectionCode.CORRUPT, gettext_noop("The JPEG file is damaged (bad marker)."))
        while position < end and data[position] == 0xFF:  # fill bytes
            position += 1
        if position >= end:
            break
        marker = data[position]
        position += 1
        if marker in _JPEG_STANDALONE_MARKERS:
            continue
        if marker in (0xD9, 0xDA):  # EOI or start of scan before any frame header
            break
        if position + 2 > end:
            break
        (length,) = struct.unpack(">H", data[position : position + 2])
        if length < 2:
            raise ImageRejected(RejectionCode.CORRUPT, gettext_noop("The JPEG file is damaged (bad segment length)."))
        if marker in _JPEG_SOF_MARKERS:
            if position + 7 > end:
                break
            precision = data[position + 2]
            height, width = struct.unpack(">HH", data[position + 3 : position + 7])
            return width, height, precision
        position += length
    raise ImageRejected(RejectionCode.CORRUPT, gettext_noop("The JPEG file is damaged or truncated (no frame header)."))


def _format_megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"


def _format_megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:.1f}".removesuffix(".0") + " megapixels"


# Images with more than 8 bits per sample (16-bit PNG, 12-bit JPEG) cost several times as much to decode and
# convert: they are accepted up to this share of the pixel limit, judged from the header before any decoding.
HIGH_BIT_DEPTH_PIXEL_SHARE = 4


def _check_bit_depth(width: int, height: int, bits: int, max_pixels: int) -> None:
    limit = max_pixels // HIGH_BIT_DEPTH_PIXEL_SHARE
    if bits > 8 and width * height > limit:
        raise ImageRejected(
            RejectionCode.TOO_MANY_PIXELS,
            gettext_noop(
                "The image has %(bits)s bits per sample and %(size)s; at more than 8 bits the limit is %(limit)s."
            ),
            bits=bits,
            size=_format_megapixels(width * height),
            limit=_format_megapixels(limit),
        )


def _check_pixels(width: int, height: int, max_pixels: int) -> None:
    if width <= 0 or height <= 0:
        raise ImageRejected(RejectionCode.CORRUPT, gettext_noop("The image declares no width or height."))
    # Pillow refuses (or warns about) images over its own MAX_IMAGE_PIXELS as decompression bombs;
    # staying under it too means Pillow's warning can never fire, so no process-wide warning filter
    # (which is not thread-safe to change per call) is needed to turn it into an error.
    limit = min(max_pixels, Image.MAX_IMAGE_PIXELS or max_pixels)
    if width * height > limit:
        raise ImageRejected(
            RejectionCode.TOO_MANY_PIXELS,
            gettext_noop("The image is %(width)s x %(height)s pixels (%(size)s); the limit is %(limit)s."),
            width=width,
            height=height,
            size=_format_megapixels(width * height),
            limit=_format_megapixels(limit),
        )


def _captured_at(image: Image.Image) -> datetime | None:
    try:
        exif_ifd = image.getexif().get_ifd(_EXIF_IFD_POINTER)
    except Exception:  # noqa: BLE001 - unreadable EXIF only means no capture time
        return None
    value = exif_ifd.get(_EXIF_DATETIME_ORIGINAL)
    if not isinstance(value, str):
        return None
    try:
        captured_at = datetime.strptime(value.strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None  # blank ("    :  :  ") or invalid dates are common in camera EXIF
    offset = exif_ifd.get(_EXIF_OFFSET_TIME_ORIGINAL)
    if isinstance(offset, str):
        try:
            sign = -1 if offset.startswith("-") else 1
            hours, minutes = offset.strip("\x00 +-").split(":")
            captured_at = captured_at.replace(tzinfo=timezone(sign * timedelta(hours=int(hours), minutes=int(minutes))))
        except ValueError:
            pass  # keep the naive time
    return captured_at


def _to_srgb_rgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """Flatten transparency onto white and convert to 8-bit RGB, honouring the upload's ICC profile.

    The profile is passed in because mode conversions and compositing do not all carry ``info`` along.
    """
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit greyscale PNG: scale to 8 bits instead of clipping everything above 255 to white.
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    if image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or (image.mode == "P" and "transparency" in image.info):
        # Transparent pixels may hold anything; white is what a viewer shows for a photo on a page.
        rgba = image.convert("RGBA")
        image = Image.alpha_composite(Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba).convert("RGB")
    elif image.mode not in ("RGB", "L", "CMYK"):
        image = image.convert("RGB")
    if icc_profile and ImageCms is not None:
        try:
            converted = ImageCms.profileToProfile(
                image,
                ImageCms.ImageCmsProfile(io.BytesIO(icc_profile)),
                ImageCms.createProfile("sRGB"),
                outputMode="RGB",
            )
            if converted is not None:
                return converted
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # an unusable or mismatched profile is dropped; the pixels are taken as sRGB
    return image if image.mode == "RGB" else image.convert("RGB")


@dataclass(frozen=True)
class ImageHeader:
    format: str  # "JPEG" or "PNG"
    width: int  # as declared (before any EXIF rotation)
    height: int
    bits: int  # per sample


def check_reference_header(data: bytes, *, max_bytes: int, max_pixels: int) -> ImageHeader:
    """Checks 1-3 (and the bit depth), from the bytes and the header alone: no pixel is decoded.

    What the web process runs on an upload (R12): the decoding itself (validate_reference_image) runs in the worker,
    so a costly or hostile image never holds a web worker. Raises ImageRejected like validate_reference_image.
    """
    data = bytes(data)
    if len(data) > max_bytes:
        raise ImageRejected(
            RejectionCode.TOO_LARGE,
            gettext_noop("The file is %(size)s; the limit is %(limit)s."),
            size=_format_megabytes(len(data)),
            limit=_format_megabytes(max_bytes),
        )
    if not data:
        raise ImageRejected(RejectionCode.NOT_AN_IMAGE, gettext_noop("The file is empty; upload a JPEG or PNG photo."))

    if data.startswith(_PNG_SIGNATURE):
        expected_format = "PNG"
        declared = _png_declared_size(data)
        bits = _png_bit_depth(data)
    elif data.startswith(_JPEG_SIGNATURE):
        expected_format = "JPEG"
        *declared, bits = _jpeg_frame_header(data)
        declared = tuple(declared)
    else:
        code, message, kind = _sniff_other(data)
        raise ImageRejected(code, message, **({"kind": kind} if kind else {}))
    # Both from the header, before Pillow decodes a single pixel.
    _check_pixels(*declared, max_pixels)
    _check_bit_depth(*declared, bits, max_pixels)
    return ImageHeader(format=expected_format, width=declared[0], height=declared[1], bits=bits)


def validate_reference_image(data: bytes, *, max_bytes: int, max_pixels: int) -> ValidatedImage:
    """Accept a JPEG or PNG upload and return it upright, as RGB, with all metadata removed.

    Raises ImageRejected with a RejectionCode and a message for the uploader. Does not look for faces.
    Pure function: no database, no files, no settings (callers pass UPLOAD_MAX_BYTES / UPLOAD_MAX_PIXELS).
    Decodes every pixel: run in the worker (watchlists.services.reference_photo_encode), never in a web request.
    """
    data = bytes(data)
    header = check_reference_header(data, max_bytes=max_bytes, max_pixels=max_pixels)
    expected_format, declared = header.format, (header.width, header.height)

    if ImageFile.LOAD_TRUNCATED_IMAGES:
        # Someone switched on Pillow's process-wide leniency; we will not accept half a photo because of it.
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES is True; refusing to validate uploads")

    try:
        with Image.open(io.BytesIO(data), formats=[expected_format]) as image:
            # MPO is Pillow's name for a JPEG carrying extra frames (many phone cameras); the first frame is used.
            detected = "JPEG" if image.format == "MPO" else image.format
            if detected != expected_format or image.size != declared:
                message = gettext_noop("The %(format)s file is damaged (inconsistent header).")
                raise ImageRejected(RejectionCode.CORRUPT, message, format=expected_format)
            _check_pixels(*image.size, max_pixels)
            image.load()  # full decode: a truncated or corrupt file fails here
            captured_at = _captured_at(image)
            try:
                upright = ImageOps.exif_transpose(image)
            except Exception:  # noqa: BLE001 - unreadable EXIF: keep the pixels as stored
                upright = image
            rgb = _to_srgb_rgb(upright, image.info.get("icc_profile"))
            # A fresh image holds pixels only: nothing from image.info (EXIF, GPS, XMP, ICC, text) can follow it.
            clean = Image.new("RGB", rgb.size)
            clean.paste(rgb)
    except ImageRejected:
        raise
    except Image.DecompressionBombError:
        raise ImageRejected(RejectionCode.TOO_MANY_PIXELS, gettext_noop("The image has too many pixels.")) from None
    except Image.DecompressionBombWarning:  # only raised if someone turned the warning into an error
        raise ImageRejected(RejectionCode.TOO_MANY_PIXELS, gettext_noop("The image has too many pixels.")) from None
    except Exception:  # noqa: BLE001 - untrusted input: any decoder failure means the file is unusable
        raise ImageRejected(
            RejectionCode.CORRUPT,
            gettext_noop("The %(format)s file is damaged or incomplete and cannot be read; upload it again."),
            format=expected_format,
        ) from None

    output = io.BytesIO()
    if expected_format == "JPEG":
        clean.save(output, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    else:
        clean.save(output, format="PNG")  # optimize=True costs seconds on large photos
    normalized = output.getvalue()
    return ValidatedImage(
        format=expected_format,
        width=clean.width,
        height=clean.height,
        normalized_bytes=normalized,
        sha256=hashlib.sha256(normalized).hexdigest(),
        original_sha256=hashlib.sha256(data).hexdigest(),
        captured_at=captured_at,
    )


# Every refusal this module words (English; marked for translation where raised, plain strings here because this
# runs at import, before settings), so a reason the worker stores in English is shown in the reader's language
# (watchlists.wording). tests/watchlists/test_decoding_in_the_worker.py checks each message of the module is listed.
REFUSAL_TEMPLATES = (
    "%(kind)s images are not accepted; upload JPEG or PNG.",
    "The file is a PDF document, not an image; upload JPEG or PNG.",
    "The file is not an image; upload JPEG or PNG.",
    "The PNG file is damaged (no image header).",
    "The JPEG file is damaged (bad marker).",
    "The JPEG file is damaged (bad segment length).",
    "The JPEG file is damaged or truncated (no frame header).",
    "The image declares no width or height.",
    "The image has %(bits)s bits per sample and %(size)s; at more than 8 bits the limit is %(limit)s.",
    "The image is %(width)s x %(height)s pixels (%(size)s); the limit is %(limit)s.",
    "The file is %(size)s; the limit is %(limit)s.",
    "The file is empty; upload a JPEG or PNG photo.",
    "The %(format)s file is damaged (inconsistent header).",
    "The image has too many pixels.",
    "The %(format)s file is damaged or incomplete and cannot be read; upload it again.",
)
