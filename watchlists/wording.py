"""Failure reasons of reference photos in the reader's language.

The encoding task stores the reason in English (it is data: the audit event PHOTO_ENCODING_FAILED carries the same
text, and a task runs in the deployment's default language, so nothing it stores may depend on that). Pages and
the case page's polling answer translate the stored English here, at display time. A reason this module does not
know (an older or future wording) is shown as stored.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext, ngettext

# The reasons the face engine gives (recognition/matching.py), each with the words that translate it.
_NO_FACE = "No face was found in the image. Use a frontal, well-lit photo in which the face is clearly visible."
_MANY_FACES = re.compile(
    r"^The image shows (?P<count>\d+) faces; a reference image must show exactly one person\. "
    r"Crop the photo to the person concerned\.$"
)
_TOO_SMALL = re.compile(
    r"^The face is only (?P<size>\d+) px wide; at least (?P<minimum>\d+) px are required for a reliable template\. "
    r"Use a larger or higher-resolution photo\.$"
)
_SECOND_FACE = re.compile(
    r"^Besides the main face \((?P<size>\d+) px wide\) the image shows a smaller face \((?P<other>\d+) px wide\); "
    r"a reference image must show only the person concerned\. Crop the photo to that person\.$"
)
_NOT_FRONTAL = re.compile(
    r"^The face is not seen from the front \((?P<detail>[a-z ]+)\); a reference image must show the face looking at "
    r"the camera, as in a passport photo\. Use a frontal photo\.$"
)
_UNREADABLE = re.compile(r"^Unreadable image: (?P<reason>.*)\.$", re.DOTALL)
_TOO_MANY_PIXELS_LONG = re.compile(
    r"^the image has (?P<width>\d+)x(?P<height>\d+) pixels, more than the (?P<limit>\d+) allowed$"
)


def _unreadable_reason(reason: str) -> str:
    fixed = {
        "the file is empty": gettext("the file is empty"),
        "the image is too large to decode safely": gettext("the image is too large to decode safely"),
        "unexpected pixel layout": gettext("unexpected pixel layout"),
        "the file is not an image we can read (JPEG, PNG, WebP, TIFF, ...)": gettext(
            "the file is not an image we can read (JPEG, PNG, WebP, TIFF, ...)"
        ),
    }
    if reason in fixed:
        return fixed[reason]
    match = _TOO_MANY_PIXELS_LONG.match(reason)
    if match:
        return gettext("the image has %(width)s×%(height)s pixels, more than the %(limit)s allowed") % match.groupdict()
    match = re.match(r"^the image has more than the (?P<limit>\d+) pixels allowed$", reason)
    if match:
        return gettext("the image has more than the %(limit)s pixels allowed") % match.groupdict()
    return reason


def _not_frontal_details() -> dict[str, str]:
    return {
        "the face is turned to the side": gettext("the face is turned to the side"),
        "the face looks down": gettext("the face looks down"),
        "the face looks up": gettext("the face looks up"),
    }


def failure_reason_text(reason: str) -> str:
    """The stored (English) failure reason of a reference photo, in the active language."""
    if not reason:
        return reason
    if reason == _NO_FACE:
        return gettext(
            "No face was found in the image. Use a frontal, well-lit photo in which the face is clearly visible."
        )
    match = _MANY_FACES.match(reason)
    if match:
        count = int(match["count"])
        return ngettext(
            "The image shows %(count)d face; a reference image must show exactly one person. "
            "Crop the photo to the person concerned.",
            "The image shows %(count)d faces; a reference image must show exactly one person. "
            "Crop the photo to the person concerned.",
            count,
        ) % {"count": count}
    match = _TOO_SMALL.match(reason)
    if match:
        return (
            gettext(
                "The face is only %(size)s px wide; at least %(minimum)s px are required for a reliable template. "
                "Use a larger or higher-resolution photo."
            )
            % match.groupdict()
        )
    match = _SECOND_FACE.match(reason)
    if match:
        return (
            gettext(
                "Besides the main face (%(size)s px wide) the image shows a smaller face (%(other)s px wide); "
                "a reference image must show only the person concerned. Crop the photo to that person."
            )
            % match.groupdict()
        )
    match = _NOT_FRONTAL.match(reason)
    if match and match["detail"] in _not_frontal_details():
        return gettext(
            "The face is not seen from the front (%(detail)s); a reference image must show the face looking at the "
            "camera, as in a passport photo. Use a frontal photo."
        ) % {"detail": _not_frontal_details()[match["detail"]]}
    match = _UNREADABLE.match(reason)
    if match:
        return gettext("Unreadable image: %(reason)s.") % {"reason": _unreadable_reason(match["reason"])}
    for template, pattern in _image_refusals():
        match = pattern.match(reason)
        if match:
            return gettext(template) % match.groupdict() if match.groupdict() else gettext(template)
    return reason


def _image_refusals() -> list[tuple[str, re.Pattern]]:
    """The worker's decoding refusals (watchlists.imaging.REFUSAL_TEMPLATES), each with a pattern of its English."""
    global _IMAGE_REFUSALS
    if _IMAGE_REFUSALS is None:
        from watchlists.imaging import REFUSAL_TEMPLATES

        patterns = []
        for template in REFUSAL_TEMPLATES:
            parts = re.split(r"%\((\w+)\)s", template)
            regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts))
            patterns.append((template, re.compile(f"^{regex}$")))
        _IMAGE_REFUSALS = patterns
    return _IMAGE_REFUSALS


_IMAGE_REFUSALS: list[tuple[str, re.Pattern]] | None = None
