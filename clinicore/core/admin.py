"""The audit log in the Django admin: read-only, as it is append-only everywhere."""

from django.contrib import admin

from clinicore.core.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "action", "entity_type", "entity_id", "actor_label", "clinic_id", "ip")
    list_filter = ("action", "entity_type")
    search_fields = ("entity_id", "actor_label", "request_id", "clinic_id")
    date_hierarchy = "at"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
