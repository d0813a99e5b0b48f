"""Access functions: the only way interfaces reach a clinic and check what a person may do there."""

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _

from clinicore.clinics.models import Clinic, Membership
from clinicore.clinics.permissions import role_has
from clinicore.core.errors import Forbidden, NotFound


def clinic_get_by_slug(slug: str, *, include_suspended: bool = False) -> Clinic:
    try:
        clinic = Clinic.objects.get(slug=slug)
    except Clinic.DoesNotExist:
        raise NotFound(_("No clinic at this address."), code="clinic_not_found") from None
    if not include_suspended and not clinic.is_active:
        raise NotFound(_("This clinic is not taking visitors right now."), code="clinic_not_found")
    return clinic


def clinic_get_by_id(clinic_id) -> Clinic:
    try:
        return Clinic.objects.get(pk=clinic_id)
    except (Clinic.DoesNotExist, ValueError):
        raise NotFound(_("Clinic not found."), code="clinic_not_found") from None


def membership_get(user, clinic: Clinic) -> Membership | None:
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return None
    return (
        Membership.objects.select_related("user")
        .filter(clinic=clinic, user=user, is_active=True)
        .first()
    )


def membership_require(user, clinic: Clinic, perm: str | None = None) -> Membership:
    """The person's active membership at `clinic`, with `perm` if given.

    A person with no membership gets 404 (the clinic's workspace does not exist for them);
    a member whose role lacks the permission gets 403.
    """
    membership = membership_get(user, clinic)
    if membership is None:
        raise NotFound(_("Not found."), code="not_found")
    if perm and not role_has(membership.role, perm):
        raise Forbidden(
            _("Your role (%(role)s) cannot do this.") % {"role": membership.get_role_display()}
        )
    return membership


def memberships_for(user):
    if not user.is_authenticated:
        return Membership.objects.none()
    return (
        Membership.objects.select_related("clinic")
        .filter(user=user, is_active=True, clinic__status=Clinic.Status.ACTIVE)
        .order_by("clinic__name")
    )


def _uuid_or_404(value, message: str, code: str):
    import uuid

    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFound(message, code=code) from None


def membership_get_for_clinic(*, clinic: Clinic, membership_id) -> Membership:
    """A staff membership of `clinic` (active or not); 404 for another clinic's."""
    pk = _uuid_or_404(membership_id, _("Staff member not found."), "membership_not_found")
    try:
        return Membership.objects.select_related("user", "clinic").get(clinic=clinic, pk=pk)
    except Membership.DoesNotExist:
        raise NotFound(_("Staff member not found."), code="membership_not_found") from None


def branch_get_for_clinic(*, clinic: Clinic, branch_id):
    from clinicore.clinics.models import Branch

    pk = _uuid_or_404(branch_id, _("Branch not found."), "branch_not_found")
    try:
        return Branch.objects.get(clinic=clinic, pk=pk)
    except Branch.DoesNotExist:
        raise NotFound(_("Branch not found."), code="branch_not_found") from None
