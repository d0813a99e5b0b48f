"""Django admin for operators: demographics only — clinical fields are never shown here."""

from django.contrib import admin

from clinicore.patients.models import Patient


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = ("full_name", "clinic", "phone", "email", "barcode", "is_active")
    list_filter = ("is_active", "gender")
    search_fields = ("first_name", "last_name", "phone", "email", "barcode", "clinic__name")
    list_select_related = ("clinic",)
    exclude = Patient.CLINICAL_FIELDS
    readonly_fields = ("barcode", "created_at", "updated_at")
    raw_id_fields = ("user", "merged_into")
