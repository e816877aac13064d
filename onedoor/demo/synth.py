"""The synthetic 同安区: how big the demo is (`--scale`), which year it covers (`--year`) and the
households, people, incomes and bank accounts drawn for it (`--seed`).

Everything here is a pure function of (scale, year, seed): no database reads except the area tree,
walked in code order. The same options give the same people, ID numbers, incomes and accounts on any
database, so the payments computed from them are the same too (tests/demo/test_synthetic_district.py).

The data is clearly fake: names are one surname and one or two given-name characters drawn from the
short lists below (common characters, so a name looks ordinary yet is nobody in particular); ID
numbers carry 同安区's address code 350212, a birth date that fits the person's role in the family and
a valid check character (`core.idnumber.make_id_number`); phones start with 1 and a fixed prefix no
operator issues (`1990592`); bank accounts start with the demo prefix 6230 9999.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from onedoor.core.idnumber import make_id_number

ADDRESS_CODE = "350212"
SURNAMES = "陈林黄张李王吴刘蔡杨许郑谢洪苏叶庄曾周叶徐孙朱高何罗郭梁宋唐韩冯邓彭萧"
GIVEN_MALE = "文明华国志建荣福德清金水强伟军平辉东海生良成忠"
GIVEN_FEMALE = "秀玉美丽春英兰淑芬珍燕霞娟凤琴梅雪婷静月"
GIVEN_CHILD = "子涵宇轩浩然欣怡梓萱俊杰思诗雨晨佳琪博"
NAME_CHARACTERS = set(SURNAMES + GIVEN_MALE + GIVEN_FEMALE + GIVEN_CHILD)
PHONE_PREFIX = "1990592"
BANK_PREFIX = "62309999"
BANK_NAME = "同安农商银行"

# The kinds of household the demo holds, and how many of each the article-scale district has. Sizes
# are chosen so that 12 monthly payroll runs come near the article's 107,000 person-times and 93.55
# million yuan (one payment per 低保 household, per 特困 person, per child, per allowance).
ARTICLE_HOUSEHOLDS = {
    "dibao": 3900,         # 低保户 (1–5 people; a one-person household is also 单人低保户)
    "tekun": 1000,         # 特困供养人员, living alone
    "orphan": 120,         # a grandparent raising an orphan
    "unsupported": 110,    # a grandparent raising a child nobody supports (事实无人抚养)
    "elderly": 1450,       # a person of 80+ (高龄津贴), alone or with a spouse
    "edge": 600,           # 低保边缘家庭
    "employment": 1400,    # a household whose head is 就业困难人员
}
SMALL_HOUSEHOLDS = 60
ARTICLE_LOANS = 142
ARTICLE_CAMPAIGN_ISSUED = 471


@dataclass(frozen=True)
class Plan:
    """What `onedoor demo` generates: household counts by kind, the year, the seed."""

    scale: str
    households: dict[str, int]
    year: int
    seed: int
    loans: int
    campaign_share: float  # the share of the campaign roster delivered "by yesterday"

    @property
    def total_households(self) -> int:
        return sum(self.households.values())


def _distribute(total: int) -> dict[str, int]:
    """`total` households over the kinds in the article's proportions, at least one of each."""
    whole = sum(ARTICLE_HOUSEHOLDS.values())
    counts = {kind: max(1, round(total * n / whole)) for kind, n in ARTICLE_HOUSEHOLDS.items()}
    counts["dibao"] = max(1, counts["dibao"] + total - sum(counts.values()))
    return counts


def default_year(today: date) -> int:
    """The last full year: its twelve monthly payrolls have all been paid and reconciled."""
    return today.year - 1


