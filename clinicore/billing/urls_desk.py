from django.urls import path

from clinicore.billing import views

app_name = "billing-desk"

urlpatterns = [
    path("", views.desk_invoices, name="invoices"),
    path("reconciliation/", views.desk_reconciliation, name="reconciliation"),
    path("reconciliation/<uuid:payment_id>/confirm/", views.desk_confirm_utr, name="confirm-utr"),
]
