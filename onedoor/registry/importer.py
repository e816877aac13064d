"""Bulk import of people from the bureau's own 台账 (xlsx or CSV), staged as registries do it:

    upload (`create_batch`) → validate every row (`validate_batch`) → preview → commit (`commit_batch`)
                                                                             ↘ rollback (`rollback_batch`)

The web page runs validation and commit as background jobs (`registry.tasks`); `onedoor import persons`
calls the same functions in the foreground. Every row is checked by `validation.check_person`, the rules
behind the form and the API, so an import accepts exactly what a clerk could type.

The work is set-based: rows are read and checked in chunks and staged in one statement per chunk;
duplicates inside the file and household heads are found with grouped queries over the staging table;
the registry is written chunk by chunk with multi-row statements (`registry.bulk`: COPY on PostgreSQL,
executemany elsewhere; `bulk_create_with_history` for households, memberships and categories), with
simple-history rows and one `RegistryEvent` per person. Each chunk commits in its own transaction and
marks its rows, so an interrupted commit is resumed by running it again, and never writes a row twice.
See docs/subsystems/registry-import.md.
"""

from __future__ import annotations

import logging
import re
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

from django.core.files import File
from django.db import transaction
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from onedoor.core.exceptions import Conflict, DomainError
from onedoor.core.idnumber import InvalidIdNumber, normalize_id_number, parse_id_number
from onedoor.core.middleware import current_request_id
from onedoor.core.scoping import in_subtree, is_admin
from onedoor.core.tabular import Column, Sheet, TableError, read_rows, write_xlsx
from onedoor.core.text import normalize_name, to_simplified
from onedoor.geo.choices import VILLAGE_LEVELS
from onedoor.geo.models import Area

from .bulk import HistoryInserter, Inserter, update_each
from .choices import CategorySource, CategorySubject, Relation
from .models import Category, CategoryAssignment, Household, HouseholdMember, Person, RegistryEvent
from .models_import import ImportBatch, ImportKind, ImportRow, ImportStatus, RowOutcome, RowStage
from .validation import check_person

logger = logging.getLogger(__name__)

CHUNK = 2000          # rows read, checked and staged together
COMMIT_CHUNK = 1000   # rows written to the registry per transaction
FIRST_ERRORS = 20     # errors and duplicates shown in the preview

# --- columns -------------------------------------------------------------------------------------

# The template's header for each field, in the template's column order.
TEMPLATE_HEADERS: dict[str, str] = {
    "name": "姓名",
    "id_number": "身份证号",
    "sex": "性别",
    "birth_date": "出生日期",
    "phone": "联系电话",
    "area_code": "区划代码",
    "village": "村(社区)",
    "address": "住址",
    "head_id_number": "户主身份证号",
    "relation": "与户主关系",
    "categories": "人员类别",
}
FIELD_LABELS = {**TEMPLATE_HEADERS, "phone2": "备用电话"}

# Headers in use in real 台账, compared after `header_key` (simplified, NFKC, no spaces or brackets).
ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字", "人员姓名", "对象姓名", "救助对象姓名", "申请人姓名", "成员姓名"),
    "id_number": ("身份证号", "公民身份号码", "身份证号码", "身份证", "证件号码", "身份证件号码", "公民身份证号码",
                  "公民身份证号"),
    "sex": ("性别",),
    "birth_date": ("出生日期", "出生年月日", "生日"),
    "phone": ("联系电话", "手机号码", "电话", "手机", "联系方式", "手机号", "电话号码", "联系电话号码"),
    "area_code": ("区划代码", "行政区划代码", "统计用区划代码", "村(社区)代码", "村居代码", "社区代码"),
    "village": ("村(社区)", "村(居)", "村居", "社区(村)", "所在村(社区)", "村(社区)名称", "所属村(社区)", "村", "社区"),
    "address": ("住址", "现住址", "家庭住址", "居住地址", "地址", "详细地址", "现居住地址"),
    "head_id_number": ("户主身份证号", "户主身份证号码", "户主公民身份号码", "户主证件号码"),
    "relation": ("与户主关系", "家庭关系", "关系"),
    "categories": ("人员类别", "类别", "救助类别", "对象类别", "人员类型"),
}

_HINT = re.compile(r"\((必填|选填|可选|可不填|非必填)\)$")


def header_key(text: str) -> str:
    """The comparable form of a column header: "公民身份號碼 *", "村（社区）" → 公民身份号码, 村社区."""
    text = to_simplified(unicodedata.normalize("NFKC", text or ""))
    text = re.sub(r"\s+", "", text).strip("*")
    text = _HINT.sub("", text)
    return text.replace("(", "").replace(")", "")


_ALIAS_FIELD = {header_key(alias): name for name, aliases in ALIASES.items() for alias in aliases}


@dataclass
class ColumnMap:
    """Which column of the file holds which field; the other columns are ignored."""

    headers: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)

    def header(self, name: str) -> str:
        return self.headers.get(name, FIELD_LABELS.get(name, name))

    def has(self, name: str) -> bool:
        return name in self.headers


def map_headers(headers: list[str], *, default_area: bool = False) -> ColumnMap:
    """Recognise the columns of a file; a file without the columns an import needs is a TableError."""
    found = ColumnMap()
    for header in headers:
        name = _ALIAS_FIELD.get(header_key(header))
        if name == "phone" and "phone" in found.headers:
            name = "phone2"  # 联系电话 and 手机号码 side by side: the second becomes the spare number
        if name is None:
            found.ignored.append(header)
        elif name in found.headers:
            raise TableError(f"“{found.headers[name]}”列和“{header}”列都表示{FIELD_LABELS[name]}，请只保留一列")
        else:
            found.headers[name] = header
    if "name" not in found.headers:
        raise TableError("文件中没有“姓名”列；请使用导入模板的表头（姓名、身份证号、性别、出生日期……）")
    if not (found.has("area_code") or found.has("village") or default_area):
        raise TableError("文件中没有“区划代码”或“村(社区)”列，无法确定人员居住的村（社区）")
    return found


RELATION_WORDS: dict[str, str] = {
    **{str(label): value for value, label in Relation.choices},
    "本人": Relation.HEAD, "户主本人": Relation.HEAD,
    "妻子": Relation.SPOUSE, "妻": Relation.SPOUSE, "丈夫": Relation.SPOUSE, "夫": Relation.SPOUSE,
    "子": Relation.CHILD, "女": Relation.CHILD, "儿子": Relation.CHILD, "女儿": Relation.CHILD,
    "长子": Relation.CHILD, "次子": Relation.CHILD, "三子": Relation.CHILD, "长女": Relation.CHILD,
    "次女": Relation.CHILD, "三女": Relation.CHILD, "养子": Relation.CHILD, "养女": Relation.CHILD,
    "继子": Relation.CHILD, "继女": Relation.CHILD, "独生子": Relation.CHILD, "独生女": Relation.CHILD,
    "父亲": Relation.PARENT, "母亲": Relation.PARENT, "父": Relation.PARENT, "母": Relation.PARENT,
    "孙子": Relation.GRANDCHILD, "孙女": Relation.GRANDCHILD, "外孙": Relation.GRANDCHILD,
    "外孙子": Relation.GRANDCHILD, "外孙女": Relation.GRANDCHILD,
    "祖父": Relation.GRANDPARENT, "祖母": Relation.GRANDPARENT, "外祖父": Relation.GRANDPARENT,
    "外祖母": Relation.GRANDPARENT, "爷爷": Relation.GRANDPARENT, "奶奶": Relation.GRANDPARENT,
    "兄": Relation.SIBLING, "弟": Relation.SIBLING, "姐": Relation.SIBLING, "妹": Relation.SIBLING,
    "哥哥": Relation.SIBLING, "弟弟": Relation.SIBLING, "姐姐": Relation.SIBLING, "妹妹": Relation.SIBLING,
    "兄弟": Relation.SIBLING, "姐妹": Relation.SIBLING,
    "儿媳": Relation.CHILD_IN_LAW, "儿媳妇": Relation.CHILD_IN_LAW, "女婿": Relation.CHILD_IN_LAW,
    "其他": Relation.OTHER, "其它": Relation.OTHER,
}
_RELATIONS = {normalize_name(word): value for word, value in RELATION_WORDS.items()}
_CATEGORY_SEPARATORS = re.compile(r"[、,，;；/\s]+")
_VILLAGE_SUFFIXES = (("社区居民委员会", "社区"), ("村民委员会", "村"), ("社区居委会", "社区"), ("村委会", "村"),
                     ("居委会", ""), ("居民委员会", ""))
