"""The registry: people, households with members over time, and categories over time.

State changes go through `registry.actions`; each writes row history and a `RegistryEvent`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onedoor.core.audit import history
from onedoor.core.idnumber import mask_id_number
from onedoor.core.models import DomainEvent
from onedoor.core.money import money_field
from onedoor.core.scoping import ScopedQuerySet, ScopeRule, in_subtree

from .choices import (
    CategorySource,
    CategorySubject,
    DisabilityGrade,
    DisabilityKind,
    Health,
    HukouType,
    MaritalStatus,
    Relation,
    SelfCare,
    Sex,
    WorkCapacity,
)


def mask_bank_account(account: str) -> str:
    """The form shown on screens and in exports: first and last four digits only."""
    return f"{account[:4]}****{account[-4:]}" if len(account) > 8 else ("****" if account else "")


def _alive_on(prefix: str, on: date) -> Q:
    return Q(**{f"{prefix}death_date__isnull": True}) | Q(**{f"{prefix}death_date__gt": on})


class PersonQuerySet(ScopedQuerySet):
    def alive(self, on: date | None = None) -> PersonQuerySet:
        """People alive on a date (default today): the deceased drop out from the date of death."""
        return self.filter(_alive_on("", on or timezone.localdate()), merged_into__isnull=True)

    def in_area(self, code: str) -> PersonQuerySet:
        return self.filter(in_subtree("residence_area", code))


class Person(models.Model):
    """One person the bureau serves (or may serve): identity, where they live, their circumstances."""

    id_number = models.CharField(_("身份证号码"), max_length=18, unique=True, null=True, blank=True)
    # People found on patrol may have no ID yet: they get a generated identifier and a description.
    temp_identifier = models.CharField(_("临时编号"), max_length=20, unique=True, null=True, blank=True)
    description = models.TextField(_("体貌特征等说明"), blank=True)
    id_tail = models.CharField(_("证件号后六位"), max_length=6, blank=True, db_index=True, editable=False)

    name = models.CharField(_("姓名"), max_length=60, help_text=_("按证件书写"))
    name_simplified = models.CharField(_("姓名（简体）"), max_length=60, db_index=True, editable=False)
    name_pinyin = models.CharField(_("姓名拼音"), max_length=200, db_index=True, editable=False)
    name_initials = models.CharField(_("姓名首字母"), max_length=30, db_index=True, editable=False)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("出生日期"))
    ethnicity = models.CharField(_("民族"), max_length=20, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True, db_index=True)
    phone2 = models.CharField(_("备用电话"), max_length=20, blank=True)

    hukou_area = models.ForeignKey("geo.Area", verbose_name=_("户籍地"), on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+")
    hukou_type = models.CharField(_("户口性质"), max_length=10, choices=HukouType.choices, blank=True)
    residence_area = models.ForeignKey("geo.Area", verbose_name=_("居住地（村/社区）"), on_delete=models.PROTECT,
                                       related_name="residents")
    address = models.CharField(_("现住址"), max_length=200, blank=True)

    marital_status = models.CharField(_("婚姻状况"), max_length=12, choices=MaritalStatus.choices, blank=True)
    health = models.CharField(_("健康状况"), max_length=12, choices=Health.choices, blank=True)
    serious_illness = models.CharField(_("重大疾病"), max_length=100, blank=True)
    disability_kind = models.CharField(_("残疾类别"), max_length=15, choices=DisabilityKind.choices, blank=True)
    disability_grade = models.PositiveSmallIntegerField(_("残疾等级"), choices=DisabilityGrade.choices, null=True,
                                                        blank=True)
    work_capacity = models.CharField(_("劳动能力"), max_length=10, choices=WorkCapacity.choices, blank=True)
    # Self-care assessment: which of the six daily activities the person cannot do alone.
    self_care_unable = models.JSONField(_("不能自理的项目"), default=list, blank=True)
    self_care = models.CharField(_("自理能力"), max_length=10, choices=SelfCare.choices, blank=True)
    self_care_assessed_on = models.DateField(_("自理能力评估日期"), null=True, blank=True)
    occupation = models.CharField(_("职业"), max_length=60, blank=True)
    monthly_income = money_field(_("月收入（元）"), default=Decimal("0.00"))

    bank_name = models.CharField(_("开户银行"), max_length=60, blank=True)
    bank_account = models.CharField(_("银行账号"), max_length=40, blank=True)

    death_date = models.DateField(_("死亡日期"), null=True, blank=True)
    merged_into = models.ForeignKey("self", verbose_name=_("已合并到"), on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="merged_from")
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = PersonQuerySet.as_manager()
    scope = ScopeRule(area="residence_area")
    history = history(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("救助对象")
        verbose_name_plural = _("救助对象")
        ordering = ["residence_area", "name_simplified", "pk"]
        indexes = [
            models.Index(fields=["residence_area", "name_simplified"], name="person_area_name"),
            models.Index(fields=["name_simplified", "birth_date"], name="person_name_birth"),
            # The spare phone is searched by its beginning like the first (LIKE '1390%'); the opclass makes
            # PostgreSQL use the index whatever the database's collation (ignored elsewhere).
            models.Index(fields=["phone2"], name="person_phone2", opclasses=["varchar_pattern_ops"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(id_number__isnull=False) | Q(temp_identifier__isnull=False),
                name="person_has_an_identifier",
                violation_error_message=_("没有身份证号码时必须有临时编号。"),
            ),
            models.CheckConstraint(condition=Q(monthly_income__gte=0), name="person_income_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_id(self) -> str:
        return mask_id_number(self.id_number) if self.id_number else (self.temp_identifier or "")

    @property
    def masked_bank_account(self) -> str:
        return mask_bank_account(self.bank_account)

    @property
    def is_deceased(self) -> bool:
        return self.death_date is not None

    def age_on(self, on: date | None = None) -> int:
        on = on or timezone.localdate()
        return on.year - self.birth_date.year - ((on.month, on.day) < (self.birth_date.month, self.birth_date.day))


class HouseholdQuerySet(ScopedQuerySet):
    def current(self) -> HouseholdQuerySet:
        return self.filter(dissolved_on__isnull=True)


class Household(models.Model):
    """One household (共同生活家庭): members over time, a head, where it lives. Size and per-capita
    income are derived from the current members, never typed in."""

    head = models.ForeignKey(Person, verbose_name=_("户主"), on_delete=models.PROTECT, related_name="headed_households")
    residence_area = models.ForeignKey("geo.Area", verbose_name=_("居住地（村/社区）"), on_delete=models.PROTECT,
                                       related_name="households")
    address = models.CharField(_("住址"), max_length=200, blank=True)
    hukou_type = models.CharField(_("城乡类别"), max_length=10, choices=HukouType.choices, blank=True)
    formed_on = models.DateField(_("建立日期"), default=timezone.localdate)
    dissolved_on = models.DateField(_("注销日期"), null=True, blank=True)

    objects = HouseholdQuerySet.as_manager()
    scope = ScopeRule(area="residence_area")
    history = history()

    class Meta:
        verbose_name = _("家庭")
        verbose_name_plural = _("家庭")
        ordering = ["residence_area", "pk"]

    def __str__(self) -> str:
        return _("%(name)s户") % {"name": self.head.name}

    def members_on(self, on: date | None = None):
        on = on or timezone.localdate()
        return self.memberships.filter(Q(left_on__isnull=True) | Q(left_on__gt=on), joined_on__lte=on).filter(
            _alive_on("person__", on)
        )

    def figures_on(self, on: date | None = None) -> dict:
        """Size and per-capita monthly income from the members on a date (one query)."""
        incomes = [m.person.monthly_income for m in self.members_on(on).select_related("person")]
        size = len(incomes)
        total = sum(incomes, Decimal("0.00"))
        per_capita = (total / size).quantize(Decimal("0.01")) if size else Decimal("0.00")
        return {"size": size, "total_income": total, "per_capita_income": per_capita}


class HouseholdMember(models.Model):
    """One person's membership of a household for a period, with their relation to the head."""

    household = models.ForeignKey(Household, verbose_name=_("家庭"), on_delete=models.CASCADE,
                                  related_name="memberships")
    person = models.ForeignKey(Person, verbose_name=_("成员"), on_delete=models.PROTECT, related_name="memberships")
    relation = models.CharField(_("与户主关系"), max_length=15, choices=Relation.choices)
    joined_on = models.DateField(_("加入日期"), default=timezone.localdate)
    left_on = models.DateField(_("离开日期"), null=True, blank=True)
    left_reason = models.CharField(_("离开原因"), max_length=100, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeRule(area="household__residence_area")
    history = history()

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        ordering = ["household", "joined_on", "pk"]
        constraints = [
            # A person lives in one household at a time.
            models.UniqueConstraint(fields=["person"], condition=Q(left_on__isnull=True),
                                    name="one_current_household_per_person"),
            models.CheckConstraint(condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                                   name="membership_period_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_relation_display()})"


class Category(models.Model):
    """A kind of person or household the bureau counts (特困供养, 低保 …); the admin can add more."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    subject = models.CharField(_("对象"), max_length=10, choices=CategorySubject.choices,
                               default=CategorySubject.PERSON)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    is_active = models.BooleanField(_("在用"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=100)

    history = history()

    class Meta:
        verbose_name = _("人员类别")
        verbose_name_plural = _("人员类别")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class CategoryAssignmentQuerySet(ScopedQuerySet):
    def on(self, day: date) -> CategoryAssignmentQuerySet:
        """Assignments in force on a day, for people alive that day (one query with the filters below)."""
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day), valid_from__lte=day).filter(
            Q(person__isnull=True) | _alive_on("person__", day)
        )

    def in_area(self, code: str) -> CategoryAssignmentQuerySet:
        return self.filter(in_subtree("area", code))

    def current(self) -> CategoryAssignmentQuerySet:
        return self.filter(valid_to__isnull=True)


class CategoryAssignment(models.Model):
    """A person or a household in a category for a period [valid_from, valid_to). Ending it closes the
    period; a later change is a new row, so the history is the table itself."""

    category = models.ForeignKey(Category, verbose_name=_("类别"), on_delete=models.PROTECT, related_name="assignments")
    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.PROTECT, null=True, blank=True,
                               related_name="category_assignments")
    household = models.ForeignKey(Household, verbose_name=_("家庭"), on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="category_assignments")
    # Where the subject lived when assigned: counts by town stay true after someone moves.
    area = models.ForeignKey("geo.Area", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    valid_from = models.DateField(_("起始日期"))
    valid_to = models.DateField(_("终止日期"), null=True, blank=True, help_text=_("当天起不再属于该类别"))
    source = models.CharField(_("来源"), max_length=10, choices=CategorySource.choices)
    reason = models.CharField(_("依据/理由"), max_length=200, blank=True)
    end_reason = models.CharField(_("终止理由"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")

    objects = CategoryAssignmentQuerySet.as_manager()
    scope = ScopeRule(area="area")
    history = history()

    class Meta:
        verbose_name = _("类别认定")
        verbose_name_plural = _("类别认定")
        ordering = ["-valid_from", "pk"]
        indexes = [
            # "Who is 特困 in 莲花镇 on 2026-12-08": category, then the area code range, then the dates.
            models.Index(fields=["category", "area", "valid_from"], name="category_area_from"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(person__isnull=False, household__isnull=True)
                           | Q(person__isnull=True, household__isnull=False)),
                name="assignment_has_one_subject",
            ),
            models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                                   name="assignment_period_valid"),
            models.UniqueConstraint(fields=["category", "person"], condition=Q(valid_to__isnull=True),
                                    name="one_open_category_per_person"),
            models.UniqueConstraint(fields=["category", "household"], condition=Q(valid_to__isnull=True),
                                    name="one_open_category_per_household"),
        ]

    def __str__(self) -> str:
        return f"{self.person or self.household} · {self.category}"


class RegistryEvent(DomainEvent):
    """What happened to a person or household: registered, changed (with before/after), categories
    assigned or ended, joined or left a household, died, merged. The person page's timeline."""

    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.PROTECT, null=True, blank=True,
                               related_name="events")
    household = models.ForeignKey(Household, verbose_name=_("家庭"), on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="events")
    area = models.ForeignKey("geo.Area", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope = ScopeRule(area="area")

    class Meta(DomainEvent.Meta):
        verbose_name = _("登记事件")
        verbose_name_plural = _("登记事件")
        indexes = [models.Index(fields=["person", "occurred_at"], name="registry_event_person")]


from .models_import import *  # noqa
