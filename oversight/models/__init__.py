"""The oversight layer's models: users, legal objectives, the camera registry, deployments with the
office's opinion and its notifications, cases with the persons they seek, decisions and votes, and the rows of
data-subject requests whose holds and restrictions every layer respects (the office's deletion records are
office.models)."""

from oversight.models.cameras import SOURCE_URL_SCHEMES, Camera, validate_camera_source
from oversight.models.cases import (
    CASE_DRAFT_FIELDS,
    CASE_FREE_TEXT_FIELDS,
    CASE_TEXT_REMOVED,
    Case,
    CaseAuthority,
    CaseCamera,
    CaseGroupObjectPermission,
    CaseKind,
    CaseSequence,
    CaseStatus,
    CaseUserObjectPermission,
    Decision,
    Objective,
    ScopeProposal,
    User,
    Vote,
    case_field_label,
)
from oversight.models.deployments import (
    USABLE_OPINIONS,
    Deployment,
    NotificationKind,
    OfficeNotification,
    Opinion,
)
from oversight.models.persons import Person, validate_named_person
from oversight.models.subject_requests import (
    DataSubjectRequest,
    DataSubjectRequestItem,
    SubjectRequestDecision,
    SubjectRequestKind,
    SubjectRequestStatus,
)

__all__ = [
    "SOURCE_URL_SCHEMES",
    "CASE_DRAFT_FIELDS",
    "CASE_FREE_TEXT_FIELDS",
    "CASE_TEXT_REMOVED",
    "Camera",
    "Case",
    "CaseAuthority",
    "CaseKind",
    "CaseCamera",
    "CaseGroupObjectPermission",
    "CaseSequence",
    "CaseStatus",
    "CaseUserObjectPermission",
    "DataSubjectRequest",
    "DataSubjectRequestItem",
    "Decision",
    "Deployment",
    "NotificationKind",
    "OfficeNotification",
    "Opinion",
    "USABLE_OPINIONS",
    "Objective",
    "Person",
    "ScopeProposal",
    "SubjectRequestDecision",
    "SubjectRequestKind",
    "SubjectRequestStatus",
    "User",
    "Vote",
    "case_field_label",
    "validate_camera_source",
    "validate_named_person",
]
