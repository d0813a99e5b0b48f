"""Loads two demo clinics that look real, then asks every app with a `demo.py` to add its part.

Each app's `clinicore/<app>/demo.py` may define
    seed(clinic, *, members: dict[str, list[Membership]], patients: list[Patient], rng: random.Random)
(`members` maps a role to that clinic's members in it). They run in INSTALLED_APPS order.
"""

import importlib
import random
from datetime import date, timedelta

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction

from clinicore.accounts.models import User
from clinicore.clinics import services as clinic_services
from clinicore.clinics.models import Clinic
from clinicore.clinics.permissions import TWO_FACTOR_REQUIRED, Role
from clinicore.patients import services as patient_services

DEMO_PASSWORD = "clinicore-demo"
SEED = 20261121

CLINICS = [
    {
        "profile": {
            "name": "Sunrise Multispeciality Clinic",
            "slug": "sunrise",
            "kind": Clinic.Kind.MULTISPECIALTY,
            "tagline": "Family care across 6 specialties, open 7 days",
            "about": (
                "Sunrise has cared for families in Pune since 1998 and opened its Bengaluru branch in 2019. "
                "Cardiology, pediatrics, dermatology, orthopedics and general medicine under one roof, "
                "with an in-house pharmacy and diagnostic lab."
            ),
            "time_zone": "Asia/Kolkata",
            "currency": "INR",
            "default_language": "en",
            "address_line": "14 Fergusson College Road, Shivajinagar",
            "city": "Pune",
            "state": "Maharashtra",
            "postal_code": "411004",
            "country": "IN",
            "phone": "+91 20 4567 8900",
            "email": "hello@sunrise.example",
            "website": "https://sunrise.example",
            "upi_vpa": "sunriseclinic@okaxis",
        },
        "tier": Clinic.Tier.PROFESSIONAL,
        "domain": "sunrise.example",
        "branches": [
            (
                "Pune — FC Road",
                "14 Fergusson College Road, Shivajinagar",
                "Pune",
                "+91 20 4567 8900",
                ["Consult 1", "Consult 2", "Consult 3", "Procedure room", "Lab"],
            ),
            (
                "Bengaluru — Indiranagar",
                "221 100 Feet Road, Indiranagar",
                "Bengaluru",
                "+91 80 4123 7788",
                ["Consult A", "Consult B", "Dressing room"],
            ),
        ],
        "staff": [
            ("owner", "Anil Deshmukh", Role.OWNER, "Dr.", "General Medicine", 0),
            ("admin", "Priya Kulkarni", Role.ADMIN, "", "", 0),
            ("manager", "Rahul Joshi", Role.MANAGER, "", "", 0),
            ("kavya.rao", "Kavya Rao", Role.DOCTOR, "Dr.", "Cardiology", 0),
            ("arjun.mehta", "Arjun Mehta", Role.DOCTOR, "Dr.", "Pediatrics", 0),
            ("sneha.iyer", "Sneha Iyer", Role.DOCTOR, "Dr.", "Dermatology", 1),
            ("vikram.singh", "Vikram Singh", Role.DOCTOR, "Dr.", "Orthopedics", 0),
            ("farah.khan", "Farah Khan", Role.DOCTOR, "Dr.", "General Medicine", 1),
            ("lakshmi.nair", "Lakshmi Nair", Role.NURSE, "", "Staff nurse", 0),
            ("reception", "Pooja Patil", Role.RECEPTIONIST, "", "", 0),
            ("pharmacy", "Imran Shaikh", Role.PHARMACIST, "", "Pharmacy", 0),
            ("lab", "Suresh Gowda", Role.LAB_TECHNICIAN, "", "Pathology lab", 0),
        ],
        "people": "in",
        "patient_logins": [
            ("asha.verma@patient.example", "Asha", "Verma"),
            ("rohan.kapoor@patient.example", "Rohan", "Kapoor"),
            ("meera.pillai@patient.example", "Meera", "Pillai"),
        ],
    },
    {
        "profile": {
            "name": "Bright Smile Dental",
            "slug": "brightsmile",
            "kind": Clinic.Kind.DENTAL,
            "tagline": "Gentle family dentistry in Back Bay and Cambridge",
            "about": (
                "Cleanings, fillings, crowns, Invisalign and root canals for the whole family. "
                "Evening and Saturday hours; most dental plans accepted."
            ),
            "time_zone": "America/New_York",
            "currency": "USD",
            "default_language": "en",
            "address_line": "311 Newbury Street, Suite 200",
            "city": "Boston",
            "state": "MA",
            "postal_code": "02115",
            "country": "US",
            "phone": "+1 617-555-0140",
            "email": "smile@brightsmile.example",
            "website": "https://brightsmile.example",
        },
        "tier": Clinic.Tier.STARTER,
        "domain": "brightsmile.example",
        "branches": [
            (
                "Back Bay",
                "311 Newbury Street, Suite 200",
                "Boston",
                "+1 617-555-0140",
                ["Operatory 1", "Operatory 2", "Operatory 3", "X-ray"],
            ),
            (
                "Cambridge",
                "1180 Massachusetts Avenue",
                "Cambridge",
                "+1 617-555-0188",
                ["Operatory A", "Operatory B"],
            ),
        ],
        "staff": [
            ("owner", "Emily Carter", Role.OWNER, "Dr.", "General Dentistry", 0),
            ("admin", "Jessica Moore", Role.ADMIN, "", "", 0),
            ("manager", "Michael Brooks", Role.MANAGER, "", "", 0),
            ("daniel.kim", "Daniel Kim", Role.DENTIST, "Dr.", "General Dentistry", 0),
            ("olivia.martinez", "Olivia Martinez", Role.DENTIST, "Dr.", "Orthodontics", 0),
            ("samuel.greene", "Samuel Greene", Role.DENTIST, "Dr.", "Endodontics", 1),
            ("hannah.lee", "Hannah Lee", Role.NURSE, "", "Dental hygienist", 0),
            ("frontdesk", "Ashley Turner", Role.RECEPTIONIST, "", "", 0),
        ],
        "people": "us",
        "patient_logins": [
            ("jordan.smith@patient.example", "Jordan", "Smith"),
            ("maria.garcia@patient.example", "Maria", "Garcia"),
            # Registered at both clinics: one login sees both records.
            ("asha.verma@patient.example", "Asha", "Verma"),
        ],
    },
]

