"""Bulk import and export of the registry, included at /registry/import/."""

from django.urls import path

from . import import_views as views

app_name = "registry_import"

urlpatterns = [
    path("", views.batch_list, name="batch_list"),
    path("new/", views.batch_new, name="batch_new"),
    path("template.xlsx", views.template_download, name="template"),
    path("export/", views.export, name="export"),
    path("<int:batch_id>/", views.batch_detail, name="batch_detail"),
    path("<int:batch_id>/state/", views.batch_state, name="batch_state"),
    path("<int:batch_id>/commit/", views.batch_commit, name="batch_commit"),
    path("<int:batch_id>/rollback/", views.batch_rollback, name="batch_rollback"),
    path("<int:batch_id>/report.xlsx", views.batch_report, name="batch_report"),
    path("<int:batch_id>/rows/<int:row_number>/decide/", views.row_decide, name="row_decide"),
]
