"""{% load plain %}: `{{ text|plain }}` shows a message without requirement codes (see oversight.wording)."""

from django import template

from oversight.wording import camera_error_text, without_requirement_codes

register = template.Library()


@register.filter
def plain(value) -> str:
    return without_requirement_codes(value) if value else value


@register.filter
def camera_error(value) -> str:
    """`{{ camera.last_error|camera_error }}`: a worker's camera error in the reader's language."""
    return camera_error_text(value) if value else value
