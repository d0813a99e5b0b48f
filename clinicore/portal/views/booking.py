"""Booking at /c/<slug>/book/: service → mode → practitioner → time → details → account → pay.

The choices so far travel in the query string, so every step is a plain link or form that
works without JavaScript; htmx swaps only the calendar when paging weeks.
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django import forms
from django.contrib.auth import authenticate, login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinicore.clinics.access import clinic_get_by_slug
from clinicore.core.errors import Conflict, DomainError, InvalidInput, NotFound
from clinicore.portal import calendar, selectors, services
from clinicore.portal.views.public import RegisterForm, register_with_form
from clinicore.scheduling import selectors as scheduling
from clinicore.scheduling import services as scheduling_services
from clinicore.scheduling.access import service_get_for_clinic
from clinicore.scheduling.models import Appointment, Mode, Service


@dataclass
class Choice:
    service: Service | None = None
    mode: str = ""
    practitioner: object = None  # Membership, or None with any=True
    any_practitioner: bool = False
    first: date | None = None
    view: str = "time"  # time | period
    slot: datetime | None = None
    slot_practitioner: object = None
    period: str = ""
    period_date: date | None = None

    def params(self, **override) -> dict:
        data = {
            "service": self.service.pk if self.service else "",
            "mode": self.mode,
            "practitioner": "any"
            if self.any_practitioner
            else (self.practitioner.pk if self.practitioner else ""),
            "view": self.view if self.view != "time" else "",
            "from": self.first.isoformat() if self.first else "",
        }
        data.update(override)
        return {k: v for k, v in data.items() if v not in ("", None)}

    def query(self, **override) -> str:
        return urlencode(self.params(**override))

    @property
    def allows_period(self) -> bool:
        return not (self.service and self.service.payment_required and self.service.price > 0)

    @property
    def slot_key(self) -> str:
        return calendar.slot_key(self.slot) if self.slot else ""

    @property
    def query_time_view(self) -> str:
        return self.query(view="")

    @property
    def query_period_view(self) -> str:
        return self.query(view="period")

    @property
    def practitioner_id(self):
        return None if self.any_practitioner or self.practitioner is None else self.practitioner.pk

    @property
    def chosen_time(self) -> bool:
        return self.slot is not None or (self.period and self.period_date is not None)


def _parse(clinic, data) -> Choice:
    choice = Choice()
    service_id = data.get("service", "")
    if service_id:
        try:
            choice.service = service_get_for_clinic(
                clinic=clinic, service_id=service_id, active_only=True
            )
        except NotFound:
            choice.service = None
    if choice.service is None:
        return choice
    if choice.service.mode != Mode.EITHER:
        choice.mode = choice.service.mode
    elif data.get("mode") in (Mode.IN_PERSON, Mode.VIDEO):
        choice.mode = data["mode"]
    offered = {str(m.pk): m for m in scheduling.practitioners_of(clinic, service=choice.service)}
    wanted = data.get("practitioner", "")
    if wanted == "any":
        choice.any_practitioner = True
    elif wanted in offered:
        choice.practitioner = offered[wanted]
    try:
        choice.first = date.fromisoformat(data.get("from", ""))
    except ValueError:
        choice.first = None
    # A paid visit holds one exact time while the patient pays, so it has no period booking.
    choice.view = "period" if data.get("view") == "period" and choice.allows_period else "time"
    choice.slot = calendar.slot_parse(data.get("slot", ""))
    if choice.slot is not None:
        choice.slot_practitioner = offered.get(data.get("with", "")) or choice.practitioner
        if choice.slot_practitioner is None:
            choice.slot = None
    if data.get("period") in Appointment.Period.values and choice.allows_period:
        try:
            choice.period_date = date.fromisoformat(data.get("date", ""))
            choice.period = data["period"]
        except ValueError:
            choice.period = ""
    return choice


class DetailsForm(forms.Form):
    reason_for_visit = forms.CharField(
        label=gettext_lazy("Reason for the visit"),
        max_length=500,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=gettext_lazy("For example: tooth pain, check-up, follow-up."),
    )
    symptoms = forms.CharField(
        label=gettext_lazy("Symptoms"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("What you feel and since when. Only your care team sees this."),
    )


class SignInForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Email"))
    password = forms.CharField(
        label=gettext_lazy("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="signin", **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "email"


def _steps(choice: Choice) -> list[tuple[str, bool]]:
    names = [
        (_("Service"), choice.service is None),
        (_("Where"), choice.service is not None and not choice.mode),
        (
            _("Practitioner"),
            bool(choice.mode) and choice.practitioner is None and not choice.any_practitioner,
        ),
        (
            _("Time"),
            (choice.practitioner is not None or choice.any_practitioner) and not choice.chosen_time,
        ),
        (_("Details"), bool(choice.chosen_time)),
        (_("Confirm"), False),
    ]
    return names


def _context(request, clinic, choice: Choice, **extra) -> dict:
    return {
        "clinic": clinic,
        "choice": choice,
        "steps": _steps(choice),
        "book_url": reverse("portal:book", kwargs={"clinic_slug": clinic.slug}),
        **extra,
    }


def _calendar_context(clinic, choice: Choice, now) -> dict:
    today = calendar.clinic_today(clinic, now)
    cal = calendar.two_weeks(
        clinic=clinic,
        service=choice.service,
        practitioner_id=choice.practitioner_id,
        mode=choice.mode or None,
        first=choice.first or today,
        now=now,
        periods=choice.view == "period",
    )
    book_url = reverse("portal:book", kwargs={"clinic_slug": clinic.slug})
    return {
        "cal": cal,
        "periods": choice.view == "period",
        "page_url": book_url,
        "slot_url": book_url,
        "page_query": choice.query(**{"from": ""}),
    }


@require_GET
def book(request, clinic_slug):
    clinic = clinic_get_by_slug(clinic_slug)
    choice = _parse(clinic, request.GET)
    now = timezone.now()
    if choice.service is None:
        return render(
            request,
            "portal/book/service.html",
            _context(request, clinic, choice, services=selectors.clinic_services(clinic=clinic)),
        )
    if not choice.mode:
        return render(request, "portal/book/mode.html", _context(request, clinic, choice))
    if choice.practitioner is None and not choice.any_practitioner:
        practitioners = list(scheduling.practitioners_of(clinic, service=choice.service))
        return render(
            request,
            "portal/book/practitioner.html",
            _context(request, clinic, choice, practitioners=practitioners),
        )
    if not choice.chosen_time:
        template = "portal/book/calendar.html"
        if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "slots":
            template = "portal/book/calendar.html#slots"
        return render(
            request,
            template,
            _context(request, clinic, choice, **_calendar_context(clinic, choice, now)),
        )
    return _details_page(request, clinic, choice)


def _details_page(
    request, clinic, choice, *, details=None, register=None, signin=None, status=200, error=""
):
    return render(
        request,
        "portal/book/details.html",
        _context(
            request,
            clinic,
            choice,
            details=details or DetailsForm(),
            register=register or RegisterForm(),
            signin=signin or SignInForm(),
            account=request.POST.get("account", "new"),
            booking_key=request.POST.get("booking_key") or uuid.uuid4().hex,
            error=error,
            practitioner_label=(choice.slot_practitioner or choice.practitioner).display_name
            if (choice.slot_practitioner or choice.practitioner)
            else _("First available"),
        ),
        status=status,
    )


def _slot_lost(request, clinic, choice, message: str):
    now = timezone.now()
    wanted = choice.slot or now
    nearest = calendar.nearest_free(
        clinic=clinic,
        service=choice.service,
        practitioner_id=choice.practitioner_id,
        mode=choice.mode or None,
        wanted=wanted,
        now=now,
    )
    choice.slot = None
    choice.period = ""
    return render(
        request,
        "portal/book/calendar.html",
        _context(
            request,
            clinic,
            choice,
            lost=message,
            nearest=nearest,
            **_calendar_context(clinic, choice, now),
        ),
        status=409,
    )


@require_POST
def book_submit(request, clinic_slug):
    clinic = clinic_get_by_slug(clinic_slug)
    choice = _parse(clinic, request.POST)
    if choice.service is None or not choice.mode or not choice.chosen_time:
        return redirect(
            f"{reverse('portal:book', kwargs={'clinic_slug': clinic.slug})}?{choice.query()}"
        )
    details = DetailsForm(request.POST)
    register = RegisterForm(request.POST if request.POST.get("account") == "new" else None)
    signin = SignInForm(request.POST if request.POST.get("account") == "existing" else None)
    if not details.is_valid():
        return _details_page(
            request, clinic, choice, details=details, register=register, signin=signin, status=422
        )
    if not request.user.is_authenticated:
        if request.POST.get("account") == "existing":
            if not signin.is_valid():
                return _details_page(
                    request, clinic, choice, details=details, signin=signin, status=422
                )
            user = authenticate(
                request,
                email=signin.cleaned_data["email"],
                password=signin.cleaned_data["password"],
            )
            if user is None:
                signin.add_error(None, _("Email or password is not right."))
                return _details_page(
                    request, clinic, choice, details=details, signin=signin, status=422
                )
            login(request, user, backend="clinicore.accounts.backends.EmailBackend")
        else:
            if not register.is_valid() or not register_with_form(request, clinic, register):
                return _details_page(
                    request, clinic, choice, details=details, register=register, status=422
                )
    try:
        patient = services.patient_join_clinic(clinic=clinic, user=request.user)
        return _book_for(request, clinic, choice, patient, details.cleaned_data)
    except Conflict as exc:
        if exc.code in ("slot_unavailable", "period_full", "hold_expired", "not_a_slot"):
            return _slot_lost(
                request,
                clinic,
                choice,
                _("Someone booked this time a moment ago. Here are the nearest free times."),
            )
        return _details_page(
            request, clinic, choice, details=details, status=409, error=exc.message
        )
    except InvalidInput as exc:
        if exc.code == "not_a_slot":
            return _slot_lost(
                request,
                clinic,
                choice,
                _("That time is no longer offered. Here are the nearest free times."),
            )
        return _details_page(
            request, clinic, choice, details=details, status=422, error=exc.message
        )


def _book_for(request, clinic, choice: Choice, patient, details: dict):
    practitioner = choice.slot_practitioner or choice.practitioner
    key = (request.POST.get("booking_key") or "")[:100]
    body = {
        "service": str(choice.service.pk),
        "practitioner": str(practitioner.pk) if practitioner else "any",
        "slot": calendar.slot_key(choice.slot) if choice.slot else "",
        "period": choice.period,
        "date": choice.period_date.isoformat() if choice.period_date else "",
        "mode": choice.mode,
    }
    needs_payment = choice.service.payment_required and choice.service.price > 0
    if needs_payment:
        from clinicore.portal import payments

        return payments.pay_first_start(
            request,
            clinic=clinic,
            patient=patient,
            practitioner=practitioner,
            service=choice.service,
            start=choice.slot,
            mode=choice.mode,
            details=details,
            idempotency_key=key,
        )
    booking = {
        "clinic": clinic,
        "actor": request.user,
        "patient": patient,
        "practitioner": practitioner,
        "service": choice.service,
        "mode": choice.mode,
        "as_patient": True,
        "idempotency_key": key,
        "principal_ref": f"portal:{request.user.pk}",
        "request_hash": scheduling_services.request_fingerprint(body),
        "reason_for_visit": details["reason_for_visit"],
        "symptoms": details.get("symptoms", ""),
        "source_channel": "portal",
    }
    if choice.slot is not None:
        booking["start"] = choice.slot
    else:
        booking["booking_mode"] = Appointment.BookingMode.TIME_PERIOD
        booking["period"] = choice.period
        booking["date"] = choice.period_date
    appointment, _created = scheduling_services.appointment_book(**booking)
    return redirect(
        reverse("portal:appointment", kwargs={"appointment_id": appointment.pk}) + "?booked=1"
    )


@require_http_methods(["POST"])
def waitlist_join(request, clinic_slug):
    from django.contrib import messages
    from django.contrib.auth.views import redirect_to_login

    clinic = clinic_get_by_slug(clinic_slug)
    choice = _parse(clinic, request.POST)
    back = f"{reverse('portal:book', kwargs={'clinic_slug': clinic.slug})}?{choice.query()}"
    if not request.user.is_authenticated:
        return redirect_to_login(back)
    if choice.service is None:
        return redirect(back)
    today = calendar.clinic_today(clinic, timezone.now())
    try:
        latest = date.fromisoformat(request.POST.get("latest_date", ""))
    except ValueError:
        latest = today + timedelta(days=14)
    try:
        patient = services.patient_join_clinic(clinic=clinic, user=request.user)
        scheduling_services.waitlist_join(
            clinic=clinic,
            actor=request.user,
            patient=patient,
            service=choice.service,
            practitioner=choice.practitioner,
            earliest_date=today,
            latest_date=max(latest, today),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _(
                "You are on the waitlist. If an earlier time frees up we will hold it for you and let you know."
            ),
        )
    return redirect(back)
