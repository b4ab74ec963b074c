"""The face engine on real photos and a real video clip (tests/fixtures/faces, see its README).

No mocks: every test runs dlib/OpenCV through recognition.engine. The test module itself
imports neither cv2 nor face_recognition (the engine package is the only code that may); images
are read and inspected with Pillow and NumPy.

tests/fixtures/faces/video/short_hamilton_clip_60frames_mjpeg.avi holds the first 60 frames
of the clip at 320x180 as Motion-JPEG AVI (made once with cv2.VideoWriter): its frames are
stored one after another, so a truncated copy still opens and ends early, unlike the MP4
whose index sits at the end of the file.
"""

import csv
import dataclasses
import functools
import http.server
import io
import itertools
import os
import random
import socket
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from recognition import engine
from recognition.engine import (
    EngineConfig,
    EngineError,
    FaceNotFrontal,
    FacePose,
    FaceTooSmall,
    MatchScope,
    MultipleFaces,
    NoFaceFound,
    SecondSmallerFace,
    SourceError,
    Template,
    UnreadableImage,
    VideoSource,
)

FACES = Path(__file__).resolve().parent.parent / "fixtures" / "faces"
CLIP = FACES / "video" / "short_hamilton_clip.mp4"
CLIP_CSV = FACES / "video" / "short_hamilton_clip.reference.csv"
MJPEG_CLIP = FACES / "video" / "short_hamilton_clip_60frames_mjpeg.avi"
DEFAULT_THRESHOLD = 0.50  # config/settings.py MATCH_THRESHOLD_DEFAULT


@functools.cache
def reference(name: str) -> np.ndarray:
    return engine.encode_reference_image((FACES / "people" / name).read_bytes())


def load_bgr(path: Path) -> np.ndarray:
    rgb = np.asarray(Image.open(path).convert("RGB"))
    return np.ascontiguousarray(rgb[:, :, ::-1])


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def laplacian_variance(grey: np.ndarray) -> float:
    """Sharpness: variance of the 4-neighbour Laplacian (what cv2.Laplacian computes)."""
    g = grey.astype(np.float64)
    lap = 4 * g[1:-1, 1:-1] - g[:-2, 1:-1] - g[2:, 1:-1] - g[1:-1, :-2] - g[1:-1, 2:]
    return float(lap.var())


# --------------------------------------------------------------------------- encodings and matching


@pytest.mark.parametrize(
    "first, second",
    [
        ("obama_1.jpg", "obama_4.jpg"),
        ("obama_2.jpg", "obama_3.jpg"),
        ("biden_1.jpg", "biden_2.jpg"),
        ("kit_harington_1.jpg", "kit_harington_3.jpg"),
        ("rose_leslie_1.jpg", "rose_leslie_2.jpg"),
        ("alex_lacamoire_1.png", "alex_lacamoire_3.jpg"),
    ],
)
def test_photos_of_the_same_person_are_within_0_6(first, second):
    assert np.linalg.norm(reference(first) - reference(second)) <= 0.6


@pytest.mark.parametrize(
    "first, second",
    [
        ("obama_1.jpg", "biden_1.jpg"),
        ("kit_harington_1.jpg", "rose_leslie_1.jpg"),
        ("alex_lacamoire_1.png", "lin_manuel_miranda_1.png"),
        ("obama_4.jpg", "lin_manuel_miranda_1.png"),
        ("biden_2.jpg", "kit_harington_2.jpg"),
    ],
)
def test_photos_of_different_people_are_beyond_0_6(first, second):
    assert np.linalg.norm(reference(first) - reference(second)) > 0.6


def test_match_keeps_the_best_template_per_case_and_person_under_that_cases_threshold():
    obama_1, obama_2, obama_3 = reference("obama_1.jpg"), reference("obama_2.jpg"), reference("obama_3.jpg")
    biden_1 = reference("biden_1.jpg")
    scope = MatchScope.build(
        [
            Template(template_id="t1", case_id="lax", person_id="obama", encoding=obama_1),
            Template(template_id="t2", case_id="lax", person_id="obama", encoding=obama_2),
            Template(template_id="t3", case_id="lax", person_id="biden", encoding=biden_1),
            Template(template_id="t4", case_id="strict", person_id="obama", encoding=obama_3),
        ],
        {"lax": 0.6, "strict": 0.2},
    )
    faces = np.stack([reference("obama_4.jpg"), reference("biden_2.jpg"), reference("kit_harington_1.jpg")])
    expected_distances = np.linalg.norm(faces[:, None, :] - scope.templates[None, :, :], axis=2)

    hits = engine.match(faces, scope)

    best_obama = int(np.argmin(expected_distances[0, :2]))
    assert [(face, template) for face, template, _ in hits] == [(0, best_obama), (1, 2)]
    for face, template, distance in hits:
        assert distance == pytest.approx(expected_distances[face, template], abs=1e-9)
    # The strict case's own template is farther than its 0.2 threshold, so no match there.
    assert expected_distances[0, 3] > 0.2


