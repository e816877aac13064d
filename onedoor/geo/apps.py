from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class GeoConfig(AppConfig):
    name = "onedoor.geo"
    label = "geo"
    verbose_name = _("行政区划")

    def ready(self) -> None:
        from onedoor.core.navigation import register_nav

        # The menu says "Areas" in English; titles say "Administrative areas" (same Chinese msgid).
        register_nav(pgettext_lazy("nav", "行政区划"), "geo:area_list", order=900)
