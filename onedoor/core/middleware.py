"""Request id: one id per request, carried into logs, row history and the access log."""

from __future__ import annotations

import contextvars
import logging
import re
import uuid

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("onedoor_request_id", default="-")
_ACCEPTED = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def current_request_id() -> str:
    return _request_id.get()


def set_request_id(value: str) -> contextvars.Token:
    return _request_id.set(value)


def new_request_id() -> str:
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Gives each request an id and echoes it back. Behind our own reverse proxy (BEHIND_PROXY=1) the
    proxy's X-Request-ID is kept when it looks sane, so one id follows a request through both logs;
    otherwise a client could plant misleading ids in the audit trail, so we always make our own."""

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.trust_incoming = bool(getattr(settings, "BEHIND_PROXY", False))

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "") if self.trust_incoming else ""
        request_id = incoming if _ACCEPTED.match(incoming) else new_request_id()
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RequestIdLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True


def reset_request_id(token: contextvars.Token) -> None:
    _request_id.reset(token)


class DomainErrorMiddleware:
    """A refused action (DomainError) raised in a page view becomes its message on the page, with the
    right status, instead of a 500. The API has its own JSON handler (onedoor/api.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.shortcuts import render

        from .exceptions import DomainError

        if not isinstance(exception, DomainError) or request.path.startswith("/api/"):
            return None
        template = "includes/refused_fragment.html" if getattr(request, "htmx", False) else "refused.html"
        return render(request, template, {"error": exception}, status=exception.status)


class ChineseFirstLocaleMiddleware:
    """Chinese unless the user chose English with the language switch (a cookie). Unlike Django's
    LocaleMiddleware it ignores the browser's Accept-Language: a clerk's borrowed laptop set to English
    must not turn the window's screens English."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class RejectNulMiddleware:
    """A NUL character in a query string or a JSON body is refused up front with 400: PostgreSQL
    cannot store or even compare it, so letting it reach a query would be a 500. (Form fields already
    refuse it through Django's validators; uploaded files are not inspected.)"""

    MESSAGE = "请求中含有不允许的控制字符（NUL），请检查输入。"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from urllib.parse import unquote_to_bytes

        suspicious = b"\x00" in unquote_to_bytes(request.META.get("QUERY_STRING", ""))
        if not suspicious and request.content_type == "application/json":
            body = request.body
            suspicious = b"\x00" in body or b"\\u0000" in body.lower()
        if suspicious:
            from django.http import HttpResponseBadRequest, JsonResponse

            if request.path.startswith("/api/"):
                return JsonResponse({"code": "bad_request", "message": self.MESSAGE, "details": None}, status=400)
            return HttpResponseBadRequest(self.MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
