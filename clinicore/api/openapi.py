"""The NinjaAPI whose OpenAPI document tells the truth about errors and wall-clock times, and
which answers an address under /api/v1/ that names no operation with a problem+json 404.

It publishes the shared Problem schema the operations' error answers refer to, and documents
times of day as what they are: wall-clock times in the clinic's (or person's) zone, written
`HH:MM[:SS]` without an offset. Pydantic labels them JSON Schema `format: time`, which means an
RFC 3339 time *with* an offset, so validators and clients would expect one we never send.
"""

from django.urls import re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI

from clinicore.api.errors import problem
from clinicore.api.schemas import problem_component

LOCAL_TIME = {
    "type": "string",
    "format": "partial-time",
    "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$",
}


def _local_times(node) -> None:
    if isinstance(node, dict):
        if node.get("format") == "time" and node.get("type") == "string":
            node.update(LOCAL_TIME)
        for value in node.values():
            _local_times(value)
    elif isinstance(node, list):
        for value in node:
            _local_times(value)


class ClinicoreAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {}).setdefault(
            "Problem", problem_component()
        )
        _local_times(schema)
        return schema

    def _get_urls(self):
        # Last, so it only catches what no operation matched (a typo, a malformed id segment).
        return [*super()._get_urls(), re_path(r"^.*$", _no_operation, name="no-operation")]


@csrf_exempt
def _no_operation(request, *args, **kwargs):
    return problem(
        request,
        status=404,
        code="not_found",
        title=_("Not found"),
        detail=_("No API operation at this address; see /api/v1/docs."),
    )
