"""Proof of deletion (R9, R19): what is still stored of a case, across every app (`manage.py retention_leftovers`)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from office.services.retention import KINDS
from oversight.models import CASE_FREE_TEXT_FIELDS, CASE_TEXT_REMOVED
from recognition.models import AlertReview
from recognition.retention import REVIEW
from watchlists.models import ReferencePhoto
from watchlists.services import PHOTO_DIR


def case_leftovers(*, case, needles: tuple[bytes, ...] = ()) -> dict[str, list]:
    """What is still stored of a case's personal data, by kind; empty lists everywhere means nothing is left.

    Looks at the rows of every declared kind linked to the case (persons, reference photos and templates,
    alerts with crops, reviews), the case's free text and impact assessment once reduced, files in the photo
    folder no row refers to, and, if given, byte strings (a crop, a template, a photo) in every media file.
    The test helper tests/office/retention_helpers.assert_nothing_left also searches a database dump.
    """
    found: dict[str, list] = {}
    for label, kind in KINDS.items():
        if kind.of_cases is not None:
            found[label] = sorted(kind.of_cases([case.pk]))
    found[REVIEW] = sorted(AlertReview.objects.filter(alert__case_id=case.pk).values_list("pk", flat=True))
    if case.text_reduced_at is not None:
        found["case_text"] = [n for n in CASE_FREE_TEXT_FIELDS if getattr(case, n) not in ("", CASE_TEXT_REMOVED)]
        found["impact_assessment"] = [case.impact_assessment.name] if case.impact_assessment else []
    root = Path(settings.MEDIA_ROOT)
    known = set(ReferencePhoto.objects.exclude(photo_file="").values_list("photo_file", flat=True))
    folder = root / PHOTO_DIR
    found["orphan_photo_files"] = sorted(
        f"{PHOTO_DIR}/{p.name}"
        for p in (folder.iterdir() if folder.is_dir() else [])
        if f"{PHOTO_DIR}/{p.name}" not in known
    )
    # R24: the encrypted footage of the case's recordings.
    footage = Path(settings.RECORDING_DIR) / str(case.pk)
    found["recording_files"] = sorted(p.name for p in (footage.iterdir() if footage.is_dir() else []))
    hits = []
    if needles and root.is_dir():
        for path in root.rglob("*"):
            if path.is_file():
                blob = path.read_bytes()
                hits += [str(path.relative_to(root)) for n in needles if n in blob]
    found["media_matches"] = sorted(set(hits))
    return found
