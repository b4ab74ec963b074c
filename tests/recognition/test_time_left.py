"""R24: the time left to analyse footage, at the pace so far, as the recordings page and the case page show it."""

from django.utils import timezone

from oversight.wording import footage_progress, time_left_at_pace
from recognition.models import Recording
from recognition.selectors import recording_time_left_seconds


def test_the_pace_so_far_gives_the_time_left():
    assert time_left_at_pace(600, 150, 30) == 90.0  # 150 s of video in 30 s: 450 s more take 90 s
    assert time_left_at_pace(600, 0, 0) is None  # no progress, no pace
    assert time_left_at_pace(600, 700, 30) == 0.0  # past the end: nothing left


def test_a_recording_shows_its_time_left_and_nothing_once_finished():
    recording = Recording(duration_seconds=600, analysed_until_seconds=150, analysis_seconds=30)
    assert recording_time_left_seconds(recording) == 90.0
    assert recording_time_left_seconds(recording, authorised_seconds=300) == 30.0  # only the authorised window
    assert recording_time_left_seconds(Recording(duration_seconds=600)) is None
    assert recording_time_left_seconds(Recording(duration_seconds=0, analysed_until_seconds=5)) is None
    recording.analysis_finished_at = timezone.now()
    assert recording_time_left_seconds(recording) == 0.0


def test_the_case_page_shows_percent_and_whole_seconds_left():
    figures = {"recordings": 2, "footage_ms": 600_000, "footage_analysed_ms": 150_000, "footage_analysis_ms": 30_000}
    assert footage_progress(figures) == {"recordings": 2, "percent": 25, "seconds_left": 90}
    done = {**figures, "footage_analysed_ms": 600_000}
    assert footage_progress(done) == {"recordings": 2, "percent": 100, "seconds_left": None}
    assert footage_progress({}) == {"recordings": 0, "percent": 0, "seconds_left": None}
