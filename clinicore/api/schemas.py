"""The error shape every operation may answer with, and the problems documented on each operation.

Errors are raised as clinicore.core.errors and rendered by clinicore.api.errors; this module
makes the OpenAPI document say so, once, for every operation (ClinicRouter calls
`problem_responses`), so clients and schemathesis see the truth without each app repeating it.
"""

from ninja import Schema
from pydantic import Field

from clinicore.api.errors import PROBLEM

PROBLEM_REF = "#/components/schemas/Problem"


class ProblemOut(Schema):
    type: str = Field(..., examples=["https://clinicore.app/problems/not_found"])
    title: str = Field(..., examples=["Not found"])
    status: int = Field(..., examples=[404])
    code: str = Field(..., description="Stable machine-readable code.", examples=["not_found"])
    detail: str = Field(..., examples=["Not found"])
    request_id: str = Field("", description="Quote it to support.")
    fields: dict[str, str] | None = Field(
        None,
        description="Per-field messages of a validation error (field path → message).",
        examples=[{"email": "Enter a valid email address."}],
    )


DESCRIPTIONS = {
    400: "The request could not be read (malformed JSON body).",
    401: "Not signed in, or the token or API key is invalid or expired.",
    403: "Signed in, but this role, key scope or person may not do this.",
    404: "No such object in the clinic you act for.",
    409: "The object's current state does not allow this.",
    413: "The upload is too large.",
    422: "Some fields are invalid; `fields` says which and why.",
    429: "Too many requests; retry after the `Retry-After` seconds.",
}


def problem_statuses(*, method: str, public: bool, has_body: bool) -> list[int]:
    """The problems any operation of this kind can answer with, from the shared layers alone:
    credentials and policy (401/403), tenant access (404), state machines on writes (409),
    validation (422), rate limits (429) and body parsing (400)."""
    # 401 also on public operations: those that take credentials (sign-in, refresh) refuse them.
    statuses = [401, 404, 422, 429]
    if not public:
        statuses += [403]
    if method.upper() != "GET":
        statuses += [409]
    if has_body:
        statuses += [400]
    return sorted(statuses)


def problem_responses(statuses) -> dict:
    """OpenAPI `responses` entries for these statuses, each an application/problem+json body."""
    return {
        str(status): {
            "description": DESCRIPTIONS.get(status, "A problem."),
            "content": {PROBLEM: {"schema": {"$ref": PROBLEM_REF}}},
        }
        for status in statuses
    }


def problem_component() -> dict:
    return ProblemOut.model_json_schema(ref_template="#/components/schemas/{model}")
