"""The annual report, monthly statistics and their drill-down lists. Must name the route "index"."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("", views.index, name="index"),
    path("annual/", views.annual_page, name="annual"),
    path("annual/xlsx/", views.annual_xlsx, name="annual_xlsx"),
    path("annual/pdf/", views.annual_pdf, name="annual_pdf"),
    path("annual/drill/", views.drill, name="drill"),
    path("monthly/", views.monthly, name="monthly"),
    path("monthly/xlsx/", views.monthly_xlsx, name="monthly_xlsx"),
]
