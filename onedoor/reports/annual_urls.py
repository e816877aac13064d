"""The annual report, monthly statistics and their drill-down lists. Must name the route "index"."""

from django.urls import path

from onedoor.core.views import home

urlpatterns: list = [path("", home, name="index")]
