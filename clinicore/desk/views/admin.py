"""Staff, clinic settings and the audit log: pages for owners, administrators and managers."""

import datetime as dt
import re
import uuid
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth import login
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from clinicore.accounts.models import TwoFactorDevice
from clinicore.billing import gateway as billing_gateway
from clinicore.billing import services as billing_services
from clinicore.billing.models import GatewayAccount, Provider
from clinicore.clinics import services as clinics
from clinicore.clinics.models import Branch, Clinic, Membership
from clinicore.clinics.permissions import Perm, Role, role_has
from clinicore.core.errors import DomainError, Forbidden, InvalidInput, NotFound
from clinicore.core.models import AuditEntry
from clinicore.core.money import CURRENCIES
from clinicore.desk import invites
from clinicore.desk.models import StaffInvite
from clinicore.desk.views.common import can, clinic_view
from clinicore.scheduling import selectors as sched
from clinicore.scheduling import services as scheduling
from clinicore.scheduling.access import service_get_for_clinic
from clinicore.scheduling.models import MAX_BUFFER_MINUTES, Mode, Service


def _member(clinic, membership_id) -> Membership:
    member = (
        Membership.objects.select_related("user").filter(clinic=clinic, pk=membership_id).first()
    )
    if member is None:
        raise NotFound(_("Staff member not found."), code="membership_not_found")
    return member


@clinic_view(Perm.STAFF_READ, methods=("GET", "POST"))
def staff(request):
    clinic = request.clinic
    manage = can(request, Perm.STAFF_MANAGE)
    if request.method == "POST":
        if not manage:
            raise Forbidden(_("Your role cannot change staff."))
        action = request.POST.get("action")
        try:
            if action == "invite":
                invite, _link = invites.staff_invite(
                    clinic=clinic,
                    actor=request.user,
                    email=request.POST.get("email", ""),
                    role=request.POST.get("role", ""),
                    full_name=request.POST.get("full_name", ""),
                )
                messages.success(
                    request, _("Invitation sent to %(email)s.") % {"email": invite.email}
                )
            elif action in ("role", "deactivate"):
                member = _member(clinic, request.POST.get("membership_id"))
                if action == "role":
                    clinics.staff_update(
                        membership=member, actor=request.user, role=request.POST.get("role", "")
                    )
                    messages.success(
                        request,
                        _("%(name)s is now %(role)s.")
                        % {"name": member.display_name, "role": Role(request.POST["role"]).label},
                    )
                else:
                    clinics.staff_deactivate(membership=member, actor=request.user)
                    messages.success(
                        request, _("%(name)s no longer has access.") % {"name": member.display_name}
                    )
            elif action == "revoke":
                StaffInvite.objects.filter(
                    clinic=clinic, pk=request.POST.get("invite_id"), accepted_at__isnull=True
                ).update(revoked_at=dt.datetime.now(dt.UTC))
                messages.success(request, _("Invitation withdrawn."))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("desk:staff", clinic_slug=clinic.slug)
    members = list(
        Membership.objects.filter(clinic=clinic)
        .select_related("user")
        .order_by("-is_active", "role", "user__full_name")
    )
    with_2fa = set(
        TwoFactorDevice.objects.filter(
            user__in=[m.user_id for m in members], confirmed_at__isnull=False
        ).values_list("user_id", flat=True)
    )
    pending = StaffInvite.objects.filter(
        clinic=clinic,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=dt.datetime.now(dt.UTC),
    )
    return render(
        request,
        "desk/staff.html",
        {
            "nav": "staff",
            "members": members,
            "with_2fa": with_2fa,
            "roles": Role.choices,
            "manage": manage,
            "pending": pending,
            "schedule_manage": can(request, Perm.SCHEDULE_MANAGE),
        },
    )


def _int(value, name, low, high) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(
            _("%(name)s must be a whole number.") % {"name": name},
            fields={name: _("Whole number.")},
        ) from None
    if not low <= number <= high:
        raise InvalidInput(
            _("%(name)s must be between %(low)s and %(high)s.")
            % {"name": name, "low": low, "high": high},
            fields={name: f"{low}–{high}"},
        )
    return number


SECTIONS = ("profile", "booking", "services", "branches", "payments", "notifications")


