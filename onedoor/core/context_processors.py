from django.conf import settings

from .navigation import menu_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_menu": [], "site_name": "一门通"}
    return {
        "nav_menu": menu_for(user, request.path),
        "site_name": "一门通",
        "page_size": settings.ONEDOOR["PAGE_SIZE"],
    }
