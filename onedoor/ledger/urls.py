from django.urls import path

from . import views

app_name = "ledger"

urlpatterns = [
    path("", views.record_list, name="record_list"),
    path("export/", views.record_export, name="record_export"),
    path("duplicates/", views.duplicate_list, name="duplicate_list"),
    path("duplicates/export/", views.duplicate_export, name="duplicate_export"),
]
