"""The enrollment pages, included by benefits/urls.py at /benefits/enrollments/ (namespace benefits)."""

from django.urls import path

from . import views_enrollments

urlpatterns = [
    path("", views_enrollments.enrollment_list, name="enrollment_list"),
    path("reviews/", views_enrollments.review_list, name="review_list"),
    path("<int:pk>/", views_enrollments.enrollment_detail, name="enrollment_detail"),
    path("<int:pk>/do/<slug:action>/", views_enrollments.enrollment_action, name="enrollment_action"),
]
