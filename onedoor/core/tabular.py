"""Spreadsheets in and out: rosters from sub-district offices, bank payment lists, statistics.

Reading: the offices send .xlsx (sometimes .xls or .ods) and .csv files saved by Excel or WPS,
in UTF-8 with or without a BOM or in GBK/GB18030. `read_rows` gives every data row as a dict
of stripped strings keyed by the header, with the row number the clerk sees in Excel, so an
import can report "第 12 行：身份证号校验码错误". Every problem with the file itself becomes a
`TableError` with a Chinese message; no raw library exception reaches the user.

Writing: `write_xlsx` streams rows with xlsxwriter's constant-memory mode. Text columns are
always written as strings, so an 18-digit ID number never becomes 3.50212E+17 and a cell
starting with "=" is never a formula.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Context, Decimal
from pathlib import Path
from typing import IO, Any, Literal, NamedTuple

__all__ = [
    "Column",
    "Row",
    "Sheet",
    "TableError",
    "TableReader",
    "read_rows",
    "write_csv",
    "write_xlsx",
]

SPREADSHEET_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"})
CSV_SUFFIXES = frozenset({".csv"})
SNIFF_LIMIT = 1 << 20  # read at most 1 MiB looking for the first non-ASCII byte
CHUNK = 1 << 16
_NON_ASCII = re.compile(rb"[\x80-\xff]")
EXCEL_DIGITS = Context(prec=15)  # Excel keeps 15 significant digits; show numbers as Excel does

FileArg = str | os.PathLike[str] | IO[bytes] | IO[str]
ColumnKind = Literal["text", "money", "int", "date"]


class TableError(ValueError):
    """A file that cannot be read as a table; `message` is Chinese and shown to the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Row(NamedTuple):
    """One data row: the row number as shown in Excel and the cells keyed by header."""

    number: int
    values: dict[str, str]


# --- cells ---------------------------------------------------------------------------------


def column_letter(index: int) -> str:
    """Excel column name of a 0-based index: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _number_text(value: float) -> str:
    """A number as Excel shows it in General format, without exponent: 12345.0 → "12345".

    Excel stores 15 significant digits, so an ID number typed as a number comes back as the
    digits the clerk sees (350212199001011000), not binary noise (…1008).
    """
    number = EXCEL_DIGITS.plus(Decimal(repr(value)))
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


def _clean(text: str) -> str:
    """Stripped, without NUL characters (PostgreSQL text cannot store them)."""
    return text.replace("\x00", "").strip()


def cell_text(value: Any) -> str:
    """The string form of a cell from calamine or csv: stripped, dates as ISO, no ".0"."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _clean(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return _number_text(value) if value == value and abs(value) != float("inf") else ""
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value).strip()


# --- raw row sources -----------------------------------------------------------------------


class _RawSource:
    """Rows of cell strings with their Excel row numbers, plus cleanup of what we opened."""

    def __init__(self, rows: Iterator[tuple[int, list[str]]], *, column_offset: int = 0, close: Any = None):
        self.rows = rows
        self.column_offset = column_offset
        self._close = close

    def close(self) -> None:
        if self._close is not None:
            self._close()
            self._close = None


def _is_path(file: Any) -> bool:
    return isinstance(file, str | os.PathLike)


def _display_name(file: Any, filename: str | None) -> str:
    """The name used for the extension and in messages: given, else the path, else file.name."""
    if filename:
        return filename
    if _is_path(file):
        return os.fspath(file)
    return str(getattr(file, "name", "") or "")


