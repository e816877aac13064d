
from datetime import datetime

from django.contrib.auth import authenticate
from ninja import Router, Schema
from ninja.errors import HttpError

from .actions import issue_api_token
from .lockout import LOCKED_MESSAGE

router = Router(tags=["账号"])


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"
    expires_at: datetime


class GrantOut(Schema):
    role: str
    role_label: str
    area_code: str | None
    area_name: str | None
    organisation_id: int | None
    organisation_name: str | None
    valid_until: datetime | None


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    organisation_id: int | None
    organisation_name: str | None
    roles: list[GrantOut]


@router.post("/auth/token", auth=None, response=TokenOut, summary="用户名和密码换取访问令牌")
def create_token(request, payload: TokenIn):
    user = authenticate(request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        raise HttpError(429, LOCKED_MESSAGE)
    if user is None or not user.is_active:
        raise HttpError(401, "用户名或密码不正确。")
    token, raw = issue_api_token(user=user)
    return {"token": raw, "expires_at": token.expires_at}


@router.get("/me", response=MeOut, summary="当前用户及其角色范围")
def me(request):
    user = request.auth
    assignments = user.role_assignments.active().select_related("area", "organisation")
    return {
        "id": user.pk,
        "username": user.username,
        "full_name": user.full_name,
        "organisation_id": user.organisation_id,
        "organisation_name": str(user.organisation) if user.organisation else None,
        "roles": [
            {
                "role": a.role,
                "role_label": a.get_role_display(),
                "area_code": a.area_id,
                "area_name": a.area.name if a.area else None,
                "organisation_id": a.organisation_id,
                "organisation_name": str(a.organisation) if a.organisation else None,
                "valid_until": a.valid_until,
            }
            for a in assignments
        ],
    }