NAMES = {
    "in": {
        "female": [
            "Aarti",
            "Ananya",
            "Bhavna",
            "Deepa",
            "Divya",
            "Gauri",
            "Ishita",
            "Kavita",
            "Leela",
            "Neha",
            "Nisha",
            "Pallavi",
            "Radhika",
            "Riya",
            "Sana",
            "Shalini",
            "Sunita",
            "Tanvi",
            "Uma",
            "Zoya",
        ],
        "male": [
            "Aditya",
            "Akash",
            "Amit",
            "Deepak",
            "Farhan",
            "Ganesh",
            "Harish",
            "Karan",
            "Manoj",
            "Nikhil",
            "Pranav",
            "Rajesh",
            "Sachin",
            "Sameer",
            "Sanjay",
            "Tushar",
            "Varun",
            "Vijay",
            "Yash",
            "Zubin",
        ],
        "last": [
            "Agarwal",
            "Bhat",
            "Chavan",
            "D'Souza",
            "Gupta",
            "Hegde",
            "Jain",
            "Kamath",
            "Kulkarni",
            "Menon",
            "Naidu",
            "Pawar",
            "Reddy",
            "Sawant",
            "Sharma",
            "Shetty",
            "Sinha",
            "Thakur",
            "Venkatesh",
            "Wagh",
        ],
        "streets": [
            "Baner Road, Pune",
            "Koregaon Park, Pune",
            "Kothrud, Pune",
            "Aundh, Pune",
            "Viman Nagar, Pune",
            "HSR Layout, Bengaluru",
            "Koramangala, Bengaluru",
            "Jayanagar, Bengaluru",
            "Whitefield, Bengaluru",
        ],
        "language": ["en", "en", "en", "hi"],
    },
    "us": {
        "female": [
            "Abigail",
            "Ava",
            "Brianna",
            "Chloe",
            "Emma",
            "Grace",
            "Hailey",
            "Isabella",
            "Lauren",
            "Madison",
            "Megan",
            "Natalie",
            "Olivia",
            "Rachel",
            "Sarah",
            "Sofia",
            "Taylor",
            "Victoria",
            "Wen",
            "Yuki",
        ],
        "male": [
            "Aiden",
            "Benjamin",
            "Carlos",
            "David",
            "Ethan",
            "Gabriel",
            "Henry",
            "Jacob",
            "James",
            "Kevin",
            "Liam",
            "Lucas",
            "Matthew",
            "Noah",
            "Owen",
            "Ryan",
            "Thomas",
            "Tyler",
            "Wei",
            "Zachary",
        ],
        "last": [
            "Anderson",
            "Brown",
            "Chen",
            "Davis",
            "Johnson",
            "Lopez",
            "Miller",
            "Nguyen",
            "O'Brien",
            "Patel",
            "Rodriguez",
            "Sullivan",
            "Thompson",
            "Walsh",
            "White",
            "Williams",
            "Wilson",
            "Wong",
            "Young",
            "Murphy",
        ],
        "streets": [
            "Beacon Street, Boston, MA",
            "Commonwealth Ave, Boston, MA",
            "Harvard Street, Brookline, MA",
            "Elm Street, Somerville, MA",
            "Broadway, Cambridge, MA",
            "Centre Street, Newton, MA",
        ],
        "language": ["en", "en", "en", "es", "zh-hans"],
    },
}
ALLERGIES = [
    "Penicillin",
    "Sulfa drugs",
    "Peanuts",
    "Latex",
    "Ibuprofen",
    "Codeine",
    "Shellfish",
    "Amoxicillin — hives",
]
MEDICATIONS = [
    "Metformin 500 mg twice daily",
    "Amlodipine 5 mg once daily",
    "Levothyroxine 50 mcg",
    "Atorvastatin 10 mg at night",
    "Salbutamol inhaler as needed",
    "Vitamin D3 weekly",
]
HISTORY = [
    "Type 2 diabetes since 2016",
    "Hypertension, well controlled",
    "Hypothyroidism",
    "Childhood asthma",
    "Appendectomy 2012",
    "Migraine with aura",
    "Root canal 2021, tooth 36",
]


