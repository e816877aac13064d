from django.urls import path

from . import views

app_name = "policies"

urlpatterns = [
    path("", views.policy_list, name="policy_list"),
    path("standards/", views.standard_list, name="standard_list"),
    path("responsibilities/<int:pk>/end/", views.responsibility_end, name="responsibility_end"),
    path("<slug:code>/", views.policy_detail, name="policy_detail"),
    path("<slug:code>/responsibilities/", views.responsibility_list, name="responsibility_list"),
]