@clinic_view(Perm.CLINIC_MANAGE, methods=("GET", "POST"))
def settings_page(request):
    clinic = request.clinic
    if request.method == "POST":
        section = request.POST.get("section", "")
        try:
            _save_section(request, clinic, section)
            messages.success(request, _("Settings saved."))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect(f"{request.path}#{section}")
    import zoneinfo

    from django.conf import settings as dj

    rules = sched.booking_rules(clinic)
    return render(
        request,
        "desk/settings.html",
        {
            "nav": "settings",
            "clinic": clinic,
            "rules": rules,
            "services": Service.objects.filter(clinic=clinic)
            .prefetch_related("practitioners")
            .order_by("-is_active", "name"),
            "practitioners": list(sched.practitioners_of(clinic)),
            "modes": Mode.choices,
            "new_service": Service(clinic=clinic, currency=clinic.currency),
            "branches": Branch.objects.filter(clinic=clinic).prefetch_related("rooms"),
            "billing": billing_services.billing_settings_for(clinic),
            "gateways": {g.provider: g for g in GatewayAccount.objects.filter(clinic=clinic)},
            "providers": [
                (v, label)
                for v, label in Provider.choices
                if v in ("sandbox", "stripe", "razorpay", "upi")
            ],
            "kinds": Clinic.Kind.choices,
            "languages": dj.LANGUAGES,
            "time_zones": sorted(zoneinfo.available_timezones()),
            "currencies": CURRENCIES,
            "notification_links": _notification_links(clinic),
        },
    )


def _notification_links(clinic):
    from django.urls import NoReverseMatch, reverse

    links = []
    for name, label in (
        ("notifications-desk:templates", _("Message templates")),
        ("notifications-desk:outbox", _("Outbox")),
        ("notifications-desk:channels", _("Channels")),
    ):
        try:
            links.append((reverse(name, kwargs={"clinic_slug": clinic.slug}), label))
        except NoReverseMatch:
            continue
    return links


COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def _service_form(post) -> tuple[dict, list[uuid.UUID]]:
    """The service editor's fields, and who offers the service (the ticked practitioners)."""
    fields = {
        "name": (post.get("name") or "").strip()[:150],
        "description": (post.get("description") or "").strip()[:2000],
        "mode": post.get("mode", ""),
        "currency": (post.get("currency") or "").strip().upper()[:3],
        "colour": (post.get("colour") or "").strip(),
        "duration_minutes": _int(post.get("duration_minutes"), "duration_minutes", 5, 720),
        "buffer_before_minutes": _int(
            post.get("buffer_before_minutes") or 0, "buffer_before_minutes", 0, MAX_BUFFER_MINUTES
        ),
        "buffer_after_minutes": _int(
            post.get("buffer_after_minutes") or 0, "buffer_after_minutes", 0, MAX_BUFFER_MINUTES
        ),
        "min_notice_minutes": _int(
            post.get("min_notice_minutes"), "min_notice_minutes", 0, 60 * 24 * 30
        ),
        "booking_window_days": _int(post.get("booking_window_days"), "booking_window_days", 1, 730),
        "cancellation_cutoff_hours": _int(
            post.get("cancellation_cutoff_hours"), "cancellation_cutoff_hours", 0, 24 * 14
        ),
        "payment_required": post.get("payment_required") == "on",
    }
    try:
        fields["price"] = Decimal(post.get("price") or "0")
    except InvalidOperation:
        raise InvalidInput(
            _("Enter a price such as 500 or 499.50."), fields={"price": _("Not an amount.")}
        ) from None
    if not fields["name"]:
        raise InvalidInput(_("The service needs a name."), fields={"name": _("Required.")})
    if not COLOUR.fullmatch(fields["colour"]):
        raise InvalidInput(
            _("Choose a colour such as #2563eb."), fields={"colour": _("Six hex digits after #.")}
        )
    try:
        practitioner_ids = [uuid.UUID(v) for v in post.getlist("practitioner_ids")]
    except ValueError:
        raise InvalidInput(
            _("Some practitioners are not practitioners of this clinic."),
            fields={"practitioner_ids": _("Unknown practitioner.")},
        ) from None
    return fields, practitioner_ids


