"""The platform's roles: Django groups with fixed names and their model permissions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    REQUESTER = "requester", _("Requester (police)")
    JUDGE = "judge", _("Judge")
    COMMISSION_MEMBER = "commission_member", _("Commission member")
    ALERT_VERIFIER = "alert_verifier", _("Alert verifier")
    DPO_REVIEWER = "dpo_reviewer", _("Data protection office reviewer")
    PLATFORM_ADMIN = "platform_admin", _("Platform administrator")


# Model-level permissions ("app_label.codename") each role holds. Object-level
# access to cases is granted per case with django-guardian.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    # Requesters draft cases; they see their own through object permissions.
    # The camera registry and objectives are readable so a request can name them.
    Role.REQUESTER: [
        "oversight.add_case",
        "oversight.view_camera",
        "oversight.view_objective",
        "oversight.view_deployment",
    ],
    # Judges and commission members see only the cases assigned to them (object permissions).
    Role.JUDGE: ["oversight.view_camera", "oversight.view_objective", "oversight.view_deployment"],
    Role.COMMISSION_MEMBER: ["oversight.view_camera", "oversight.view_objective", "oversight.view_deployment"],
    # The data protection office reads every case, read-only (R17, R22).
    Role.DPO_REVIEWER: [
        "audits.view_auditevent",
        "audits.view_auditcheckpoint",
        "oversight.view_case",
        "oversight.view_camera",
        "oversight.view_objective",
        # R21: the office records and answers data-subject requests.
        "oversight.view_datasubjectrequest",
        # The office's own business: its opinion on deployments, its notifications (R22) and reports (R23).
        "oversight.view_deployment",
        "oversight.record_opinion",
        "oversight.view_officenotification",
        "oversight.change_officenotification",
        "oversight.view_office_reports",
    ],
    # Configuration only: no case is visible to an administrator through this role.
    Role.PLATFORM_ADMIN: [
        "oversight.view_camera",
        "oversight.add_camera",
        "oversight.change_camera",
        "oversight.view_objective",
        "oversight.change_objective",
        "oversight.view_deployment",
        "oversight.add_deployment",
        "oversight.change_deployment",
    ],
}


def user_has_role(user, role: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    cache = getattr(user, "_role_names", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True))
        user._role_names = cache
    return role in cache


def sync_role_permissions(**kwargs) -> None:
    """post_migrate: give each role group its model permissions (idempotent)."""
    from django.contrib.auth.models import Group, Permission

    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for label in perms:
            app_label, codename = label.split(".")
            perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if perm is not None:
                wanted.append(perm)
        group.permissions.add(*wanted)
