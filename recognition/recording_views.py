"""The recordings page of a post-event case (R24): upload in chunks with progress, capture times, checks, hashes,
and how far the analysis has come (share analysed, estimated time left).

The upload itself goes through the API (recognition.recording_apis) from static/js/recording-upload.js; without
JavaScript the page says so and the API remains. Someone else's case answers 404 (case_get_for_user).
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from oversight.models.text import FREE_TEXT_MAX_LENGTH
from oversight.selectors import case_get_for_user
from oversight.services import case_record_view
from recognition import selectors
from recognition.models import Recording
from recognition.services import recordings as services


class CaptureTimeForm(forms.Form):
    capture_start = forms.DateTimeField(
        label=gettext_lazy("Recording started at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "step": "1"}),
        input_formats=["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"],
    )
    capture_evidence = forms.CharField(
        label=gettext_lazy("What this time rests on"),
        help_text=gettext_lazy("The recorder's export log, a clock on screen, the operator's statement..."),
        max_length=FREE_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _may_upload(case) -> bool:
    return "change_case" in case.perms and case.is_post_event and case.status in services.OPEN_CASE_STATUSES


@login_required
@require_GET
def case_recordings(request, pk: int):
    case = case_get_for_user(user=request.user, pk=pk)
    case_record_view(actor=request.user, case=case, interface="page", part="recordings")  # R17
    recordings = list(selectors.recordings_of_case(case=case))
    for recording in recordings:
        recording.time_left = selectors.recording_time_left_seconds(recording)
        recording.capture_form = (
            CaptureTimeForm(prefix=f"r{recording.pk}")
            if recording.status == Recording.Status.NEEDS_CAPTURE_TIME and recording.uploaded_by_id == request.user.pk
            else None
        )
    context = {
        "case": case,
        "recordings": recordings,
        "may_upload": _may_upload(case),
        "cameras": [link.camera for link in case.case_cameras.select_related("camera").order_by("pk")],
        "chunk_bytes": settings.RECORDING_CHUNK_BYTES,
        "max_bytes": settings.RECORDING_MAX_BYTES,
        "max_gigabytes": f"{settings.RECORDING_MAX_BYTES / 1024**3:.1f}",
        "capture_form": CaptureTimeForm(),
    }
    return render(request, "recognition/case_recordings.html", context)


@login_required
@require_POST
def recording_capture_time(request, pk: int):
    recording = selectors.recording_get_for_user(user=request.user, pk=pk)
    form = CaptureTimeForm(request.POST, prefix=f"r{recording.pk}")
    if form.is_valid():
        try:
            services.recording_declare_capture_time(
                actor=request.user,
                recording_id=recording.pk,
                capture_start=form.cleaned_data["capture_start"],
                evidence=form.cleaned_data["capture_evidence"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The capture time is recorded: the recording can be searched."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("recognition:case_recordings", pk=recording.case_id)
