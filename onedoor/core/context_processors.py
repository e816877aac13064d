from django.conf import settings
from django.utils.translation import gettext as _

from .navigation import menu_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_menu": [], "site_name": _("一门通")}
    return {
        "nav_menu": menu_for(user, request.path),
        "site_name": _("一门通"),
        "page_size": settings.ONEDOOR["PAGE_SIZE"],
    }
