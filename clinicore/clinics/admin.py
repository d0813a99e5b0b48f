"""Django admin for platform operators (/ops/admin/): clinics, branches, rooms, staff."""

from django.contrib import admin

from clinicore.clinics.models import Branch, Clinic, Membership, Room


class BranchInline(admin.TabularInline):
    model = Branch
    extra = 0
    fields = ("name", "city", "phone", "is_active")


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "kind", "city", "country", "status", "tier", "created_at")
    list_filter = ("status", "tier", "kind", "country")
    search_fields = ("name", "slug", "city", "email")
    readonly_fields = ("id", "created_at", "updated_at")
    inlines = [BranchInline]


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ("name", "clinic", "city", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "clinic__name", "city")
    list_select_related = ("clinic",)


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ("name", "branch", "clinic", "is_active")
    search_fields = ("name", "branch__name", "clinic__name")
    list_select_related = ("branch", "clinic")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "clinic", "role", "specialization", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("user__email", "user__full_name", "clinic__name", "specialization")
    list_select_related = ("user", "clinic")
    raw_id_fields = ("user", "branch")
