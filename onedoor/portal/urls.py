"""The public portal: no sign-in, Chinese, for phones and for people who do not read small print."""

from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("policies/", views.policy_list, name="policy_list"),
    path("policies/<slug:code>/", views.policy_detail, name="policy_detail"),
    path("windows/", views.windows, name="windows"),
    path("self-check/", views.self_check, name="self_check"),
    path("apply/", views.apply, name="apply"),
    path("apply/done/", views.apply_done, name="apply_done"),
    path("status/", views.status, name="status"),
]
