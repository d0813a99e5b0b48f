"""docs/permissions.md says exactly what the matrix in code says."""

from django.conf import settings

from clinicore.clinics.docs import permission_names, permissions_markdown
from clinicore.clinics.permissions import MATRIX, Perm, Role


def test_the_permissions_document_matches_the_matrix():
    path = settings.BASE_DIR / "docs" / "permissions.md"
    assert path.read_text(encoding="utf-8") == permissions_markdown(), (
        "docs/permissions.md is out of date: run `.venv/bin/python manage.py permissions_doc`"
    )


def test_the_document_lists_every_permission_and_role():
    text = permissions_markdown()
    for perm in permission_names():
        assert f"`{perm}`" in text
    for role in Role:
        assert str(role.label) in text
    assert (
        Perm.AUDIT_READ in MATRIX[Role.MANAGER] and Perm.AUDIT_READ not in MATRIX[Role.RECEPTIONIST]
    )
