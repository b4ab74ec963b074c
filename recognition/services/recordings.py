"""Recordings for post-event searches (R24): chunked upload checked while it streams, encryption at rest, the hash
on arrival, capture times from the file or a declaration with its evidence, and destruction.

The upload is three calls: :func:`recording_create` (the case, the camera that recorded it, the file's name and
size, optionally a declared capture start with its evidence), :func:`recording_chunk_append` for each chunk in
order, :func:`recording_complete`. Each chunk is checked as it arrives (the container's magic bytes on the first,
its structure walked box by box, the order of offsets, the size declared) and sealed at once; a file that is not a
video, is cut short or goes past its size is refused with the reason in words and everything stored of it is
deleted. The worker then checks the file with the face engine (:func:`recording_check_result`: codec, frames,
duration) and records its SHA-256, which the audit trail and the dossier show.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.events import EventType
from audits.services import audit_record
from oversight.models import Case
from oversight.selectors import case_object_perms
from recognition.models import Recording
from recognition.video import ContainerError, container_complete, container_kind, container_walk
from watchlists import crypto

logger = logging.getLogger(__name__)

Status = Recording.Status
# A recording may be added while the case can still be searched: drafted, awaiting its decision, urgent or granted.
OPEN_CASE_STATUSES = (Case.Status.DRAFT, Case.Status.SUBMITTED, Case.Status.URGENT, Case.Status.APPROVED)


def recording_path(recording: Recording) -> Path:
    return Path(settings.RECORDING_DIR) / recording.file_path


def _queue_check(recording_id: int) -> None:
    # By name: the task module imports the worker, which web code never loads (import contract).
    from celery import current_app

    current_app.send_task("recognition.recording_check", args=[recording_id])


def _lock(recording_id: int) -> Recording:
    return Recording.objects.select_for_update(of=("self",)).select_related("case").get(pk=recording_id)


def _require_uploader(actor, recording: Recording) -> None:
    if recording.uploaded_by_id != actor.pk:
        raise PermissionDenied(_("Only the person who started this upload may continue it."))


def recording_create(
    *,
    actor,
    case: Case,
    camera_id: int,
    file_name: str,
    size: int,
    declared_capture_start: datetime | None = None,
    capture_evidence: str = "",
) -> Recording:
    """Start the upload of a recording for a post-event case (R24).

    Preconditions: the actor may change the case (its requester); the case is a post-event search not yet ended; the
    camera is one the case names; 0 < size <= RECORDING_MAX_BYTES; a declared capture start is in the past and
    comes with its evidence (where the file states its own start, that one is used and the two must agree).
    Side effects: the Recording row (uploading), an empty sealed file, RECORDING_UPLOAD_STARTED.
    """
    errors: dict[str, list[str]] = {}
    file_name = os.path.basename(str(file_name or "").replace("\\", "/")).strip()[:255]
    evidence = str(capture_evidence or "").strip()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if "change_case" not in case_object_perms(user=actor, case=case):
            raise PermissionDenied(_("Only the requester may add recordings to this case."))
        if not case.is_post_event:
            errors.setdefault("case", []).append(_("Only a post-event search takes recordings (R24)."))
        elif case.status not in OPEN_CASE_STATUSES:
            errors.setdefault("case", []).append(_("This case has ended: it takes no more recordings."))
        if not case.case_cameras.filter(camera_id=camera_id).exists():
            errors.setdefault("camera", []).append(_("Choose one of the cameras this case names."))
        if not file_name:
            errors.setdefault("file_name", []).append(_("Give the file's name."))
        try:
            size = int(size)
        except (TypeError, ValueError):
            size = 0
        if size <= 0:
            errors.setdefault("size", []).append(_("Give the file's size in bytes."))
        elif size > settings.RECORDING_MAX_BYTES:
            errors.setdefault("size", []).append(
                _("The recording is larger than the %(gigabytes)s GB accepted.")
                % {"gigabytes": f"{settings.RECORDING_MAX_BYTES / 1024**3:.1f}"}
            )
        if declared_capture_start is not None:
            if declared_capture_start > timezone.now():
                errors.setdefault("capture_start", []).append(_("A recording cannot start in the future."))
            if not evidence:
                errors.setdefault("capture_evidence", []).append(
                    _("Say what the declared capture time rests on (the recorder's export log, a clock on screen...).")
                )
        elif evidence:
            errors.setdefault("capture_start", []).append(_("Give the capture start the evidence is for."))
        if errors:
            raise ValidationError(errors)
        recording = Recording.objects.create(
            case=case,
            camera_id=camera_id,
            uploaded_by=actor,
            file_name=file_name,
            declared_size=size,
            declared_capture_start=declared_capture_start,
            capture_evidence=evidence,
        )
        recording.file_path = f"{case.pk}/{recording.pk}.sealed"
        recording.save(update_fields=["file_path"])
        path = recording_path(recording)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with open(path, "wb"):
            os.chmod(path, 0o600)
        audit_record(
            actor=actor,
            event_type=EventType.RECORDING_UPLOAD_STARTED,
            case_ref=case,
            target_ref=recording,
            data={
                "recording_id": recording.pk,
                "camera_id": camera_id,
                "file_name": file_name,
                "size": size,
                "declared_capture_start": declared_capture_start.isoformat() if declared_capture_start else None,
            },
        )
    return recording


def _refuse(recording: Recording, *, reason: str, actor=None) -> None:
    """Refuse a recording (caller holds its lock): its file goes, only the row with the reason stays."""
    recording.status = Status.REFUSED
    recording.failure_reason = reason[:2000]
    recording.destroyed_at = timezone.now()
    recording.save(update_fields=["status", "failure_reason", "destroyed_at"])
    audit_record(
        actor=actor,
        event_type=EventType.RECORDING_REFUSED,
        case_ref=recording.case,
        target_ref=recording,
        data={"recording_id": recording.pk, "reason": reason[:500], "received_bytes": recording.received_bytes},
    )
    path = recording_path(recording)
    transaction.on_commit(lambda: path.unlink(missing_ok=True))


class RecordingRefused(ValidationError):
    """The upload was refused for good (not a video, truncated, too large): nothing of it is kept."""


def recording_chunk_append(*, actor, recording_id: int, offset: int, data: bytes) -> Recording:
    """Append the next chunk of an upload: checked, sealed and written (R24).

    Preconditions: the actor started the upload; it is still uploading; ``offset`` is the number of bytes received
    so far (a chunk sent again after a lost answer changes nothing); the chunk is at most RECORDING_CHUNK_BYTES and
    stays within the declared size. The first chunk must start like a video container we accept, and the
    container's structure is followed as the chunks arrive.
    Side effects: one sealed record appended to the file. A chunk that shows the file is no video (or is malformed)
    refuses the recording (RecordingRefused): its file is deleted and RECORDING_REFUSED recorded.
    """
    refused = None
    with transaction.atomic():
        recording = _lock(recording_id)
        _require_uploader(actor, recording)
        if recording.status != Status.UPLOADING:
            raise ValidationError({"status": [_("This upload is no longer open.")]})
        data = bytes(data)
        if offset < recording.received_bytes and offset + len(data) <= recording.received_bytes:
            return recording  # a chunk sent again: already stored
        if offset != recording.received_bytes:
            raise ValidationError(
                {
                    "offset": [
                        _("Chunks must arrive in order: the next one starts at byte %(n)s.")
                        % {"n": recording.received_bytes}
                    ]
                }
            )
        if not data:
            raise ValidationError({"chunk": [_("The chunk is empty.")]})
        if len(data) > settings.RECORDING_CHUNK_BYTES:
            raise ValidationError(
                {"chunk": [_("A chunk may hold at most %(n)s bytes.") % {"n": settings.RECORDING_CHUNK_BYTES}]}
            )
        if offset + len(data) > recording.declared_size:
            refused = _("The file is larger than the size declared when its upload started.")
        else:
            try:
                state = container_walk(recording.container_state, offset, data)
            except ContainerError as exc:
                if offset == 0 and container_kind(data[:16]) is None:
                    refused = _("Refused: not a video file we accept (MP4 or MOV, Matroska or WebM, AVI).")
                else:
                    refused = _("Refused: the video file's structure is broken (%(detail)s).") % {"detail": exc}
        if refused is not None:
            _refuse(recording, reason=refused, actor=actor)
        else:
            last = offset + len(data) == recording.declared_size
            record = crypto.seal_record(data, aad=recording.chunk_aad(recording.chunks_received, last=last))
            with open(recording_path(recording), "ab") as handle:
                handle.write(record)
                handle.flush()
                os.fsync(handle.fileno())
            recording.container_state = state
            recording.container = state["kind"]
            recording.received_bytes += len(data)
            recording.chunks_received += 1
            recording.save(update_fields=["container_state", "container", "received_bytes", "chunks_received"])
    if refused is not None:
        raise RecordingRefused({"chunk": [refused]})
    return recording


def recording_complete(*, actor, recording_id: int, sha256: str = "") -> Recording:
    """End the upload: every byte declared arrived and the container ends where the file does (R24).

    A file that stops inside its container's structure is refused as truncated (its file deleted). Otherwise the
    recording waits for the worker's check (checking). ``sha256``, if the client computed it, must match the hash
    the worker computes on the stored file. Side effects: the check queued after commit.
    """
    refused = None
    sha256 = str(sha256 or "").strip().lower()
    if sha256 and (len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256)):
        raise ValidationError({"sha256": [_("Give the SHA-256 as 64 hexadecimal digits, or leave it out.")]})
    with transaction.atomic():
        recording = _lock(recording_id)
        _require_uploader(actor, recording)
        if recording.status != Status.UPLOADING:
            return recording  # completed (or refused) already: the repeat changes nothing
        if recording.received_bytes < recording.declared_size:
            raise ValidationError(
                {
                    "chunk": [
                        _("The upload is incomplete: %(received)s of %(size)s bytes arrived.")
                        % {"received": recording.received_bytes, "size": recording.declared_size}
                    ]
                }
            )
        problem = container_complete(recording.container_state, recording.received_bytes)
        if problem is not None:
            refused = _("Refused: the file is truncated; it ends before its container says (%(detail)s).") % {
                "detail": problem
            }
            _refuse(recording, reason=refused, actor=actor)
        else:
            recording.status = Status.CHECKING
            recording.client_sha256 = sha256
            recording.completed_at = timezone.now()
            recording.save(update_fields=["status", "client_sha256", "completed_at"])
            transaction.on_commit(lambda: _queue_check(recording.pk))
    if refused is not None:
        raise RecordingRefused({"chunk": [refused]})
    return recording


def recording_decrypt_to(*, recording: Recording, target: Path) -> str:
    """Decrypt a recording into ``target`` (the worker's private temporary file) and return its SHA-256."""
    import hashlib

    digest = hashlib.sha256()
    with open(recording_path(recording), "rb") as sealed, open(target, "wb") as plain:
        os.chmod(target, 0o600)
        for chunk in crypto.open_records(sealed, aad_for=lambda i, last: recording.chunk_aad(i, last=last)):
            digest.update(chunk)
            plain.write(chunk)
    return digest.hexdigest()


def recording_check_result(
    *,
    recording_id: int,
    sha256: str,
    probe: dict | None,
    problem: str = "",
    metadata_capture_start: datetime | None = None,
) -> Recording:
    """The worker's verdict on a recording (R24): the hash of the stored file, what the face engine decoded
    (``probe``: codec, fps, frames, duration, width, height) or why it could not, and the start its metadata states.

    A file the engine cannot read, or whose hash differs from the one the client sent, is refused (file deleted).
    Capture times: the metadata's start where the file has one, unless the requester declared a start that
    differs by more than RECORDING_CLOCK_TOLERANCE_SECONDS (refused: the two contradict each other, the
    declaration must be corrected and the file sent again); otherwise the declared start, with its evidence; with
    neither, the recording waits for a declaration (needs_capture_time). The end is the start plus the duration the
    engine decoded, never a declared one. Side effects: RECORDING_RECEIVED with the hash, or RECORDING_REFUSED.
    """
    with transaction.atomic():
        recording = _lock(recording_id)
        if recording.status != Status.CHECKING:
            return recording
        if problem or probe is None:
            _refuse(recording, reason=_("Refused: %(reason)s.") % {"reason": problem or "unreadable"})
            return recording
        if recording.client_sha256 and recording.client_sha256 != sha256:
            _refuse(recording, reason=_("Refused: the file stored differs from the file sent (SHA-256)."))
            return recording
        recording.sha256 = sha256
        recording.codec = probe["codec"][:20]
        recording.fps = probe["fps"]
        recording.frame_count = probe["frame_count"]
        recording.duration_seconds = probe["duration_seconds"]
        recording.width, recording.height = probe["width"], probe["height"]
        recording.metadata_capture_start = metadata_capture_start
        declared = recording.declared_capture_start
        tolerance = timedelta(seconds=settings.RECORDING_CLOCK_TOLERANCE_SECONDS)
        contradicts = declared is not None and metadata_capture_start is not None
        if contradicts and abs(declared - metadata_capture_start) > tolerance:
            _refuse(
                recording,
                reason=_(
                    "Refused: the capture start declared (%(declared)s) contradicts the one the file states "
                    "(%(metadata)s, UTC). Correct the declaration, or explain the recorder's clock in the evidence "
                    "and declare the file's own time."
                )
                % {"declared": declared.isoformat(), "metadata": metadata_capture_start.isoformat()},
            )
            return recording
        fields = [
            "sha256",
            "codec",
            "fps",
            "frame_count",
            "duration_seconds",
            "width",
            "height",
            "metadata_capture_start",
            "status",
            "capture_time_source",
            "capture_start",
            "capture_end",
        ]
        if metadata_capture_start is not None:
            _set_capture_time(recording, metadata_capture_start, Recording.TimeSource.METADATA)
        elif declared is not None:
            _set_capture_time(recording, declared, Recording.TimeSource.DECLARED)
        else:
            recording.status = Status.NEEDS_CAPTURE_TIME
        recording.save(update_fields=fields)
        audit_record(
            actor=None,
            event_type=EventType.RECORDING_RECEIVED,
            case_ref=recording.case,
            target_ref=recording,
            data={
                "recording_id": recording.pk,
                "sha256": sha256,
                "size": recording.received_bytes,
                "container": recording.container,
                "codec": recording.codec,
                "duration_seconds": round(recording.duration_seconds, 3),
                "frame_count": recording.frame_count,
                "capture_time_source": recording.capture_time_source or None,
                "capture_start": recording.capture_start.isoformat() if recording.capture_start else None,
                "capture_end": recording.capture_end.isoformat() if recording.capture_end else None,
            },
        )
    return recording


def _set_capture_time(recording: Recording, start: datetime, source: str) -> None:
    recording.capture_time_source = source
    recording.capture_start = start
    recording.capture_end = start + timedelta(seconds=recording.duration_seconds)
    recording.status = Status.READY


def recording_declare_capture_time(*, actor, recording_id: int, capture_start: datetime, evidence: str) -> Recording:
    """Declare when a recording that states no capture time of its own started, with the evidence (R24).

    Preconditions: the actor started its upload; the recording waits for its capture time; the start is in the past
    and so is its end (start + duration); the evidence is written. Side effects: capture times, ready,
    RECORDING_CAPTURE_TIME_DECLARED.
    """
    evidence = str(evidence or "").strip()
    with transaction.atomic():
        recording = _lock(recording_id)
        _require_uploader(actor, recording)
        if recording.status != Status.NEEDS_CAPTURE_TIME:
            raise ValidationError({"status": [_("This recording's capture time is already known.")]})
        errors: dict[str, list[str]] = {}
        if capture_start is None:
            errors["capture_start"] = [_("Give the capture start.")]
        elif capture_start + timedelta(seconds=recording.duration_seconds or 0) > timezone.now():
            errors["capture_start"] = [_("A recording cannot end in the future.")]
        if not evidence:
            errors["capture_evidence"] = [
                _("Say what the declared capture time rests on (the recorder's export log, a clock on screen...).")
            ]
        if errors:
            raise ValidationError(errors)
        recording.declared_capture_start = capture_start
        recording.capture_evidence = evidence
        _set_capture_time(recording, capture_start, Recording.TimeSource.DECLARED)
        recording.save(
            update_fields=[
                "declared_capture_start",
                "capture_evidence",
                "capture_time_source",
                "capture_start",
                "capture_end",
                "status",
            ]
        )
        audit_record(
            actor=actor,
            event_type=EventType.RECORDING_CAPTURE_TIME_DECLARED,
            case_ref=recording.case,
            target_ref=recording,
            data={
                "recording_id": recording.pk,
                "capture_start": recording.capture_start.isoformat(),
                "capture_end": recording.capture_end.isoformat(),
            },
        )
    return recording


def recording_progress(*, recording_id: int, analysed_until_seconds: float, seconds: float, finished: bool) -> None:
    """The worker's progress through a recording (media seconds from its start; wall seconds spent)."""
    now = timezone.now()
    with transaction.atomic():
        recording = _lock(recording_id)
        recording.analysed_until_seconds = max(recording.analysed_until_seconds, analysed_until_seconds)
        recording.analysis_seconds += seconds
        recording.analysis_started_at = recording.analysis_started_at or now
        fields = ["analysed_until_seconds", "analysis_seconds", "analysis_started_at"]
        if finished and recording.analysis_finished_at is None:
            recording.analysis_finished_at = now
            fields.append("analysis_finished_at")
            audit_record(
                actor=None,
                event_type=EventType.RECORDING_ANALYSED,
                case_ref=recording.case,
                target_ref=recording,
                data={
                    "recording_id": recording.pk,
                    "analysed_until_seconds": round(recording.analysed_until_seconds, 3),
                    "analysis_seconds": round(recording.analysis_seconds, 3),
                },
            )
        recording.save(update_fields=fields)


def recordings_destroy(*, recordings, actor=None, why: str) -> int:
    """Destroy recordings' files (retention at the case's end, the R9 purge, a refusal): the row keeps the hash and
    the times as the record of what was searched; the footage goes. Caller runs in a transaction."""
    count = 0
    for recording in recordings.select_for_update(of=("self",)).exclude(status=Status.DESTROYED).select_related("case"):
        path = recording_path(recording)
        recording.status = Status.DESTROYED
        recording.destroyed_at = timezone.now()
        recording.save(update_fields=["status", "destroyed_at"])
        audit_record(
            actor=actor,
            event_type=EventType.RECORDING_DESTROYED,
            case_ref=recording.case,
            target_ref=recording,
            data={"recording_id": recording.pk, "sha256": recording.sha256 or None, "why": why},
        )
        transaction.on_commit(lambda path=path: path.unlink(missing_ok=True))
        count += 1
    return count


def recordings_reencrypt(new_key_id: str) -> dict:
    """Re-seal every stored recording under the current key (watchlists' data_key_rotate), record by record into a
    new file that replaces the old one atomically; the row lock keeps chunks from arriving meanwhile. A worker reading
    the old file keeps its open handle until it finishes."""
    count = 0
    for pk in Recording.objects.filter(destroyed_at__isnull=True).exclude(file_path="").values_list("pk", flat=True):
        with transaction.atomic():
            recording = _lock(pk)
            path = recording_path(recording)
            if recording.destroyed_at is not None or not path.exists() or recording.chunks_received == 0:
                continue
            fresh = path.with_suffix(".rotating")
            changed = False
            with open(path, "rb") as sealed, open(fresh, "wb") as out:
                os.chmod(fresh, 0o600)
                index = 0
                while (blob := crypto.read_record(sealed)) is not None:
                    last = (
                        index == recording.chunks_received - 1 and recording.received_bytes == recording.declared_size
                    )
                    aad = recording.chunk_aad(index, last=last)
                    again = crypto.reencrypt(blob, aad=aad)
                    changed |= again is not blob
                    out.write(len(again).to_bytes(4, "big") + again)
                    index += 1
                out.flush()
                os.fsync(out.fileno())
            if changed:
                os.replace(fresh, path)
                count += 1
            else:
                fresh.unlink()
    return {"recordings": count}