def test_match_with_an_empty_scope_or_no_faces_finds_nothing():
    faces = np.stack([reference("obama_4.jpg")])
    assert engine.match(faces, MatchScope.empty()) == []
    scope = MatchScope.build([Template("t", "c", "p", reference("obama_1.jpg"))], {"c": 0.6})
    assert engine.match(np.empty((0, 128)), scope) == []


def test_scope_refuses_a_template_whose_case_has_no_threshold():
    with pytest.raises(ValueError, match="no threshold"):
        MatchScope.build([Template("t", "case-9", "p", reference("obama_1.jpg"))], {"case-1": 0.55})


# --------------------------------------------------------------------------- frames


def test_process_frame_keeps_only_the_match_and_the_count_of_faces():
    frame = load_bgr(FACES / "scenes" / "kit_with_rose.jpg")
    scope = MatchScope.build([Template("kit-1", "case-1", "kit", reference("kit_harington_1.jpg"))], {"case-1": 0.55})

    result = engine.process_frame(frame, scope)

    assert result.faces_seen == 2
    assert [(m.person_id, m.case_id, m.template_id) for m in result.matches] == [("kit", "case-1", "kit-1")]
    kit = result.matches[0]
    assert kit.distance < 0.55
    assert Image.open(io.BytesIO(kit.crop_jpeg)).format == "JPEG"
    # R11: nothing in the result can hold an encoding; Rose's face survives only as the count.
    for value in [*dataclasses.astuple(result), *dataclasses.astuple(kit)]:
        assert not (isinstance(value, np.ndarray) and value.size >= 128)
    assert {f.name for f in dataclasses.fields(kit)}.isdisjoint({"encoding", "encodings"})


def test_process_frame_without_a_match_reports_only_the_count():
    frame = load_bgr(FACES / "scenes" / "kit_with_rose.jpg")
    scope = MatchScope.build([Template("o", "case-1", "obama", reference("obama_1.jpg"))], {"case-1": 0.6})
    result = engine.process_frame(frame, scope)
    assert result.faces_seen == 2
    assert result.matches == []


def test_detect_faces_on_a_reduced_copy_returns_full_resolution_boxes():
    frame = load_bgr(FACES / "scenes" / "obama_1080p.jpg")
    full = engine.detect_faces(frame, EngineConfig(detect_width=1920))
    quarter = engine.detect_faces(frame, EngineConfig(detect_width=480))
    assert len(full) == len(quarter) == 1
    assert box_iou(full[0], quarter[0]) > 0.8
    top, right, bottom, left = quarter[0]
    assert 0 <= top < bottom <= frame.shape[0] and 0 <= left < right <= frame.shape[1]


def test_detection_copy_keeps_every_face_that_can_be_matched():
    """R13: the reduced copy never shrinks a face of the minimum size under what YuNet finds reliably, so every
    face that could be encoded is found, at full HD (640 px copy) and at 4K (a larger copy) alike: as many as on
    a copy half as large again (960 px, which finds the same faces as the full frame but for faces cut by the
    frame's edge)."""
    config = EngineConfig()
    assert engine.detect_scale(1920, config, 50) == pytest.approx(640 / 1920)
    assert engine.detect_scale(3840, config, 50) == pytest.approx(engine.DETECT_FLOOR_PX / 50)
    assert engine.detect_scale(3840, config, 50) * 50 >= engine.DETECT_FLOOR_PX
    assert engine.detect_scale(640, config, 50) == 1.0
    # The marathon crowd at twice its size is a full-HD street: its runners' faces measure 36-88 px.
    source = VideoSource(FACES / "video" / "five-second-marathon-clip.mkv")
    frames = [sample.frame for sample in source.iter_sampled(2.0)]
    source.close()
    checked = 0
    for small in frames:
        frame = np.ascontiguousarray(np.repeat(np.repeat(small, 2, axis=0), 2, axis=1))
        assert frame.shape[:2] == (1080, 1920)
        full = [b for b in engine.detect_faces(frame, EngineConfig(detect_width=960)) if engine.face_size(b) >= 50]
        # The default copy, and a copy asked to be 320 px wide, which the floor keeps at 16 / 50 of the frame.
        for reduced in (
            engine.detect_faces(frame, config, 50),
            engine.detect_faces(frame, EngineConfig(detect_width=320), 50),
        ):
            for box in full:
                assert max((box_iou(box, other) for other in reduced), default=0) > 0.4, box
        checked += len(full)
    assert checked >= 3