_DATE_WORDS = str.maketrans({"年": "-", "月": "-", "日": ""})

# Fields an import may change on a person already registered (blank cells never erase anything).
UPDATABLE = ("name", "phone", "phone2", "address", "residence_area")
PERSON_FIELDS = ("name", "name_simplified", "name_pinyin", "name_initials", "id_number", "id_tail", "sex",
                 "birth_date", "phone", "phone2", "address")


def village_keys(name: str) -> set[str]:
    """The names a 台账 may use for a village: 新民村委会 is also 新民村; 城东社区居委会 is 城东社区."""
    key = normalize_name(name)
    keys = {key}
    for suffix, short in _VILLAGE_SUFFIXES:
        if key.endswith(suffix):
            keys.add(key[: -len(suffix)] + short)
    return {k for k in keys if k}


# --- progress --------------------------------------------------------------------------------------

class Meter:
    """Progress reporting that never overshoots the job's total (the CHECK done <= total), and works
    without a job (the command line) too."""

    def __init__(self, progress: Any = None, *, echo: Callable[[str], None] | None = None):
        self.progress = progress
        self.echo = echo
        self.total: int | None = None
        self.done = 0

    def set_total(self, total: int | None) -> None:
        self.total, self.done = total, 0
        if self.progress is not None and total is not None:
            self.progress.set_total(total)

    def advance(self, by: int) -> None:
        if self.total is not None:
            by = max(0, min(by, self.total - self.done))
        self.done += by
        if self.progress is not None:
            self.progress.advance(by)
        if self.echo is not None:
            self.echo(f"{self.done}" + (f"/{self.total}" if self.total else ""))


