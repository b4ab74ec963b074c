"""Video sources as live feeds (bounded delay, skipped frames counted) and real container quirks.

The clock of a live feed is injected: "slow analysis" is played by moving a fake clock, so
the tests neither sleep nor assert on timings.
"""

import functools
import http.server
import threading
from pathlib import Path

import pytest

from recognition.engine import SourceError, VideoSource
from recognition.video import LiveFeed, container_truncated

VIDEO = Path(__file__).resolve().parent.parent / "fixtures" / "faces" / "video"
CLIP = VIDEO / "short_hamilton_clip.mp4"
MJPEG_CLIP = VIDEO / "short_hamilton_clip_60frames_mjpeg.avi"
MARATHON_MKV = VIDEO / "five-second-marathon-clip.mkv"


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


# --------------------------------------------------------------------------- real files


def test_matroska_clip_whose_frame_count_is_only_an_estimate_plays_to_its_end():
    with VideoSource(MARATHON_MKV) as source:
        assert source.frame_count is None  # OpenCV's 154 is an estimate from the duration
        frames = 0
        while source.read()[0]:
            frames += 1
    assert frames == 138


def test_matroska_clip_loops_as_a_live_feed_without_being_called_truncated():
    clock = FakeClock()
    source = VideoSource(MARATHON_MKV, loop=True)
    feed = source.live(5.0, clock=clock, sleep=clock.sleep)
    samples = [feed.next() for _ in range(30)]  # 30 frames at 5 fps: 6 s, past the 4.6 s clip
    assert source.loops == 1
    assert samples[-1].index > 138
    assert feed.frames_skipped == 0


def test_a_really_cut_matroska_file_is_refused_after_its_frames(tmp_path):
    data = MARATHON_MKV.read_bytes()
    path = tmp_path / "cut.mkv"
    path.write_bytes(data[: len(data) * 2 // 3])
    assert container_truncated(path) is True
    source = VideoSource(path)
    frames = 0
    with pytest.raises(SourceError, match="truncated"):
        while source.read()[0]:
            frames += 1
    assert 0 < frames < 138


@pytest.mark.parametrize("path", [CLIP, MJPEG_CLIP, MARATHON_MKV])
def test_complete_files_are_not_truncated(path):
    assert container_truncated(path) is False


@pytest.mark.parametrize("path", [CLIP, MJPEG_CLIP])
def test_cut_mp4_and_avi_files_are_truncated(path, tmp_path):
    cut = tmp_path / path.name
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    assert container_truncated(cut) is True


def test_unknown_formats_are_not_judged(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("no video here")
    assert container_truncated(path) is None


# --------------------------------------------------------------------------- live pacing of files


def test_fast_analysis_gets_every_sampled_frame_at_its_broadcast_time():
    clock = FakeClock()
    feed = VideoSource(CLIP).live(5.0, clock=clock, sleep=clock.sleep)
    samples = list(feed)
    expected = [s.index for s in VideoSource(CLIP).iter_sampled(5.0)]
    assert [s.index for s in samples] == expected
    assert feed.frames_skipped == 0
    assert feed.frames_analysed == len(expected)
    # The feed waited for each frame's broadcast: it never delivers a frame before its time.
    assert all(s.received_seconds == pytest.approx(1000.0 + s.index / 29.97) for s in samples)


def test_slow_analysis_skips_to_the_newest_frame_and_counts_what_it_skipped():
    clock = FakeClock()
    feed = VideoSource(CLIP).live(5.0, clock=clock, sleep=clock.sleep)
    delivered = []
    while (sample := feed.next()) is not None:
        # Each analysis takes 1 s: 5 sampled frames per analysis are broadcast meanwhile.
        delay = clock.now - sample.received_seconds
        delivered.append((sample.index, delay))
        clock.now += 1.0
    indexes = [i for i, _ in delivered]
    assert indexes == sorted(indexes)
    # The delay from broadcast to the start of analysis stays under one frame: no backlog.
    assert max(delay for _, delay in delivered) < 1 / 29.97
    assert 8 <= feed.frames_analysed <= 11  # about one per second of the 9.2 s clip
    sampled_total = len(list(VideoSource(CLIP).iter_sampled(5.0)))
    assert feed.frames_analysed + feed.frames_skipped == pytest.approx(sampled_total, abs=2)
    assert 0.7 < feed.skipped_share < 0.9
    assert feed.frames_read == 275  # every frame was grabbed (decoded by FFmpeg), few retrieved
    assert feed.started_at == 1000.0


def test_live_feed_refuses_a_non_positive_rate():
    with pytest.raises(ValueError):
        LiveFeed(VideoSource(CLIP), 0)


# --------------------------------------------------------------------------- live streams


@pytest.fixture
def http_clip_url():
    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(QuietHandler, directory=str(VIDEO))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/{MJPEG_CLIP.name}"
    server.shutdown()
    server.server_close()


def test_stream_read_by_a_thread_delivers_newest_frames_then_reports_the_stop(http_clip_url):
    source = VideoSource(http_clip_url)
    feed = source.live(1000.0)  # as fast as frames come: the reader thread may still run ahead
    indexes = []
    with pytest.raises(SourceError, match="stopped delivering frames after 60 frames"):
        while (sample := feed.next()) is not None:
            indexes.append(sample.index)
            assert sample.frame.shape == (180, 320, 3)
    feed.close()
    assert indexes == sorted(set(indexes))
    assert 1 <= len(indexes) <= 60
    assert feed.frames_read == 60
