"""API-wide helpers: one error shape for every refusal, and a schema that documents it.

Every operation's documented answers include its refusals, added here once rather than on each
view (one declaration per fact): 403 for every operation (not signed in, no second factor, CSRF,
not the user's action), 404 where the path names an object (or a cursor names a page), and 400
with field errors for every write. The shapes are ErrorDetailOutput and ValidationErrorOutput.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import exceptions, serializers
from rest_framework.pagination import CursorPagination, LimitOffsetPagination
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """Turn service-layer errors into API errors.

    Services raise django.core.exceptions.ValidationError with a field dict
    (so the message names the field); those become 400 with the same dict.
    """
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = {field: [str(m) for e in errors for m in e.messages] for field, errors in exc.error_dict.items()}
        else:
            detail = {"non_field_errors": [str(m) for m in exc.messages]}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    return drf_exception_handler(exc, context)


# ---------------------------------------------------------------- documented error answers


class ErrorDetailOutput(serializers.Serializer):
    """A refusal: 403 (why the action is not the user's) or 404 (missing, or not the user's to see)."""

    detail = serializers.CharField(help_text="Why, in plain words.")


class ValidationErrorOutput(serializers.Serializer):
    """A 400: each field named with its messages; rules spanning fields under `non_field_errors`.

    Its schema is written by ValidationErrorSchema below: the keys are the input's field names
    (rows of a list as `persons[0].category`), which no fixed list of properties can describe.
    """


class ValidationErrorSchema(OpenApiSerializerExtension):
    target_class = ValidationErrorOutput

    def map_serializer(self, auto_schema, direction):
        messages = {"type": "array", "items": {"type": "string"}}
        return {
            "type": "object",
            "description": "Field name to its messages; `non_field_errors` for rules spanning fields. "
            "Items of a list field are keyed by their index; a body that could not be read: `detail`.",
            # Messages, or the errors of a list's items or a nested object keyed by index or name.
            # A body that could not be read at all (malformed JSON) is answered with `detail` alone.
            "properties": {"detail": {"type": "string", "description": "Why the body could not be read."}},
            "additionalProperties": {"anyOf": [messages, {"type": "object"}]},
            "example": {"requested_end": ["The end must be after the start."]},
        }


ERROR_DESCRIPTIONS = {
    "400": "The input was refused: each field (or query parameter) named with its messages.",
    "403": "Not signed in (or second factor not confirmed), CSRF token missing, or the action is not the user's.",
    "404": "Not found, or not the user's to see (both answer alike).",
}
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def error_codes_for(*, method: str, path: str, paginator=None) -> list[str]:
    """The refusals an operation may answer (the rule AutoSchema applies to every operation)."""
    codes = ["403"]
    if method in UNSAFE_METHODS or isinstance(paginator, LimitOffsetPagination):
        codes.append("400")  # a refused body, or a limit or offset outside its bounds (config.pagination)
    if "{" in path or isinstance(paginator, CursorPagination):
        codes.append("404")  # an object in the path, or a cursor naming a page that is not there
    return sorted(codes)


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, with every operation's error answers documented."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in error_codes_for(method=self.method, path=self.path, paginator=self._get_paginator()):
            if code in responses:  # a view documented its own
                continue
            body = ValidationErrorOutput if code == "400" else ErrorDetailOutput
            response = self._get_response_for_code(body, code, direction=direction)
            response["description"] = ERROR_DESCRIPTIONS[code]
            responses[code] = response
        return responses
