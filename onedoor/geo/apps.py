from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "onedoor.geo"
    label = "geo"
    verbose_name = "行政区划"

    def ready(self) -> None:
        from onedoor.core.navigation import register_nav

        register_nav("行政区划", "geo:area_list", order=900)
