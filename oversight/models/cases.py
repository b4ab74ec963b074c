"""Users, cases and their authorisation (R1-R10).

Rules live in oversight/services.py; the constraints below are the database's
own copy of the rules that must hold whatever code writes (STYLE: "the
database backs the rules").
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from oversight.models.text import FREE_TEXT_MAX_LENGTH

# Being a superuser administers accounts (users, groups, second-factor devices, lockouts) and nothing else: cases,
# alerts, photos and the audit trail are reached through roles only, like everyone's, so each access has a role's
# basis on record (R17). Django, guardian and the admin otherwise grant a superuser every permission.
SUPERUSER_APPS = frozenset({"auth", "admin", "contenttypes", "sessions", "otp_totp", "otp_static", "axes"})


class User(AbstractUser):
    # The police unit (or court, commission, office) the user belongs to.
    unit = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["username"]

    def __str__(self):
        return self.get_username()

    def has_perm(self, perm, obj=None):
        if not (self.is_active and self.is_superuser):
            return super().has_perm(perm, obj)
        app_label, _, codename = perm.partition(".")
        if app_label in SUPERUSER_APPS or (app_label == self._meta.app_label and codename.endswith("_user")):
            return True
        return obj is None and perm in self._role_permissions()

    def _role_permissions(self) -> frozenset[str]:
        """The model permissions of this user's roles (groups) and its own, without the superuser's shortcut."""
        cached = getattr(self, "_role_permissions_cache", None)
        if cached is None:
            from django.contrib.auth.models import Permission

            rows = Permission.objects.filter(Q(group__user=self) | Q(user=self)).values_list(
                "content_type__app_label", "codename"
            )
            cached = self._role_permissions_cache = frozenset(f"{app}.{codename}" for app, codename in rows)
        return cached


class Objective(models.Model):
    """R1: the closed list of legal objectives; rows come from a data migration."""

    VICTIMS = "victims"
    THREAT = "threat"
    SUSPECT = "suspect"

    code = models.CharField(max_length=20, primary_key=True)
    label = models.CharField(max_length=200)
    description = models.TextField(max_length=FREE_TEXT_MAX_LENGTH, blank=True)
    # R1: an administrator disables objectives national law does not enable.
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.display_label

    @property
    def display_label(self) -> str:
        """The label in the reader's language: the closed list's own labels are translated (OBJECTIVE_WORDS),
        a label an administrator typed is shown as typed."""
        return gettext(self.label)

    @property
    def display_description(self) -> str:
        return gettext(self.description) if self.description else ""


# The closed list's labels and descriptions exactly as the data migration 0004_legal_objectives stored them, so
# the catalogue carries their translations (tests/test_languages.py checks that the two agree).
OBJECTIVE_WORDS = (
    gettext_noop("(a) Targeted search for specific victims or missing persons"),
    gettext_noop(
        "Targeted search for specific victims of abduction, trafficking in human beings or sexual exploitation "
        "of human beings, as well as the search for missing persons."
    ),
    gettext_noop("(b) Prevention of a specific, substantial and imminent threat"),
    gettext_noop(
        "Prevention of a specific, substantial and imminent threat to the life or physical safety of natural "
        "persons, or of a genuine and present or foreseeable threat of a terrorist attack."
    ),
    gettext_noop("(c) Locating a suspect of a serious criminal offence"),
    gettext_noop(
        "Localisation or identification of a person suspected of having committed a criminal offence listed in "
        "Annex II of the AI Act, punishable by a custodial sentence of a maximum period of at least four years."
    ),
)


class CaseSequence(models.Model):
    """Last reference number issued per year; its row lock makes references gapless and unique."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last}"


class CaseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    URGENT = "urgent", _("Urgent: active before authorisation")  # R9
    SUBMITTED = "submitted", _("Submitted for authorisation")
    APPROVED = "approved", _("Approved")
    DENIED = "denied", _("Denied")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")
    CLOSED = "closed", _("Closed")


class CaseKind(models.TextChoices):
    """R24: a search of live feeds, or a post-event search of footage recorded before the case."""

    LIVE = "live", _("Live search of camera feeds")
    POST_EVENT = "post_event", _("Post-event search of recorded footage")


class CaseAuthority(models.TextChoices):
    JUDGE = "judge", _("A judge")
    COMMISSION = "commission", _("The commission")


