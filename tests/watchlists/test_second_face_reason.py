"""A reference photo refused for a second, smaller face says so in the reader's language."""

from django.utils import translation

from recognition.matching import FaceNotFrontal, FacePose, SecondSmallerFace
from watchlists.wording import failure_reason_text


def test_the_second_smaller_face_refusal_reads_czech_and_english():
    reason = str(SecondSmallerFace(231, 58))
    with translation.override("cs"):
        assert failure_reason_text(reason) == (
            "Kromě hlavního obličeje (široký 231 px) je na snímku menší obličej (široký 58 px); referenční snímek "
            "musí ukazovat jen dotčenou osobu. Ořízněte fotografii na tuto osobu."
        )
    with translation.override("en"):
        assert failure_reason_text(reason) == reason


def test_the_not_frontal_refusal_reads_czech_and_english():
    reason = str(FaceNotFrontal(FacePose(turn=0.51, tilt=0.55)))
    with translation.override("cs"):
        assert failure_reason_text(reason) == (
            "Obličej není vidět zepředu (obličej je otočený stranou); referenční snímek musí ukazovat obličej "
            "hledící do kamery jako na pasové fotografii. Použijte fotografii zepředu."
        )
    with translation.override("en"):
        assert failure_reason_text(reason) == reason