def _phone(kind: str, rng: random.Random) -> str:
    if kind == "in":
        return f"+91 9{rng.randint(1000, 9999)} {rng.randint(10000, 99999)}"
    # 555-01xx numbers are reserved for fiction.
    return f"+1 617-555-01{rng.randint(0, 99):02d}"


def _dob(rng: random.Random) -> date:
    return date(1942, 1, 1) + timedelta(days=rng.randint(0, 365 * 80))


def patient_rows(people: str, rng: random.Random, *, count: int) -> list[dict]:
    """`count` realistic walk-in patients (no login); the same rng state gives the same people."""
    names = NAMES[people]
    rows, seen = [], set()
    while len(rows) < count:
        gender = rng.choice(["female", "male"])
        first, last = rng.choice(names[gender]), rng.choice(names["last"])
        if (first, last) in seen:
            continue
        seen.add((first, last))
        with_email = rng.random() < 0.7
        clinical = rng.random()
        rows.append(
            {
                "first_name": first,
                "last_name": last,
                "gender": gender,
                "date_of_birth": _dob(rng),
                "phone": _phone(people, rng),
                "email": f"{first}.{last}{rng.randint(1, 99)}@mail.example".lower().replace("'", "")
                if with_email
                else "",
                "address": f"{rng.randint(1, 240)} {rng.choice(names['streets'])}",
                "emergency_contact_name": f"{rng.choice(names['female' if gender == 'male' else 'male'])} {last}",
                "emergency_contact_phone": _phone(people, rng),
                "preferred_language": rng.choice(names["language"]),
                "allergies": rng.choice(ALLERGIES) if clinical < 0.25 else "",
                "current_medications": rng.choice(MEDICATIONS) if clinical < 0.4 else "",
                "medical_history": rng.choice(HISTORY) if clinical < 0.5 else "",
            }
        )
    return rows


