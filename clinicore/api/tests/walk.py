"""What the two walkers walk: every API operation of the OpenAPI document and every workspace page.

Both lists are built once, at import (collection) time, from the running code, so a route added
by any app is walked on the next run without touching these tests.
"""

import json
import re
import uuid
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver

from clinicore.api.policy import AUTHENTICATED, PUBLIC
from clinicore.core.testing import OBJECT_FACTORIES, REQUEST_BODIES, load_registries

METHODS = ("get", "post", "put", "patch", "delete")
API_PREFIX = "/api/v1/"
WORKSPACE_PREFIX = "c/<slug:clinic_slug>/desk/"


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    permission: str | None
    patient: bool
    kind: str | None
    path_params: tuple[str, ...]
    query: tuple[tuple[str, str], ...]  # required query parameters and a value for each
    has_body: bool

    @property
    def key(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def is_public(self) -> bool:
        return self.permission == PUBLIC

    @property
    def is_authenticated_only(self) -> bool:
        return self.permission == AUTHENTICATED


def openapi_schema() -> dict:
    from clinicore.api.core import api

    return api.get_openapi_schema(path_prefix=API_PREFIX)


def _query_value(param: dict) -> str:
    schema = param.get("schema", {})
    for source in (param, schema):
        if "example" in source:
            return str(source["example"])
        if source.get("examples"):
            examples = source["examples"]
            first = examples[0] if isinstance(examples, list) else next(iter(examples.values()))
            return str(first.get("value", first) if isinstance(first, dict) else first)
    if schema.get("type") == "integer":
        return str(schema.get("minimum", 1))
    if schema.get("type") == "boolean":
        return "true"
    # Search terms: one letter matches most names, so a leak across clinics would show.
    return "a"


def operations(schema: dict) -> list[Operation]:
    found = []
    for path, item in sorted(schema.get("paths", {}).items()):
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            params = op.get("parameters", [])
            found.append(
                Operation(
                    method=method,
                    path=path,
                    permission=op.get("x-permission"),
                    patient=bool(op.get("x-patient")),
                    kind=op.get("x-object"),
                    path_params=tuple(p["name"] for p in params if p.get("in") == "path"),
                    query=tuple(
                        (p["name"], _query_value(p))
                        for p in params
                        if p.get("in") == "query" and p.get("required")
                    ),
                    has_body="requestBody" in op,
                )
            )
    return found


def problems_of(op: Operation) -> list[str]:
    """Why an operation cannot be walked; each problem names what its author must add."""
    problems = []
    if not op.permission:
        problems.append(f"{op.key} declares no x-permission: pass openapi_extra=policy(...).")
    if op.path_params and not op.kind:
        problems.append(
            f"{op.key} has path parameters {list(op.path_params)} but no x-object: "
            'pass policy(..., obj="<kind>").'
        )
    if op.kind and op.kind not in OBJECT_FACTORIES:
        problems.append(
            f'{op.key} names x-object "{op.kind}" but no app registers '
            f'@object_factory("{op.kind}") in clinicore/<app>/testing.py.'
        )
    if op.has_body and op.key not in REQUEST_BODIES:
        problems.append(
            f'{op.key} takes a JSON body but no app registers @request_body("{op.key}") '
            "in clinicore/<app>/testing.py."
        )
    return problems


def path_values(op_params, kind: str, made) -> dict:
    """Path parameter values for the object a factory made: the `<kind>_id` parameter gets its
    pk, other `<x>_id` parameters get the object's `<x>_id` attribute (its parent)."""
    if isinstance(made, dict):
        return {name: str(made[name]) for name in op_params}
    values = {}
    for name in op_params:
        if name in (f"{kind}_id", "id", kind) or len(op_params) == 1:
            values[name] = str(made.pk)
        elif hasattr(made, name):
            values[name] = str(getattr(made, name))
        else:
            raise AssertionError(
                f"Cannot fill path parameter {name!r} from a {kind!r} object; make the factory "
                "return a dict of path parameters."
            )
    return values


def fill(path: str, values: dict) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)


def snapshot(made) -> dict | None:
    if isinstance(made, dict):
        made = made.get("_object")
    if made is None or not hasattr(made, "_meta"):
        return None
    return made.__class__._default_manager.filter(pk=made.pk).values().first()


UUID_RE = re.compile(
    r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"
)


def uuids_in(payload) -> set[str]:
    return {uuid.UUID(m).hex for m in UUID_RE.findall(json.dumps(payload))}


# --- Workspace pages --------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    route: str  # e.g. "c/<slug:clinic_slug>/desk/patients/<uuid:patient_id>/"
    name: str
    view: object = field(compare=False, hash=False)

    @property
    def kwargs(self) -> tuple[str, ...]:
        return tuple(re.findall(r"<(?:\w+:)?(\w+)>", self.route))

    @property
    def permission(self):
        return getattr(self.view, "workspace_permission", None)

    @property
    def declared(self) -> bool:
        return hasattr(self.view, "workspace_permission")

    @property
    def methods(self) -> tuple[str, ...]:
        """Pages answer GET unless the view says otherwise (`workspace_methods = ("POST",)`)."""
        return tuple(getattr(self.view, "workspace_methods", ("GET",)))


def _walk(patterns, prefix=""):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route, entry


def workspace_pages() -> list[Page]:
    pages = []
    for route, entry in _walk(get_resolver().url_patterns):
        if route.startswith(WORKSPACE_PREFIX):
            pages.append(Page(route=route, name=entry.name or "", view=entry.callback))
    return sorted(pages, key=lambda p: p.route)


def page_url(page: Page, values: dict) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), page.route)


def page_values(page: Page, clinic, world) -> dict:
    values = {}
    for name in page.kwargs:
        if name == "clinic_slug":
            values[name] = clinic.slug
            continue
        kind = name[:-3] if name.endswith("_id") else name
        factory = OBJECT_FACTORIES.get(kind)
        if factory is None:
            raise AssertionError(
                f"Page /{page.route} needs <{name}>, but no app registers "
                f'@object_factory("{kind}") in clinicore/<app>/testing.py.'
            )
        made = factory(world, clinic)
        values[name] = made[name] if isinstance(made, dict) else made.pk
    return values


load_registries()
SCHEMA = openapi_schema()
OPERATIONS = operations(SCHEMA)
PAGES = workspace_pages()


def body_preview(response, limit: int = 400) -> bytes:
    """The start of a response body for failure messages; streamed files are not read."""
    if getattr(response, "streaming", False):
        return b"<streamed body>"
    return response.content[:limit]