def plan_for(options: dict | None, today: date) -> Plan:
    """The plan from the command's options (tests call steps with {} → the small district)."""
    options = options or {}
    scale = str(options.get("scale") or "small")
    year = int(options.get("year") or default_year(today))
    seed = int(options.get("seed") if options.get("seed") is not None else 2026)
    if scale == "article":
        households = dict(ARTICLE_HOUSEHOLDS)
        loans = ARTICLE_LOANS
    else:
        total = SMALL_HOUSEHOLDS if scale == "small" else (int(scale) if scale.isdigit() else 0)
        if total < 20:
            raise ValueError(f"--scale 须为 small、article 或不小于 20 的户数，不能是“{scale}”。")
        households = _distribute(total)
        loans = max(3, round(ARTICLE_LOANS * total / sum(ARTICLE_HOUSEHOLDS.values())))
    roster = households["tekun"] + households["orphan"] + round(households["dibao"] * 0.3)
    share = min(0.6, ARTICLE_CAMPAIGN_ISSUED / max(roster, 1)) if scale == "article" else 0.4
    return Plan(scale, households, year, seed, loans, share)


# --- people ----------------------------------------------------------------------------------------

@dataclass
class Member:
    name: str
    id_number: str
    birth: date
    relation: str  # the import's words: 户主, 配偶, 子女, 孙子女, 父母
    categories: list[str] = field(default_factory=list)


@dataclass
class Family:
    kind: str
    area_code: str
    address: str
    members: list[Member]

    @property
    def head(self) -> Member:
        return self.members[0]


