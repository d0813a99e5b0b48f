"""Workspace pages of a patient's records: /c/<clinic>/desk/patients/<patient>/records/…"""

from django.urls import path

from clinicore.records import views

app_name = "records-patient"

urlpatterns = [
    path("", views.patient_records_page, name="list"),
    path("visits/new/", views.visit_new_page, name="visit-new"),
    path("prescriptions/new/", views.prescription_new_page, name="prescription-new"),
    path("documents/new/", views.document_new_page, name="document-new"),
]
