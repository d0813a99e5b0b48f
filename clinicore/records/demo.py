"""Demo records: a treatment catalog per clinic, and signed, shared visit summaries and
prescriptions for the demo's completed appointments (scheduling's demo runs first)."""

import random
from decimal import Decimal

from clinicore.records import services
from clinicore.scheduling.models import Appointment
from clinicore.scheduling.selectors import appointment_list

# (name, code, minutes, price INR, price USD)
CATALOG = [
    ("General consultation", "CONS", 20, "800", "150"),
    ("Follow-up consultation", "FUP", 15, "500", "90"),
    ("Dental cleaning", "CLN", 30, "1500", "120"),
    ("Scaling and polishing", "SCL", 45, "2200", "180"),
    ("Root canal treatment", "RCT", 90, "6500", "1100"),
    ("Ceramic crown", "CRN", 60, "9000", "1200"),
    ("Composite filling", "FIL", 30, "1800", "200"),
    ("Physiotherapy session", "PHY", 45, "1200", "110"),
    ("ECG", "ECG", 15, "350", "60"),
    ("Blood panel (CBC, lipids, HbA1c)", "BLD", 10, "1400", "95"),
    ("Dressing", "DRS", 15, "300", "40"),
]

# (diagnosis, notes, treatment codes, medicines)
VISITS = [
    (
        "Acute upper respiratory tract infection.",
        "Three days of sore throat and mild fever. Throat congested, chest clear. Fluids and rest advised.",
        ["CONS"],
        [("Paracetamol", "500 mg", "1 tablet", "every 6 hours if fever", "3 days", "after food")],
    ),
    (
        "Chronic generalised gingivitis.",
        "Calculus on lower anteriors. Full-mouth scaling done; brushing technique shown.",
        ["CLN", "SCL"],
        [
            (
                "Chlorhexidine mouthwash 0.2%",
                "10 ml",
                "rinse",
                "twice a day",
                "2 weeks",
                "do not swallow",
            )
        ],
    ),
    (
        "Irreversible pulpitis, tooth 36.",
        "Access opened, canals located and cleaned, temporary filling placed. Review in one week.",
        ["RCT"],
        [
            ("Amoxicillin", "500 mg", "1 capsule", "three times a day", "5 days", "after food"),
            ("Ibuprofen", "400 mg", "1 tablet", "twice a day if pain", "3 days", "after food"),
        ],
    ),
    (
        "Essential hypertension, controlled.",
        "BP 132/84. ECG normal sinus rhythm. Continue current medicine; review in three months.",
        ["FUP", "ECG"],
        [("Amlodipine", "5 mg", "1 tablet", "once a day", "90 days", "morning")],
    ),
    (
        "Mechanical low back pain.",
        "No red flags. Core strengthening started; home exercises given.",
        ["PHY"],
        [],
    ),
    (
        "Type 2 diabetes, annual review.",
        "HbA1c drawn; feet examined, sensation intact. Diet counselling given.",
        ["CONS", "BLD"],
        [("Metformin", "500 mg", "1 tablet", "twice a day", "90 days", "with meals")],
    ),
]


def seed(clinic, *, members, patients, rng: random.Random) -> None:
    usd = clinic.currency != "INR"
    catalog = {}
    for name, code, minutes, inr, usd_price in CATALOG:
        catalog[code] = services.catalog_item_create(
            clinic=clinic,
            actor=None,
            name=name,
            code=code,
            default_price=Decimal(usd_price if usd else inr),
            duration_minutes=minutes,
        )
    completed = list(
        appointment_list(clinic=clinic, status=Appointment.Status.COMPLETED)
        .filter(practitioner__role__in=("doctor", "dentist"), patient__is_active=True)
        .order_by("start")[:40]
    )
    for n, appointment in enumerate(completed):
        diagnosis, notes, codes, medicines = VISITS[rng.randrange(len(VISITS))]
        practitioner = appointment.practitioner
        # Most summaries are signed and shared; a few stay as drafts or internal notes.
        signed = n % 7 != 3
        shared = signed and n % 5 != 4
        services.treatment_record_create(
            clinic=clinic,
            actor=practitioner.user,
            patient=appointment.patient,
            practitioner=practitioner,
            appointment=appointment,
            diagnosis=diagnosis,
            notes=notes,
            items=[{"catalog_item_id": catalog[code].pk} for code in codes],
            sign=signed,
            shared_with_patient=shared,
        )
        if medicines and signed:
            services.prescription_create(
                clinic=clinic,
                actor=practitioner.user,
                patient=appointment.patient,
                prescriber=practitioner,
                appointment=appointment,
                items=[
                    dict(
                        zip(
                            (
                                "medicine",
                                "strength",
                                "dose",
                                "frequency",
                                "duration",
                                "instructions",
                            ),
                            m,
                            strict=True,
                        )
                    )
                    for m in medicines
                ],
                advice="Call the clinic if symptoms get worse.",
                shared_with_patient=shared,
            )
