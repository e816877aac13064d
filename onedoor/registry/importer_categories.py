"""Import of category periods from a 台账 that lists people already registered: 身份证号 + 人员类别 +
起始日期 [+ 终止日期] (and 姓名, checked against the registry when given). The same staged flow, batch and
job as the persons import (`importer`): `kind = categories` selects the header map, the row checks and
the writer below; preview, strict mode, error report, resumable commit and rollback are shared.

Each row adds a `CategoryAssignment` for `[起始日期, 终止日期)` (open when no end date), source `import`:
a person category on the person, a household category (低保 …) on the person's current household. A
period that is already recorded (same category, subject and dates) is `unchanged`; one that overlaps a
recorded or earlier-row period of the same category and subject is an error — categories are history,
never overwritten. See docs/subsystems/registry-import.md.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from django.db.models import Q
from simple_history.utils import bulk_create_with_history

from onedoor.core.idnumber import InvalidIdNumber, normalize_id_number, parse_id_number
from onedoor.core.tabular import TableError
from onedoor.core.text import normalize_name

from .bulk import update_each
from .choices import CategorySource, CategorySubject
from .models import CategoryAssignment, HouseholdMember, Person
from .models_import import ImportRow, RowOutcome, RowStage
from .validation import _as_date

# Headers of a category file, compared after `importer.header_key`.
CATEGORY_ALIASES: dict[str, tuple[str, ...]] = {
    "valid_from": ("起始日期", "开始日期", "认定日期", "享受起始日期", "起始时间", "享受日期", "生效日期"),
    "valid_to": ("终止日期", "结束日期", "截止日期", "停止日期", "终止时间", "停发日期"),
}
CATEGORY_FIELDS = ("name", "id_number", "categories", "valid_from", "valid_to")
CATEGORY_LABELS = {"name": "姓名", "id_number": "身份证号", "categories": "人员类别", "valid_from": "起始日期",
                   "valid_to": "终止日期"}
_OPEN_END = date.max


def map_category_headers(headers: list[str]):
    """The columns of a category file; without 身份证号, 人员类别 or 起始日期 it is unusable."""
    from .importer import ALIASES, ColumnMap, header_key

    fields = {header_key(alias): name for name in ("name", "id_number", "categories") for alias in ALIASES[name]}
    fields |= {header_key(alias): name for name, aliases in CATEGORY_ALIASES.items() for alias in aliases}
    found = ColumnMap()
    for header in headers:
        name = fields.get(header_key(header))
        if name is None:
            found.ignored.append(header)
        elif name in found.headers:
            raise TableError(f"“{found.headers[name]}”列和“{header}”列都表示{CATEGORY_LABELS[name]}，请只保留一列")
        else:
            found.headers[name] = header
    missing = [CATEGORY_LABELS[n] for n in ("id_number", "categories", "valid_from") if n not in found.headers]
    if missing:
        raise TableError(f"人员类别文件中没有“{'”“'.join(missing)}”列；须有身份证号、人员类别和起始日期")
    return found


def _overlaps(a_from: date, a_to: date | None, b_from: date, b_to: date | None) -> bool:
    return a_from < (b_to or _OPEN_END) and b_from < (a_to or _OPEN_END)


class CategoryRowChecker:
    """Checks the rows of a category file: each on its own, then a chunk against the registry, and each
    period against the earlier rows of the file (kept in memory per subject and category: a few dozen
    bytes a period, so even a whole district's list of category holders stays small)."""

    def __init__(self, context, columns):
        self.context = context
        self.columns = columns
        self.batch = context.batch
        # (subject kind, subject id, category code) -> [(from, to, row number)] of the rows so far
        self.seen: dict[tuple[str, int, str], list[tuple[date, date | None, int]]] = defaultdict(list)

    def _cell(self, cells: dict[str, str], name: str) -> str:
        header = self.columns.headers.get(name)
        return cells.get(header, "").strip() if header else ""

    def _error(self, row: ImportRow, name: str, message: str) -> None:
        row.errors.append({"column": self.columns.headers.get(name, CATEGORY_LABELS[name]), "message": message})
        row.outcome = RowOutcome.ERROR

    def check(self, number: int, cells: dict[str, str]) -> ImportRow:
        from .importer import _DATE_WORDS

        row = ImportRow(batch=self.batch, row_number=number, raw=cells, values={}, errors=[],
                        outcome=RowOutcome.NEW)
        raw_id = normalize_id_number(self._cell(cells, "id_number"))
        if not raw_id:
            self._error(row, "id_number", "请填写身份证号")
        else:
            try:
                row.id_number = parse_id_number(raw_id).number
            except InvalidIdNumber as exc:
                self._error(row, "id_number", f"身份证号{exc.message}")
        if name := self._cell(cells, "name"):
            row.values["name_simplified"] = normalize_name(name)
        codes = self._categories(row, cells)
        start = _as_date(self._cell(cells, "valid_from").translate(_DATE_WORDS))
        end_text = self._cell(cells, "valid_to")
        end = _as_date(end_text.translate(_DATE_WORDS)) if end_text else None
        if start is None:
            self._error(row, "valid_from", "请填写起始日期，格式如 2025-01-01" if not self._cell(cells, "valid_from")
                        else "起始日期格式不正确，应为 YYYY-MM-DD")
        if end_text and end is None:
            self._error(row, "valid_to", "终止日期格式不正确，应为 YYYY-MM-DD")
        elif start and end and end <= start:
            self._error(row, "valid_to", "终止日期须晚于起始日期")
        row.values.update(categories=codes, valid_from=start.isoformat() if start else None,
                          valid_to=end.isoformat() if end else None)
        return row

    def _categories(self, row: ImportRow, cells: dict[str, str]) -> list[str]:
        from .importer import _CATEGORY_SEPARATORS

        raw = self._cell(cells, "categories")
        codes, unknown = [], []
        for word in _CATEGORY_SEPARATORS.split(raw):
            if not word:
                continue
            category = self.context.categories.get(normalize_name(word)) or self.context.categories.get(word.lower())
            if category is None:
                unknown.append(word)
            elif category.code not in codes:
                codes.append(category.code)
        if unknown:
            self._error(row, "categories", f"未知的人员类别：{'、'.join(unknown)}")
        elif not codes:
            self._error(row, "categories", "请填写人员类别")
        return codes

    def classify_against_registry(self, rows: list[ImportRow]) -> None:
        """A chunk against the registry (four queries): the person must be registered in the import's
        reach; each period must not overlap a recorded one of the same category and subject."""
        good = [row for row in rows if row.outcome != RowOutcome.ERROR]
        numbers = {row.id_number for row in good}
        people = {p["id_number"]: p for p in self.context.persons_in_scope().filter(
            id_number__in=numbers, merged_into__isnull=True).values("pk", "id_number", "name_simplified",
                                                                     "death_date")}
        households = dict(HouseholdMember.objects.filter(
            person_id__in=[p["pk"] for p in people.values()], left_on__isnull=True).values_list(
            "person_id", "household_id"))
        recorded: dict[tuple[str, int, str], list[tuple[date, date | None]]] = defaultdict(list)
        found = CategoryAssignment.objects.filter(
            Q(person_id__in=[p["pk"] for p in people.values()]) | Q(household_id__in=set(households.values())))
        for person_id, household_id, code, start, end in found.values_list(
                "person_id", "household_id", "category__code", "valid_from", "valid_to"):
            key = ("p", person_id, code) if person_id else ("h", household_id, code)
            recorded[key].append((start, end))
        for row in good:
            person = people.get(row.id_number)
            if person is None:  # unregistered or out of reach: the same words for both, nothing about where
                self._error(row, "id_number", "该身份证号码未在本次导入范围内登记，请先导入或登记该人员")
                continue
            row.person_id = person["pk"]
            wanted = row.values.get("name_simplified")
            if wanted and wanted != person["name_simplified"]:
                self._error(row, "name", f"姓名与登记的“{person['name_simplified']}”不一致")
                continue
            self._periods(row, person, households.get(person["pk"]), recorded)

    def _periods(self, row: ImportRow, person: dict[str, Any], household_id: int | None,
                 recorded: dict[tuple[str, int, str], list[tuple[date, date | None]]]) -> None:
        start = date.fromisoformat(row.values["valid_from"])
        end = date.fromisoformat(row.values["valid_to"]) if row.values["valid_to"] else None
        if person["death_date"] and start >= person["death_date"]:
            self._error(row, "valid_from", f"该人员已于 {person['death_date']:%Y-%m-%d} 死亡，起始日期不能在此之后")
            return
        adding, same_as = [], []
        for code in row.values["categories"]:
            category = self.context.categories_by_code[code]
            if category.subject == CategorySubject.HOUSEHOLD:
                if household_id is None:
                    self._error(row, "categories", f"“{category.name}”是家庭类别，该人员目前不属于任何家庭")
                    return
                key = ("h", household_id, code)
            else:
                key = ("p", person["pk"], code)
            if (start, end) in recorded[key]:
                continue  # already recorded exactly so
            if any(_overlaps(start, end, a, b) for a, b in recorded[key]):
                self._error(row, "categories", f"“{category.name}”与已登记的同类别期间重叠（类别是历史记录，"
                                               f"请先在登记簿中终止原期间）")
                return
            earlier = [n for a, b, n in self.seen[key] if (a, b) == (start, end)]
            if earlier:
                same_as.append(earlier[0])
                continue
            clash = [n for a, b, n in self.seen[key] if _overlaps(start, end, a, b)]
            if clash:
                self._error(row, "categories", f"“{category.name}”与第 {clash[0]} 行的期间重叠")
                return
            adding.append((key, code))
        for key, _code in adding:
            self.seen[key].append((start, end, row.row_number))
        row.values["subjects"] = [[kind, subject_id, code] for (kind, subject_id, _), code in adding]
        if not adding:
            row.outcome = RowOutcome.UNCHANGED
            row.note = f"与第 {same_as[0]} 行相同" if same_as else "已登记，无需导入"
        row.needs_links = False


class CategoryWriter:
    """Writes a window of category rows: checks each row's periods again (the registry may have changed
    since validation: a row that now overlaps, or whose household changed, becomes an error, never half
    written), then one bulk insert with history and one event per period."""

    def __init__(self, writer):
        self.writer = writer  # importer._Writer: actor, reason, event and history helpers

    def write(self, chunk: list[ImportRow]) -> int:
        writer = self.writer
        person_ids = [row.person_id for row in chunk]
        people = {p["pk"]: p for p in Person.objects.filter(pk__in=person_ids, merged_into__isnull=True)
                  .values("pk", "residence_area_id", "death_date")}
        households = {m["person_id"]: m for m in HouseholdMember.objects.filter(
            person_id__in=person_ids, left_on__isnull=True).values("person_id", "household_id",
                                                                    "household__residence_area_id")}
        recorded: dict[tuple[str, int, str], list[tuple[date, date | None]]] = defaultdict(list)
        found = CategoryAssignment.objects.filter(
            Q(person_id__in=person_ids) | Q(household_id__in=[m["household_id"] for m in households.values()]))
        for person_id, household_id, code, start, end in found.values_list(
                "person_id", "household_id", "category__code", "valid_from", "valid_to"):
            recorded[("p", person_id, code) if person_id else ("h", household_id, code)].append((start, end))
        assignments, rows_of = [], []
        for row in chunk:
            row.created = {}
            planned = self._plan(row, people, households, recorded)
            if planned is None:
                continue
            for assignment in planned:
                assignments.append(assignment)
                rows_of.append(row)
        if assignments:
            assignments = bulk_create_with_history(assignments, CategoryAssignment, batch_size=500,
                                                   **writer._history())
            events = []
            for assignment, row in zip(assignments, rows_of, strict=True):
                row.created.setdefault("assignments", []).append(assignment.pk)
                data = {"category": writer.category_codes[assignment.category_id],
                        "from": assignment.valid_from.isoformat(), "source": CategorySource.IMPORT}
                if assignment.valid_to:
                    data["to"] = assignment.valid_to.isoformat()
                events.append(writer._event("category_assigned", area_id=assignment.area_id,
                                            person_id=assignment.person_id, household_id=assignment.household_id,
                                            row=row, data=data))
            writer.events.insert_dicts(events)
            writer.written["categories_assigned"] += len(assignments)
        for row in chunk:
            if row.outcome != RowOutcome.ERROR:
                row.stage = RowStage.COMMITTED
        update_each(chunk, ["stage", "created", "outcome", "errors"])
        return len(chunk)

    def _plan(self, row: ImportRow, people, households, recorded) -> list[CategoryAssignment] | None:
        writer = self.writer
        start = date.fromisoformat(row.values["valid_from"])
        end = date.fromisoformat(row.values["valid_to"]) if row.values["valid_to"] else None
        person = people.get(row.person_id)
        if person is None:
            return self._reject(row, "id_number", "该人员已被合并或删除，本行未导入")
        if person["death_date"] and start >= person["death_date"]:
            return self._reject(row, "valid_from", "该人员在校验后登记了死亡，本行未导入")
        membership = households.get(row.person_id)
        planned = []
        for kind, subject_id, code in row.values.get("subjects", []):
            if kind == "h" and (membership is None or membership["household_id"] != subject_id):
                return self._reject(row, "categories", "该人员所在家庭在校验后有变动，本行未导入")
            if any(_overlaps(start, end, a, b) for a, b in recorded[(kind, subject_id, code)]):
                return self._reject(row, "categories", "该类别在校验后已有登记的重叠期间，本行未导入")
            common = {"category": writer.categories[code], "valid_from": start, "valid_to": end,
                      "source": CategorySource.IMPORT, "reason": writer.reason[:200], "created_by": writer.actor}
            if kind == "p":
                planned.append(CategoryAssignment(person_id=subject_id, area_id=person["residence_area_id"], **common))
            else:
                planned.append(CategoryAssignment(household_id=subject_id,
                                                  area_id=membership["household__residence_area_id"], **common))
        for kind, subject_id, code in row.values.get("subjects", []):  # the whole row is sound: now count it
            recorded[(kind, subject_id, code)].append((start, end))
        return planned

    def _reject(self, row: ImportRow, column: str, message: str) -> None:
        """Turn a row into an error at commit time (nothing of it is written)."""
        row.errors = [*row.errors, {"column": self.writer.batch.columns.get(column, CATEGORY_LABELS[column]),
                                    "message": message}]
        row.outcome = RowOutcome.ERROR
        return None
