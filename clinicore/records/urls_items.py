"""Workspace pages of one record item: /c/<clinic>/desk/records/… (the item names its patient)."""

from django.urls import path

from clinicore.records import catalog_views, views

app_name = "records-desk"

urlpatterns = [
    path("catalog/", catalog_views.catalog_page, name="catalog"),
    path(
        "catalog/<uuid:catalog_item_id>/retire/",
        catalog_views.catalog_retire_page,
        name="catalog-retire",
    ),
    path("visits/<uuid:treatment_record_id>/", views.visit_page, name="visit"),
    path("visits/<uuid:draft_treatment_record_id>/edit/", views.visit_edit_page, name="visit-edit"),
    path("visits/<uuid:treatment_record_id>/action/", views.visit_action_page, name="visit-action"),
    path(
        "prescriptions/<uuid:prescription_id>/pdf/",
        views.prescription_pdf_page,
        name="prescription-pdf",
    ),
    path(
        "prescriptions/<uuid:prescription_id>/share/",
        views.prescription_share_page,
        name="prescription-share",
    ),
    path("documents/<uuid:document_id>/", views.document_download_page, name="document"),
    path("documents/<uuid:document_id>/share/", views.document_share_page, name="document-share"),
]
