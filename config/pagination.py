"""The API's limit-offset pagination, read strictly (its own module: API views name it through DRF's settings while
config.api, which imports the schema generator, is still loading)."""

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.pagination import LimitOffsetPagination


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """limit and offset as the schema states them: integers within bounds, or the answer is 400 in words.

    DRF's own class ignores a limit it cannot read and passes any offset to the database, where one above 2^63
    fails with a server error; here both are read strictly (an empty value counts as absent).
    """

    max_limit = 500
    max_offset = 2**31 - 1

    def _read(self, request, name: str, *, minimum: int, maximum: int) -> int | None:
        raw = request.query_params.get(name)
        if raw is None or raw == "":
            return None
        if not (raw.isascii() and raw.isdigit()) or not minimum <= int(raw) <= maximum:
            raise exceptions.ValidationError(
                {
                    name: [
                        _("Must be a whole number from %(minimum)s to %(maximum)s.")
                        % {"minimum": minimum, "maximum": maximum}
                    ]
                }
            )
        return int(raw)

    def get_limit(self, request):
        limit = self._read(request, self.limit_query_param, minimum=1, maximum=self.max_limit)
        return self.default_limit if limit is None else limit

    def get_offset(self, request):
        offset = self._read(request, self.offset_query_param, minimum=0, maximum=self.max_offset)
        return offset or 0

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.limit_query_param: {"minimum": 1, "maximum": self.max_limit},
            self.offset_query_param: {"minimum": 0, "maximum": self.max_offset},
        }
        for parameter in parameters:
            parameter["schema"] = {**parameter["schema"], **bounds.get(parameter["name"], {})}
        return parameters
