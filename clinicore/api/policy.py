"""Each API operation declares who may call it; one router class enforces it.

`policy(...)` goes into an operation's `openapi_extra`, so the OpenAPI document itself says the
permission (`x-permission`), whether patients may call it for themselves (`x-patient`) and which
tenant object its path parameters name (`x-object`). The tenant-isolation and role-matrix tests
walk the document and read the same keys, so a new operation is tested as soon as it exists.
"""

import functools
import re

from django.utils.translation import gettext as _
from ninja import Router

from clinicore.api.validation import reject_unstorable_values
from clinicore.clinics.permissions import MATRIX, TWO_FACTOR_REQUIRED, role_has
from clinicore.core.errors import Forbidden, NotAuthenticated

PUBLIC = "public"  # no sign-in needed
AUTHENTICATED = "authenticated"  # any signed-in person, acting for themselves


def policy(perm: str, *, obj: str | None = None, patient: bool = False, **extra) -> dict:
    data = {"x-permission": perm, "x-patient": patient}
    if obj:
        data["x-object"] = obj
    data.update({f"x-{k.replace('_', '-')}": v for k, v in extra.items()})
    return data


# Permissions only owners and administrators hold: refused to them until two-factor is on.
TWO_FACTOR_GATED = frozenset().union(*(MATRIX[r] for r in TWO_FACTOR_REQUIRED)) - frozenset().union(
    *(perms for role, perms in MATRIX.items() if role not in TWO_FACTOR_REQUIRED)
)


def principal_can(principal, perm: str) -> bool:
    if principal is None:
        return False
    if principal.api_key is not None:
        return perm in (principal.api_key.scopes or [])
    if principal.membership is not None:
        return role_has(principal.membership.role, perm)
    return False


def check(request, perm: str, *, patient_allowed: bool) -> None:
    if perm == PUBLIC:
        return
    principal = getattr(request, "auth", None)
    if principal is None:
        raise NotAuthenticated()
    if perm == AUTHENTICATED:
        if principal.user is None:
            raise Forbidden(_("This operation needs a person's sign-in, not an API key."))
        return
    if principal_can(principal, perm):
        if getattr(principal, "two_factor", None) == "enrol" and perm in TWO_FACTOR_GATED:
            raise Forbidden(
                _(
                    "Turn on two-factor authentication (then sign in again with your code) to do this."
                ),
                code="two_factor_required",
            )
        return
    if (
        patient_allowed
        and principal.user is not None
        and principal.membership is None
        and principal.api_key is None
    ):
        return
    if principal.clinic is None and principal.api_key is None:
        raise Forbidden(
            _("Choose the clinic you act for (sign in with a clinic, or send X-Clinic).")
        )
    raise Forbidden(_("Your role cannot do this."))


class ClinicRouter(Router):
    """A Router whose operations must declare a policy, which it enforces before the view runs."""

    def add_api_operation(self, path, methods, view_func, **kwargs):
        extra = kwargs.get("openapi_extra") or {}
        perm = extra.get("x-permission")
        if not perm:
            raise RuntimeError(f"API operation {methods} {path} declares no policy(...).")
        patient_allowed = bool(extra.get("x-patient"))
        if perm == PUBLIC:
            kwargs["auth"] = None  # Router passes auth=NOT_SET explicitly: setdefault would keep it

        @functools.wraps(view_func)
        def guarded(request, *args, **kw):
            check(request, perm, patient_allowed=patient_allowed)
            reject_unstorable_values(kw)
            return view_func(request, *args, **kw)

        super().add_api_operation(path, methods, guarded, **kwargs)
        _document_problems(
            self.path_operations[_ninja_path(path)].operations[-1], public=perm == PUBLIC
        )


def _ninja_path(path: str) -> str:
    # Router.add_api_operation stores `{uuid:x}` paths under `{uuidstr:x}`.
    return re.sub(r"\{uuid:(\w+)\}", r"{uuidstr:\1}", path, flags=re.IGNORECASE)


def _document_problems(operation, *, public: bool) -> None:
    """Adds the problem+json answers the shared layers can give (auth, policy, tenant access,
    validation, state conflicts, rate limits) to the operation's OpenAPI responses, keeping any
    the operation declares itself."""
    from ninja.params.models import BodyModel, FileModel, FormModel

    from clinicore.api.schemas import problem_responses, problem_statuses

    has_body = any(issubclass(m, BodyModel | FormModel | FileModel) for m in operation.models)
    statuses = [
        s
        for s in problem_statuses(method=operation.methods[0], public=public, has_body=has_body)
        if s not in operation.response_models
    ]
    extra = dict(operation.openapi_extra or {})
    responses = problem_responses(statuses)
    responses.update(extra.get("responses", {}))
    extra["responses"] = responses
    operation.openapi_extra = extra
