"""The platform's statement of the rules it enforces, read from what enforces them: the settings checked at start-up,
the enabled legal objectives, and THE retention schedule (office.services.retention.SCHEDULE). Change a setting or
a rule and the page says so; nothing here restates a number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from office.services.retention import SCHEDULE
from oversight.models import Objective
from oversight.retention import RetentionRule
from recognition.services.alerts import CONFIRMATIONS_REQUIRED

_CODE = re.compile(r"\s*\((?:case_ended_at)\)")
_SETTING = re.compile(r"\b[A-Z][A-Z0-9_]*_(DAYS|HOURS)\b")


def _period_words(value: int, unit: str) -> str:
    if unit == "hours":
        return ngettext("%(n)s hour", "%(n)s hours", value) % {"n": value}
    return ngettext("%(n)s day", "%(n)s days", value) % {"n": value}


def _public(text: str) -> str:
    """A schedule line's words for the public: translated, developers' names replaced by what they mean."""
    words = _CODE.sub("", _(text))
    return _SETTING.sub(
        lambda m: _period_words(getattr(settings, m.group(0)), "hours" if m.group(1) == "HOURS" else "days"), words
    )


@dataclass(frozen=True)
class RetentionLine:
    data: str
    clock: str
    period: str
    action: str


def retention_lines(schedule: tuple[RetentionRule, ...] = SCHEDULE) -> list[RetentionLine]:
    lines = []
    for rule in schedule:
        value = getattr(settings, rule.setting)
        lines.append(
            RetentionLine(
                data=_public(rule.data),
                clock=_public(rule.clock),
                period=_period_words(value, rule.unit),
                action=_("reduced to dates and counts") if rule.action == "reduce" else _("deleted"),
            )
        )
    lines.append(
        RetentionLine(
            data=_("The audit trail: every query, decision, view and deletion"),
            clock=_("the event"),
            period=_period_words(settings.AUDIT_RETENTION_DAYS, "days"),
            action=_("deleted after it was archived"),
        )
    )
    return lines


def case_rules() -> dict:
    """What a case needs and who decides, with the values the platform enforces now."""
    majority = number_format(settings.COMMISSION_MAJORITY * 100, 0)
    return {
        "objectives": [o.display_label for o in Objective.objects.filter(enabled=True).order_by("label")],
        "needs": [
            _(
                "a legal objective the law enables, the provision of national law it relies on, the evidence or "
                "clear indications, the harm if the system is not used and the impact on everyone's rights"
            ),
            _("a fundamental-rights and data-protection impact assessment"),
            _("the named persons sought, each with a reference photo showing only that person"),
            ngettext(
                "at most %(n)s camera, each with the reason the persons are expected there, and only cameras of a "
                "deployment on which the data protection office's opinion is not unfavourable",
                "at most %(n)s cameras, each with the reason the persons are expected there, and only cameras of a "
                "deployment on which the data protection office's opinion is not unfavourable",
                settings.CASE_MAX_CAMERAS,
            )
            % {"n": settings.CASE_MAX_CAMERAS},
            ngettext(
                "a time window of at most %(n)s hour",
                "a time window of at most %(n)s hours",
                settings.CASE_MAX_DURATION_HOURS,
            )
            % {"n": settings.CASE_MAX_DURATION_HOURS},
            _("a match threshold no laxer than %(max)s (a face distance: lower is stricter)")
            % {"max": number_format(settings.MATCH_THRESHOLD_MAX, 2)},
        ],
        "deciders": [
            _("A judge decides alone, or the commission decides by vote."),
            ngettext(
                "The commission decides once %(quorum)s member has voted, by more than %(majority)s %% of the votes.",
                "The commission decides once %(quorum)s members have voted, by more than %(majority)s %% of the votes.",
                settings.COMMISSION_QUORUM,
            )
            % {"quorum": settings.COMMISSION_QUORUM, "majority": majority},
            _("Nobody decides on a request they made."),
            ngettext(
                "In an emergency the police may start before the decision, for at most %(n)s hour; if the use is "
                "not authorised, everything it produced is deleted.",
                "In an emergency the police may start before the decision, for at most %(n)s hours; if the use is "
                "not authorised, everything it produced is deleted.",
                settings.CASE_URGENCY_HOURS,
            )
            % {"n": settings.CASE_URGENCY_HOURS},
            ngettext(
                "A match becomes an alert police may act on only after %(n)s person has confirmed it.",
                "A match becomes an alert police may act on only after %(n)s different people have confirmed it.",
                CONFIRMATIONS_REQUIRED,
            )
            % {"n": CONFIRMATIONS_REQUIRED},
            _("Faces that match nobody are discarded at once: only their number is kept."),
            ngettext(
                "Faces narrower than %(n)s pixel are never compared with anyone.",
                "Faces narrower than %(n)s pixels are never compared with anyone.",
                settings.RECOGNITION_MIN_FACE_PX,
            )
            % {"n": settings.RECOGNITION_MIN_FACE_PX},
        ],
    }
