"""Cases built through the services (STYLE, habit 8): helpers the tests import."""

from datetime import UTC, datetime, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from oversight import services

# A Monday morning; every test in tests/oversight runs at this instant unless it moves the clock.
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
START = NOW + timedelta(hours=1)
END = NOW + timedelta(hours=25)


def impact_assessment(content: bytes = b"%PDF-1.4\n% fundamental-rights impact assessment\n") -> SimpleUploadedFile:
    return SimpleUploadedFile("dpia.pdf", content, content_type="application/pdf")


def deployment_with_opinion(admin, dpo, cameras, *, opinion="favourable", name="City centre pilot", conditions=""):
    """A deployment of `cameras` on which the office has given `opinion` (None: not given yet)."""
    deployment = services.deployment_create(
        actor=admin,
        name=name,
        locations=", ".join(sorted({c.location_label for c in cameras})) or "Main station",
        consultation_request="Prior consultation on live facial recognition at these locations.",
        consultation_requested_on=timezone.localdate() - timedelta(days=60),
        camera_ids=[c.pk for c in cameras],
    )
    if opinion is None:
        return deployment
    if opinion == "conditional" and not conditions:
        conditions = "Signs at every entrance; no use during public demonstrations."
    return services.deployment_record_opinion(
        actor=dpo,
        deployment=deployment,
        opinion=opinion,
        given_on=timezone.localdate() - timedelta(days=30),
        conditions=conditions,
    )


def draft_case(
    requester,
    cameras,
    *,
    judge=None,
    authority="judge",
    objective="victims",
    start=START,
    end=END,
    persons=(("Jana Novakova", "missing_person"), ("Petr Svoboda", "suspect")),
    camera_count=2,
    complete=True,
    **fields,
):
    """A draft built through case_create; `complete` fills everything submission needs."""
    values = {
        "objective": objective,
        "requested_start": start,
        "requested_end": end,
        "authority": authority,
        "assigned_judge": judge if authority == "judge" else None,
        "persons": [{"full_name": n, "category": c, "reason": "Seen near the station"} for n, c in persons],
        "cameras": [
            {"camera_id": c.pk, "reason": "The person travels through here daily"} for c in cameras[:camera_count]
        ],
    }
    if complete:
        values |= {
            "legal_basis": "Police Act s. 42(1)",
            "evidence": "Witness statements and phone records.",
            "harm_assessment": "Risk to the life of a missing child.",
            "rights_impact": "Passers-by are scanned; non-matches are discarded at once.",
            "impact_assessment": impact_assessment(),
        }
    values |= fields
    return services.case_create(actor=requester, **values)


def submitted_case(w, **kwargs):
    case = draft_case(w.requester, w.cameras, judge=w.judge, **kwargs)
    return services.case_submit(actor=w.requester, case=case)


def approved_case(w, **kwargs):
    case = submitted_case(w, **kwargs)
    return services.case_decide(actor=w.judge, case=case, granted=True, reasons="Necessary and proportionate.")


def urgent_case(w, *, start=NOW, **kwargs):
    case = draft_case(w.requester, w.cameras, judge=w.judge, start=start, **kwargs)
    return services.case_start_urgent(actor=w.requester, case=case, urgency_reason="A child was abducted an hour ago.")


def commission_case(w, **kwargs):
    case = draft_case(w.requester, w.cameras, authority="commission", **kwargs)
    return services.case_submit(actor=w.requester, case=case)