def box_iou(a, b) -> float:
    (a_top, a_right, a_bottom, a_left), (b_top, b_right, b_bottom, b_left) = a, b
    height = max(0, min(a_bottom, b_bottom) - max(a_top, b_top))
    width = max(0, min(a_right, b_right) - max(a_left, b_left))
    union = (a_bottom - a_top) * (a_right - a_left) + (b_bottom - b_top) * (b_right - b_left) - height * width
    return height * width / union


def read_reference_csv() -> dict[int, dict]:
    with CLIP_CSV.open() as handle:
        return {int(row["frame"]): row for row in csv.DictReader(handle)}


@pytest.mark.slow
def test_lin_manuel_is_matched_in_the_clip_and_nobody_else_ever_is():
    """Every 3rd frame of the clip (92 frames), every face of at least 50 px encoded.

    Measured at the default 0.5 (the CSV's HOG loop used 0.6): 26 of the 42 sampled frames that
    the CSV marks as Lin-Manuel inside the runs 82-115 and 120-210 are matched (62 %); the misses
    are frames at 0.50-0.60, where his distances sit in this clip. No match is ever wrong, Alex
    Lacamoire and Obama are never matched, and YuNet finds at least the faces HOG found in
    every frame.
    """
    rows = read_reference_csv()
    scope = MatchScope.build(
        [
            Template("lin", "case-1", "lin_manuel_miranda", reference("lin_manuel_miranda_1.png")),
            Template("alex", "case-1", "alex_lacamoire", reference("alex_lacamoire_1.png")),
            Template("obama", "case-2", "barack_obama", reference("obama_1.jpg")),
        ],
        {"case-1": DEFAULT_THRESHOLD, "case-2": DEFAULT_THRESHOLD},
    )
    source = VideoSource(CLIP)
    matched_lin, positives_in_runs, matched_in_runs, at_least_hog = set(), 0, 0, 0
    sampled = list(source.iter_sampled(source.fps / 3))
    for sample in sampled:
        result = engine.process_frame(sample.frame, scope, min_face_px=50)
        people = {m.person_id for m in result.matches}
        assert people <= {"lin_manuel_miranda"}, f"frame {sample.index}: {people}"
        row = rows[sample.index]
        at_least_hog += result.faces_seen >= int(row["faces"])
        if people:
            matched_lin.add(sample.index)
            assert row["lin_manuel_miranda"] == "1", f"frame {sample.index} matched, CSV says no"
        in_runs = 82 <= sample.index <= 115 or 120 <= sample.index <= 210
        if in_runs and row["lin_manuel_miranda"] == "1":
            positives_in_runs += 1
            matched_in_runs += bool(people)

    assert [s.index for s in sampled] == list(range(0, 275, 3))
    assert positives_in_runs == 42
    assert matched_in_runs / positives_in_runs >= 0.6
    assert at_least_hog >= 0.95 * len(sampled)


# --------------------------------------------------------------------------- reference images


def test_reference_image_with_two_people_is_refused():
    with pytest.raises(MultipleFaces) as error:
        engine.encode_reference_image((FACES / "scenes" / "two_people.jpg").read_bytes())
    assert error.value.count == 2
    assert "2 faces" in str(error.value)


