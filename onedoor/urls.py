from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from .api import api

admin.site.site_header = _("一门通 系统管理")
admin.site.site_title = _("一门通")
admin.site.index_title = _("系统管理")

urlpatterns = [
    path("", include("onedoor.core.urls")),
    path("accounts/", include("onedoor.accounts.urls")),
    path("areas/", include("onedoor.geo.urls")),
    path("registry/import/", include("onedoor.registry.import_urls")),
    path("registry/", include("onedoor.registry.urls")),
    path("policies/", include("onedoor.policies.urls")),
    path("intake/print/", include("onedoor.intake.print_urls")),
    path("intake/", include("onedoor.intake.urls")),
    path("portal/", include("onedoor.portal.urls")),
    path("benefits/", include("onedoor.benefits.urls")),
    path("relief/", include("onedoor.relief.urls")),
    path("ledger/", include("onedoor.ledger.urls")),
    path("aid/", include("onedoor.aid.urls")),
    path("reports/", include("onedoor.reports.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler404 = "onedoor.core.views.error_404"
handler403 = "onedoor.core.views.error_403"
handler500 = "onedoor.core.views.error_500"
