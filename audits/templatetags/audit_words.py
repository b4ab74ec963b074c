"""Template filters for the audit trail's machine values (audits.wording)."""

from django import template

from audits import wording

register = template.Library()
register.filter("actor_words", wording.actor_words)
