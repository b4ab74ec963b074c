"""Writes of the oversight layer, one module per concern; callers import from here.

- drafts: case_create, case_update_draft, persons and cameras of a draft
- lifecycle: submission, urgent start (R9), revocation, withdrawal, closing, expiry, consultation records
- decisions: the judge's decision and the commission's votes (R6, R7)
- cameras, objectives: the configuration administrators keep (R1, R5)
- notifications: what the data protection office is told of each use, and its inbox
- deployments: pilots of cameras and the data protection office's prior opinion on them
- validation, _common: the checks and steps the others share

The office's work (reports, data-subject requests, the retention run and the R9 purge) is in office.services;
oversight's own retention lines and deletion code are plain declarations in oversight.retention.
"""

from oversight.services._common import ALLOWED_TRANSITIONS, TransitionNotAllowed
from oversight.services.cameras import camera_create, camera_health_record, camera_update
from oversight.services.consultations import case_list_record_view
from oversight.services.decisions import case_decide, case_vote
from oversight.services.deployments import (
    deployment_create,
    deployment_record_document_view,
    deployment_record_opinion,
    deployment_set_cameras,
)
from oversight.services.drafts import (
    case_camera_add,
    case_camera_remove,
    case_create,
    case_person_add,
    case_person_remove,
    case_update_draft,
    person_rectify,
)
from oversight.services.lifecycle import (
    case_close,
    case_expire_due,
    case_record_view,
    case_revoke,
    case_start_urgent,
    case_submit,
    case_withdraw,
)
from oversight.services.notifications import case_notify_office
from oversight.services.objectives import objective_set_enabled

__all__ = [
    "ALLOWED_TRANSITIONS",
    "TransitionNotAllowed",
    "camera_create",
    "camera_health_record",
    "camera_update",
    "case_camera_add",
    "case_camera_remove",
    "case_close",
    "case_create",
    "case_decide",
    "case_expire_due",
    "case_notify_office",
    "case_person_add",
    "case_person_remove",
    "person_rectify",
    "case_list_record_view",
    "case_record_view",
    "case_revoke",
    "case_start_urgent",
    "case_submit",
    "case_update_draft",
    "case_vote",
    "case_withdraw",
    "deployment_create",
    "deployment_record_document_view",
    "deployment_record_opinion",
    "deployment_set_cameras",
    "objective_set_enabled",
]
