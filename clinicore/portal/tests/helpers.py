"""A bookable clinic for portal tests: practitioners working every day, a free and a paid service."""

from datetime import time
from decimal import Decimal

from clinicore.clinics.permissions import Role
from clinicore.core.testing import make_clinic, make_member, make_user
from clinicore.scheduling import services as scheduling


class BookableClinic:
    def __init__(self, slug="sunrise", **extra):
        extra.setdefault("name", "Sunrise Clinic")
        extra.setdefault("tagline", "Family doctors in Pune")
        extra.setdefault("address_line", "12 FC Road")
        extra.setdefault("phone", "+91 20 5555 0101")
        self.clinic = make_clinic(slug, **extra)
        self.owner = make_member(self.clinic, Role.OWNER)
        self.doctor = make_member(
            self.clinic,
            Role.DOCTOR,
            user=make_user(f"dr.rao.{slug}@example.test", full_name="Meera Rao"),
            specialization="General physician",
        )
        self.doctor2 = make_member(
            self.clinic,
            Role.DOCTOR,
            user=make_user(f"dr.iyer.{slug}@example.test", full_name="Arjun Iyer"),
            specialization="Paediatrician",
        )
        week = [{"weekday": d, "start_time": time(9, 0), "end_time": time(17, 0)} for d in range(7)]
        for doctor in (self.doctor, self.doctor2):
            scheduling.working_hours_replace(
                clinic=self.clinic, actor=self.owner.user, practitioner=doctor, ranges=week
            )
        self.free = scheduling.service_create(
            clinic=self.clinic,
            actor=self.owner.user,
            practitioner_ids=[self.doctor.pk, self.doctor2.pk],
            name="General check-up",
            duration_minutes=30,
            price=Decimal("0"),
            mode="either",
            min_notice_minutes=60,
            cancellation_cutoff_hours=2,
        )
        self.paid = scheduling.service_create(
            clinic=self.clinic,
            actor=self.owner.user,
            practitioner_ids=[self.doctor.pk],
            name="Specialist consultation",
            duration_minutes=30,
            price=Decimal("800"),
            mode="in_person",
            payment_required=True,
            min_notice_minutes=60,
        )
