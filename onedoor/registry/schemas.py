"""Request and response shapes of the registry API.

Input fields are deliberately loose strings where `validation.check_person` decides (dates, sex, amounts,
grades), so that every content problem comes back at once, per field, in Chinese (422 invalid_person).
Only types and lengths are checked here. Money goes out as strings ("1200.00"), dates as ISO, and ID
numbers masked unless the caller asked for an audited unmask.
"""

from datetime import date, datetime

from django.utils import timezone
from ninja import Field, Schema
from pydantic import ConfigDict, field_validator

from onedoor.core.scoping import CODE_LENGTH

from .choices import (
    CategorySource,
    DisabilityKind,
    Health,
    HukouType,
    MaritalStatus,
    WorkCapacity,
)
from .models import CategoryAssignment, HouseholdMember, Person


def _max(field: str, model=Person) -> int:
    return model._meta.get_field(field).max_length


def _choices(choices) -> str:
    return "、".join(f"{value}（{label}）" for value, label in choices.choices)


def money_text(amount) -> str:
    return f"{amount:.2f}"


# --- input -------------------------------------------------------------------------------------------

class PersonFields(Schema):
    """The fields of a person a client may send; everything optional here, `PersonIn` requires a name."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=_max("name"), description="姓名（按证件书写，简体或繁体均可）")
    id_number: str | None = Field(None, max_length=30,
                                  description="18 位居民身份证号码；没有时必须填写性别和出生日期，系统分配临时编号")
    sex: str | None = Field(None, max_length=4, description="“男”或“女”（也接受 M / F）；有身份证号码时由号码决定")
    birth_date: str | None = Field(None, max_length=20, description="出生日期 YYYY-MM-DD；有身份证号码时由号码决定")
    ethnicity: str | None = Field(None, max_length=_max("ethnicity"), description="民族")
    phone: str | None = Field(None, max_length=30, description="联系电话（手机或固定电话）")
    phone2: str | None = Field(None, max_length=30, description="备用电话")
    residence_area: str | None = Field(None, max_length=CODE_LENGTH,
                                       description="居住地：本人可见范围内的村（社区）12 位区划代码")
    address: str | None = Field(None, max_length=_max("address"), description="现住址")
    hukou_area: str | None = Field(None, max_length=CODE_LENGTH, description="户籍地 12 位区划代码")
    hukou_type: str | None = Field(None, max_length=_max("hukou_type"), description=f"户口性质：{_choices(HukouType)}")
    marital_status: str | None = Field(None, max_length=_max("marital_status"),
                                       description=f"婚姻状况：{_choices(MaritalStatus)}")
    health: str | None = Field(None, max_length=_max("health"), description=f"健康状况：{_choices(Health)}")
    serious_illness: str | None = Field(None, max_length=_max("serious_illness"), description="重大疾病")
    disability_kind: str | None = Field(None, max_length=_max("disability_kind"),
                                        description=f"残疾类别：{_choices(DisabilityKind)}")
    disability_grade: int | str | None = Field(None, description="残疾等级 1–4")
    work_capacity: str | None = Field(None, max_length=_max("work_capacity"),
                                      description=f"劳动能力：{_choices(WorkCapacity)}")
    occupation: str | None = Field(None, max_length=_max("occupation"), description="职业")
    monthly_income: str | None = Field(None, max_length=30, description="月收入（元），字符串，如 \"1200.00\"；不接受浮点数",
                                       examples=["1200.00"])
    bank_name: str | None = Field(None, max_length=_max("bank_name"), description="开户银行")
    bank_account: str | None = Field(None, max_length=_max("bank_account"), description="银行账号")
    description: str | None = Field(None, max_length=2000, description="体貌特征等说明（无证件人员）")

    @field_validator("monthly_income", mode="before")
    @classmethod
    def _money_is_not_a_float(cls, value):
        if isinstance(value, bool):
            raise ValueError("月收入应为金额字符串，如 \"1200.00\"。")
        if isinstance(value, float):
            raise ValueError("月收入请用字符串表示（如 \"1200.00\"），不接受浮点数。")
        if isinstance(value, int):
            return str(value)
        return value


class PersonIn(PersonFields):
    name: str = Field(..., max_length=_max("name"), description="姓名（按证件书写，简体或繁体均可）")
    residence_area: str = Field(..., max_length=CODE_LENGTH,
                                description="居住地：本人可见范围内的村（社区）12 位区划代码")
    reason: str = Field("", max_length=200, description="登记说明（可选）")


class PersonPatch(PersonFields):
    """Only the fields given change (actions.EDITABLE); the reason is required and kept with the change."""

    reason: str = Field(..., min_length=1, max_length=200, description="修改理由（必填）")


class DetailQuery(Schema):
    unmask: bool = Field(False, description="显示完整证件号码（须有权限并说明理由，写入访问日志）")
    reason: str = Field("", max_length=200, description="查看完整证件号码的理由")


class PersonFilter(Schema):
    q: str = Field("", max_length=100, description="身份证号码（全部或末几位）、姓名（简繁）、拼音、首字母或电话")
    area: str | None = Field(None, pattern=r"^[0-9A-Za-z]{12}$", description="居住地区划代码（含下级）")
    category: str | None = Field(None, max_length=40, description="类别代码，如 tekun、dibao（当天有效）")
    on: date | None = Field(None, description="按哪一天看在世与类别（默认今天）")
    include_deceased: bool = Field(False, description="包括已死亡人员")


class HouseholdQuery(Schema):
    on: date | None = Field(None, description="按哪一天计算家庭人口与人均收入（默认今天）")


class AssignmentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    category: str = Field(..., max_length=40, description="类别代码，如 tekun（特困供养）、dibao（低保）")
    person_id: int | None = Field(None, description="个人类别：人员编号")
    household_id: int | None = Field(None, description="家庭类别：家庭编号")
    valid_from: date = Field(..., description="起始日期")
    source: str = Field(CategorySource.MANUAL, max_length=10, description=f"来源：{_choices(CategorySource)}")
    reason: str = Field("", max_length=_max("reason", CategoryAssignment), description="依据/理由（手工登记必填）")


class AssignmentEndIn(Schema):
    model_config = ConfigDict(extra="forbid")

    valid_to: date = Field(..., description="终止日期：当天起不再属于该类别")
    reason: str = Field(..., max_length=_max("end_reason", CategoryAssignment), description="终止理由（必填）")


# --- output ------------------------------------------------------------------------------------------

class AreaRef(Schema):
    code: str
    name: str


class CategoryRef(Schema):
    """A category in force, and whether it is the person's own or their household's."""

    code: str
    name: str
    subject: str


class AssignmentOut(Schema):
    id: int
    category: str
    category_name: str
    subject: str
    person_id: int | None
    household_id: int | None
    area_code: str
    valid_from: date
    valid_to: date | None
    in_force: bool
    source: str
    source_label: str
    reason: str
    end_reason: str

    @staticmethod
    def resolve_category(obj: CategoryAssignment) -> str:
        return obj.category.code

    @staticmethod
    def resolve_category_name(obj: CategoryAssignment) -> str:
        return obj.category.name

    @staticmethod
    def resolve_subject(obj: CategoryAssignment) -> str:
        return "person" if obj.person_id else "household"

    @staticmethod
    def resolve_area_code(obj: CategoryAssignment) -> str:
        return obj.area_id

    @staticmethod
    def resolve_in_force(obj: CategoryAssignment) -> bool:
        today = timezone.localdate()
        return obj.valid_from <= today and (obj.valid_to is None or obj.valid_to > today)

    @staticmethod
    def resolve_source_label(obj: CategoryAssignment) -> str:
        return str(obj.get_source_display())


class PersonOut(Schema):
    """A person in a list: the ID number masked, categories in force on the day asked."""

    id: int
    name: str
    id_number: str = Field(description="证件号码（脱敏）；无证件时为临时编号")
    sex: str
    sex_label: str
    birth_date: date
    age: int
    phone: str
    residence_area: AreaRef
    address: str
    self_care: str
    death_date: date | None
    household_id: int | None = Field(description="当天所在家庭")
    categories: list[CategoryRef] = Field(description="当天有效的个人类别和家庭类别")

    @staticmethod
    def resolve_id_number(obj: Person) -> str:
        return obj.masked_id

    @staticmethod
    def resolve_sex_label(obj: Person) -> str:
        return str(obj.get_sex_display())

    @staticmethod
    def resolve_age(obj: Person) -> int:
        return obj.age_on(obj.death_date or timezone.localdate())

    @staticmethod
    def resolve_household_id(obj: Person) -> int | None:
        memberships = getattr(obj, "memberships_on_day", [])
        return memberships[0].household_id if memberships else None

    @staticmethod
    def resolve_categories(obj: Person) -> list[dict]:
        found = [{"code": a.category.code, "name": a.category.name, "subject": "person"}
                 for a in getattr(obj, "categories_in_force", [])]
        for membership in getattr(obj, "memberships_on_day", []):
            found += [{"code": a.category.code, "name": a.category.name, "subject": "household"}
                      for a in getattr(membership.household, "categories_in_force", [])]
        return found


class PersonDetailOut(Schema):
    """One person. `id_number` is masked unless `id_number_masked` is false (an audited unmask)."""

    id: int
    name: str
    id_number: str
    id_number_masked: bool
    has_id_number: bool
    sex: str
    sex_label: str
    birth_date: date
    age: int
    ethnicity: str
    phone: str
    phone2: str
    residence_area: AreaRef
    address: str
    hukou_area: AreaRef | None
    hukou_type: str
    marital_status: str
    health: str
    serious_illness: str
    disability_kind: str
    disability_grade: int | None
    work_capacity: str
    self_care: str
    self_care_label: str
    self_care_unable: list[str]
    self_care_assessed_on: date | None
    occupation: str
    monthly_income: str = Field(description="月收入（元），字符串，两位小数")
    bank_name: str
    bank_account: str = Field(description="银行账号（脱敏）")
    description: str
    death_date: date | None
    merged_into_id: int | None
    household_id: int | None = Field(description="现在所在家庭")
    categories: list[AssignmentOut] = Field(description="本人和所在家庭的全部类别认定（含已终止）")
    created_at: datetime
    updated_at: datetime


class MemberOut(Schema):
    person_id: int
    name: str
    id_number: str = Field(description="证件号码（脱敏）")
    relation: str
    relation_label: str
    joined_on: date
    left_on: date | None
    left_reason: str
    current: bool

    @staticmethod
    def resolve_name(obj: HouseholdMember) -> str:
        return obj.person.name

    @staticmethod
    def resolve_id_number(obj: HouseholdMember) -> str:
        return obj.person.masked_id

    @staticmethod
    def resolve_relation_label(obj: HouseholdMember) -> str:
        return str(obj.get_relation_display())

    @staticmethod
    def resolve_current(obj: HouseholdMember) -> bool:
        return obj.left_on is None


class PersonRef(Schema):
    id: int
    name: str
    id_number: str = Field(description="证件号码（脱敏）")

    @staticmethod
    def resolve_id_number(obj: Person) -> str:
        return obj.masked_id


class HouseholdOut(Schema):
    id: int
    head: PersonRef
    residence_area: AreaRef
    address: str
    hukou_type: str
    formed_on: date
    dissolved_on: date | None
    figures_on: date
    size: int = Field(description="当天家庭人口")
    total_income: str = Field(description="当天家庭月收入合计（元）")
    per_capita_income: str = Field(description="当天家庭月人均收入（元）")
    members: list[MemberOut] = Field(description="现有和曾经的成员")
    categories: list[AssignmentOut] = Field(description="家庭类别认定（含已终止）")

