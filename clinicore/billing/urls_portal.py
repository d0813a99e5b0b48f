from django.urls import path

from clinicore.billing import views

app_name = "billing-portal"

urlpatterns = [
    path("", views.my_invoices, name="list"),
    path("<uuid:invoice_id>/", views.my_invoice, name="detail"),
    path("<uuid:invoice_id>/pay/", views.my_invoice_pay, name="pay"),
    path("<uuid:invoice_id>/pdf/", views.my_invoice_pdf, name="pdf"),
    path("receipts/<uuid:payment_id>/", views.my_receipt_pdf, name="receipt"),
]
