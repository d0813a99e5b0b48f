"""Writes docs/permissions.md from the permission matrix."""

from django.conf import settings
from django.core.management.base import BaseCommand

from clinicore.clinics.docs import permissions_markdown


class Command(BaseCommand):
    help = "Regenerate docs/permissions.md from clinicore/clinics/permissions.py."

    def handle(self, *args, **options):
        path = settings.BASE_DIR / "docs" / "permissions.md"
        path.write_text(permissions_markdown(), encoding="utf-8")
        self.stdout.write(f"Wrote {path}")
