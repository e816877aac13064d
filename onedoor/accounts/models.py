"""Organisations, staff users, their role assignments (the source of scope) and API tokens."""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onedoor.core.audit import history
from onedoor.core.scoping import Grant, ScopedManager, ScopedQuerySet, ScopeRule

from .choices import OrganisationKind, Role


class Organisation(models.Model):
    """One body that works in OneDoor: the bureau, a town window, a department, a contracted
    social-work organisation, a supplier, a charity, the rescue station or a bank."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=OrganisationKind.choices)
    area = models.ForeignKey(
        "geo.Area", verbose_name=_("所在/负责区域"), on_delete=models.PROTECT, related_name="organisations"
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("上级机构"), on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    is_active = models.BooleanField(_("在用"), default=True)
    # Escalation of overdue tasks reaches the department head as well as the dispatcher.
    head = models.ForeignKey("User", verbose_name=_("部门负责人"), on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", help_text=_("逾期事项督办时一并通知"))

    objects = ScopedManager()
    scope = ScopeRule(area="area", organisation="pk")
    history = history()

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = verbose_name
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.short_name or self.name


class User(AbstractUser):
    """A staff account. It belongs to one organisation; what it may see comes from its role assignments."""

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("所属机构"), on_delete=models.PROTECT, null=True, blank=True, related_name="staff"
    )
    phone = models.CharField(_("手机"), max_length=20, blank=True)

    objects = UserManager()
    history = history(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("工作人员")
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return self.full_name or self.username

    def active_grants(self) -> list[Grant]:
        """Grants from unexpired role assignments, cached on the instance for the request."""
        cached = getattr(self, "_grants_cache", None)
        if cached is None:
            # values_list and no ordering: this runs on every request that reads scoped data.
            rows = RoleAssignment.objects.filter(user=self).active().order_by().values_list(
                "role", "area_id", "organisation_id"
            )
            cached = [Grant(role=role, area_code=area, organisation_id=org) for role, area, org in rows]
            self._grants_cache = cached
        return cached

    def forget_grants(self) -> None:
        self.__dict__.pop("_grants_cache", None)

    @property
    def roles(self) -> set[str]:
        return {grant.role for grant in self.active_grants()}

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_onedoor_admin(self) -> bool:
        return Role.ADMIN in self.roles

    @property
    def role_labels(self) -> list[str]:
        return [Role(role).label for role in sorted(self.roles)]


class RoleAssignmentQuerySet(ScopedQuerySet):
    def active(self, at=None) -> RoleAssignmentQuerySet:
        at = at or timezone.now()
        return self.filter(Q(valid_until__isnull=True) | Q(valid_until__gt=at))


class RoleAssignment(models.Model):
    """One role a user holds over an area subtree and/or an organisation, until an optional expiry."""

    user = models.ForeignKey(User, verbose_name=_("工作人员"), on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    area = models.ForeignKey(
        "geo.Area", verbose_name=_("区域范围"), on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text=_("含下级区域"),
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("机构范围"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    valid_until = models.DateTimeField(_("有效期至"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    granted_by = models.ForeignKey(
        User, verbose_name=_("授权人"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    granted_at = models.DateTimeField(_("授权时间"), default=timezone.now)

    objects = RoleAssignmentQuerySet.as_manager()
    scope = ScopeRule(area="area", organisation="organisation", owner="user")
    history = history()

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = verbose_name
        ordering = ["user", "role"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role=Role.ADMIN) | Q(area__isnull=False) | Q(organisation__isnull=False),
                name="role_assignment_has_scope",
                violation_error_message=_("除系统管理员外，角色必须指定区域或机构范围。"),
            ),
        ]

    def __str__(self) -> str:
        where = " / ".join(str(x) for x in (self.area, self.organisation) if x)
        return f"{self.get_role_display()}（{where or gettext('全部')}）"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now(), user__is_active=True)


class ApiToken(models.Model):
    """A bearer token for another system calling the API. Only its hash is stored."""

    user = models.ForeignKey(User, verbose_name=_("工作人员"), on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(_("令牌前缀"), max_length=8)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("到期时间"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()
    # Issue and revoke are audited; last_used_at is a bulk update and deliberately not history.
    history = history(excluded_fields=["key_hash", "last_used_at"])

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.hint}…"

    @classmethod
    def find(cls, raw: str) -> ApiToken | None:
        return cls.objects.usable().select_related("user").filter(key_hash=hash_token(raw)).first()
