"""{% load plain %}: `{{ text|plain }}` shows a message without requirement codes (see oversight.wording)."""

from django import template

from oversight.wording import without_requirement_codes

register = template.Library()


@register.filter
def plain(value) -> str:
    return without_requirement_codes(value) if value else value
