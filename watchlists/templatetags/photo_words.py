"""{% load photo_words %}: `{{ photo.failure_reason|failure_reason }}` shows a stored failure reason in the reader's
language, without requirement codes (watchlists.wording)."""

from django import template

from oversight.wording import without_requirement_codes
from watchlists.wording import failure_reason_text

register = template.Library()


@register.filter
def failure_reason(value) -> str:
    return without_requirement_codes(failure_reason_text(value)) if value else value
