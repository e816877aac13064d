"""State changes for organisations, staff and their grants."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from onedoor.core.audit import attribute_to
from onedoor.core.exceptions import DomainError

from .choices import Role
from .models import ApiToken, Organisation, RoleAssignment, User, hash_token


@transaction.atomic
def create_staff(*, actor: User | None, username: str, full_name: str, organisation: Organisation | None,
                 password: str) -> User:
    if User.objects.filter(username=username).exists():
        raise DomainError(f"用户名“{username}”已被使用。", code="username_taken")
    user = User(username=username, full_name=full_name, organisation=organisation)
    user.set_password(password)
    attribute_to(user, actor)
    user.save()
    return user


@transaction.atomic
def assign_role(*, actor: User | None, user: User, role: str, area=None, organisation=None,
                valid_until=None, note: str = "") -> RoleAssignment:
    if role not in Role.values:
        raise DomainError(f"未知角色：{role}", code="unknown_role")
    if role != Role.ADMIN and area is None and organisation is None:
        raise DomainError("除系统管理员外，角色必须指定区域或机构范围。", code="scope_required")
    assignment = RoleAssignment(user=user, role=role, area=area, organisation=organisation,
                                valid_until=valid_until, note=note, granted_by=actor)
    attribute_to(assignment, actor)
    assignment.save()
    user.forget_grants()
    if role == Role.ADMIN:
        _sync_admin_site_flags(actor=actor, user=user)
    return assignment


@transaction.atomic
def end_role(*, actor: User | None, assignment: RoleAssignment) -> RoleAssignment:
    assignment.valid_until = timezone.now()
    attribute_to(assignment, actor)
    assignment.save(update_fields=["valid_until"])
    assignment.user.forget_grants()
    if assignment.role == Role.ADMIN:
        _sync_admin_site_flags(actor=actor, user=assignment.user)
    return assignment


def _sync_admin_site_flags(*, actor: User | None, user: User) -> None:
    """Django's admin site reads is_staff/is_superuser; they follow the admin role, never the reverse."""
    is_admin = user.is_onedoor_admin
    if (user.is_staff, user.is_superuser) != (is_admin, is_admin):
        user.is_staff = user.is_superuser = is_admin
        attribute_to(user, actor)
        user.save(update_fields=["is_staff", "is_superuser"])


@transaction.atomic
def issue_api_token(*, user: User) -> tuple[ApiToken, str]:
    """A new bearer token; the raw value is returned once and never stored."""
    raw = "od_" + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        key_hash=hash_token(raw),
        hint=raw[:8],
        expires_at=timezone.now() + timedelta(days=settings.ONEDOOR["API_TOKEN_DAYS"]),
    )
    attribute_to(token, user)
    token.save()
    return token, raw


@transaction.atomic
def revoke_api_token(*, actor: User, token: ApiToken) -> None:
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    attribute_to(token, actor)
    token.save(update_fields=["revoked_at"])


def touch_api_token(token: ApiToken) -> None:
    """Record use at most once a minute, so busy clients don't write on every call."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
