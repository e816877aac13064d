"""Dashboards per role (leader, dispatcher, window, storekeeper, finance): the entry, each page and its JSON."""

from django.urls import path

from . import dashboard_views

urlpatterns: list = [
    path("", dashboard_views.entry, name="dashboard"),
    path("<slug:name>/", dashboard_views.page, name="dashboard_page"),
    path("<slug:name>/data/", dashboard_views.data, name="dashboard_data"),
]