def _open_spreadsheet(file: Any, name: str, sheet: int | str | None) -> _RawSource:
    """Open a workbook with calamine; every failure becomes a TableError naming the file."""
    from python_calamine import CalamineWorkbook, PasswordError, WorksheetNotFound

    shown = Path(name).name
    try:
        workbook = (
            CalamineWorkbook.from_path(os.fspath(file))
            if _is_path(file)
            else CalamineWorkbook.from_filelike(file)
        )
    except PasswordError:
        raise TableError(f"文件“{shown}”设有密码，请取消密码后再上传") from None
    except Exception:
        raise TableError(f"无法读取文件“{shown}”：文件已损坏或不是有效的表格文件") from None
    try:
        found = (
            workbook.get_sheet_by_name(sheet)
            if isinstance(sheet, str)
            else workbook.get_sheet_by_index(sheet or 0)
        )
    except WorksheetNotFound:
        workbook.close()
        raise TableError(f"文件“{shown}”中找不到工作表：{sheet if sheet is not None else 1}") from None
    except Exception:
        workbook.close()
        raise TableError(f"无法读取文件“{shown}”：文件已损坏或不是有效的表格文件") from None
    start = found.start
    # calamine pads the rows above the first non-empty cell but not the columns to its left.
    rows = ((number, [cell_text(v) for v in cells]) for number, cells in enumerate(found.iter_rows(), 1))
    return _RawSource(rows, column_offset=start[1] if start else 0, close=workbook.close)


