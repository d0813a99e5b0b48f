"""The one permission matrix: role → permissions, used by every API operation and page."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Administrator")
    MANAGER = "manager", _("Manager")
    DOCTOR = "doctor", _("Doctor")
    DENTIST = "dentist", _("Dentist")
    NURSE = "nurse", _("Nurse")
    RECEPTIONIST = "receptionist", _("Receptionist")
    PHARMACIST = "pharmacist", _("Pharmacist")
    LAB_TECHNICIAN = "lab_technician", _("Lab technician")

    @classmethod
    def practitioners(cls) -> frozenset[str]:
        return frozenset({cls.DOCTOR, cls.DENTIST})


class Perm:
    """Permission names. Add new ones here and to MATRIX in the same change."""

    CLINIC_READ = "clinic.read"
    CLINIC_MANAGE = "clinic.manage"  # profile, branches, booking rules, gateways
    STAFF_READ = "staff.read"
    STAFF_MANAGE = "staff.manage"
    API_KEYS_MANAGE = "api_keys.manage"
    AUDIT_READ = "audit.read"

    PATIENTS_READ = "patients.read"  # demographics, contact
    PATIENTS_WRITE = "patients.write"
    PATIENTS_CLINICAL_READ = "patients.clinical_read"  # history, allergies, medications
    PATIENTS_CLINICAL_WRITE = "patients.clinical_write"
    PATIENTS_DEACTIVATE = "patients.deactivate"
    PATIENTS_MERGE = "patients.merge"
    PRESCRIPTIONS_WRITE = "prescriptions.write"  # issue prescriptions (prescribers only)

    SCHEDULE_READ = "schedule.read"  # calendars, availability, appointments
    SCHEDULE_BOOK = "schedule.book"  # book, reschedule, cancel, check in
    SCHEDULE_MANAGE = "schedule.manage"  # services, working hours, time off, holidays

    BILLING_READ = "billing.read"
    BILLING_WRITE = "billing.write"  # invoices, take payments
    BILLING_REFUND = "billing.refund"

    NOTIFICATIONS_SEND = "notifications.send"
    NOTIFICATIONS_MANAGE = "notifications.manage"  # templates, channels, outbox retry

    CHAT_READ = "chat.read"
    CHAT_WRITE = "chat.write"
    TELEHEALTH_JOIN = "telehealth.join"

    REPORTS_READ = "reports.read"


_FRONT_DESK = {
    Perm.CLINIC_READ,
    Perm.STAFF_READ,
    Perm.PATIENTS_READ,
    Perm.PATIENTS_WRITE,
    Perm.SCHEDULE_READ,
    Perm.SCHEDULE_BOOK,
    Perm.BILLING_READ,
    Perm.BILLING_WRITE,
    Perm.NOTIFICATIONS_SEND,
    Perm.CHAT_READ,
    Perm.CHAT_WRITE,
}
_CLINICAL = {
    Perm.CLINIC_READ,
    Perm.STAFF_READ,
    Perm.PATIENTS_READ,
    Perm.PATIENTS_WRITE,
    Perm.PATIENTS_CLINICAL_READ,
    Perm.PATIENTS_CLINICAL_WRITE,
    Perm.SCHEDULE_READ,
    Perm.SCHEDULE_BOOK,
    Perm.BILLING_READ,
    Perm.CHAT_READ,
    Perm.CHAT_WRITE,
    Perm.TELEHEALTH_JOIN,
    Perm.NOTIFICATIONS_SEND,
}
_ALL = {value for key, value in vars(Perm).items() if key.isupper()}

MATRIX: dict[str, frozenset[str]] = {
    Role.OWNER: frozenset(_ALL),
    Role.ADMIN: frozenset(_ALL),
    Role.MANAGER: frozenset(
        _FRONT_DESK
        | {
            Perm.SCHEDULE_MANAGE,
            Perm.BILLING_REFUND,
            Perm.REPORTS_READ,
            Perm.AUDIT_READ,
            Perm.PATIENTS_DEACTIVATE,
            Perm.PATIENTS_MERGE,
            Perm.NOTIFICATIONS_MANAGE,
        }
    ),
    Role.DOCTOR: frozenset(_CLINICAL | {Perm.PRESCRIPTIONS_WRITE}),
    Role.DENTIST: frozenset(_CLINICAL | {Perm.PRESCRIPTIONS_WRITE}),
    Role.NURSE: frozenset(_CLINICAL - {Perm.TELEHEALTH_JOIN}),
    Role.RECEPTIONIST: frozenset(_FRONT_DESK),
    Role.PHARMACIST: frozenset(
        {
            Perm.CLINIC_READ,
            Perm.STAFF_READ,
            Perm.PATIENTS_READ,
            Perm.PATIENTS_CLINICAL_READ,
            Perm.BILLING_READ,
            Perm.CHAT_READ,
            Perm.CHAT_WRITE,
        }
    ),
    Role.LAB_TECHNICIAN: frozenset(
        {
            Perm.CLINIC_READ,
            Perm.STAFF_READ,
            Perm.PATIENTS_READ,
            Perm.PATIENTS_CLINICAL_READ,
            Perm.SCHEDULE_READ,
        }
    ),
}

# Roles that must turn on two-factor authentication before using the workspace.
TWO_FACTOR_REQUIRED = frozenset({Role.OWNER, Role.ADMIN})


def role_has(role: str, perm: str) -> bool:
    return perm in MATRIX.get(role, frozenset())


def all_permissions() -> frozenset[str]:
    return frozenset(_ALL)
