"""Demo schedules for the demo clinics: services with prices, weekly hours per practitioner, a
holiday, time off, a physiotherapy series, and three weeks past plus two weeks ahead of
appointments in realistic statuses. Deterministic for a given `rng`."""

import random
from datetime import time, timedelta
from decimal import Decimal

from django.utils import timezone

from clinicore.core.codes import short_code
from clinicore.core.errors import DomainError
from clinicore.scheduling import availability as av
from clinicore.scheduling import selectors, services
from clinicore.scheduling.models import Appointment, Mode, Service, WorkingHours

S = Appointment.Status

# name, minutes, price (INR, USD), mode, buffer after, kind, who offers it ("all" or a specialization word)
GENERAL = [
    ("General consultation", 20, ("800", "150"), Mode.IN_PERSON, 5, "consultation", "all"),
    ("Video consultation", 15, ("600", "110"), Mode.VIDEO, 0, "consultation", "all"),
    ("Follow-up visit", 15, ("400", "90"), Mode.EITHER, 0, "follow_up", "all"),
    (
        "Cardiology consultation",
        30,
        ("1500", "260"),
        Mode.IN_PERSON,
        10,
        "consultation",
        "Cardiology",
    ),
    ("Child wellness check", 30, ("900", "170"), Mode.IN_PERSON, 5, "consultation", "Pediatrics"),
    ("Skin consultation", 20, ("1000", "180"), Mode.EITHER, 5, "consultation", "Dermatology"),
    ("Physiotherapy session", 45, ("1200", "120"), Mode.IN_PERSON, 15, "treatment", "Orthopedics"),
]
DENTAL = [
    ("Dental consultation", 30, ("700", "120"), Mode.IN_PERSON, 5, "consultation", "all"),
    ("Dental cleaning", 45, ("1500", "140"), Mode.IN_PERSON, 15, "treatment", "all"),
    ("Root canal treatment", 90, ("8500", "1100"), Mode.IN_PERSON, 15, "treatment", "Endodontics"),
    ("Orthodontic review", 30, ("900", "150"), Mode.EITHER, 5, "follow_up", "Orthodontics"),
    ("Emergency dental visit", 30, ("1200", "220"), Mode.IN_PERSON, 10, "emergency", "all"),
]
REASONS = [
    "Fever and sore throat for three days",
    "Annual check-up",
    "Follow-up after blood tests",
    "Knee pain after running",
    "Skin rash on forearm",
    "Tooth sensitivity to cold",
    "Routine cleaning",
    "Back pain",
    "Review of medication",
    "Child vaccination schedule",
    "Chest discomfort on exertion",
]


def _services(clinic, practitioners) -> list[Service]:
    table = DENTAL if clinic.kind == "dental" else GENERAL
    price_index = 0 if clinic.currency == "INR" else 1
    made = []
    for name, minutes, prices, mode, after, _kind, who in table:
        offering = [
            m
            for m in practitioners
            if who == "all" or who.lower() in (m.specialization or "").lower()
        ]
        if not offering:
            continue
        service = services.service_create(
            clinic=clinic,
            actor=None,
            practitioner_ids=[m.pk for m in offering],
            name=name,
            description=f"{name} at {clinic.name}.",
            duration_minutes=minutes,
            price=Decimal(prices[price_index]),
            currency=clinic.currency,
            mode=mode,
            buffer_after_minutes=after,
            min_notice_minutes=60,
            booking_window_days=60,
            cancellation_cutoff_hours=24,
            payment_required=name.startswith("Root canal"),
            colour=["#2563eb", "#059669", "#d97706", "#7c3aed", "#db2777", "#0891b2", "#65a30d"][
                len(made) % 7
            ],
        )
        service._demo_kind = _kind
        made.append(service)
    return made


def _rooms_of(clinic, practitioners) -> dict:
    """Each practitioner's own room in their branch, while the branch has rooms to give; the rest
    see patients wherever the desk puts them."""
    from clinicore.clinics.models import Room

    free: dict = {}
    for room in Room.objects.filter(clinic=clinic, is_active=True).order_by("name"):
        free.setdefault(room.branch_id, []).append(room.pk)
    return {m.pk: free[m.branch_id].pop(0) for m in practitioners if free.get(m.branch_id)}