def estimate_rows(path: str | Path | None, filename: str) -> int | None:
    """An upper bound of the data rows, cheap to get: lines of a CSV, the dimension of an xlsx sheet."""
    if path is None:
        return None
    suffix = Path(filename).suffix.lower()
    try:
        if suffix == ".csv":
            lines, last = 0, b"\n"
            with open(path, "rb") as handle:
                while chunk := handle.read(1 << 20):
                    lines += chunk.count(b"\n")
                    last = chunk[-1:]
            return max(0, lines + (last != b"\n") - 1)
        if suffix in (".xlsx", ".xlsm"):
            with zipfile.ZipFile(path) as archive:
                sheets = sorted(n for n in archive.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
                if not sheets:
                    return None
                with archive.open(sheets[0]) as sheet:
                    head = sheet.read(4096).decode("utf-8", "replace")
            match = re.search(r'<dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"', head)
            return max(0, int(match[1]) - 1) if match else None
    except (OSError, zipfile.BadZipFile, ValueError):
        return None
    return None


# --- the batch -------------------------------------------------------------------------------------

def _batch_path(batch: ImportBatch) -> str | None:
    try:
        return batch.file.path
    except (NotImplementedError, ValueError):
        return None


def create_batch(*, actor: Any, file: IO[bytes] | File, filename: str, area: Area | None,
                 strict: bool = False, kind: str = ImportKind.PERSONS) -> ImportBatch:
    """Store an uploaded file as a new batch (status 已上传); validation is a separate step."""
    if kind not in ImportKind.values:
        raise DomainError(f"未知的导入内容：{kind}", code="import_kind")
    if area is not None and actor is not None and not is_admin(actor):
        if not Area.objects.visible_to(actor).filter(pk=area.pk).exists():
            raise DomainError("您无权向该区域导入人员。", code="area_out_of_scope")
    suffix = Path(filename).suffix.lower()
    batch = ImportBatch(filename=Path(filename).name[:200], area=area, strict=strict, created_by=actor, kind=kind)
    batch.file.save(f"import{suffix}", file if isinstance(file, File) else File(file), save=False)
    batch.save()
    return batch


def open_table(batch: ImportBatch):
    """The batch's file as rows (a TableError when it cannot be read)."""
    path = _batch_path(batch)
    if path is not None:
        return read_rows(path, filename=batch.filename)
    return read_rows(batch.file.open("rb"), filename=batch.filename)


def check_file_headers(file: IO[bytes], filename: str, *, area: Area | None,
                       kind: str = ImportKind.PERSONS) -> ColumnMap:
    """Read only the header of an upload and recognise its columns (for the upload form)."""
    default_area = area is not None and area.level in VILLAGE_LEVELS
    with read_rows(file, filename=filename) as table:
        if kind == ImportKind.CATEGORIES:
            from .importer_categories import map_category_headers

            return map_category_headers(table.headers)
        return map_headers(table.headers, default_area=default_area)


class _Context:
    """What checking one batch's rows needs to know, loaded once: areas, categories, scope."""

    def __init__(self, batch: ImportBatch, actor: Any):
        self.batch = batch
        self.actor = actor
        self.today = timezone.localdate()
        self.unrestricted = actor is None or is_admin(actor)
        villages = Area.objects.current().filter(level__in=VILLAGE_LEVELS)
        if batch.area_id:
            villages = villages.subtree(batch.area_id)
        if not self.unrestricted:
            villages = villages.visible_to(actor)
        self.villages: dict[str, str] = dict(villages.values_list("code", "name"))
        self.village_names: dict[str, set[str]] = defaultdict(set)
        for code, name in self.villages.items():
            for key in village_keys(name):
                self.village_names[key].add(code)
        self.default_area = (batch.area_id if batch.area is not None and batch.area.level in VILLAGE_LEVELS
                             and batch.area_id in self.villages else None)
        self.categories: dict[str, Category] = {}
        for category in Category.objects.filter(is_active=True):
            self.categories[normalize_name(category.name)] = category
            self.categories.setdefault(category.code.lower(), category)
        self.categories_by_code = {c.code: c for c in self.categories.values()}

    def persons_in_scope(self):
        people = Person.objects.all() if self.unrestricted else Person.objects.visible_to(self.actor)
        if self.batch.area_id:
            people = people.filter(in_subtree("residence_area", self.batch.area_id))
        return people


# --- validation --------------------------------------------------------------------------------------

def validate_batch(batch: ImportBatch, *, actor: Any, progress: Any = None, echo=None) -> ImportBatch:
    """Read and check every row of the batch's file, stage it, and classify it (new, update, unchanged,
    possible duplicate, error). Re-running starts afresh. A file that cannot be read fails the batch with
    a DomainError carrying the Chinese reason."""
    meter = Meter(progress, echo=echo)
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status not in (ImportStatus.UPLOADED, ImportStatus.VALIDATING, ImportStatus.VALIDATED,
                                ImportStatus.FAILED):
            raise Conflict(f"该批次{batch.get_status_display()}，不能重新校验。", code="import_state")
        if batch.rows.filter(stage__gt=RowStage.STAGED).exists():
            raise Conflict("该批次已有数据导入，不能重新校验。", code="import_state")
        batch.status = ImportStatus.VALIDATING
        batch.message = ""
        batch.save(update_fields=["status", "message"])
    batch.rows.all().delete()
    context = _Context(batch, actor)
    try:
        _stage_rows(batch, context, meter)
    except TableError as exc:
        batch.rows.all().delete()
        _fail(batch, exc.message)
        raise DomainError(exc.message, code="unusable_file") from None
    except Exception:
        batch.rows.all().delete()
        _fail(batch, "校验时发生内部错误，已记录日志，请联系管理员。")
        raise
    if batch.kind == ImportKind.PERSONS:  # a category file's rows are checked against each other as staged
        _classify_across_rows(batch, context)
    counts = dict.fromkeys(RowOutcome.values, 0)
    for outcome, n in batch.rows.values_list("outcome").annotate(n=Count("id")).order_by():
        counts[outcome] = n
    counts["total"] = sum(counts.values())
    batch.counts = counts
    batch.status = ImportStatus.VALIDATED
    batch.validated_at = timezone.now()
    batch.message = summary(batch)
    batch.save(update_fields=["counts", "status", "validated_at", "message"])
    return batch


def _fail(batch: ImportBatch, message: str) -> None:
    batch.status = ImportStatus.FAILED
    batch.message = message[:500]
    batch.save(update_fields=["status", "message"])


def summary(batch: ImportBatch) -> str:
    c = batch.counts
    return (f"共 {c.get('total', 0)} 行：新增 {c.get('new', 0)}，更新 {c.get('update', 0)}，"
            f"无变化 {c.get('unchanged', 0)}，疑似重复 {c.get('duplicate', 0)}，错误 {c.get('error', 0)}。")


def _stage_rows(batch: ImportBatch, context: _Context, meter: Meter) -> None:
    meter.set_total(estimate_rows(_batch_path(batch), batch.filename))
    with open_table(batch) as table:
        if batch.kind == ImportKind.CATEGORIES:
            from .importer_categories import CategoryRowChecker, map_category_headers

            columns = map_category_headers(table.headers)
            checker: Any = CategoryRowChecker(context, columns)
        else:
            columns = map_headers(table.headers, default_area=context.default_area is not None)
            checker = _RowChecker(context, columns)
        batch.columns, batch.ignored_columns = columns.headers, columns.ignored
        batch.save(update_fields=["columns", "ignored_columns"])
        inserter = Inserter(ImportRow)
        for chunk in _chunks(table, CHUNK):
            staged = [checker.check(number, cells) for number, cells in chunk]
            checker.classify_against_registry(staged)
            inserter.insert_objects(staged)
            meter.advance(len(chunk))


def _chunks(rows: Iterable, size: int) -> Iterator[list]:
    chunk: list = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class _RowChecker:
    def __init__(self, context: _Context, columns: ColumnMap):
        self.context = context
        self.columns = columns
        self.batch = context.batch

    def _cell(self, cells: dict[str, str], name: str) -> str:
        header = self.columns.headers.get(name)
        return cells.get(header, "").strip() if header else ""

    def check(self, number: int, cells: dict[str, str]) -> ImportRow:
        """One row on its own: the person's fields (check_person), the area, household and categories."""
        errors: list[dict] = []

        def error(name: str, message: str) -> None:
            errors.append({"column": self.columns.header(name), "message": message})

        data: dict[str, Any] = {"name": self._cell(cells, "name")}
        for name in ("id_number", "sex", "phone", "phone2", "address"):
            if value := self._cell(cells, name):
                data[name] = value
        if birth := self._cell(cells, "birth_date"):
            data["birth_date"] = birth.translate(_DATE_WORDS)
        checked = check_person(data, today=self.context.today)
        for name, message in checked.errors.items():
            error(name, message)
        values: dict[str, Any] = {k: v for k, v in checked.values.items() if k in PERSON_FIELDS}
        if isinstance(values.get("birth_date"), date):
            values["birth_date"] = values["birth_date"].isoformat()
        area = self._area(cells, error)
        if area:
            values["residence_area"] = area
        own_id = values.get("id_number")
        head, relation = self._household(cells, own_id, error)
        if head:
            values["head"], values["relation"] = head, relation
        categories = self._categories(cells, error)
        if categories:
            values["categories"] = categories
        raw_head = normalize_id_number(self._cell(cells, "head_id_number"))
        row = ImportRow(
            batch=self.batch, row_number=number, raw=cells, values=values, errors=errors,
            id_number=own_id or _valid_id(data.get("id_number", "")),
            head_id_number=head or (raw_head if len(raw_head) == 18 else None),
            outcome=RowOutcome.ERROR if errors else RowOutcome.NEW,
            needs_links=bool(head or categories),
        )
        if not errors:
            row.match_key = f"{values['name_simplified']}|{values['birth_date']}|{area}"[:120]
        return row

    def _area(self, cells: dict[str, str], error: Callable[[str, str], None]) -> str | None:
        context = self.context
        raw_code = normalize_id_number(self._cell(cells, "area_code"))
        raw_name = self._cell(cells, "village")
        if raw_code:
            if raw_code in context.villages:
                if raw_name and not village_keys(raw_name) & village_keys(context.villages[raw_code]):
                    error("village", f"村(社区)“{raw_name}”与区划代码 {raw_code} 不一致")
                    return None
                return raw_code
            if not re.fullmatch(r"[0-9A-Z]{12}", raw_code):
                error("area_code", "区划代码应为12位数字")
            elif (found := Area.objects.filter(code=raw_code).first()) is None:
                error("area_code", f"区划代码 {raw_code} 不存在")
            elif found.level not in VILLAGE_LEVELS:
                error("area_code", "区划代码应为村（社区）一级的代码")
            else:
                error("area_code", f"区划代码 {raw_code} 不在本次导入范围内或已撤销")
            return None
        if raw_name:
            codes: set[str] = set()
            for key in village_keys(raw_name):
                codes |= context.village_names.get(key, set())
            if len(codes) == 1:
                return next(iter(codes))
            scope = context.batch.area.name if context.batch.area else "全区"
            if not codes:
                error("village", f"在{scope}范围内找不到村(社区)“{raw_name}”")
            else:
                error("village", f"村(社区)“{raw_name}”在{scope}范围内不唯一，请填写区划代码")
            return None
        if context.default_area:
            return context.default_area
        error("village" if self.columns.has("village") else "area_code", "请填写区划代码或村(社区)")
        return None

    def _household(self, cells: dict[str, str], own_id: str | None,
                   error: Callable[[str, str], None]) -> tuple[str | None, str]:
        raw_head = self._cell(cells, "head_id_number")
        raw_relation = self._cell(cells, "relation")
        relation = _RELATIONS.get(normalize_name(raw_relation)) if raw_relation else None
        if raw_relation and relation is None:
            error("relation", f"无法识别的与户主关系“{raw_relation}”（可填：户主、配偶、子女、父母、孙子女、"
                              f"祖父母、兄弟姐妹、儿媳/女婿、其他）")
            return None, ""
        if not raw_head:
            if relation == Relation.HEAD and own_id:
                return own_id, Relation.HEAD
            if relation and relation != Relation.HEAD:
                error("head_id_number", "填写了与户主关系，请同时填写户主身份证号")
            return None, ""
        try:
            head = parse_id_number(raw_head, today=self.context.today).number
        except InvalidIdNumber as exc:
            error("head_id_number", f"户主身份证号{exc.message}")
            return None, ""
        if head == own_id:
            if relation not in (None, Relation.HEAD):
                error("relation", "户主身份证号是本人的，与户主关系应为“户主”")
                return None, ""
            return head, Relation.HEAD
        if not own_id:
            error("id_number", "家庭成员须填写身份证号")
            return None, ""
        if relation is None:
            error("relation", "请填写与户主关系")
            return None, ""
        if relation == Relation.HEAD:
            error("relation", "与户主关系为“户主”时，户主身份证号应是本人的")
            return None, ""
        return head, relation

    def _categories(self, cells: dict[str, str], error: Callable[[str, str], None]) -> list[str]:
        raw = self._cell(cells, "categories")
        if not raw:
            return []
        codes, unknown = [], []
        for word in _CATEGORY_SEPARATORS.split(unicodedata.normalize("NFKC", raw)):
            if not word:
                continue
            category = self.context.categories.get(normalize_name(word)) or self.context.categories.get(word.lower())
            if category is None:
                unknown.append(word)
            elif category.code not in codes:
                codes.append(category.code)
        if unknown:
            error("categories", f"未知的人员类别：{'、'.join(unknown)}")
        return codes

    def classify_against_registry(self, rows: list[ImportRow]) -> None:
        """Compare a chunk of checked rows with the registry (a few queries per chunk): an ID already
        registered is an update (or unchanged, or outside the import's reach); same name, birth date and
        village as a person without that ID is a possible duplicate."""
        good = [row for row in rows if row.outcome != RowOutcome.ERROR]
        by_id = {row.id_number: row for row in good if row.id_number}
        fields = ("pk", "id_number", "name", "name_simplified", "phone", "phone2", "address", "residence_area_id")
        existing = {p["id_number"]: p for p in Person.objects.filter(id_number__in=list(by_id)).values(*fields)}
        reachable = set(self.context.persons_in_scope().filter(id_number__in=list(existing))
                        .values_list("id_number", flat=True)) if existing else set()
        links = _ExistingLinks([p["pk"] for number, p in existing.items() if number in reachable])
        for number, person in existing.items():
            row = by_id[number]
            if number not in reachable:  # say nothing of whom or where: only that it is registered
                row.outcome = RowOutcome.DUPLICATE
                row.note = "该身份证号码已在本次导入范围以外登记，未作修改；请与区民政局核实"
                continue
            row.person_id = person["pk"]
            row.changes = _changes(row.values, person)
            problem = links.problem(row, person["pk"], self.context)
            if problem:
                column, message = problem
                row.errors.append({"column": self.columns.header(column), "message": message})
                row.outcome = RowOutcome.ERROR
                continue
            row.needs_links = links.adds_something(row, person["pk"], self.context)
            row.outcome = RowOutcome.UPDATE if row.changes or row.needs_links else RowOutcome.UNCHANGED
        for row in good:
            if row.outcome == RowOutcome.NEW:
                _household_category_without_household(row, self.columns, self.context)
        candidates = [row for row in good if row.outcome == RowOutcome.NEW]
        if not candidates:
            return
        names = {row.values["name_simplified"] for row in candidates}
        births = {row.values["birth_date"] for row in candidates}
        similar: dict[str, dict] = {}
        for person in (Person.objects.filter(name_simplified__in=names, birth_date__in=births,
                                             merged_into__isnull=True)
                       .values("pk", "id_number", "name_simplified", "birth_date", "residence_area_id")):
            key = f"{person['name_simplified']}|{person['birth_date'].isoformat()}|{person['residence_area_id']}"
            if person["id_number"] is None or key not in similar:
                similar[key] = person
        for row in candidates:
            person = similar.get(row.match_key)
            # Two different valid ID numbers are two people; without an ID on one side, ask a person.
            if person and (row.id_number is None or person["id_number"] is None):
                row.outcome = RowOutcome.DUPLICATE
                row.duplicate_of_id = person["pk"]
                row.note = "与已登记人员姓名、出生日期、村(社区)相同，疑似同一人"


def _household_category_without_household(row: ImportRow, columns: ColumnMap, context: _Context) -> None:
    """A household category (低保 …) needs the household: a new person without 户主身份证号 has none."""
    if row.values.get("head"):
        return
    household_only = [context.categories_by_code[code].name for code in row.values.get("categories", [])
                      if context.categories_by_code[code].subject == CategorySubject.HOUSEHOLD]
    if household_only:
        row.errors.append({"column": columns.header("categories"),
                           "message": f"“{'、'.join(household_only)}”是家庭类别，请填写户主身份证号和与户主关系"})
        row.outcome = RowOutcome.ERROR


class _ExistingLinks:
    """Current households and open categories of the registered people in a chunk (three queries)."""

    def __init__(self, person_ids: list[int]):
        self.membership: dict[int, tuple[int, str | None]] = {}
        self.person_categories: set[tuple[int, int]] = set()
        self.household_categories: set[tuple[int, int]] = set()
        if not person_ids:
            return
        for person_id, household_id, head_number in HouseholdMember.objects.filter(
                person_id__in=person_ids, left_on__isnull=True).values_list(
                "person_id", "household_id", "household__head__id_number"):
            self.membership[person_id] = (household_id, head_number)
        self.person_categories = set(CategoryAssignment.objects.filter(
            person_id__in=person_ids, valid_to__isnull=True).values_list("person_id", "category_id"))
        households = {household for household, _head in self.membership.values()}
        self.household_categories = set(CategoryAssignment.objects.filter(
            household_id__in=households, valid_to__isnull=True).values_list("household_id", "category_id"))

    def problem(self, row: ImportRow, person_id: int, context: _Context) -> tuple[str, str] | None:
        head = row.values.get("head")
        current = self.membership.get(person_id)
        if head and current and current[1] != head:
            return "head_id_number", "该人员目前属于另一户，请先办理迁出后再导入"
        household_categories = [context.categories_by_code[c].name for c in row.values.get("categories", [])
                                if context.categories_by_code[c].subject == CategorySubject.HOUSEHOLD]
        if household_categories and not head and not current:
            return "categories", f"“{'、'.join(household_categories)}”是家庭类别，请填写户主身份证号和与户主关系"
        return None

    def adds_something(self, row: ImportRow, person_id: int, context: _Context) -> bool:
        current = self.membership.get(person_id)
        if row.values.get("head") and not current:
            return True
        for code in row.values.get("categories", []):
            category = context.categories_by_code[code]
            if category.subject == CategorySubject.PERSON and (person_id, category.pk) not in self.person_categories:
                return True
            if category.subject == CategorySubject.HOUSEHOLD and (
                    current is None or (current[0], category.pk) not in self.household_categories):
                return True
        return False


def _valid_id(raw: str) -> str | None:
    number = normalize_id_number(raw)
    return number if len(number) == 18 else None


def _changes(values: dict[str, Any], person: dict[str, Any]) -> dict[str, Any]:
    """Fields the file gives with a different value; an empty cell never erases what is registered."""
    changes: dict[str, Any] = {}
    if values.get("name_simplified") and values["name_simplified"] != person["name_simplified"]:
        changes.update({k: values[k] for k in ("name", "name_simplified", "name_pinyin", "name_initials")})
    for key in ("phone", "phone2", "address"):
        if values.get(key) and values[key] != person[key]:
            changes[key] = values[key]
    if values.get("residence_area") and values["residence_area"] != person["residence_area_id"]:
        changes["residence_area"] = values["residence_area"]
    return changes


def _classify_across_rows(batch: ImportBatch, context: _Context) -> None:
    """The checks that need the whole file, as grouped queries on the staging table."""
    rows = batch.rows.all()
    id_header = batch.columns.get("id_number", "身份证号")
    head_header = batch.columns.get("head_id_number", "户主身份证号")
    # 1. The same ID number twice in the file: the first row stands, later ones are errors.
    repeated = (rows.filter(id_number__isnull=False).values("id_number")
                .annotate(n=Count("id"), first=Min("row_number")).filter(n__gt=1).order_by())
    for group in _chunks(repeated.iterator(), 500):
        first = {g["id_number"]: g["first"] for g in group}
        later = [row for row in rows.filter(id_number__in=list(first)) if row.row_number != first[row.id_number]]
        for row in later:
            row.errors.append({"column": id_header, "message": f"与第 {first[row.id_number]} 行身份证号码重复"})
            row.outcome = RowOutcome.ERROR
        update_each(later, ["errors", "outcome"])
    # 2. The same name, birth date and village twice, one row without an ID: a possible duplicate.
    twins = (rows.exclude(match_key="").exclude(outcome=RowOutcome.ERROR).values("match_key")
             .annotate(n=Count("id")).filter(n__gt=1).order_by())
    for twin_groups in _chunks(twins.iterator(), 500):
        group = [g["match_key"] for g in twin_groups]
        seen: dict[str, ImportRow] = {}
        flagged = []
        for row in rows.filter(match_key__in=group).exclude(outcome=RowOutcome.ERROR).order_by("row_number"):
            first = seen.setdefault(row.match_key, row)
            if first is not row and (row.id_number is None or first.id_number is None) \
                    and row.outcome == RowOutcome.NEW:
                row.outcome = RowOutcome.DUPLICATE
                row.duplicate_of_row = first.row_number
                row.note = f"与第 {first.row_number} 行姓名、出生日期、村(社区)相同，疑似同一人"
                flagged.append(row)
        update_each(flagged, ["outcome", "duplicate_of_row", "note"])
    # 3. Each member's head: a sound row of this file that heads its own household, or a registered person.
    sound_head_row = rows.filter(id_number=OuterRef("head_id_number")).exclude(outcome=RowOutcome.ERROR).filter(
        Q(head_id_number__isnull=True) | Q(head_id_number=F("id_number")))
    members = (rows.filter(head_id_number__isnull=False).exclude(outcome=RowOutcome.ERROR)
               .exclude(head_id_number=F("id_number")))
    orphans = members.filter(~Exists(sound_head_row)).order_by("row_number")
    context_scope = context.persons_in_scope()
    for group in _chunks(orphans.iterator(chunk_size=500), 500):
        heads = {row.head_id_number for row in group}
        registered = set(context_scope.filter(id_number__in=heads).values_list("id_number", flat=True))
        head_rows = {r.id_number: r for r in rows.filter(id_number__in=heads).order_by("-row_number")}
        bad = []
        for row in group:
            head_row = head_rows.get(row.head_id_number)
            if head_row is None and row.head_id_number in registered:
                continue
            if head_row is None:
                message = "找不到户主：户主既不在本文件中，也未在本次导入范围内登记"
            elif head_row.outcome == RowOutcome.ERROR:
                message = f"户主所在的第 {head_row.row_number} 行有错误"
            else:
                message = f"户主（第 {head_row.row_number} 行）登记为另一户的成员"
            row.errors.append({"column": head_header, "message": message})
            row.outcome = RowOutcome.ERROR
            bad.append(row)
        update_each(bad, ["errors", "outcome"])


def first_problems(batch: ImportBatch, limit: int = FIRST_ERRORS) -> dict[str, list[ImportRow]]:
    rows = batch.rows.order_by("row_number")
    return {
        "errors": list(rows.filter(outcome=RowOutcome.ERROR)[:limit]),
        "duplicates": list(rows.filter(outcome=RowOutcome.DUPLICATE)[:limit]),
    }


def decide_duplicate(*, actor: Any, batch: ImportBatch, row_number: int, decision: str) -> ImportRow:
    """A person's verdict on a possible duplicate: register the row as a new person, or leave it out."""
    if decision not in ("new", "skip"):
        raise DomainError("请选择“作为新人员登记”或“不导入”。", code="bad_decision")
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != ImportStatus.VALIDATED:
            raise Conflict("只有待导入的批次可以处理疑似重复。", code="import_state")
        row = batch.rows.filter(row_number=row_number, outcome=RowOutcome.DUPLICATE).first()
        if row is None:
            raise DomainError(f"第 {row_number} 行不是疑似重复行。", code="not_duplicate")
        if row.duplicate_of_id is None and row.duplicate_of_row is None:
            raise DomainError("该行的身份证号码已在别处登记，不能作为新人员登记。", code="id_registered")
        row.decision = decision
        row.save(update_fields=["decision"])
    return row


# --- commit -------------------------------------------------------------------------------------------

COMMITTABLE = Q(outcome__in=[RowOutcome.NEW, RowOutcome.UPDATE]) | Q(outcome=RowOutcome.DUPLICATE, decision="new")


def committable_count(batch: ImportBatch) -> int:
    return batch.rows.filter(COMMITTABLE, stage__lt=RowStage.COMMITTED).count()


def commit_batch(batch: ImportBatch, *, actor: Any, progress: Any = None, echo=None) -> ImportBatch:
    """Write the staged rows to the registry, one transaction per window of COMMIT_CHUNK row numbers.
    Running it again after an interruption writes only the rows not yet marked (never one twice)."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status not in (ImportStatus.VALIDATED, ImportStatus.COMMITTING):
            raise Conflict(f"该批次{batch.get_status_display()}，不能导入。", code="import_state")
        if batch.strict and batch.count("error"):
            raise DomainError(f"严格模式：文件中有 {batch.count('error')} 行错误，未导入任何数据。"
                              f"请按错误报告修改后重新上传。", code="strict_errors")
        batch.status = ImportStatus.COMMITTING
        batch.save(update_fields=["status"])
    writer = _Writer(batch, actor)
    rows = batch.rows.filter(COMMITTABLE)
    meter = Meter(progress, echo=echo)
    meter.set_total(rows.filter(stage=RowStage.STAGED).count()
                    + rows.filter(needs_links=True, stage__lt=RowStage.COMMITTED).count())
    last_row = batch.rows.aggregate(last=Max("row_number"))["last"] or 0
    passes: tuple[tuple[int, Callable[[list[ImportRow]], int]], ...]
    if batch.kind == ImportKind.CATEGORIES:
        from .importer_categories import CategoryWriter

        passes = ((RowStage.STAGED, CategoryWriter(writer).write),)
    else:
        passes = ((RowStage.STAGED, writer.write_persons), (RowStage.PERSON_WRITTEN, writer.write_links))
    for stage, write in passes:
        # Windows of row numbers, not "the next N unmarked rows": each query then reads one window
        # through the (batch, row_number) index, however far the commit has got.
        for low in range(0, last_row, COMMIT_CHUNK):
            with transaction.atomic():
                _lock_committing(batch)
                chunk = list(rows.filter(stage=stage, row_number__gt=low, row_number__lte=low + COMMIT_CHUNK)
                             .defer("raw").order_by("row_number"))
                advanced = write(chunk) if chunk else 0
            meter.advance(advanced)
    with transaction.atomic():
        batch = _lock_committing(batch)
        counts = dict(batch.counts)
        counts["committed"] = batch.rows.filter(stage=RowStage.COMMITTED).count()
        counts["error"] = batch.rows.filter(outcome=RowOutcome.ERROR).count()
        counts.update({f"written_{k}": v for k, v in writer.written.items()})
        batch.counts = counts
        batch.status = ImportStatus.COMMITTED
        batch.committed_at = timezone.now()
        batch.message = f"已导入 {counts['committed']} 行。" + summary(batch)
        batch.save(update_fields=["counts", "status", "committed_at", "message"])
    return batch


def _lock_committing(batch: ImportBatch) -> ImportBatch:
    locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if locked.status != ImportStatus.COMMITTING:
        raise Conflict(f"该批次已{locked.get_status_display()}，导入停止。", code="import_state")
    return locked


class _Writer:
    """Writes chunks of staged rows: persons first (pass 1), then households and categories (pass 2),
    when every head of a household in the file is already registered."""

    def __init__(self, batch: ImportBatch, actor: Any):
        self.batch = batch
        self.actor = actor
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.request_id = current_request_id()
        self.reason = f"批量导入：{batch.filename}（批次 {batch.pk}）"
        self.categories = {c.code: c for c in Category.objects.all()}
        self.category_codes = {c.pk: c.code for c in self.categories.values()}
        self.written: dict[str, int] = defaultdict(int)
        self.people = Inserter(Person)
        self.people_history = HistoryInserter(Person)
        self.events = Inserter(RegistryEvent)

    def _history(self) -> dict[str, Any]:
        return {"default_user": self.actor, "default_change_reason": self.reason[:100],
                "custom_historical_attrs": {"request_id": self.request_id}}

    def _event(self, code: str, *, area_id: str, person_id: int | None = None, household_id: int | None = None,
               row: ImportRow, data: dict | None = None) -> dict[str, Any]:
        """A RegistryEvent row (written by `self.events.insert_dicts`)."""
        return {"actor_id": getattr(self.actor, "pk", None), "occurred_at": self.now, "code": code,
                "area_id": area_id, "person_id": person_id, "household_id": household_id,
                "note": f"{self.reason} 第 {row.row_number} 行", "request_id": self.request_id,
                "data": {"import_batch": self.batch.pk, "row": row.row_number, **(data or {})}}

    # pass 1 ------------------------------------------------------------------------------------------
    def write_persons(self, chunk: list[ImportRow]) -> int:
        creating = [row for row in chunk if row.outcome != RowOutcome.UPDATE]
        updating = [row for row in chunk if row.outcome == RowOutcome.UPDATE]
        taken = set(Person.objects.filter(id_number__in=[r.id_number for r in creating if r.id_number])
                    .values_list("id_number", flat=True))
        for row in creating:
            if row.id_number in taken:  # registered by someone else since the file was checked
                self._reject(row, "id_number", "该身份证号码在校验后已被登记，本行未导入")
        creating = [row for row in creating if row.outcome != RowOutcome.ERROR]
        people = self._create_people(creating)
        events = []
        for row, person in zip(creating, people, strict=True):
            row.person_id = person["id"]
            events.append(self._event("registered", area_id=person["residence_area_id"], person_id=person["id"],
                                      row=row))
        events += self._update_people(updating)
        self.events.insert_dicts(events)
        for row in chunk:
            if row.outcome != RowOutcome.ERROR:
                row.stage = RowStage.PERSON_WRITTEN if row.needs_links else RowStage.COMMITTED
        plain, changed = [], []
        for row in chunk:
            (changed if row.before or row.outcome == RowOutcome.ERROR else plain).append(row)
        update_each(plain, ["person", "stage"])
        update_each(changed, ["person", "stage", "before", "outcome", "errors"])
        self.written["persons_created"] += len(people)
        return len(chunk)

    def _reject(self, row: ImportRow, column: str, message: str) -> None:
        row.errors = [*row.errors, {"column": self.batch.columns.get(column, FIELD_LABELS[column]),
                                    "message": message}]
        row.outcome = RowOutcome.ERROR

    def _create_people(self, rows: list[ImportRow]) -> list[dict[str, Any]]:
        """Insert the people of a chunk (COPY / executemany), read their ids back by their unique
        identifiers (one query), and write their history rows."""
        people = [self.people.complete(self._new_person(row)) for row in rows]
        if not people:
            return []
        self.people.insert_dicts(people)
        keys = [p["id_number"] or p["temp_identifier"] for p in people]
        ids = dict(Person.objects.filter(id_number__in=keys).values_list("id_number", "pk"))
        if len(ids) < len(keys):
            ids.update(Person.objects.filter(temp_identifier__in=keys).values_list("temp_identifier", "pk"))
        for person, key in zip(people, keys, strict=True):
            person["id"] = ids[key]
        self.people_history.insert_history(people, kind="+", user=self.actor, reason=self.reason[:100],
                                           request_id=self.request_id)
        return people

    def _new_person(self, row: ImportRow) -> dict[str, Any]:
        values = row.values
        person = {k: values[k] for k in PERSON_FIELDS if k in values}
        person.update(birth_date=date.fromisoformat(values["birth_date"]), residence_area_id=values["residence_area"],
                      created_at=self.now, updated_at=self.now)
        if not person.get("id_number"):
            # Unique by construction (batch and row), never a valid ID number.
            person["id_number"] = None
            person["temp_identifier"] = f"I{self.batch.pk}-{row.row_number}"
        return person

    def _update_people(self, rows: list[ImportRow]) -> list[RegistryEvent]:
        if not rows:
            return []
        people = Person.objects.select_for_update().in_bulk([row.person_id for row in rows])
        changed, fields, events = [], set(), []
        for row in rows:
            person = people.get(row.person_id)
            if person is None or person.merged_into_id:
                self._reject(row, "id_number", "该人员已被合并或删除，本行未导入")
                continue
            before, after = {}, {}
            for key, value in row.changes.items():
                attribute = "residence_area_id" if key == "residence_area" else key
                old = getattr(person, attribute)
                if old != value:
                    before[key], after[key] = old, value
                    setattr(person, attribute, value)
                    fields.add(attribute)
            row.before = before
            if after:
                person.updated_at = self.now
                changed.append(person)
                events.append(self._event("updated", area_id=person.residence_area_id, person_id=person.pk,
                                          row=row, data={"before": before, "after": after}))
        if changed:
            self._update_with_history(changed, sorted(fields | {"updated_at"}))
            self.written["persons_updated"] += len(changed)
        return events

    def _update_with_history(self, people: list[Person], fields: list[str]) -> None:
        update_each(people, fields)
        self.people_history.insert_history(people, kind="~", user=self.actor, reason=self.reason[:100],
                                           request_id=self.request_id)

    # pass 2 ------------------------------------------------------------------------------------------
    def write_links(self, chunk: list[ImportRow]) -> int:
        for row in chunk:
            row.created = {}
        households = self._households(chunk)
        self._memberships(chunk, households)
        self._categories(chunk, households)
        for row in chunk:
            row.stage = RowStage.COMMITTED
        update_each(chunk, ["stage", "created"])
        return sum(1 for row in chunk if row.needs_links)

    def _households(self, chunk: list[ImportRow]) -> dict[int, int]:
        """person pk → the current household they belong to or are to join (creating missing ones)."""
        head_numbers = {row.values["head"] for row in chunk if row.values.get("head")}
        heads = {p["id_number"]: p for p in Person.objects.filter(id_number__in=head_numbers, merged_into__isnull=True)
                 .values("pk", "id_number", "residence_area_id", "address", "hukou_type")}
        head_pks = [p["pk"] for p in heads.values()]
        headed: dict[int, int] = {}
        for household_id, head_id in (Household.objects.filter(head_id__in=head_pks, dissolved_on__isnull=True)
                                      .order_by("-pk").values_list("pk", "head_id")):
            headed[head_id] = household_id
        first_row = {}
        for row in chunk:
            if row.values.get("head") in heads:
                first_row.setdefault(heads[row.values["head"]]["pk"], row)
        missing = [pk for pk in first_row if pk not in headed]
        by_pk = {p["pk"]: p for p in heads.values()}
        created = [Household(head_id=pk, residence_area_id=by_pk[pk]["residence_area_id"],
                             address=by_pk[pk]["address"], hukou_type=by_pk[pk]["hukou_type"], formed_on=self.today)
                   for pk in missing]
        if created:
            created = bulk_create_with_history(created, Household, batch_size=500, **self._history())
            events = []
            for household in created:
                headed[household.head_id] = household.pk
                row = first_row[household.head_id]
                row.created.setdefault("households", []).append(household.pk)
                events.append(self._event("household_formed", area_id=household.residence_area_id,
                                          household_id=household.pk, person_id=household.head_id, row=row))
            self.events.insert_dicts(events)
            self.written["households_created"] += len(created)
        return {pk: headed[pk] for pk in first_row} | {
            row.person_id: headed[heads[row.values["head"]]["pk"]]
            for row in chunk if row.values.get("head") in heads and row.person_id}

    def _memberships(self, chunk: list[ImportRow], households: dict[int, int]) -> None:
        # The heads of households created above, and each row's person, join unless they already belong.
        wanted: dict[int, tuple[int, str, ImportRow]] = {}
        head_of = {}
        for household in Household.objects.filter(pk__in=set(households.values())).values("pk", "head_id"):
            head_of[household["pk"]] = household["head_id"]
        for row in chunk:
            if not row.values.get("head") or row.person_id not in households:
                continue
            household_id = households[row.person_id]
            head_id = head_of[household_id]
            wanted.setdefault(head_id, (household_id, Relation.HEAD, row))
            relation = Relation.HEAD if row.person_id == head_id else row.values.get("relation", Relation.OTHER)
            wanted[row.person_id] = (household_id, relation, row)
        current = dict(HouseholdMember.objects.filter(person_id__in=list(wanted), left_on__isnull=True)
                       .values_list("person_id", "household_id"))
        areas = dict(Household.objects.filter(pk__in={w[0] for w in wanted.values()})
                     .values_list("pk", "residence_area_id"))
        joining, rows_of = [], []
        for person_id, (household_id, relation, row) in wanted.items():
            if person_id in current:
                if current[person_id] != household_id:
                    self.written["memberships_skipped"] += 1
                continue
            joining.append(HouseholdMember(household_id=household_id, person_id=person_id, relation=relation,
                                           joined_on=self.today))
            rows_of.append(row)
        if not joining:
            return
        joining = bulk_create_with_history(joining, HouseholdMember, batch_size=500, **self._history())
        events = []
        for membership, row in zip(joining, rows_of, strict=True):
            row.created.setdefault("memberships", []).append(membership.pk)
            events.append(self._event("member_joined", area_id=areas[membership.household_id],
                                      household_id=membership.household_id, person_id=membership.person_id,
                                      row=row, data={"relation": membership.relation, "on": self.today.isoformat()}))
        self.events.insert_dicts(events)
        self.written["memberships_created"] += len(joining)

    def _categories(self, chunk: list[ImportRow], households: dict[int, int]) -> None:
        person_ids = [row.person_id for row in chunk if row.values.get("categories")]
        if not person_ids:
            return
        person_area = dict(Person.objects.filter(pk__in=person_ids).values_list("pk", "residence_area_id"))
        current = dict(HouseholdMember.objects.filter(person_id__in=person_ids, left_on__isnull=True)
                       .values_list("person_id", "household_id"))
        household_area = dict(Household.objects.filter(pk__in=set(current.values()))
                              .values_list("pk", "residence_area_id"))
        open_person = set(CategoryAssignment.objects.filter(person_id__in=person_ids, valid_to__isnull=True)
                          .values_list("person_id", "category_id"))
        open_household = set(CategoryAssignment.objects.filter(household_id__in=set(current.values()),
                                                               valid_to__isnull=True)
                             .values_list("household_id", "category_id"))
        assignments, rows_of = [], []
        for row in chunk:
            for code in row.values.get("categories", []):
                category = self.categories[code]
                common = {"category_id": category.pk, "valid_from": self.today, "source": CategorySource.IMPORT,
                          "reason": self.reason[:200], "created_by": self.actor}
                if category.subject == CategorySubject.PERSON:
                    if (row.person_id, category.pk) in open_person:
                        continue
                    open_person.add((row.person_id, category.pk))
                    assignments.append(CategoryAssignment(person_id=row.person_id,
                                                          area_id=person_area[row.person_id], **common))
                else:
                    household_id = current.get(row.person_id)
                    if household_id is None or (household_id, category.pk) in open_household:
                        continue
                    open_household.add((household_id, category.pk))
                    assignments.append(CategoryAssignment(household_id=household_id,
                                                          area_id=household_area[household_id], **common))
                rows_of.append(row)
        if not assignments:
            return
        assignments = bulk_create_with_history(assignments, CategoryAssignment, batch_size=500, **self._history())
        events = []
        for assignment, row in zip(assignments, rows_of, strict=True):
            row.created.setdefault("assignments", []).append(assignment.pk)
            events.append(self._event("category_assigned", area_id=assignment.area_id,
                                      person_id=assignment.person_id, household_id=assignment.household_id, row=row,
                                      data={"category": self.category_codes[assignment.category_id],
                                            "from": self.today.isoformat(), "source": CategorySource.IMPORT}))
        self.events.insert_dicts(events)
        self.written["categories_assigned"] += len(assignments)


# --- rollback -----------------------------------------------------------------------------------------

def rollback_batch(batch: ImportBatch, *, actor: Any, progress: Any = None) -> ImportBatch:
    """Undo a committed (or interrupted) import in one transaction: remove the people, households,
    memberships and categories it created, and restore the fields it changed. Refused, with the reason,
    when something has happened to those records since (edited, referenced, ended): then nothing is
    undone and the records must be corrected one by one."""
    meter = Meter(progress)
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status not in (ImportStatus.COMMITTED, ImportStatus.COMMITTING):
            raise Conflict(f"该批次{batch.get_status_display()}，不能回滚。", code="import_state")
        written = batch.rows.filter(stage__gt=RowStage.STAGED)
        meter.set_total(written.count())
        created_people, updated_rows = [], []
        created: dict[str, list[int]] = defaultdict(list)
        # assignment ids by the end date the import gave them (a persons import gives none)
        expected_end: dict[str | None, list[int]] = defaultdict(list)
        for row in written.order_by("row_number").iterator(chunk_size=1000):
            for key, ids in row.created.items():
                created[key] += ids
            if batch.kind == ImportKind.CATEGORIES:
                expected_end[row.values.get("valid_to")] += row.created.get("assignments", [])
            elif row.outcome == RowOutcome.UPDATE:
                updated_rows.append(row)
            elif row.person_id:
                created_people.append(row.person_id)
        _refuse_if_changed_since(batch, updated_rows, created, expected_end)
        writer = _Writer(batch, actor)
        writer.reason = f"回滚批量导入：{batch.filename}（批次 {batch.pk}）"
        _delete_own(CategoryAssignment, created["assignments"])
        if batch.kind == ImportKind.CATEGORIES:  # its events are about the periods just removed
            RegistryEvent.objects.filter(data__import_batch=batch.pk, code="category_assigned").delete()
        _delete_own(HouseholdMember, created["memberships"])
        RegistryEvent.objects.filter(data__import_batch=batch.pk).filter(
            Q(person_id__in=created_people) | Q(household_id__in=created["households"])).delete()
        _delete_own(Household, created["households"])
        _restore(writer, updated_rows)
        for ids in _chunks(created_people, 1000):
            _delete_own(Person, ids)
            meter.advance(len(ids))
        batch.rows.update(stage=RowStage.STAGED, created={}, before={})
        batch.rows.filter(outcome__in=[RowOutcome.NEW, RowOutcome.DUPLICATE]).update(person=None)
        batch.status = ImportStatus.ROLLED_BACK
        batch.rolled_back_at = timezone.now()
        batch.message = (f"已回滚：删除新增人员 {len(created_people)} 人，恢复修改 {len(updated_rows)} 人，"
                         f"撤销家庭 {len(created['households'])} 户、成员关系 {len(created['memberships'])} 条、"
                         f"类别 {len(created['assignments'])} 条。")
        batch.save(update_fields=["status", "rolled_back_at", "message"])
    return batch


def _refuse_if_changed_since(batch: ImportBatch, updated_rows: list[ImportRow], created: dict[str, list[int]],
                             expected_end: dict[str | None, list[int]]) -> None:
    for group in _chunks(updated_rows, 1000):
        people = Person.objects.select_for_update().in_bulk([row.person_id for row in group])
        for row in group:
            person = people.get(row.person_id)
            after = {k: v for k, v in row.changes.items() if k in row.before}
            now = {k: getattr(person, "residence_area_id" if k == "residence_area" else k) for k in after} \
                if person else None
            if person is None or now != after:
                raise Conflict(f"第 {row.row_number} 行的人员在导入后又被修改过，不能自动回滚；请逐一更正。",
                               code="rollback_unsafe")
    # what should still be open: everything a persons import assigned; what a category file gave no end
    still_open = expected_end.get(None, []) if batch.kind == ImportKind.CATEGORIES else created["assignments"]
    if CategoryAssignment.objects.filter(pk__in=still_open, valid_to__isnull=False).exists() \
            or _ended_otherwise(expected_end):
        raise Conflict("本批导入的类别已有终止记录，不能自动回滚。", code="rollback_unsafe")
    if HouseholdMember.objects.filter(pk__in=created["memberships"], left_on__isnull=False).exists():
        raise Conflict("本批导入的家庭成员关系已有变动，不能自动回滚。", code="rollback_unsafe")
    if HouseholdMember.objects.filter(household_id__in=created["households"]).exclude(
            pk__in=created["memberships"]).exists():
        raise Conflict("本批导入建立的家庭后来又加入了成员，不能自动回滚。", code="rollback_unsafe")


def _ended_otherwise(expected_end: dict[str | None, list[int]]) -> bool:
    """True when a period a category import wrote has an end date other than the one it was given."""
    for end, ids in expected_end.items():
        if end is not None and CategoryAssignment.objects.filter(pk__in=ids).exclude(
                valid_to=date.fromisoformat(end)).exists():
            return True
    return False


def _delete_own(model, ids: list[int]) -> None:
    """Delete rows this batch created; anything else pointing at them makes the rollback refuse."""
    if not ids:
        return
    objects = list(model.objects.filter(pk__in=ids))
    collector = Collector(using="default")
    try:
        collector.collect(objects)
    except (ProtectedError, RestrictedError):
        raise Conflict(f"本批导入的{model._meta.verbose_name}已被其他业务记录引用，不能自动回滚。",
                       code="rollback_unsafe") from None
    for other, instances in collector.data.items():
        if other is not model and instances:
            raise Conflict(f"本批导入的{model._meta.verbose_name}已被其他记录（{other._meta.verbose_name}）引用，"
                           f"不能自动回滚。", code="rollback_unsafe")
    for queryset in collector.fast_deletes:
        if queryset.model is not model and queryset.exists():
            raise Conflict(f"本批导入的{model._meta.verbose_name}已被其他记录（{queryset.model._meta.verbose_name}）"
                           f"引用，不能自动回滚。", code="rollback_unsafe")
    collector.delete()


def _restore(writer: _Writer, rows: list[ImportRow]) -> None:
    for group in _chunks([row for row in rows if row.before], 500):
        people = Person.objects.in_bulk([row.person_id for row in group])
        fields, events = set(), []
        for row in group:
            person = people[row.person_id]
            for key, value in row.before.items():
                attribute = "residence_area_id" if key == "residence_area" else key
                setattr(person, attribute, value)
                fields.add(attribute)
            person.updated_at = writer.now
            events.append(writer._event("updated", area_id=person.residence_area_id, person_id=person.pk, row=row,
                                        data={"before": {k: row.changes.get(k) for k in row.before},
                                              "after": row.before}))
        writer._update_with_history(list(people.values()), sorted(fields | {"updated_at"}))
        writer.events.insert_dicts(events)


# --- the error report -----------------------------------------------------------------------------

def write_report(batch: ImportBatch, target: Any) -> int:
    """The rows that were not accepted, as xlsx: 行号, 结果, 列, 问题, then the row as it was in the file.
    Returns how many rows it lists."""
    headers = list(batch.rows.order_by("row_number").values_list("raw", flat=True)[:1])
    original = list(headers[0].keys()) if headers else []
    listed = [0]

    def rows() -> Iterator[list[Any]]:
        problems = batch.rows.filter(outcome__in=[RowOutcome.ERROR, RowOutcome.DUPLICATE]).exclude(
            outcome=RowOutcome.DUPLICATE, decision="new").order_by("row_number")
        for row in problems.iterator(chunk_size=1000):
            listed[0] += 1
            cells = [row.raw.get(header, "") for header in original]
            if row.outcome == RowOutcome.DUPLICATE:
                yield [row.row_number, row.get_outcome_display(), "", row.note, *cells]
                continue
            for error in row.errors:
                yield [row.row_number, row.get_outcome_display(), error.get("column", ""), error["message"], *cells]

    columns = [Column("行号", width=8, kind="int"), Column("结果", width=10), Column("列", width=14),
               Column("问题", width=44), *[Column(h) for h in original]]
    write_xlsx(target, [Sheet("未导入的行", columns, rows())])
    return listed[0]


TEMPLATE_EXAMPLE_NOTE = "示例行，请删除后填写"


def write_template(target: Any, *, user: Any) -> None:
    """The import template: the headers with two example rows, how to fill it in, and the village codes
    the user may import into."""
    from onedoor.core.idnumber import make_id_number

    head = make_id_number("350212", date(1960, 5, 1), 11)
    spouse = make_id_number("350212", date(1962, 8, 9), 22)
    villages = Area.objects.visible_to(user).current().filter(level__in=VILLAGE_LEVELS).order_by("code")
    first = villages.first()
    code, village = (first.code, first.name) if first else ("", "")
    examples = [
        ["张某某", head, "男", "1960-05-01", "13800000000", code, village, "某某路1号", head, "户主", "低保"],
        ["李某某", spouse, "女", "1962-08-09", "", code, village, "某某路1号", head, "配偶", "重度残疾"],
    ]
    guide = [
        ["姓名", "必填。繁体字、全角字符、首尾空格均可识别。"],
        ["身份证号", "18位，可含全角数字、空格；也可用列名“公民身份号码”“身份证号码”。没有身份证号时须填写性别和出生日期。"],
        ["性别、出生日期", "有身份证号时可不填；填写时须与身份证号一致。日期格式如 1960-05-01 或 1960年5月1日。"],
        ["联系电话", "手机或固定电话；也可用列名“手机号码”。"],
        ["区划代码 / 村(社区)", "二选一：12位区划代码，或本次导入范围内唯一的村(社区)名称（见“村(社区)代码”工作表）。"],
        ["住址", "也可用列名“现住址”。"],
        ["户主身份证号、与户主关系", "同一户的成员填写同一个户主身份证号；户主本人填“户主”。"],
        ["人员类别", "可填多个，用 、 , ；分隔，如“低保、重度残疾”。可选类别：" + "、".join(
            Category.objects.filter(is_active=True).values_list("name", flat=True))],
        ["其他列", "模板以外的列会被忽略；列的顺序可以任意调整。"],
        ["示例", TEMPLATE_EXAMPLE_NOTE],
    ]
    write_xlsx(target, [
        Sheet("救助对象", [Column(h, width=20 if "身份证" in h else None) for h in TEMPLATE_HEADERS.values()], examples),
        Sheet("填写说明", [Column("列", width=24), Column("说明", width=90)], guide),
        Sheet("村(社区)代码", [Column("区划代码", width=16), Column("名称", width=24)],
              villages.values_list("code", "name").iterator()),
    ])
