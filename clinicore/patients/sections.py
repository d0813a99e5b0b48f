"""Sections that apps built on patients add to the workspace patient page (appointments,
invoices, conversations), so the page shows them without patients importing those apps.

Each app registers its sections in its own `patient_sections.py` with `@patient_section`; the
modules are loaded when the project starts. A section shows only to roles holding its permission.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class Section:
    key: str
    template: str  # renders `rows` (and `patient`) as one panel
    perm: str
    order: int
    rows: Callable  # fn(*, clinic, patient) -> list, bounded


SECTIONS: dict[str, Section] = {}


def patient_section(key: str, *, template: str, perm: str, order: int):
    def register(fn):
        SECTIONS[key] = Section(key, template, perm, order, fn)
        return fn

    return register


def sections_load() -> None:
    autodiscover_modules("patient_sections")


def sections_for(*, allowed: Callable[[str], bool], clinic, patient) -> list[tuple[Section, list]]:
    return [
        (section, section.rows(clinic=clinic, patient=patient))
        for section in sorted(SECTIONS.values(), key=lambda s: s.order)
        if allowed(section.perm)
    ]