def _save_section(request, clinic, section):
    post = request.POST
    actor = request.user
    if section == "profile":
        data = {
            name: post.get(name, "")
            for name in (
                "name",
                "kind",
                "tagline",
                "about",
                "phone",
                "email",
                "website",
                "address_line",
                "city",
                "state",
                "postal_code",
                "country",
                "time_zone",
                "currency",
                "default_language",
                "upi_vpa",
            )
        }
        clinics.clinic_update(clinic=clinic, actor=actor, **data)
        if request.FILES.get("logo"):
            logo = request.FILES["logo"]
            if logo.size > 1024 * 1024 or not (logo.content_type or "").startswith("image/"):
                raise InvalidInput(_("The logo must be an image under 1 MB."))
            clinic.logo.save(f"{clinic.slug}-{logo.name[-40:]}", logo, save=True)
    elif section == "booking":
        clinics.clinic_update(
            clinic=clinic,
            actor=actor,
            slot_step_minutes=_int(post.get("slot_step_minutes"), "slot_step_minutes", 5, 120),
        )
        scheduling.booking_rules_update(
            clinic=clinic,
            actor=actor,
            max_open_per_patient=_int(
                post.get("max_open_per_patient"), "max_open_per_patient", 1, 50
            ),
            hold_minutes=_int(post.get("hold_minutes"), "hold_minutes", 2, 60),
        )
        billing_services.billing_settings_update(
            clinic=clinic,
            actor=actor,
            refund_full_hours=_int(post.get("refund_full_hours"), "refund_full_hours", 0, 24 * 14),
            refund_late_percent=_int(
                post.get("refund_late_percent"), "refund_late_percent", 0, 100
            ),
        )
    elif section == "services":
        fields, practitioner_ids = _service_form(post)
        if post.get("service_id"):
            service = service_get_for_clinic(clinic=clinic, service_id=post["service_id"])
            scheduling.service_update(
                service=service, actor=actor, practitioner_ids=practitioner_ids, **fields
            )
        else:
            scheduling.service_create(
                clinic=clinic, actor=actor, practitioner_ids=practitioner_ids, **fields
            )
    elif section == "branches":
        if post.get("branch_id"):
            branch = Branch.objects.filter(clinic=clinic, pk=post["branch_id"]).first()
            if branch is None:
                raise NotFound(_("Branch not found."), code="branch_not_found")
            clinics.room_create(
                branch=branch, actor=actor, name=(post.get("room_name") or "").strip()[:100]
            )
        else:
            clinics.branch_create(
                clinic=clinic,
                actor=actor,
                name=(post.get("name") or "").strip()[:200],
                address_line=(post.get("address_line") or "").strip()[:300],
                city=(post.get("city") or "").strip()[:100],
            )
    elif section == "payments":
        provider = post.get("provider", "")
        if provider in (Provider.STRIPE, Provider.RAZORPAY):
            billing_gateway.gateway_account_set(
                clinic=clinic,
                actor=actor,
                provider=provider,
                public_key=post.get("public_key", ""),
                secret_key=post.get("secret_key", ""),
                webhook_secret=post.get("webhook_secret", ""),
                is_active=post.get("is_active") == "on",
            )
        else:
            billing_services.billing_settings_update(
                clinic=clinic,
                actor=actor,
                default_provider=post.get("default_provider", ""),
                payment_due_days=_int(post.get("payment_due_days"), "payment_due_days", 0, 365),
            )
    else:
        raise InvalidInput(_("Unknown settings section."))


@clinic_view(Perm.AUDIT_READ, methods=("GET",))
def audit(request):
    """Who did what, when and from where; filters by person, action, entity and dates."""
    clinic = request.clinic
    qs = AuditEntry.objects.filter(clinic_id=clinic.pk)
    f = {
        k: request.GET.get(k, "").strip()[:100]
        for k in ("actor", "action", "entity", "entity_id", "since", "until")
    }
    if f["actor"]:
        qs = qs.filter(actor_label__icontains=f["actor"])
    if f["action"]:
        qs = qs.filter(action__startswith=f["action"])
    if f["entity"]:
        qs = qs.filter(entity_type=f["entity"])
    if f["entity_id"]:
        qs = qs.filter(entity_id=f["entity_id"])
    for key, lookup in (("since", "at__date__gte"), ("until", "at__date__lte")):
        if f[key]:
            try:
                qs = qs.filter(**{lookup: dt.date.fromisoformat(f[key])})
            except ValueError:
                messages.error(request, _("Dates look like 2026-03-31."))
    page = Paginator(qs.order_by("-at", "-id"), 50).get_page(request.GET.get("page"))
    entity_types = (
        AuditEntry.objects.filter(clinic_id=clinic.pk)
        .order_by()
        .values_list("entity_type", flat=True)
        .distinct()[:50]
    )
    return render(
        request,
        "desk/audit.html",
        {
            "nav": "audit",
            "page": page,
            "f": f,
            "entity_types": sorted(set(entity_types)),
            "query": _without_page(request.GET),
        },
    )


def join(request, token):
    """The accept link from an invitation email (outside the workspace: the person is not a
    member yet)."""
    try:
        invite = invites.invite_by_token(token)
    except DomainError as exc:
        return render(request, "desk/join.html", {"error": exc.message}, status=404)
    error = None
    if request.method == "POST":
        try:
            membership = invites.staff_invite_accept(
                token=token,
                user=request.user if request.user.is_authenticated else None,
                full_name=request.POST.get("full_name", ""),
                password=request.POST.get("password", ""),
            )
            if not request.user.is_authenticated:
                login(request, membership.user, backend="clinicore.accounts.backends.EmailBackend")
            messages.success(request, _("Welcome to %(clinic)s.") % {"clinic": invite.clinic.name})
            return redirect(
                "desk:board" if role_has(membership.role, Perm.SCHEDULE_READ) else "patients:list",
                clinic_slug=invite.clinic.slug,
            )
        except DomainError as exc:
            error = exc.message
    return render(
        request,
        "desk/join.html",
        {
            "invite": invite,
            "error": error,
            "role": Role(invite.role).label,
            "signed_in_as": request.user if request.user.is_authenticated else None,
        },
        status=422 if error else 200,
    )


def _without_page(params) -> str:
    params = params.copy()
    params.pop("page", None)
    return params.urlencode()
