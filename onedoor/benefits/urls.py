"""Benefits pages, included at /benefits/: the payroll pages (views_payroll) and the enrollment pages
(urls_enrollments, at /benefits/enrollments/)."""

from django.urls import include, path

from . import views_payroll

app_name = "benefits"

urlpatterns = [
    path("enrollments/", include("onedoor.benefits.urls_enrollments")),
    path("payroll/", views_payroll.run_list, name="run_list"),
]
