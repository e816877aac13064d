"""What a locked-out client gets (django-axes AXES_LOCKOUT_CALLABLE): the Chinese page in the
browser, the API's JSON error shape for API clients."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import render

LOCKED_MESSAGE = "登录失败次数过多，账号已被临时锁定，请稍后再试或联系系统管理员。"


def lockout_response(request, original_response=None, credentials=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "locked_out", "message": LOCKED_MESSAGE, "details": None}, status=429)
    return render(request, "accounts/locked_out.html", status=429)


def client_ip(request) -> str | None:
    """The address lockouts count against (AXES_CLIENT_IP_CALLABLE). Behind our own proxy it is the
    last X-Forwarded-For entry — the one the proxy itself appended; anything to its left came from the
    client and could be forged. Without a proxy, X-Forwarded-For is ignored for the same reason."""
    from django.conf import settings

    if getattr(settings, "BEHIND_PROXY", False):
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR")
