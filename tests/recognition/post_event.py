"""Helpers for post-event searches (R24): a case over recorded footage, and the sample clip uploaded in chunks."""

from datetime import timedelta
from pathlib import Path

from recognition.models import Recording
from recognition.recording_worker import recording_check_run
from recognition.services.recordings import recording_chunk_append, recording_complete, recording_create
from tests.oversight.factories import NOW
from tests.recognition.conftest import CLIP, LIN, make_case

# The footage searched: an afternoon the day before the case; the clip was recorded 10 minutes into it.
CAPTURE_START = NOW - timedelta(days=1)
CAPTURE_END = CAPTURE_START + timedelta(hours=1)
CLIP_STARTED = CAPTURE_START + timedelta(minutes=10)
CHUNK = 128 * 1024


def post_event_case(w, *, state="submitted", people=(LIN,), **fields):
    """A post-event search of one camera's footage for Lin-Manuel Miranda, through the services."""
    fields = {"kind": "post_event", "capture_start": CAPTURE_START, "capture_end": CAPTURE_END} | fields
    return make_case(w, people=people, cameras=w.cameras[:1], state=state, **fields)


def upload(
    actor,
    case,
    camera,
    data: bytes | None = None,
    *,
    declared_start=CLIP_STARTED,
    evidence="The metro recorder's export log: clock checked against the station's time server.",
    chunk=CHUNK,
    complete=True,
):
    """Create the recording, send `data` (the sample clip by default) chunk by chunk in order, complete it."""
    data = Path(CLIP).read_bytes() if data is None else data
    recording = recording_create(
        actor=actor,
        case=case,
        camera_id=camera.pk,
        file_name="metro-export.mp4",
        size=len(data),
        declared_capture_start=declared_start,
        capture_evidence=evidence if declared_start else "",
    )
    for offset in range(0, len(data), chunk):
        recording_chunk_append(
            actor=actor, recording_id=recording.pk, offset=offset, data=data[offset : offset + chunk]
        )
    if complete:
        recording_complete(actor=actor, recording_id=recording.pk)
    return Recording.objects.get(pk=recording.pk)


def uploaded_and_checked(actor, case, camera, **kwargs) -> Recording:
    recording = upload(actor, case, camera, **kwargs)
    recording_check_run(recording_id=recording.pk)
    recording.refresh_from_db()
    return recording
