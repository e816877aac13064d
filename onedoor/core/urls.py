from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.health, name="health"),
    path("jobs/", views.job_list, name="job_list"),
    path("jobs/<int:job_id>/", views.job_detail, name="job_detail"),
    path("jobs/<int:job_id>/progress/", views.job_progress, name="job_progress"),
    path("jobs/<int:job_id>/download/", views.job_download, name="job_download"),
    path("messages/", views.notification_list, name="notification_list"),
    path("messages/<int:notification_id>/read/", views.notification_read, name="notification_read"),
    path("messages/read-all/", views.notification_read_all, name="notification_read_all"),
    path("messages/badge/", views.notification_badge, name="notification_badge"),
    path("tools/workdays/", views.workdays_tool, name="workdays_tool"),
    path("tools/id-number/", views.id_number_tool, name="id_number_tool"),
]
