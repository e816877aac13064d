"""Request and response shapes of the catalogue API. Ratios go out as strings ("1.50"), dates as ISO."""


from datetime import date

from ninja import Field, Schema
from pydantic import field_validator

from .choices import LifeSituation, PolicyKind


def _choices(choices) -> str:
    return "、".join(f"{value}（{label}）" for value, label in choices.choices)


class PolicyFilter(Schema):
    q: str = Field("", max_length=100, description="政策名称、关键词、代码或名称拼音/首字母（如 低保、公租房、db）")
    department: str | None = Field(None, max_length=100, description="主管部门：机构简称（如 人社局）或编号")
    kind: str | None = Field(None, max_length=20, description=f"救助方式：{_choices(PolicyKind)}")
    situation: str | None = Field(None, max_length=20, description=f"生活情形：{_choices(LifeSituation)}")
    include_inactive: bool = Field(False, description="包括已停用的政策")

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value):
        if value and value not in PolicyKind.values:
            raise ValueError(f"救助方式只能是 {'、'.join(PolicyKind.values)}。")
        return value

    @field_validator("situation")
    @classmethod
    def _known_situation(cls, value):
        if value and value not in LifeSituation.values:
            raise ValueError(f"生活情形只能是 {'、'.join(LifeSituation.values)}。")
        return value


class SuggestionQuery(Schema):
    person_id: int = Field(..., ge=1, description="人员编号（须在本人数据范围内）")
    on: date | None = Field(None, description="按哪一天的登记信息和标准比对（默认今天）")
    include_unlikely: bool = Field(False, description="同时列出暂不符合的政策（附原因）")


class DepartmentOut(Schema):
    id: int
    name: str
    short_name: str


class PolicyOut(Schema):
    code: str
    name: str
    department: DepartmentOut
    kind: str
    kind_label: str
    subject: str
    categories: list[str] = Field(description="适用人员类别代码；空表示不限")
    min_age: int | None
    max_age: int | None = Field(description="未满该年龄（周岁）")
    requires_disability: bool
    requires_local_hukou: bool
    income_rule: str
    income_ratio: str = Field(description="家庭人均收入须低于 低保标准 × 该倍数（income_rule 为 below 时）")
    time_limit_days: int
    time_limit_covers: str
    notice_required: bool
    notice_days: int
    act_first_allowed: bool
    review_frequency: str
    amount_rule: str
    keywords: str
    life_situations: list[str]
    is_active: bool

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_categories(obj) -> list[str]:
        return [category.code for category in obj.eligible_categories.all()]

    @staticmethod
    def resolve_income_ratio(obj) -> str:
        return f"{obj.income_ratio:.2f}"


class LineOut(Schema):
    id: int
    area: str = Field(description="区划代码（含下级）")
    area_name: str
    department: DepartmentOut
    handler: str = Field(description="责任人姓名；空表示按轮派或待调度分派")
    pool: list[str]
    valid_from: date
    valid_to: date | None

    @staticmethod
    def resolve_area(obj) -> str:
        return obj.area_id

    @staticmethod
    def resolve_area_name(obj) -> str:
        return obj.area.name

    @staticmethod
    def resolve_handler(obj) -> str:
        return (obj.handler.get_full_name() or obj.handler.username) if obj.handler else ""

    @staticmethod
    def resolve_pool(obj) -> list[str]:
        return [user.get_full_name() or user.username for user in obj.pool.all()]


class PolicyDetailOut(PolicyOut):
    required_documents: list[str]
    guide: str
    responsibilities: list[LineOut] = Field(description="今天在用的责任清单条目")

    @staticmethod
    def resolve_responsibilities(obj) -> list:
        return obj.lines_in_force


class CheckOut(Schema):
    rule: str
    met: bool | None = Field(description="true 符合、false 不符合、null 情况不明")
    explanation: str


class PolicyBriefOut(Schema):
    code: str
    name: str
    department: str
    kind: str

    @staticmethod
    def resolve_department(obj) -> str:
        return str(obj.department)


class SuggestionOut(Schema):
    policy: PolicyBriefOut
    verdict: str = Field(description="likely（可能符合）、possible（需进一步核实）、unlikely（暂不符合）")
    verdict_label: str
    checks: list[CheckOut]


class FactsOut(Schema):
    age: int | None
    categories: list[str]
    has_disability: bool | None
    local_hukou: bool | None
    hukou_type: str
    per_capita_income: str | None = Field(description="家庭人均月收入（元）")
    household_size: int | None


class SuggestionsOut(Schema):
    person_id: int
    on: date
    facts: FactsOut
    suggestions: list[SuggestionOut]