class Case(models.Model):
    Status = CaseStatus
    Authority = CaseAuthority
    Kind = CaseKind

    reference = models.CharField(max_length=20, unique=True)
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="requested_cases")
    # Snapshot: the unit at the time of the request, even if the officer moves on.
    unit = models.CharField(max_length=100, blank=True)

    # R24: a post-event search is a case of its own kind, under the same drafting, four eyes and decision. Its
    # requested (and approved) window is when the search may RUN; the capture-time range below is which footage.
    kind = models.CharField(
        max_length=20,
        choices=CaseKind.choices,
        default=CaseKind.LIVE,
        verbose_name=_("kind of search"),
        help_text=_("Live camera feeds, or footage recorded before the case (post-event search)."),
    )
    capture_start = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("footage recorded from"),
        help_text=_("Post-event search only: the earliest capture time of the footage to search."),
    )
    capture_end = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name=_("footage recorded until"),
        help_text=_("Post-event search only: the latest capture time of the footage to search."),
    )
    # R24: what the decision allowed of the capture-time range (possibly narrower).
    approved_capture_start = models.DateTimeField(null=True, blank=True)
    approved_capture_end = models.DateTimeField(null=True, blank=True)

    # R1
    objective = models.ForeignKey(
        Objective,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("legal objective"),
        help_text=_("The purpose the law allows this search for."),
    )
    offence = models.CharField(
        max_length=300, blank=True, help_text=_("For a suspect search: the offence the person is suspected of.")
    )
    offence_max_sentence_years = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        verbose_name=_("maximum sentence (years)"),
        help_text=_("For a suspect search: the offence's maximum sentence, at least 4 years."),
    )
    # R2
    legal_basis = models.TextField(
        max_length=FREE_TEXT_MAX_LENGTH,
        blank=True,
        help_text=_("The provision of national law the case relies on (needed to submit)."),
    )
    # R4
    evidence = models.TextField(
        max_length=FREE_TEXT_MAX_LENGTH,
        blank=True,
        verbose_name=_("evidence and indications"),
        help_text=_("The objective evidence or clear indications relied on (needed to submit)."),
    )
    harm_assessment = models.TextField(
        max_length=FREE_TEXT_MAX_LENGTH,
        blank=True,
        verbose_name=_("harm if the system is not used"),
        help_text=_("Seriousness, probability and scale of the harm if the system is not used (needed to submit)."),
    )
    rights_impact = models.TextField(
        max_length=FREE_TEXT_MAX_LENGTH,
        blank=True,
        verbose_name=_("impact on rights"),
        help_text=_("The consequences for the rights of everyone affected (needed to submit)."),
    )

    # R6
    authority = models.CharField(
        max_length=20,
        choices=Authority.choices,
        default=Authority.JUDGE,
        verbose_name=_("deciding authority"),
        help_text=_("Who takes the binding decision."),
    )
    assigned_judge = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases_to_decide",
        verbose_name=_("judge"),
        help_text=_("The judge who decides, when the authority is a judge."),
    )

    # R5: what is requested, and what the decision allowed (possibly narrower).
    requested_start = models.DateTimeField(help_text=_("When matching may begin."))
    requested_end = models.DateTimeField(help_text=_("When matching must stop."))
    approved_start = models.DateTimeField(null=True, blank=True)
    approved_end = models.DateTimeField(null=True, blank=True)
    # R13: a face distance, lower is stricter; never laxer than MATCH_THRESHOLD_MAX.
    match_threshold = models.FloatField(
        verbose_name=_("match threshold"), help_text=_("A face distance: lower is stricter.")
    )
    approved_threshold = models.FloatField(null=True, blank=True)

    # R8: a PDF or text document; served only through a permission-checked view.
    impact_assessment = models.FileField(
        upload_to="impact_assessments/%Y/",
        blank=True,
        max_length=300,
        help_text=_(
            "The fundamental-rights and data-protection impact assessment, PDF or plain text (needed to submit)."
        ),
    )

    # R9
    is_urgent = models.BooleanField(default=False)
    urgency_reason = models.TextField(max_length=FREE_TEXT_MAX_LENGTH, blank=True)
    urgent_started_at = models.DateTimeField(null=True, blank=True)

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="revoked_cases"
    )
    revocation_reason = models.TextField(max_length=FREE_TEXT_MAX_LENGTH, blank=True)
    # R9: an urgent use that ends without authorisation must have its data
    # deleted; this records that the deletion is due (the deletion is a later issue).
    data_deletion_due_at = models.DateTimeField(null=True, blank=True)
    # R9: when everything the urgent use produced was deleted (case_data_purge).
    data_purged_at = models.DateTimeField(null=True, blank=True)
    # R19: when the free text and the impact assessment were reduced by the retention schedule.
    text_reduced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [
            ("decide_case", "Can decide on the case as its judge"),
            ("vote_case", "Can vote on the case as a commission member"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=CaseStatus.values), name="case_status_valid"),
            models.CheckConstraint(condition=Q(authority__in=CaseAuthority.values), name="case_authority_valid"),
            models.CheckConstraint(condition=Q(kind__in=CaseKind.values), name="case_kind_valid"),
            # R24: a post-event search names the footage's capture-time range; a live search has none.
            models.CheckConstraint(
                condition=Q(kind="live", capture_start__isnull=True, capture_end__isnull=True)
                | Q(kind="post_event", capture_start__isnull=True, capture_end__isnull=True, status="draft")
                | Q(kind="post_event", capture_end__gt=F("capture_start")),
                name="case_capture_range",
            ),
            models.CheckConstraint(
                condition=Q(approved_capture_start__isnull=True, approved_capture_end__isnull=True)
                | Q(
                    approved_capture_end__gt=F("approved_capture_start"),
                    approved_capture_start__gte=F("capture_start"),
                    approved_capture_end__lte=F("capture_end"),
                ),
                name="case_approved_capture_within_request",
            ),
            models.CheckConstraint(condition=Q(requested_end__gt=F("requested_start")), name="case_requested_window"),
            models.CheckConstraint(
                condition=Q(approved_start__isnull=True, approved_end__isnull=True)
                | Q(
                    approved_end__gt=F("approved_start"),
                    approved_start__gte=F("requested_start"),
                    approved_end__lte=F("requested_end"),
                ),
                name="case_approved_window_within_request",
            ),
            # An approved case always carries the scope its decision fixed (R5, R6).
            models.CheckConstraint(
                condition=~Q(status="approved")
                | Q(approved_start__isnull=False, approved_threshold__isnull=False, decided_at__isnull=False),
                name="case_approved_has_scope",
            ),
            models.CheckConstraint(condition=Q(match_threshold__gt=0), name="case_threshold_positive"),
            models.CheckConstraint(
                condition=Q(approved_threshold__isnull=True)
                | Q(approved_threshold__gt=0, approved_threshold__lte=F("match_threshold")),
                name="case_approved_threshold_not_laxer",
            ),
            # R1(c): a suspect search names the offence and its maximum sentence, at least 4 years.
            models.CheckConstraint(
                condition=~Q(objective_id="suspect") | (Q(offence_max_sentence_years__gte=4) & ~Q(offence="")),
                name="case_suspect_offence_serious",
            ),
            # R9: no urgent start without a written reason.
            models.CheckConstraint(
                condition=Q(is_urgent=False) | (~Q(urgency_reason="") & Q(urgent_started_at__isnull=False)),
                name="case_urgency_justified",
            ),
            # R7: the judge is never the requester.
            models.CheckConstraint(
                condition=Q(assigned_judge__isnull=True) | ~Q(assigned_judge=F("requester")),
                name="case_judge_not_requester",
            ),
            # Target of the composite foreign keys from Decision and Vote (see migration).
            models.UniqueConstraint(fields=["id", "requester"], name="case_id_requester_unique"),
        ]

    def __str__(self):
        return self.reference

    @property
    def is_post_event(self) -> bool:
        return self.kind == CaseKind.POST_EVENT

    @property
    def urgency_hours(self) -> int:
        """R9, R24: an urgent live use lapses after CASE_URGENCY_HOURS; an urgent post-event search must have its
        authorisation requested within POST_EVENT_URGENCY_HOURS (48 at most, AI Act Art. 26(10))."""
        return settings.POST_EVENT_URGENCY_HOURS if self.is_post_event else settings.CASE_URGENCY_HOURS

    @property
    def urgency_ends_at(self):
        if self.urgent_started_at is None:
            return None
        return self.urgent_started_at + timedelta(hours=self.urgency_hours)

    @property
    def effective_capture_range(self):
        """R24: the capture-time range the search may look at: the approved one once decided, else the request."""
        if self.approved_capture_start is not None:
            return self.approved_capture_start, self.approved_capture_end
        return self.capture_start, self.capture_end

    @property
    def effective_threshold(self) -> float:
        return self.approved_threshold if self.approved_threshold is not None else self.match_threshold


