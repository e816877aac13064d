"""The REST API at /api/v1/: one NinjaAPI, session or bearer-token auth, errors as
{"code", "message", "details"} with the right HTTP status. Each app contributes a router."""

from __future__ import annotations

import logging

from django.http import Http404, HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import APIKeyCookie, HttpBearer

from onedoor.core.exceptions import DomainError

logger = logging.getLogger(__name__)


class SessionAuth(APIKeyCookie):
    """The browser's login session; CSRF is checked on unsafe methods."""

    param_name = "sessionid"

    def __call__(self, request: HttpRequest):
        # Without a signed-in session there is nothing for CSRF to protect: step aside (no CSRF check)
        # so that a bearer-token client's POST reaches BearerTokenAuth instead of a 403.
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, key: str | None):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer od_…` for other systems (tokens from POST /api/v1/auth/token)."""

    def authenticate(self, request: HttpRequest, token: str):
        from onedoor.accounts.actions import touch_api_token
        from onedoor.accounts.models import ApiToken

        found = ApiToken.find(token)
        if found is None:
            return None
        touch_api_token(found)
        request.user = found.user
        return found.user


api = NinjaAPI(
    title="OneDoor 一门通 API",
    version="1",
    description="一门受理、协同办理。所有接口与页面使用同一套数据范围控制；证件号默认脱敏。",
    auth=[SessionAuth(), BearerTokenAuth()],
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def error(request: HttpRequest, status: int, code: str, message: str, details=None):
    return api.create_response(request, {"code": code, "message": message, "details": details}, status=status)


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    return error(request, 422, "validation_error", "请求数据不正确，请检查标出的字段。", exc.errors)


@api.exception_handler(AuthenticationError)
def _authentication_error(request, exc):
    return error(request, 401, "unauthenticated", "请先登录，或提供有效的访问令牌。")


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error(request, 404, "not_found", "没有找到，或者您无权查看。")


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    codes = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
             405: "method_not_allowed", 409: "conflict", 429: "too_many_requests"}
    return error(request, exc.status_code, codes.get(exc.status_code, "error"), str(exc.message))


@api.exception_handler(DomainError)
def _domain_error(request, exc: DomainError):
    return error(request, exc.status, exc.code, exc.message, exc.details)


@api.exception_handler(Exception)
def _unexpected(request, exc):
    logger.exception("unhandled API error")
    return error(request, 500, "server_error", "服务器内部错误，已记录日志，请稍后再试或联系管理员。")


def _register_routers() -> None:
    from onedoor.accounts.api import router as accounts_router
    from onedoor.aid.api import router as aid_router
    from onedoor.benefits.api import router as benefits_router
    from onedoor.core.api import router as core_router
    from onedoor.geo.api import router as geo_router
    from onedoor.intake.api import router as intake_router
    from onedoor.policies.api import router as policies_router
    from onedoor.portal.api import router as portal_router
    from onedoor.registry.api import router as registry_router
    from onedoor.relief.api import router as relief_router
    from onedoor.relief.campaign_api import router as campaign_router
    from onedoor.reports.api import router as reports_router

    api.add_router("/", accounts_router)
    api.add_router("/", core_router)
    api.add_router("/areas", geo_router)
    api.add_router("/", registry_router)
    api.add_router("/", policies_router)
    api.add_router("/", intake_router)
    api.add_router("/public", portal_router)
    api.add_router("/", aid_router)
    api.add_router("/", benefits_router)
    api.add_router("/", relief_router)
    api.add_router("/", campaign_router)
    api.add_router("/", reports_router)


_register_routers()
