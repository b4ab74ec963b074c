"""How the register's figures read: banded counts in words, rates as percentages, in the reader's language."""

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from office.reports.figures import percent
from oversight.conditions import condition_words
from oversight.models import CaseAuthority, Opinion
from oversight.roles import Role, user_has_role
from transparency.selectors import BAND_BELOW

register = template.Library()


@register.filter
def count(value) -> str:
    """A published count: a band in words ("fewer than 5"), "not shown" (hidden to protect a band), or the number."""
    if value is None:
        return _("not shown")
    if isinstance(value, str):
        return _("fewer than %(n)s") % {"n": BAND_BELOW}
    return number_format(value, force_grouping=True)


@register.filter
def share(value, digits=2) -> str:
    """A published rate as a percentage, or why it is not shown."""
    if value is None:
        return _("not shown")
    return percent(value, int(digits))


@register.filter
def hours(value) -> str:
    return number_format(value, 1, force_grouping=True)


@register.filter
def get(mapping, key):
    return mapping.get(key)


@register.filter
def translated(value) -> str:
    """A label stored in English (an objective of the closed list), in the reader's language."""
    return _(value) if value else ""


@register.filter
def authority(value) -> str:
    return str(CaseAuthority(value).label) if value in CaseAuthority.values else value


@register.filter
def opinion(value) -> str:
    return str(Opinion(value).label) if value in Opinion.values else _("not given yet")


@register.filter
def enforced_conditions(deployment) -> list[str]:
    return condition_words(deployment)


@register.filter
def sees_withholdings(user) -> bool:
    """Whether the nav offers the withholdings page: the office, judges and commission members."""
    return user.has_perm("oversight.view_office_reports") or any(
        user_has_role(user, role) for role in (Role.JUDGE, Role.COMMISSION_MEMBER)
    )


OUTCOME_WORDS = (
    ("outcome_arrested", gettext_lazy("arrested")),
    ("outcome_engaged", gettext_lazy("engaged")),
    ("outcome_no_action", gettext_lazy("no action")),
    ("outcome_other", gettext_lazy("other")),
    ("outcome_not_recorded", gettext_lazy("not recorded")),
)


@register.filter
def outcomes(counts: dict) -> list[tuple[str, object]]:
    """The outcomes of confirmed alerts that occurred (a band or a hidden count counts as occurred), in words."""
    return [(str(label), counts[key]) for key, label in OUTCOME_WORDS if counts.get(key) != 0]