# The fields a requester sets on a draft, in the order the form and the case page show them. This one
# declaration drives case_create and case_update_draft, the case form, the API's input and output and the case
# page: a new editable field needs its model field (with verbose_name and help_text), its migration and its
# name here (tests/oversight/test_case_fields.py fails when a consumer disagrees).
CASE_DRAFT_FIELDS = (
    "kind",
    "objective",
    "offence",
    "offence_max_sentence_years",
    "legal_basis",
    "evidence",
    "harm_assessment",
    "rights_impact",
    "authority",
    "assigned_judge",
    "requested_start",
    "requested_end",
    "capture_start",
    "capture_end",
    "match_threshold",
    "impact_assessment",
)

# The case's free text that the retention schedule reduces once the case has ended (R19): the row, its dates and
# counts stay, the words go. Every field keeps a non-empty placeholder so the database constraints still hold.
CASE_FREE_TEXT_FIELDS = (
    "legal_basis",
    "evidence",
    "harm_assessment",
    "rights_impact",
    "urgency_reason",
    "revocation_reason",
)
CASE_TEXT_REMOVED = "(removed under the retention schedule)"

# Labels of the draft fields that have no verbose_name of their own (giving them one would change the
# migrations); the others are labelled, and translated, by their verbose_name.
_DRAFT_FIELD_LABELS = {
    "offence": _("offence"),
    "legal_basis": _("legal basis"),
    "requested_start": _("requested start"),
    "requested_end": _("requested end"),
    "impact_assessment": _("impact assessment"),
}