class Command(BaseCommand):
    help = (
        "Load two demo clinics (India and USA) with staff, branches, 55+ patients each, and logins."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when any clinic exists."
        )

    def handle(self, *args, if_empty=False, **options):
        if Clinic.objects.exists():
            if if_empty:
                self.stdout.write("Demo data: clinics already exist, nothing loaded.")
                return
            if Clinic.objects.filter(slug__in=[c["profile"]["slug"] for c in CLINICS]).exists():
                self.stdout.write(self.style.WARNING("Demo clinics already exist; nothing loaded."))
                return
        self.password_hash = make_password(DEMO_PASSWORD)
        self.logins: list[tuple[str, str, str, str]] = []
        with transaction.atomic():
            self._operator()
            for index, spec in enumerate(CLINICS):
                self._clinic(spec, random.Random(SEED + index))
        self._print_logins()

    def _user(self, email: str, full_name: str, **extra) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User(email=email, full_name=full_name, email_verified=True, **extra)
            user.password = self.password_hash  # one hash for every demo login: fast
            user.save()
        return user

    def _operator(self) -> None:
        self._user("ops@clinicore.example", "Platform Operator", is_staff=True, is_superuser=True)
        self.logins.append(("ops@clinicore.example", "platform operator", "—", "console at /ops/"))

    def _clinic(self, spec: dict, rng: random.Random) -> None:
        profile = dict(spec["profile"])
        slug = profile.pop("slug")
        clinic = clinic_services.clinic_create(name=profile.pop("name"), slug=slug, **profile)
        clinic_services.clinic_tier_change(clinic=clinic, tier=spec["tier"])
        branches = []
        for name, address, city, phone, rooms in spec["branches"]:
            branch = clinic_services.branch_create(
                clinic=clinic, name=name, address_line=address, city=city, phone=phone
            )
            for room in rooms:
                clinic_services.room_create(branch=branch, name=room)
            branches.append(branch)

        members: dict[str, list] = {role: [] for role in Role.values}
        for local, full_name, role, title, specialization, branch_index in spec["staff"]:
            email = f"{local}@{spec['domain']}"
            user = self._user(email, full_name)
            membership = clinic_services.membership_create(
                clinic=clinic,
                user=user,
                role=role,
                title=title,
                specialization=specialization,
                licence_number=f"{'MMC' if spec['people'] == 'in' else 'MA'}-{rng.randint(100000, 999999)}"
                if title
                else "",
                branch_id=branches[branch_index].pk,
            )
            members[role].append(membership)
            note = (
                "asked to set up two-factor on first sign-in" if role in TWO_FACTOR_REQUIRED else ""
            )
            self.logins.append((email, str(Role(role).label), clinic.name, note))

        patients = self._patients(clinic, spec, rng)
        for label, app in self._app_seeds():
            app.seed(clinic, members=members, patients=patients, rng=rng)
            self.stdout.write(f"  {clinic.name}: {label} demo data loaded.")
        self.stdout.write(
            self.style.SUCCESS(
                f"{clinic.name}: {len(patients)} patients, "
                f"{sum(len(v) for v in members.values())} staff."
            )
        )

    def _patients(self, clinic, spec: dict, rng: random.Random) -> list:
        names = NAMES[spec["people"]]
        patients = []
        for email, first, last in spec["patient_logins"]:
            user = self._user(email, f"{first} {last}")
            patients.append(
                patient_services.patient_create(
                    clinic=clinic,
                    user=user,
                    first_name=first,
                    last_name=last,
                    email=email,
                    phone=_phone(spec["people"], rng),
                    date_of_birth=_dob(rng),
                    gender="female" if first in ("Asha", "Meera", "Maria") else "male",
                    address=rng.choice(names["streets"]),
                    allergies="Penicillin" if first == "Asha" else "",
                )
            )
            self.logins.append((email, "patient", clinic.name, "patient portal at /me/"))
        for row in patient_rows(spec["people"], rng, count=58 - len(patients)):
            patients.append(patient_services.patient_create(clinic=clinic, **row))
        return patients

    def _app_seeds(self):
        for config in apps.get_app_configs():
            if not config.name.startswith("clinicore."):
                continue
            try:
                module = importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            if hasattr(module, "seed"):
                yield config.label, module

    def _print_logins(self) -> None:
        rows = [("email", "role", "clinic", "note"), *self.logins]
        widths = [max(len(str(r[i])) for r in rows) for i in range(4)]
        line = "  ".join("-" * w for w in widths)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo logins — every password is: {DEMO_PASSWORD}"))
        self.stdout.write(line)
        for i, row in enumerate(rows):
            self.stdout.write(
                "  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()
            )
            if i == 0:
                self.stdout.write(line)
        self.stdout.write(line)
