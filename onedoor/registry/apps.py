from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "onedoor.registry"
    label = "registry"
    verbose_name = _("救助对象登记")