class Generator:
    """Draws families for a plan; one random stream per seed, consumed in a fixed order."""

    def __init__(self, plan: Plan, villages: list[tuple[str, str]]):
        self.plan = plan
        self.villages = villages  # (code, name) in code order
        self.random = random.Random(plan.seed)
        self.used: set[tuple[date, int]] = set()
        self.reference = date(plan.year, 1, 1)

    def _birth(self, age_low: int, age_high: int) -> date:
        age_days = self.random.randint(age_low * 365 + 1, age_high * 365 + 300)
        return self.reference - timedelta(days=age_days)

    def _id(self, birth: date, male: bool) -> str:
        while True:
            # 500–999: away from the small sequence numbers the tests use for their own people
            sequence = self.random.randrange(501 if male else 500, 1000, 2)
            if (birth, sequence) not in self.used:
                self.used.add((birth, sequence))
                return make_id_number(ADDRESS_CODE, birth, sequence)

    def _name(self, surname: str, male: bool, child: bool = False) -> str:
        pool = GIVEN_CHILD if child else (GIVEN_MALE if male else GIVEN_FEMALE)
        length = 2 if child or self.random.random() < 0.7 else 1
        return surname + "".join(self.random.choice(pool) for _ in range(length))

    def _member(self, surname: str, relation: str, ages: tuple[int, int], male: bool | None = None,
                categories: list[str] | None = None) -> Member:
        male = self.random.random() < 0.5 if male is None else male
        birth = self._birth(*ages)
        child = ages[1] < 18
        return Member(self._name(surname, male, child), self._id(birth, male), birth, relation, categories or [])

    def families(self) -> list[Family]:
        kinds = [kind for kind, count in self.plan.households.items() for _ in range(count)]
        families = []
        for index, kind in enumerate(kinds):
            # Round-robin over the villages so every town has people of every kind, whatever the scale.
            code, village = self.villages[(index * 7 + index // len(self.villages)) % len(self.villages)]
            address = f"{village}{self.random.randint(1, 320)}号"
            families.append(Family(kind, code, address, getattr(self, f"_{kind}")()))
        return families

    def _couple(self, surname: str, ages: tuple[int, int], head_categories: list[str]) -> list[Member]:
        male = self.random.random() < 0.7
        head = self._member(surname, "户主", ages, male, head_categories)
        spouse_ages = (max(ages[0] - 3, 18), ages[1] + 3)
        spouse = self._member(self.random.choice(SURNAMES), "配偶", spouse_ages, not male)
        return [head, spouse]

    def _dibao(self) -> list[Member]:
        surname = self.random.choice(SURNAMES)
        size = self.random.choices([1, 2, 3, 4, 5], weights=[30, 25, 25, 15, 5])[0]
        categories = ["低保"] + (["单人低保户"] if size == 1 else [])
        if size == 1:
            return [self._member(surname, "户主", (45, 85), categories=categories)]
        members = self._couple(surname, (30, 70), categories)
        for _ in range(size - 2):
            if self.random.random() < 0.8:
                child_categories = ["困境儿童"] if self.random.random() < 0.15 else []
                members.append(self._member(surname, "子女", (3, 17), categories=child_categories))
            else:
                members.append(self._member(surname, "父母", (72, 90)))
        if self.random.random() < 0.2:  # a member with a severe disability (残疾人两项补贴)
            self.random.choice(members).categories.append("重度残疾")
        return members

    def _tekun(self) -> list[Member]:
        return [self._member(self.random.choice(SURNAMES), "户主", (60, 95), categories=["特困供养"])]

    def _orphan(self, category: str = "孤儿") -> list[Member]:
        surname = self.random.choice(SURNAMES)
        return [self._member(surname, "户主", (58, 80)), self._member(surname, "孙子女", (2, 16), categories=[category])]

    def _unsupported(self) -> list[Member]:
        return self._orphan("事实无人抚养儿童")

    def _elderly(self) -> list[Member]:
        surname = self.random.choice(SURNAMES)
        if self.random.random() < 0.5:
            return [self._member(surname, "户主", (80, 101))]
        return self._couple(surname, (80, 96), [])

    def _edge(self) -> list[Member]:
        surname = self.random.choice(SURNAMES)
        members = self._couple(surname, (30, 65), ["低保边缘"])
        for _ in range(self.random.randint(0, 2)):
            members.append(self._member(surname, "子女", (1, 17)))
        return members

    def _employment(self) -> list[Member]:
        surname = self.random.choice(SURNAMES)
        members = self._couple(surname, (35, 55), ["就业困难人员"])
        if self.random.random() < 0.6:
            members.append(self._member(surname, "子女", (4, 17)))
        return members


def _digest(seed: int, *parts: str) -> int:
    text = "|".join([str(seed), *parts]).encode()
    return int.from_bytes(hashlib.sha256(text).digest()[:8], "big")


def monthly_income(seed: int, id_number: str, kind: str, relation: str, age: int) -> Decimal:
    """A person's registered monthly income: a fixed function of the seed and the ID number, so it does
    not depend on the order rows were written in. 低保 households are well below the standard (the
    gap is what they are paid), 低保边缘 ones just above it."""
    draw = _digest(seed, "income", id_number) % 1000 / 1000
    if age < 18 or age >= 75 or kind in ("tekun", "orphan", "unsupported"):
        return Decimal("0.00")
    if kind == "dibao":
        return Decimal(int(draw * 320)).quantize(Decimal("1")) * (1 if relation == "户主" else Decimal("0.5"))
    if kind == "edge":
        return Decimal(900 + int(draw * 600))
    if kind == "elderly":
        return Decimal(int(draw * 300))
    return Decimal(600 + int(draw * 1800))


def bank_account(seed: int, id_number: str) -> str:
    return f"{BANK_PREFIX}{_digest(seed, 'bank', id_number) % 10**11:011d}"


def phone(seed: int, id_number: str) -> str:
    return f"{PHONE_PREFIX}{_digest(seed, 'phone', id_number) % 10**4:04d}"


def self_care_unable(seed: int, id_number: str) -> list[str]:
    """特困: about half 全自理, a third 半护理, the rest 全护理."""
    draw = _digest(seed, "self-care", id_number) % 100
    if draw < 50:
        return []
    if draw < 85:
        return ["bathing", "walking"]
    return ["bathing", "walking", "toilet", "dressing", "transfer"]


def age_on(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
