from django.urls import include, path

from . import annual_urls, dashboard_urls

app_name = "reports"

urlpatterns = [
    path("", include(annual_urls.urlpatterns)),
    path("dashboards/", include(dashboard_urls.urlpatterns)),
]
