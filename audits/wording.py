"""How the audit trail's machine values read on a page or in a report: the actors the platform itself records (no
user), in the reader's language. Stored values are never changed; only their wording on display."""

from django.utils.translation import gettext as _


def actor_words(event) -> str:
    """The event's actor: a user's name as recorded, or what acted for the platform, in words."""
    label = event.actor_label or ""
    if event.actor_id:
        return label
    if label == "system":
        return _("the platform (scheduler or worker)")
    if label == "commission":
        return _("the commission (by its vote)")
    if label == "anonymous":
        return _("someone not signed in")
    if label.startswith("command:"):
        return _("operator command %(name)s") % {"name": label.removeprefix("command:")}
    return label
