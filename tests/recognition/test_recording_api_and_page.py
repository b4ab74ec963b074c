"""The recordings API and page of a post-event case (R24): chunked upload, state, outsiders refused (404)."""

import html

import pytest

from recognition.models import Recording
from recognition.recording_worker import recording_check_run
from tests.recognition.conftest import CLIP
from tests.recognition.post_event import CLIP_STARTED, post_event_case


@pytest.fixture
def case(w):
    return post_event_case(w, state="draft")


def api_upload(client, case, camera, data: bytes, chunk: int = 200_000) -> dict:
    created = client.post(
        f"/api/cases/{case.pk}/recordings/",
        {
            "camera_id": camera.pk,
            "file_name": "export.mp4",
            "size": len(data),
            "capture_start": CLIP_STARTED.isoformat(),
            "capture_evidence": "Recorder export log.",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    recording = created.json()
    assert recording["received_bytes"] == 0 and recording["chunk_bytes"] > 0
    for offset in range(0, len(data), chunk):
        answer = client.put(
            f"/api/recordings/{recording['id']}/chunks/{offset}/",
            data[offset : offset + chunk],
            content_type="application/octet-stream",
        )
        assert answer.status_code == 200, answer.content
        assert answer.json()["received_bytes"] == min(len(data), offset + chunk)
    return client.post(f"/api/recordings/{recording['id']}/complete/", {}, content_type="application/json")


def test_the_api_uploads_a_recording_in_chunks_and_reports_the_check(w, case, client_for):
    requester = client_for(w.requester)
    done = api_upload(requester, case, w.cameras[0], CLIP.read_bytes())
    assert done.status_code == 200 and done.json()["status"] == "checking"
    recording_check_run(recording_id=done.json()["id"])
    detail = requester.get(f"/api/recordings/{done.json()['id']}/").json()
    assert detail["status"] == "ready" and len(detail["sha256"]) == 64 and detail["capture_time_source"] == "declared"
    # Others' recordings answer 404, as their cases do.
    outsider = client_for(w.outsider)
    assert outsider.get(f"/api/recordings/{detail['id']}/").status_code == 404
    assert outsider.get(f"/api/cases/{case.pk}/recordings/").status_code == 404
    assert (
        outsider.put(
            f"/api/recordings/{detail['id']}/chunks/0/", b"x", content_type="application/octet-stream"
        ).status_code
        == 404
    )
    # The page shows the hash and the capture time's source; the case page links to it.
    page = html.unescape(requester.get(f"/cases/{case.pk}/recordings/").content.decode())
    assert detail["sha256"] in page and "the requester's declaration" in page and 'id="recording-upload"' in page
    assert f"/cases/{case.pk}/recordings/" in requester.get(f"/cases/{case.pk}/").content.decode()


def test_the_api_refuses_a_non_video_and_an_out_of_order_chunk_in_words(w, case, client_for):
    requester = client_for(w.requester)
    created = requester.post(
        f"/api/cases/{case.pk}/recordings/",
        {"camera_id": w.cameras[0].pk, "file_name": "notes.txt", "size": 1000, "capture_start": None},
        content_type="application/json",
    ).json()
    late = requester.put(
        f"/api/recordings/{created['id']}/chunks/500/", b"x" * 100, content_type="application/octet-stream"
    )
    assert late.status_code == 400 and "next one starts at byte 0" in late.json()["offset"][0]
    refused = requester.put(
        f"/api/recordings/{created['id']}/chunks/0/", b"just some text " * 60, content_type="application/octet-stream"
    )
    assert refused.status_code == 400 and "not a video file" in refused.json()["chunk"][0]
    assert Recording.objects.get(pk=created["id"]).status == Recording.Status.REFUSED


def test_a_judge_sees_the_recordings_but_cannot_upload(w, case, client_for):
    from oversight import services

    services.case_submit(actor=w.requester, case=case)
    judge = client_for(w.judge)
    page = judge.get(f"/cases/{case.pk}/recordings/")
    assert page.status_code == 200 and 'id="recording-upload"' not in page.content.decode()
    answer = judge.post(
        f"/api/cases/{case.pk}/recordings/",
        {"camera_id": w.cameras[0].pk, "file_name": "a.mp4", "size": 10},
        content_type="application/json",
    )
    assert answer.status_code == 403
