"""The patient's own downloads of what their clinics shared: /me/records/…"""

from django.urls import path

from clinicore.records import views

app_name = "records-portal"

urlpatterns = [
    path(
        "prescriptions/<uuid:prescription_id>/pdf/",
        views.my_prescription_pdf,
        name="prescription-pdf",
    ),
    path("documents/<uuid:document_id>/", views.my_document, name="document"),
]