@pytest.mark.parametrize("kind", ["flat grey", "curtain crop"])
def test_reference_image_without_a_face_is_refused(kind):
    if kind == "flat grey":
        image = Image.new("RGB", (640, 480), (128, 128, 128))
    else:
        photo = Image.open(FACES / "people" / "obama_1.jpg")
        image = photo.crop((0, 0, photo.width // 5, photo.height))  # flag and curtain, left of him
    with pytest.raises(NoFaceFound, match="No face was found"):
        engine.encode_reference_image(png_bytes(image))


def with_passer_by(scale: float) -> bytes:
    """Obama's portrait with Biden's face, shrunk to ``scale`` of its size, pasted into the top-left corner."""
    photo = Image.open(FACES / "people" / "obama_1.jpg").convert("RGB")
    other = Image.open(FACES / "people" / "biden_2.jpg").convert("RGB")
    other = other.resize((round(other.width * scale), round(other.height * scale)), Image.Resampling.LANCZOS)
    photo.paste(other, (0, 0))
    buffer = io.BytesIO()
    photo.save(buffer, format="JPEG", quality=95)
    return buffer.getvalue()


def test_reference_image_with_a_second_much_smaller_face_is_refused_with_a_request_to_crop():
    """YuNet also finds faces far smaller than HOG did: a passer-by behind the person. The platform does not
    guess which face is meant; it refuses in words that say what to do."""
    with pytest.raises(SecondSmallerFace) as error:
        engine.encode_reference_image(with_passer_by(0.25))
    assert error.value.other_px * 2 < error.value.size_px
    assert "Crop the photo to that person" in str(error.value)
    # The same portrait without the passer-by is accepted; two faces of similar size are two people
    # (test_reference_image_with_two_people_is_refused).
    assert engine.encode_reference_image((FACES / "people" / "obama_1.jpg").read_bytes()).shape == (128,)


def scene_face_photo(name: str, left: int, right: int) -> bytes:
    """The columns ``left..right`` of a scene photo, as a photo of its own (one person of the scene)."""
    scene = Image.open(FACES / "scenes" / name).convert("RGB")
    buffer = io.BytesIO()
    scene.crop((left, 0, right, scene.height)).save(buffer, format="JPEG", quality=95)
    return buffer.getvalue()


def test_reference_image_of_a_face_not_seen_from_the_front_is_refused():
    """R13: the child looking down and away in obama_and_biden.jpg gives a template that lies within 0.46-0.48 of
    strangers' faces (benchmarks/threshold_bench.py); as a photo of its own it is refused, in words that say why,
    while Obama's face cut from the same scene, and every reference photo we have, is accepted."""
    with pytest.raises(FaceNotFrontal) as error:
        engine.encode_reference_image(scene_face_photo("obama_and_biden.jpg", 1450, 1920))
    assert error.value.pose.turn > FacePose.MAX_TURN
    assert "(the face is turned to the side)" in str(error.value) and "Use a frontal photo" in str(error.value)
    assert engine.encode_reference_image(scene_face_photo("obama_and_biden.jpg", 600, 1000)).shape == (128,)
    for photo in sorted((FACES / "people").iterdir()):
        if photo.suffix in (".jpg", ".png") and photo.stem != "obama_small":
            assert engine.encode_reference_image(photo.read_bytes()).shape == (128,), photo.name


def test_face_pose_reads_turn_and_tilt_from_the_landmarks():
    # Right eye, left eye, nose tip, right and left mouth corners, as YuNet gives them (image coordinates).
    frontal = FacePose.from_landmarks([(40, 50), (80, 50), (60, 72), (45, 90), (75, 90)])
    assert frontal.turn == pytest.approx(0.0) and frontal.tilt == pytest.approx(0.55)
    assert frontal.usable_for_reference()
    turned = FacePose.from_landmarks([(40, 50), (80, 50), (78, 72), (55, 90), (85, 90)])
    assert turned.turn == pytest.approx(0.45) and not turned.usable_for_reference()
    down = FacePose.from_landmarks([(40, 50), (80, 50), (60, 84), (45, 90), (75, 90)])
    assert down.tilt == pytest.approx(0.85) and not down.usable_for_reference()
    assert "looks down" in str(FaceNotFrontal(down))
    up = FacePose.from_landmarks([(40, 50), (80, 50), (60, 60), (45, 90), (75, 90)])
    assert "looks up" in str(FaceNotFrontal(up))
    assert not FacePose.from_landmarks([(40, 50), (40, 50), (60, 60), (45, 90), (75, 90)]).usable_for_reference()


def test_reference_image_with_a_small_face_is_refused():
    with pytest.raises(FaceTooSmall) as error:
        engine.encode_reference_image((FACES / "people" / "obama_small.jpg").read_bytes(), min_face_px=200)
    assert error.value.min_px == 200
    assert error.value.size_px < 200
    assert f"only {error.value.size_px} px" in str(error.value)


@pytest.mark.parametrize("payload", [b"", b"not an image at all", os.urandom(5000), b"\xff\xd8\xff\xe0" + b"\0" * 64])
def test_unreadable_bytes_are_refused(payload):
    with pytest.raises(UnreadableImage, match="Unreadable image"):
        engine.encode_reference_image(payload)


def test_reference_image_larger_than_allowed_is_refused():
    data = (FACES / "people" / "obama_1.jpg").read_bytes()
    with pytest.raises(UnreadableImage, match="more than"):
        engine.encode_reference_image(data, max_pixels=10_000)


@pytest.mark.parametrize("name", ["edge/32bit_rgba.png", "people/lin_manuel_miranda_1.png"])
def test_rgba_png_reference_images_are_accepted(name):
    with Image.open(FACES / name) as image:
        assert image.mode == "RGBA"
    encoding = engine.encode_reference_image((FACES / name).read_bytes())
    assert encoding.shape == (128,)
    assert encoding.dtype == np.float64


def test_half_transparent_png_encodes_like_the_jpeg_it_came_from():
    photo = Image.open(FACES / "people" / "obama_4.jpg").convert("RGBA")
    photo.putalpha(128)
    encoding = engine.encode_reference_image(png_bytes(photo))
    assert np.linalg.norm(encoding - reference("obama_4.jpg")) < 0.05


def test_exif_orientation_is_honoured():
    """Pixels stored rotated, EXIF Orientation 6 ("rotate 90 clockwise to display")."""
    upright = Image.open(FACES / "people" / "obama_4.jpg").convert("RGB")
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # 90 degrees counter-clockwise
    exif = Image.Exif()
    exif[0x0112] = 6
    with_tag, without_tag = io.BytesIO(), io.BytesIO()
    stored.save(with_tag, format="JPEG", quality=95, exif=exif)
    stored.save(without_tag, format="JPEG", quality=95)

    encoding = engine.encode_reference_image(with_tag.getvalue())

    assert np.linalg.norm(encoding - reference("obama_4.jpg")) < 0.1
    # The same pixels without the tag: a face lying on its side gives no clear single face, and is refused.
    with pytest.raises(EngineError):
        engine.encode_reference_image(without_tag.getvalue())


# --------------------------------------------------------------------------- crops


def face_boxes_kit_with_rose():
    frame = load_bgr(FACES / "scenes" / "kit_with_rose.jpg")
    boxes = engine.detect_faces(frame)
    assert len(boxes) == 2
    rose, kit = sorted(boxes, key=lambda box: box[3])  # Rose stands on the left
    return frame, kit, rose


def test_crop_blurs_the_other_face_that_falls_inside_it():
    frame, kit, rose = face_boxes_kit_with_rose()
    margin = 2.0  # at the default 0.25 Rose lies outside Kit's crop (next test)
    top, right, bottom, left = kit
    y0 = max(0, top - round((bottom - top) * margin))
    x0 = max(0, left - round((right - left) * margin))

    crop = np.asarray(Image.open(io.BytesIO(engine.crop_with_others_blurred(frame, kit, [rose], margin))).convert("L"))
    original = np.asarray(Image.fromarray(np.ascontiguousarray(frame[:, :, ::-1])).convert("L"))

    r_top, r_right, r_bottom, r_left = rose
    assert r_left >= x0 and r_top >= y0, "Rose's face must lie inside the crop for this test"
    rose_before = laplacian_variance(original[r_top:r_bottom, r_left:r_right])
    rose_after = laplacian_variance(crop[r_top - y0 : r_bottom - y0, r_left - x0 : r_right - x0])
    kit_before = laplacian_variance(original[top:bottom, left:right])
    kit_after = laplacian_variance(crop[top - y0 : bottom - y0, left - x0 : right - x0])
    assert rose_after < 0.05 * rose_before
    assert kit_after > 0.6 * kit_before  # the face under review is untouched (only JPEG losses)


def test_crop_at_the_default_margin_is_the_face_with_a_quarter_around_it():
    frame, kit, rose = face_boxes_kit_with_rose()
    jpeg = engine.crop_with_others_blurred(frame, kit, [rose])
    top, right, bottom, left = kit
    width, height = Image.open(io.BytesIO(jpeg)).size
    assert width == pytest.approx((right - left) * 1.5, abs=2)
    assert height == pytest.approx((bottom - top) * 1.5, abs=2)


# --------------------------------------------------------------------------- video sources


def test_video_source_reads_the_clip_to_its_end():
    with VideoSource(CLIP) as source:
        assert source.fps == pytest.approx(29.97)
        assert source.frame_count == 275
        frames = 0
        while True:
            ok, frame = source.read()
            if not ok:
                break
            frames += 1
        assert frame is None
        assert frames == 275
        assert source.position_seconds == pytest.approx(275 / 29.97)


def test_iter_sampled_yields_evenly_spaced_frames_at_the_requested_rate():
    samples = list(VideoSource(CLIP).iter_sampled(5.0))
    indexes = [s.index for s in samples]
    assert len(samples) == 46  # 275 frames / 29.97 fps * 5 per second
    assert indexes[0] == 0
    assert set(np.diff(indexes)) <= {5, 6}
    assert samples[10].media_time_seconds == pytest.approx(indexes[10] / 29.97)
    assert samples[10].frame.shape == (360, 640, 3)


def test_loop_replays_the_file_past_its_end():
    source = VideoSource(CLIP, loop=True)
    samples = list(itertools.islice(source.iter_sampled(5.0), 100))
    assert len(samples) == 100
    assert samples[-1].media_time_seconds > 2 * 275 / 29.97
    assert source.loops >= 2
    assert all(s.frame.shape == (360, 640, 3) for s in samples)


def test_random_bytes_are_not_a_video(tmp_path):
    path = tmp_path / "camera.mp4"
    # Fixed noise: some random files FFmpeg probes as a stream that then yields no frame (refused too, later).
    path.write_bytes(random.Random(20261204).randbytes(200_000))
    with pytest.raises(SourceError, match="cannot open") as error:
        VideoSource(path)
    assert str(path) in str(error.value)


def test_truncated_mp4_cannot_be_opened(tmp_path):
    # The clip's index (moov atom) is at the end of the file: half a file has none.
    data = CLIP.read_bytes()
    path = tmp_path / "truncated.mp4"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceError, match="truncated"):
        VideoSource(path)


def test_truncated_video_yields_its_frames_then_reports_the_error(tmp_path):
    data = MJPEG_CLIP.read_bytes()
    path = tmp_path / "truncated.avi"
    path.write_bytes(data[: len(data) // 2])
    source = VideoSource(path)
    delivered = []
    with pytest.raises(SourceError, match=r"ended after \d+ of 60 frames: file truncated or corrupt"):
        for sample in source.iter_sampled(source.fps):
            delivered.append(sample.index)
    assert 10 < len(delivered) < 60


def test_missing_file_is_reported():
    with pytest.raises(SourceError, match="does not exist"):
        VideoSource("/nonexistent/camera-7.mp4")


def test_unreachable_url_fails_at_once():
    with pytest.raises(SourceError, match="cannot open") as error:
        VideoSource("http://127.0.0.1:9/nothing.mp4")
    assert "http://127.0.0.1:9/nothing.mp4" in str(error.value)


def test_password_in_a_camera_url_is_not_repeated_in_errors():
    with pytest.raises(SourceError) as error:
        VideoSource("rtsp://operator:s3cret@127.0.0.1:9/stream1")
    assert "s3cret" not in str(error.value)
    assert "rtsp://operator:***@127.0.0.1:9/stream1" in str(error.value)


@pytest.fixture
def silent_server():
    """A TCP server that accepts connections and never answers, like a hung camera."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted = []

    def accept():
        while True:
            try:
                accepted.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield server.getsockname()[1]
    server.close()
    for connection in accepted:
        connection.close()


def test_camera_that_never_answers_fails_after_the_open_timeout(silent_server):
    with pytest.raises(SourceError, match="no answer within 0.5 s"):
        VideoSource(f"http://127.0.0.1:{silent_server}/live.mp4", open_timeout_seconds=0.5)


@pytest.fixture
def http_clip_url():
    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(QuietHandler, directory=str(CLIP.parent))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    # The Motion-JPEG AVI: the MP4 keeps its index at the end, which needs HTTP range requests.
    yield f"http://127.0.0.1:{server.server_address[1]}/{MJPEG_CLIP.name}"
    server.shutdown()
    server.server_close()


def test_network_stream_delivers_frames_and_reports_when_it_stops(http_clip_url):
    source = VideoSource(http_clip_url)
    assert source.is_stream
    frames = 0
    with pytest.raises(SourceError, match="stopped delivering frames after 60 frames"):
        while source.read()[0]:
            frames += 1
    assert frames == 60