def _hours(clinic, practitioners, rng, rooms: dict) -> None:
    rows = []
    for index, member in enumerate(practitioners):
        for weekday in range(5):
            if rng.random() < 0.15:
                continue  # a weekday off
            rows.append((member, weekday, time(9), time(13), Mode.IN_PERSON))
            rows.append((member, weekday, time(14), time(17, 30), Mode.IN_PERSON))
            if index % 3 == 1 and weekday in (1, 3):
                rows.append((member, weekday, time(18), time(20), Mode.VIDEO))
        if index % 2 == 0:
            rows.append((member, 5, time(9), time(13), Mode.EITHER))
    WorkingHours.objects.bulk_create(
        [
            WorkingHours(
                clinic=clinic,
                practitioner=m,
                weekday=d,
                start_time=s,
                end_time=e,
                mode=mode,
                branch_id=m.branch_id,
                room_id=rooms.get(m.pk) if mode != Mode.VIDEO else None,
            )
            for m, d, s, e, mode in rows
        ]
    )


def seed(clinic, *, members, patients, rng: random.Random) -> None:
    practitioners = [m for role in ("doctor", "dentist") for m in members.get(role, [])]
    if not practitioners or not patients:
        return
    tz = selectors.clinic_tz(clinic)
    now = timezone.now()
    today = now.astimezone(tz).date()
    offered = _services(clinic, practitioners)
    rooms = _rooms_of(clinic, practitioners)
    _hours(clinic, practitioners, rng, rooms)
    services.closure_create(
        clinic=clinic,
        actor=None,
        start_date=today + timedelta(days=11),
        end_date=today + timedelta(days=11),
        name="Public holiday",
    )
    away = practitioners[-1]
    off_day = today + timedelta(days=(7 - today.weekday()) % 7 + 7)  # Monday after next
    services.time_off_create(
        clinic=clinic,
        actor=None,
        practitioner=away,
        start=av.local_to_utc(off_day, time(0), tz),
        end=av.local_to_utc(off_day + timedelta(days=2), time(0), tz),
        reason="Conference",
    )

    # A weekly series for the first treatment-type service, booked through the real service.
    treatment = next((s for s in offered if s._demo_kind == "treatment"), None)
    if treatment is not None:
        series_patient = patients[min(1, len(patients) - 1)]
        provider = treatment.practitioners.order_by("pk").first()
        slots, _ = selectors.available_slots(
            clinic=clinic,
            service=treatment,
            first=today + timedelta(days=1),
            last=today + timedelta(days=7),
            now=now,
            practitioner_id=provider.pk,
        )
        for slot in slots[:: max(len(slots) // 5, 1)][:5]:
            try:
                services.series_create(
                    clinic=clinic,
                    actor=None,
                    patient=series_patient,
                    practitioner=provider,
                    service=treatment,
                    first_start=slot.start,
                    occurrences=4,
                    interval_days=7,
                    kind="treatment",
                    reason_for_visit="Course of treatment",
                )
                break
            except DomainError:
                continue

    _fill(clinic, offered, patients, rng, now=now, today=today, rooms=rooms)


def _fill(clinic, offered, patients, rng, *, now, today, rooms: dict) -> None:
    """Past three weeks and next two weeks: slots chosen from real availability (computed as of
    before the window), written in one bulk insert, never overlapping for a practitioner or a patient."""
    first, last = today - timedelta(days=21), today + timedelta(days=14)
    as_of = av.local_to_utc(first - timedelta(days=1), time(0), selectors.clinic_tz(clinic))
    taken: dict = {}  # practitioner id → list of occupied ranges (existing ones included)
    for pk, s, e in Appointment.objects.filter(
        clinic=clinic, status__in=Appointment.BLOCKING
    ).values_list("practitioner_id", "occupied_start", "occupied_end"):
        taken.setdefault(pk, []).append((s, e))
    patient_busy: dict = {}
    for pk, s, e in Appointment.objects.filter(
        clinic=clinic, status__in=Appointment.BLOCKING
    ).values_list("patient_id", "start", "end"):
        patient_busy.setdefault(pk, []).append((s, e))
    open_count: dict = {}
    rows, codes = [], set()
    for service in offered:
        slots, _ = selectors.available_slots(
            clinic=clinic, service=service, first=first, last=last, now=as_of
        )
        share = 0.22 if service._demo_kind != "treatment" else 0.12
        for slot in slots:
            if rng.random() > share:
                continue
            mine = taken.setdefault(slot.practitioner_id, [])
            if any(slot.occupied_start < e and s < slot.occupied_end for s, e in mine):
                continue
            patient = rng.choice(patients)
            busy = patient_busy.setdefault(patient.pk, [])
            if any(slot.start < e and s < slot.end for s, e in busy):
                continue
            status, stamps = _status(slot, now, rng)
            if status in Appointment.OPEN and slot.start > now:
                if open_count.get(patient.pk, 0) >= 2:
                    continue
                open_count[patient.pk] = open_count.get(patient.pk, 0) + 1
            mine.append((slot.occupied_start, slot.occupied_end))
            busy.append((slot.start, slot.end))
            code = short_code("R-")
            while code in codes:
                code = short_code("R-")
            codes.add(code)
            mode = (
                slot.mode
                if slot.mode != "either"
                else rng.choice(["in_person", "in_person", "video"])
            )
            rows.append(
                Appointment(
                    clinic=clinic,
                    patient=patient,
                    practitioner_id=slot.practitioner_id,
                    service=service,
                    start=slot.start,
                    end=slot.end,
                    occupied_start=slot.occupied_start,
                    occupied_end=slot.occupied_end,
                    mode=mode,
                    room_id=rooms.get(slot.practitioner_id) if mode == "in_person" else None,
                    kind=service._demo_kind,
                    reason_for_visit=rng.choice(REASONS),
                    reservation_code=code,
                    status=status,
                    created_by=rng.choice(["patient", "patient", "staff", "api"]),
                    source_channel=rng.choice(
                        ["web", "mobile_app", "front_desk", "phone", "whatsapp"]
                    ),
                    cancellation_reason="Patient asked to cancel" if status == S.CANCELLED else "",
                    created_at=slot.start - timedelta(days=rng.randint(1, 14)),
                    **stamps,
                    **_period(slot, status, clinic),
                )
            )
    Appointment.objects.bulk_create(rows, batch_size=500)


def _status(slot, now, rng) -> tuple[str, dict]:
    if slot.end <= now:
        roll = rng.random()
        if roll < 0.78:
            return S.COMPLETED, {
                "confirmed_at": slot.start - timedelta(days=1),
                "checked_in_at": slot.start - timedelta(minutes=rng.randint(2, 15)),
                "started_at": slot.start + timedelta(minutes=rng.randint(0, 10)),
                "checked_out_at": slot.end + timedelta(minutes=rng.randint(0, 10)),
            }
        if roll < 0.88:
            return S.CANCELLED, {"cancelled_at": slot.start - timedelta(days=1)}
        return S.NO_SHOW, {}
    if slot.start <= now:
        return S.IN_PROGRESS, {
            "checked_in_at": slot.start - timedelta(minutes=5),
            "started_at": slot.start,
        }
    roll = rng.random()
    if roll < 0.5:
        return S.SCHEDULED, {}
    if roll < 0.85:
        return S.CONFIRMED, {"confirmed_at": now - timedelta(hours=rng.randint(1, 48))}
    if roll < 0.93:
        return S.CANCELLED, {"cancelled_at": now - timedelta(hours=rng.randint(1, 48))}
    return S.REQUESTED, {}


def _period(slot, status, clinic) -> dict:
    if status != S.REQUESTED:
        return {}
    local = slot.start.astimezone(selectors.clinic_tz(clinic))
    return {"booking_mode": Appointment.BookingMode.TIME_PERIOD, "period": av.period_of(local)}
