from django.urls import path

from . import views

app_name = "geo"

urlpatterns = [
    path("", views.area_list, name="area_list"),
    path("export/", views.area_export, name="area_export"),
    path("print.pdf", views.area_print, name="area_print"),
    path("<str:code>/", views.area_detail, name="area_detail"),
]
