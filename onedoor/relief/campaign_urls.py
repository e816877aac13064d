"""Campaign pages at the desk: list, create, detail and coverage dashboard, roster, sign-off sheets, summary."""

from django.urls import path

from . import campaign_views as views

urlpatterns: list = [
    path("", views.campaign_list, name="campaign_list"),
    path("new/", views.campaign_create, name="campaign_create"),
    path("<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("<int:pk>/coverage.json", views.campaign_coverage_json, name="campaign_coverage_json"),
    path("<int:pk>/items/", views.campaign_items, name="campaign_items"),
    path("<int:pk>/team/", views.campaign_team, name="campaign_team"),
    path("<int:pk>/generate/", views.campaign_generate, name="campaign_generate"),
    path("<int:pk>/close/", views.campaign_close, name="campaign_close"),
    path("<int:pk>/summary/", views.campaign_summary, name="campaign_summary"),
    path("<int:pk>/roster/", views.campaign_roster, name="campaign_roster"),
    path("<int:pk>/roster/add/", views.campaign_roster_add, name="campaign_roster_add"),
    path("<int:pk>/roster/<int:entry_id>/status/", views.campaign_entry_status, name="campaign_entry_status"),
    path("<int:pk>/roster/<int:entry_id>/proof/<str:kind>/", views.campaign_delivery_proof,
         name="campaign_delivery_proof"),
    path("<int:pk>/villages/<str:code>/remaining/", views.campaign_remaining, name="campaign_remaining"),
    path("<int:pk>/villages/<str:code>/signoff.pdf", views.campaign_signoff, name="campaign_signoff"),
]
