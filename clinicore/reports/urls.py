from django.urls import path

from clinicore.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.reports_home, name="home"),
    path("exports/", views.export_create, name="export-create"),
    path("exports/<uuid:report_export_id>/", views.export_page, name="export"),
    path("exports/<uuid:report_export_id>/download", views.export_download, name="export-download"),
]
for _kind in views.KINDS:
    urlpatterns += [
        path(f"{_kind}/", views.report_page(_kind), name=_kind),
        path(f"{_kind}.csv", views.report_file(_kind, "csv"), name=f"{_kind}-csv"),
        path(f"{_kind}.pdf", views.report_file(_kind, "pdf"), name=f"{_kind}-pdf"),
    ]