class _PrefixedReader(io.RawIOBase):
    """The sniffed bytes followed by the rest of a binary stream, without seeking.

    Lets encoding detection work on uploads that cannot seek, and closing it never closes the
    caller's file.
    """

    def __init__(self, prefix: bytes, rest: IO[bytes]):
        self._prefix = memoryview(prefix)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._prefix:
            count = min(len(buffer), len(self._prefix))
            buffer[:count] = self._prefix[:count]
            self._prefix = self._prefix[count:]
            return count
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def detect_encoding(sample: bytes, *, at_end: bool) -> str:
    """The encoding of a CSV from its first bytes: a BOM, else strict UTF-8, else GB18030.

    GB18030 is a superset of GBK and GB2312 (what Excel and WPS on Chinese Windows write), and
    GBK text is almost never valid UTF-8, so a strict UTF-8 attempt decides reliably.
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")("strict").decode(sample, final=at_end)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8-sig"


def _sniff(binary: IO[bytes]) -> tuple[bytes, bool]:
    """Read until 1 KiB past the first non-ASCII byte (or 1 MiB, or the end): (sample, at_end).

    Reading past the first non-ASCII byte matters: a GBK lead byte alone at the end of a chunk
    is also a valid start of a UTF-8 sequence.
    """
    sample = bytearray()
    first_non_ascii: int | None = None
    while len(sample) < SNIFF_LIMIT:
        chunk = binary.read(CHUNK)
        if not chunk:
            return bytes(sample), True
        if first_non_ascii is None and (found := _NON_ASCII.search(chunk)):
            first_non_ascii = len(sample) + found.start()
        sample += chunk
        if first_non_ascii is not None and len(sample) - first_non_ascii >= 1024:
            break
    return bytes(sample), False


def _delimiter(sample: str) -> str:
    """Tab for files saved as "Unicode text", else comma; judged on the header line."""
    first_line = sample.split("\n", 1)[0]
    return "\t" if first_line.count("\t") > first_line.count(",") else ","


def _text_stream(binary: IO[bytes]) -> tuple[io.TextIOWrapper, str]:
    """A decoding text stream over a binary file, and the delimiter to use."""
    sample, at_end = _sniff(binary)
    encoding = detect_encoding(sample, at_end=at_end)
    preview = codecs.getincrementaldecoder(encoding)("replace").decode(sample[:CHUNK], final=False)
    stream = io.BufferedReader(_PrefixedReader(sample, binary), buffer_size=CHUNK)
    return io.TextIOWrapper(stream, encoding=encoding, newline=""), _delimiter(preview)


def _csv_rows(text: Iterable[str], delimiter: str, shown: str) -> Iterator[tuple[int, list[str]]]:
    """Records with 1-based record numbers (what Excel shows), decode errors as TableError."""
    reader = csv.reader(text, delimiter=delimiter)
    number = 0
    try:
        for number, record in enumerate(reader, 1):
            yield number, [_clean(cell) for cell in record]
    except UnicodeDecodeError:
        raise TableError(
            f"文件“{shown}”第 {number + 1} 行附近有无法识别的字符，请在 Excel 中另存为“CSV UTF-8”后重新上传"
        ) from None
    except csv.Error as error:
        raise TableError(f"文件“{shown}”第 {number + 1} 行格式错误：{error}") from None


def _open_csv(file: Any, name: str) -> _RawSource:
    """Open a CSV from a path, a binary file or an already-decoded text file."""
    shown = Path(name).name
    if isinstance(file, io.TextIOBase):
        first_line = file.readline()
        return _RawSource(_csv_rows(itertools.chain([first_line], file), _delimiter(first_line), shown))
    owned = open(file, "rb") if _is_path(file) else None
    wrapper, delimiter = _text_stream(owned or file)

    def close() -> None:
        wrapper.close()  # closes only our _PrefixedReader, never the caller's file
        if owned is not None:
            owned.close()

    return _RawSource(_csv_rows(wrapper, delimiter, shown), close=close)


# --- the reader ----------------------------------------------------------------------------


def _check_headers(cells: list[str], offset: int) -> list[str]:
    """Header names, trailing blanks trimmed; an empty or repeated name is a TableError."""
    while cells and not cells[-1]:
        cells = cells[:-1]
    seen: dict[str, int] = {}
    for index, header in enumerate(cells):
        where = f"第 {index + 1} 列（{column_letter(index + offset)} 列）"
        if not header:
            raise TableError(f"表头不能为空：{where}没有列名")
        if header in seen:
            first = seen[header]
            raise TableError(f"表头“{header}”重复：第 {first + 1} 列和第 {index + 1} 列")
        seen[header] = index
    return cells


class TableReader:
    """Rows of a spreadsheet or CSV as (row number, {header: text}); see `read_rows`.

    The file is opened and the header checked on construction, so a bad upload fails at once
    (in the form's validation) rather than half-way through an import. Use as a context
    manager or call `close()` when the file was given as a path.
    """

    def __init__(
        self,
        file: FileArg,
        *,
        filename: str | None = None,
        sheet: int | str | None = None,
        header: bool = True,
    ):
        name = _display_name(file, filename)
        suffix = Path(name).suffix.lower()
        if suffix in SPREADSHEET_SUFFIXES:
            self._source = _open_spreadsheet(file, name, sheet)
        elif suffix in CSV_SUFFIXES:
            self._source = _open_csv(file, name)
        else:
            raise TableError(
                f"不支持的文件类型：{suffix or Path(name).name or '未知'}，请上传 xlsx 或 csv 文件"
            )
        self.filename = Path(name).name
        self.has_header = header
        self.headers: list[str] = []
        self.header_row = 0
        if header:
            self._read_header()

    def _read_header(self) -> None:
        """The first non-blank row is the header."""
        try:
            for number, cells in self._source.rows:
                if any(cells):
                    self.headers = _check_headers(cells, self._source.column_offset)
                    self.header_row = number
                    return
        except TableError:
            self.close()
            raise
        self.close()
        raise TableError(f"文件“{self.filename}”是空的：没有表头行")

    def _keyed(self, number: int, cells: list[str]) -> dict[str, str]:
        """Cells keyed by header (or by column letter without a header)."""
        offset = self._source.column_offset
        if not self.has_header:
            return {column_letter(index + offset): cell for index, cell in enumerate(cells)}
        for index in range(len(self.headers), len(cells)):
            if cells[index]:
                raise TableError(f"第 {number} 行 {column_letter(index + offset)} 列有数据，但该列没有表头")
        padded = itertools.chain(cells, itertools.repeat(""))
        return dict(zip(self.headers, padded, strict=False))

    def __iter__(self) -> Iterator[Row]:
        """Data rows after the header; blank rows are skipped but keep their numbers."""
        try:
            for number, cells in self._source.rows:
                if any(cells):
                    yield Row(number, self._keyed(number, cells))
        finally:
            self.close()

    def close(self) -> None:
        """Release the workbook or the file opened from a path (never a caller's file)."""
        self._source.close()

    def __enter__(self) -> TableReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def read_rows(
    file: FileArg, *, filename: str | None = None, sheet: int | str | None = None, header: bool = True
) -> TableReader:
    """Open a table for reading: `for number, values in read_rows(upload, filename=upload.name)`.

    `file` is a path or an open file (binary, or text for CSV); `filename` decides the format
    by its extension (defaults to the path or the file's name). `sheet` is an index or a name
    (default: the first sheet). With header=False the keys are the column letters A, B, ….
    """
    return TableReader(file, filename=filename, sheet=sheet, header=header)


# --- writing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """An output column: header text, width in characters (None: from the contents), kind."""

    header: str
    width: float | None = None
    kind: ColumnKind = "text"


@dataclass(frozen=True)
class Sheet:
    """One worksheet: `rows` may be a generator; it is consumed once, in order."""

    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]


_FORBIDDEN_IN_TITLE = re.compile(r"[\[\]:*?/\\]")
_DEFAULT_WIDTH = {"text": 10.0, "money": 14.0, "int": 10.0, "date": 12.0}
_WIDTH_SAMPLE = 100  # rows looked at to size columns; constant-memory mode cannot look back


def display_width(text: str) -> int:
    """Width in Excel character cells: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def sheet_title(title: str, used: set[str]) -> str:
    """A worksheet name Excel accepts: no []:*?/\\, not quoted, ≤ 31 characters, unique."""
    base = _FORBIDDEN_IN_TITLE.sub("", title).strip().strip("'").strip()[:31] or f"Sheet{len(used) + 1}"
    candidate, counter = base, 1
    while candidate.casefold() in used:
        counter += 1
        suffix = f"({counter})"
        candidate = base[: 31 - len(suffix)] + suffix
    used.add(candidate.casefold())
    return candidate


def _text_value(value: Any) -> str:
    """What a text cell shows for any Python value."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _column_widths(columns: Sequence[Column], sample: list[Sequence[Any]]) -> list[float]:
    """Explicit widths, else wide enough for the header and the first rows (capped at 60)."""
    widths = []
    for index, column in enumerate(columns):
        if column.width is not None:
            widths.append(column.width)
            continue
        texts = [column.header] + [_text_value(row[index]) for row in sample if index < len(row)]
        fitted = max(display_width(text) for text in texts) + 2
        widths.append(float(min(60, max(_DEFAULT_WIDTH[column.kind], fitted))))
    return widths


class _SheetWriter:
    """Writes one Sheet's cells with the format of each column kind."""

    def __init__(self, workbook: Any, worksheet: Any):
        self.worksheet = worksheet
        self.formats = {
            "header": workbook.add_format({"bold": True, "bottom": 1, "valign": "vcenter"}),
            "money": workbook.add_format({"num_format": "#,##0.00"}),
            "int": workbook.add_format({"num_format": "0"}),
            "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
            "text": workbook.add_format({"num_format": "@"}),
        }

    def header(self, columns: Sequence[Column]) -> None:
        for index, column in enumerate(columns):
            self.worksheet.write_string(0, index, column.header, self.formats["header"])

    def cell(self, row: int, col: int, kind: ColumnKind, value: Any) -> None:
        """Write one value; empty values become blank cells that keep the column format."""
        fmt = self.formats[kind]
        if value is None or value == "":
            self.worksheet.write_blank(row, col, None, fmt)
        elif kind == "money":
            from onedoor.core.money import to_money

            self.worksheet.write_number(row, col, float(to_money(value)), fmt)
        elif kind == "int":
            self.worksheet.write_number(row, col, _as_int(value), fmt)
        elif kind == "date" and isinstance(value, date):
            moment = value if isinstance(value, datetime) else datetime.combine(value, time(0))
            self.worksheet.write_datetime(row, col, moment, fmt)
        else:
            self.worksheet.write_string(row, col, _text_value(value), self.formats["text"])


def _as_int(value: Any) -> int:
    """An integer cell value; floats with a fraction are a bug in the caller."""
    if isinstance(value, float) and not value.is_integer():
        raise ValueError(f"int column got a fractional value {value!r}")
    return int(value)


def _write_sheet(workbook: Any, sheet: Sheet, title: str) -> None:
    """Header, widths, rows, frozen header and autofilter for one worksheet."""
    worksheet = workbook.add_worksheet(title)
    writer = _SheetWriter(workbook, worksheet)
    rows = iter(sheet.rows)
    sample = list(itertools.islice(rows, _WIDTH_SAMPLE))
    for index, width in enumerate(_column_widths(sheet.columns, sample)):
        worksheet.set_column(index, index, width)
    worksheet.freeze_panes(1, 0)
    writer.header(sheet.columns)
    last_row = 0
    kinds = [column.kind for column in sheet.columns]
    for last_row, values in enumerate(itertools.chain(sample, rows), 1):
        if len(values) > len(kinds):
            raise ValueError(
                f"sheet {sheet.title!r} row {last_row} has {len(values)} values for {len(kinds)} columns"
            )
        for col, (kind, value) in enumerate(zip(kinds, values, strict=False)):  # short rows: blanks
            writer.cell(last_row, col, kind, value)
    if kinds:
        worksheet.autofilter(0, 0, last_row, len(kinds) - 1)


def write_xlsx(target: str | os.PathLike[str] | IO[bytes], sheets: Sequence[Sheet]) -> None:
    """Write sheets to an .xlsx path or binary file, streaming rows (constant memory).

    Column kinds: text (always a string: ID numbers stay exact, "=…" is not a formula), money
    (Decimal/int/str through `to_money`, never float; shown as #,##0.00), int, date (yyyy-mm-dd).
    """
    import xlsxwriter

    options = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    workbook = xlsxwriter.Workbook(os.fspath(target) if _is_path(target) else target, options)
    used: set[str] = set()
    try:
        for sheet in sheets:
            _write_sheet(workbook, sheet, sheet_title(sheet.title, used))
    finally:
        workbook.close()


# --- CSV -----------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def _csv_value(value: Any, *, escape_formulas: bool) -> str:
    """Text for a CSV cell; strings that Excel would run as a formula get a leading '."""
    text = _text_value(value)
    if (
        escape_formulas
        and isinstance(value, str)
        and text.startswith(_FORMULA_START)
        and not _PLAIN_NUMBER.fullmatch(text)
    ):
        return "'" + text
    return text


def write_csv(
    target: str | os.PathLike[str] | IO[bytes],
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    encoding: Literal["utf-8-sig", "gb18030"] = "utf-8-sig",
    escape_formulas: bool = True,
) -> None:
    """Write a CSV that Excel opens correctly: UTF-8 with BOM by default, GB18030 for old tools.

    Applicant-supplied text such as "=HYPERLINK(…)" is prefixed with ' so Excel shows it instead
    of running it (CSV injection); numbers like "-5" are left alone.
    """
    if encoding not in ("utf-8-sig", "gb18030"):
        raise ValueError(f"unsupported CSV encoding {encoding!r}")
    owned = _is_path(target)
    binary = open(target, "wb") if owned else target
    text = io.TextIOWrapper(binary, encoding=encoding, newline="", write_through=True)
    try:
        writer = csv.writer(text)
        writer.writerow(headers)
        for row in rows:
            writer.writerow([_csv_value(value, escape_formulas=escape_formulas) for value in row])
        text.flush()
    finally:
        text.detach()
        if owned:
            binary.close()
