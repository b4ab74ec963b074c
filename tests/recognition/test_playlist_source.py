"""A playlist plays its files one after the other as one camera's feed (the demo's street), files of different
sizes included; a wrong playlist is refused in plain words, naming the line."""

from pathlib import Path

import pytest

from recognition import engine
from recognition.video import read_playlist

VIDEO = Path(__file__).resolve().parents[1] / "fixtures" / "faces" / "video"
HAMILTON_FRAMES, MARATHON_FRAMES = 275, 138


def _playlist(tmp_path, text: str) -> Path:
    for name in ("short_hamilton_clip.mp4", "five-second-marathon-clip.mkv"):
        (tmp_path / name).symlink_to(VIDEO / name)
    path = tmp_path / "feed.playlist"
    path.write_text(text)
    return path


def test_a_playlist_plays_each_file_in_order_and_then_loops(tmp_path):
    path = _playlist(tmp_path, "# a street\nfive-second-marathon-clip.mkv x 2\n\nshort_hamilton_clip.mp4\n")
    sizes = []
    with engine.VideoSource(path) as source:
        while (frame := source.read()[1]) is not None:
            sizes.append(frame.shape[:2])
    assert len(sizes) == 2 * MARATHON_FRAMES + HAMILTON_FRAMES
    assert sizes[0] == sizes[2 * MARATHON_FRAMES - 1] == (540, 960) and sizes[-1] == (360, 640)
    with engine.VideoSource(path, loop=True, wall_clock=lambda: 0.0) as looping:
        for _ in range(2 * MARATHON_FRAMES + HAMILTON_FRAMES + 3):
            assert looping.grab()
        assert looping.loops == 1 and looping.retrieve().shape[:2] == (540, 960)


def test_a_looping_playlist_joins_the_street_where_the_wall_clock_says(tmp_path):
    """Each scan segment (and each worker) picks the street up where it is, as a live camera, instead of starting
    the playlist again: the sought person does not reappear at every segment."""
    path = _playlist(tmp_path, "short_hamilton_clip.mp4\nfive-second-marathon-clip.mkv x 2\n")
    hamilton, marathon = HAMILTON_FRAMES / 29.97, MARATHON_FRAMES / 29.97  # as they decode
    period = hamilton + 2 * marathon
    for now, first_size in (
        (1.0, (360, 640)),  # inside the sample clip
        (hamilton + 1.0, (540, 960)),  # inside the first pass of the crowd
        (5 * period + hamilton + marathon + 1.0, (540, 960)),  # five periods later, the second pass
        (6 * period + 0.5, (360, 640)),
    ):
        with engine.VideoSource(path, loop=True, wall_clock=lambda now=now: now) as source:
            assert source.read()[1].shape[:2] == first_size
    # Read as a recording (no loop), a playlist always starts at its first file.
    with engine.VideoSource(path, wall_clock=lambda: hamilton + 1.0) as recording:
        assert recording.read()[1].shape[:2] == (360, 640)


def test_the_demo_streets_show_the_sought_person_at_different_moments():
    first, second = (read_playlist(str(VIDEO / f"demo_street_{n}.playlist")) for n in "ab")
    assert sorted(first) == sorted(second) and len(first) == 37
    passes = [
        [n for n, path in enumerate(street) if Path(path).name == "short_hamilton_clip.mp4"]
        for street in (first, second)
    ]
    assert passes == [[8], [26]]  # once a period each, 18 files (about 90 s) apart: half a period


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "the playlist lists no file"),
        ("# only a comment\n", "the playlist lists no file"),
        ("short_hamilton_clip.mp4\nmissing.mp4\n", "line 2 of the playlist is not a file: missing.mp4"),
        ("short_hamilton_clip.mp4 x 0\n", "line 1 of the playlist repeats a file 0 times"),
    ],
)
def test_a_wrong_playlist_is_refused_naming_the_line(tmp_path, text, words):
    path = _playlist(tmp_path, text)
    with pytest.raises(engine.SourceError) as refused:
        engine.VideoSource(path)
    assert words in str(refused.value)