def case_field_label(name: str):
    """What pages call a field of the request (lower case, translated lazily)."""
    return _DRAFT_FIELD_LABELS.get(name) or Case._meta.get_field(name).verbose_name


class CaseCamera(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="case_cameras")
    camera = models.ForeignKey("oversight.Camera", on_delete=models.PROTECT, related_name="case_cameras")
    # R5: why the persons are expected at this location.
    reason = models.TextField(
        max_length=FREE_TEXT_MAX_LENGTH,
    )
    # A decision may take a camera out of the approved scope.
    in_scope = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "camera"], name="case_camera_unique"),
            models.CheckConstraint(condition=~Q(reason=""), name="case_camera_reason_required"),
        ]

    def __str__(self):
        return f"{self.case_id}:{self.camera_id}"


class ScopeProposal(models.Model):
    """What one decision or vote allows: never wider than the request (R5, R6)."""

    granted = models.BooleanField()
    reasons = models.TextField(max_length=FREE_TEXT_MAX_LENGTH, blank=True)
    scope_start = models.DateTimeField(null=True, blank=True)
    scope_end = models.DateTimeField(null=True, blank=True)
    scope_threshold = models.FloatField(null=True, blank=True)
    scope_person_ids = models.JSONField(default=list, blank=True)
    scope_camera_ids = models.JSONField(default=list, blank=True)
    # R24: a post-event grant may narrow the footage's capture-time range.
    scope_capture_start = models.DateTimeField(null=True, blank=True)
    scope_capture_end = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        constraints = [
            # R6: a refusal states its reasons.
            models.CheckConstraint(condition=Q(granted=True) | ~Q(reasons=""), name="%(class)s_refusal_has_reasons"),
            models.CheckConstraint(
                condition=Q(granted=False)
                | Q(scope_start__isnull=False, scope_end__gt=F("scope_start"), scope_threshold__gt=0),
                name="%(class)s_grant_has_scope",
            ),
        ]


class Decision(ScopeProposal):
    """A judge's binding decision: one per case."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="decision")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="decisions")
    # Copy of case.requester, so that the database can compare the two (R7);
    # a composite foreign key (see migration) keeps it equal to the case's.
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta(ScopeProposal.Meta):
        constraints = [
            *ScopeProposal.Meta.constraints,
            models.CheckConstraint(condition=~Q(decided_by=F("requester")), name="decision_not_by_requester"),
        ]

    def __str__(self):
        return f"{'grant' if self.granted else 'refusal'} by {self.decided_by_id} on {self.case_id}"


class Vote(ScopeProposal):
    """One commission member's vote on a case."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="votes")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="votes")
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta(ScopeProposal.Meta):
        ordering = ["case_id", "id"]
        constraints = [
            *ScopeProposal.Meta.constraints,
            models.UniqueConstraint(fields=["case", "member"], name="vote_one_per_member"),
            models.CheckConstraint(condition=~Q(member=F("requester")), name="vote_not_by_requester"),
        ]

    def __str__(self):
        return f"{'for' if self.granted else 'against'} by {self.member_id} on {self.case_id}"


# django-guardian object permissions with real foreign keys to the case: joins
# instead of generic text ids, so "cases this user may see" is one query.
class CaseUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        pass


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        pass
