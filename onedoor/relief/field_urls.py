"""The phone pages a town team uses in the field: its village list and the delivery form with signature."""

from django.urls import path

from . import field_views

urlpatterns: list = [
    path("", field_views.home, name="field_home"),
    path("<int:campaign>/", field_views.campaign_villages, name="field_campaign"),
    path("<int:campaign>/<str:area>/", field_views.village, name="field_village"),
    path("entries/<int:pk>/", field_views.entry_page, name="field_entry"),
    path("entries/<int:pk>/outcome/", field_views.entry_outcome, name="field_outcome"),
]
