"""Tests for onedoor.core.tabular (reading and writing xlsx/csv) with real files."""

from __future__ import annotations

import csv
import io
import os
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Literal

import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from onedoor.core.tabular import (
    CHUNK,
    Column,
    Row,
    Sheet,
    TableError,
    TableReader,
    cell_text,
    column_letter,
    detect_encoding,
    read_rows,
    sheet_title,
    write_csv,
    write_xlsx,
)

ID_NUMBER = "350212199001011234"
HEADERS = ["姓名", "身份证号", "金额", "日期"]


def people_sheet(rows: list[list[object]] | None = None) -> Sheet:
    return Sheet(
        title="低保名单",
        columns=[
            Column("姓名"),
            Column("身份证号", width=22),
            Column("金额", kind="money"),
            Column("日期", kind="date"),
            Column("人数", kind="int"),
        ],
        rows=rows
        if rows is not None
        else [
            ["杨全", ID_NUMBER, Decimal("1234.50"), date(2024, 10, 8), 3],
            ["買買提·艾力", "11010519491231002X", "880", date(2025, 1, 27), 1],
            ["=1+1", None, None, None, None],
        ],
    )


def read_all(*args: object, **kwargs: object) -> list[Row]:
    with read_rows(*args, **kwargs) as reader:  # type: ignore[arg-type]
        return list(reader)


# --- xlsx round trip -----------------------------------------------------------------------


def test_xlsx_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "名单.xlsx"
    write_xlsx(path, [people_sheet()])
    rows = read_all(path)
    assert rows[0] == Row(
        2, {"姓名": "杨全", "身份证号": ID_NUMBER, "金额": "1234.5", "日期": "2024-10-08", "人数": "3"}
    )
    assert rows[1].values["姓名"] == "買買提·艾力"
    assert rows[1].values["身份证号"] == "11010519491231002X"
    assert rows[1].values["金额"] == "880"
    assert rows[2] == Row(4, {"姓名": "=1+1", "身份证号": "", "金额": "", "日期": "", "人数": ""})
    assert [row.number for row in rows] == [2, 3, 4]


def test_xlsx_id_number_is_stored_as_text_and_formulas_are_not_formulas(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    write_xlsx(path, [people_sheet()])
    workbook = CalamineWorkbook.from_path(str(path))
    cells = workbook.get_sheet_by_index(0).to_python()
    assert cells[1][1] == ID_NUMBER  # a str, not 3.50212199001011e17
    assert cells[3][0] == "=1+1"
    assert isinstance(cells[1][2], float) and cells[1][2] == 1234.5
    assert cells[1][3] in (date(2024, 10, 8), datetime(2024, 10, 8))


def test_xlsx_written_to_a_file_object(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    write_xlsx(buffer, [people_sheet()])
    buffer.seek(0)
    rows = read_all(buffer, filename="upload.xlsx")
    assert rows[0].values["身份证号"] == ID_NUMBER


def test_xlsx_has_frozen_header_autofilter_and_formats(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "out.xlsx"
    write_xlsx(path, [people_sheet()])
    with zipfile.ZipFile(path) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
        styles = archive.read("xl/styles.xml").decode()
        workbook_xml = archive.read("xl/workbook.xml").decode()
    assert 'state="frozen"' in sheet_xml and 'ySplit="1"' in sheet_xml
    assert '<autoFilter ref="A1:E4"/>' in sheet_xml
    assert "#,##0.00" in styles and "yyyy-mm-dd" in styles
    assert "<b/>" in styles
    assert 'name="低保名单"' in workbook_xml


def test_xlsx_refuses_float_money(tmp_path: Path) -> None:
    with pytest.raises(TypeError):
        write_xlsx(tmp_path / "x.xlsx", [people_sheet([["a", "b", 1.5, None, None]])])


def test_xlsx_rejects_rows_longer_than_columns(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_xlsx(tmp_path / "x.xlsx", [people_sheet([["a", "b", None, None, None, "extra"]])])


def test_xlsx_several_sheets_and_titles(tmp_path: Path) -> None:
    path = tmp_path / "multi.xlsx"
    sheets = [
        Sheet("a[1]:b*c?d/e\\f", [Column("x")], [["1"]]),
        Sheet("同安区" * 20, [Column("x")], [["2"]]),
        Sheet("A[1]:b*c?d/e\\f", [Column("x")], [["3"]]),
        Sheet("", [Column("x")], []),
    ]
    write_xlsx(path, sheets)
    workbook = CalamineWorkbook.from_path(str(path))
    assert workbook.sheet_names == ["a1bcdef", "同安区" * 10 + "同", "A1bcdef(2)", "Sheet4"]
    assert read_all(path, sheet="同安区" * 10 + "同") == [Row(2, {"x": "2"})]
    assert read_all(path, sheet=2) == [Row(2, {"x": "3"})]
    assert read_all(path, sheet="Sheet4") == []


def test_sheet_title_rules() -> None:
    used: set[str] = set()
    assert sheet_title("'引号'", used) == "引号"
    assert sheet_title("引号", used) == "引号(2)"
    assert len(sheet_title("x" * 40, used)) == 31
    assert sheet_title("x" * 40, used) == "x" * 28 + "(2)"


@settings(max_examples=50)
@given(st.text(max_size=40))
def test_sheet_titles_are_always_acceptable(title: str) -> None:
    used: set[str] = set()
    first = sheet_title(title, used)
    second = sheet_title(title, used)
    for name in (first, second):
        assert 1 <= len(name) <= 31
        assert not set(name) & set("[]:*?/\\")
        assert not name.startswith("'") and not name.endswith("'")
    assert first.casefold() != second.casefold()


def test_big_xlsx_streams_in_constant_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.xlsx"
    rows = ([f"姓名{n}", f"3502121990{n:08d}", Decimal(n) / 100, date(2024, 1, 1), n] for n in range(20_000))
    write_xlsx(path, [people_sheet(rows)])  # type: ignore[arg-type]
    with read_rows(path) as reader:
        count = sum(1 for _ in reader)
    assert count == 20_000


def test_rows_can_be_read_from_a_sheet_starting_below_and_right(tmp_path: Path) -> None:
    path = tmp_path / "offset.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    sheet.write_string("C3", "姓名")
    sheet.write_string("D3", "编号")
    sheet.write_string("C5", "杨全")
    sheet.write_number("D5", 12345.0)
    sheet.write_string("E7", "注释")
    workbook.close()
    with pytest.raises(TableError, match="第 7 行 E 列有数据，但该列没有表头"):
        read_all(path)
    with read_rows(path) as reader:
        assert reader.header_row == 3
        assert next(iter(reader)) == Row(5, {"姓名": "杨全", "编号": "12345"})
    assert read_all(path, header=False) == [
        Row(3, {"C": "姓名", "D": "编号", "E": ""}),
        Row(5, {"C": "杨全", "D": "12345", "E": ""}),
        Row(7, {"C": "", "D": "", "E": "注释"}),
    ]


def test_xlsx_cell_types(tmp_path: Path) -> None:
    path = tmp_path / "types.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    headers = ["整数", "小数", "日期", "时间", "布尔", "大数", "空格"]
    for col, header in enumerate(headers):
        sheet.write_string(0, col, header)
    sheet.write_number(1, 0, 12345.0)
    sheet.write_number(1, 1, 0.1)
    sheet.write_datetime(1, 2, datetime(2024, 2, 29), workbook.add_format({"num_format": "yyyy-mm-dd"}))
    sheet.write_datetime(
        1, 3, datetime(2024, 2, 29, 8, 30), workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    )
    sheet.write_boolean(1, 4, True)
    sheet.write_number(1, 5, 350212199001011234)  # what happens when a clerk types an ID as a number
    sheet.write_string(1, 6, "  杨全  ")
    workbook.close()
    assert read_all(path)[0].values == {
        "整数": "12345",
        "小数": "0.1",
        "日期": "2024-02-29",
        "时间": "2024-02-29 08:30:00",
        "布尔": "TRUE",
        "大数": "350212199001011000",  # Excel's 15 significant digits, as the clerk sees it
        "空格": "杨全",
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        ("  a ", "a"),
        (12345.0, "12345"),
        (-3.0, "-3"),
        (1.5, "1.5"),
        (0.30000000000000004, "0.3"),
        (1e-7, "0.0000001"),
        (1e20, "100000000000000000000"),
        (7, "7"),
        (False, "FALSE"),
        (date(2024, 1, 2), "2024-01-02"),
        (datetime(2024, 1, 2), "2024-01-02"),
        (datetime(2024, 1, 2, 3, 4, 5), "2024-01-02 03:04:05"),
    ],
)
def test_cell_text(value: object, expected: str) -> None:
    assert cell_text(value) == expected


def test_column_letters() -> None:
    assert [column_letter(i) for i in (0, 1, 25, 26, 27, 51, 52, 701, 702)] == [
        "A",
        "B",
        "Z",
        "AA",
        "AB",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
    ]


# --- errors --------------------------------------------------------------------------------


def test_duplicate_header(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("姓名,身份证号, 姓名 \n杨全,1,2\n", encoding="utf-8")
    with pytest.raises(TableError) as info:
        read_rows(path)
    assert info.value.message == "表头“姓名”重复：第 1 列和第 3 列"


def test_empty_header_cell(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("姓名,,金额\n杨全,1,2\n", encoding="utf-8")
    with pytest.raises(TableError, match="表头不能为空：第 2 列（B 列）没有列名"):
        read_rows(path)


def test_trailing_empty_headers_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "trailing.csv"
    path.write_text("姓名,金额,,\n杨全,1,,\n", encoding="utf-8")
    assert read_all(path) == [Row(2, {"姓名": "杨全", "金额": "1"})]


def test_data_beyond_the_header_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "extra.csv"
    path.write_text("姓名,金额\n杨全,1\n李四,2,备注\n", encoding="utf-8")
    with read_rows(path) as reader:
        rows = iter(reader)
        assert next(rows).number == 2
        with pytest.raises(TableError, match="第 3 行 C 列有数据，但该列没有表头"):
            next(rows)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(TableError, match="没有表头行"):
        read_rows(path)
    path.write_text("\n , \n", encoding="utf-8")
    with pytest.raises(TableError, match="没有表头行"):
        read_rows(path)


@pytest.mark.parametrize("name", ["名单.pdf", "名单", "名单.doc", "archive.zip"])
def test_unsupported_file_type(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"whatever")
    with pytest.raises(TableError, match="不支持的文件类型：.*，请上传 xlsx 或 csv 文件"):
        read_rows(path)


def test_unsupported_type_from_upload_name() -> None:
    with pytest.raises(TableError, match="不支持的文件类型：.pdf"):
        read_rows(io.BytesIO(b"%PDF"), filename="上传.PDF")


@pytest.mark.parametrize("suffix", [".xlsx", ".xls", ".ods"])
def test_corrupt_spreadsheet(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"corrupt{suffix}"
    path.write_bytes(os.urandom(4096))
    with pytest.raises(TableError, match="无法读取文件“corrupt.*”：文件已损坏"):
        read_rows(path)
    with pytest.raises(TableError):
        read_rows(io.BytesIO(os.urandom(4096)), filename=f"upload{suffix}")


def test_truncated_xlsx(tmp_path: Path) -> None:
    good = io.BytesIO()
    write_xlsx(good, [people_sheet()])
    path = tmp_path / "truncated.xlsx"
    path.write_bytes(good.getvalue()[:-200])
    with pytest.raises(TableError):
        read_all(path)


def test_missing_sheet(tmp_path: Path) -> None:
    path = tmp_path / "one.xlsx"
    write_xlsx(path, [people_sheet()])
    with pytest.raises(TableError, match="找不到工作表：不存在"):
        read_rows(path, sheet="不存在")
    with pytest.raises(TableError, match="找不到工作表"):
        read_rows(path, sheet=5)


def test_table_error_is_a_value_error() -> None:
    assert issubclass(TableError, ValueError)


# --- CSV encodings -------------------------------------------------------------------------

CSV_TEXT = "姓名,身份证号,地址\r\n杨全,350212199001011234,同安区大同街道\r\n"
EXPECTED = [Row(2, {"姓名": "杨全", "身份证号": ID_NUMBER, "地址": "同安区大同街道"})]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk", "gb2312", "gb18030", "utf-16"])
def test_csv_encodings(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / f"{encoding}.csv"
    path.write_bytes(CSV_TEXT.encode(encoding))
    assert read_all(path) == EXPECTED


def test_utf8_bom_does_not_end_up_in_the_first_header(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(CSV_TEXT.encode("utf-8-sig"))
    with read_rows(path) as reader:
        assert reader.headers == ["姓名", "身份证号", "地址"]


def test_gb18030_only_characters(tmp_path: Path) -> None:
    text = "姓名,备注\n王䶮,𠮷野家\n"
    with pytest.raises(UnicodeEncodeError):
        text.encode("gbk")
    path = tmp_path / "gb18030.csv"
    path.write_bytes(text.encode("gb18030"))
    assert read_all(path) == [Row(2, {"姓名": "王䶮", "备注": "𠮷野家"})]


def test_non_ascii_after_a_long_ascii_prefix(tmp_path: Path) -> None:
    ascii_rows = "".join(f"{n},x\n" for n in range(20_000))  # ~150 KB of ASCII before any Chinese
    path = tmp_path / "late.csv"
    path.write_bytes(("id,name\n" + ascii_rows + "1,杨全\n").encode("gbk"))
    rows = read_all(path)
    assert rows[-1] == Row(20_002, {"id": "1", "name": "杨全"})


@pytest.mark.parametrize("ascii_length", [CHUNK - 1, CHUNK - 8, CHUNK * 2 - 1])
def test_gbk_lead_byte_at_a_chunk_boundary(tmp_path: Path, ascii_length: int) -> None:
    # "杨" in GBK is D1 EE; D1 alone at the end of a chunk also starts a valid UTF-8 sequence.
    head = "a\n" + "x" * (ascii_length - 2)
    path = tmp_path / "boundary.csv"
    path.write_bytes(head.encode("ascii") + "杨全\n".encode("gbk"))
    assert [row.values["a"] for row in read_all(path)] == ["x" * (ascii_length - 2) + "杨全"]


def test_undecodable_bytes_give_table_error(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes("姓名\n杨全\n".encode() + b"\xff\xfe\xfd\n")
    with pytest.raises(TableError, match="无法识别的字符"):
        read_all(path)


def test_csv_from_binary_upload_is_not_closed() -> None:
    upload = io.BytesIO(CSV_TEXT.encode("gbk"))
    assert read_all(upload, filename="名单.CSV") == EXPECTED
    assert not upload.closed


class NonSeekable(io.RawIOBase):
    """An upload stream that can only be read forwards."""

    def __init__(self, data: bytes):
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        chunk = self._data.read(min(len(buffer), 1000))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_csv_from_non_seekable_stream() -> None:
    assert read_all(NonSeekable(CSV_TEXT.encode("gb18030")), filename="x.csv") == EXPECTED


def test_csv_from_text_stream() -> None:
    assert read_all(io.StringIO(CSV_TEXT, newline=""), filename="x.csv") == EXPECTED


def test_csv_quoted_fields_and_multiline_cells(tmp_path: Path) -> None:
    path = tmp_path / "quoted.csv"
    path.write_text('姓名,地址\n"杨, 全","第一行\n第二行"\n李四,x\n', encoding="utf-8")
    assert read_all(path) == [
        Row(2, {"姓名": "杨, 全", "地址": "第一行\n第二行"}),
        Row(3, {"姓名": "李四", "地址": "x"}),
    ]


def test_csv_blank_rows_are_skipped_but_numbered(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text("\n姓名,金额\n杨全,1\n,\n\n李四\n", encoding="utf-8")
    assert read_all(path) == [Row(3, {"姓名": "杨全", "金额": "1"}), Row(6, {"姓名": "李四", "金额": ""})]


def test_tab_separated_csv(tmp_path: Path) -> None:
    path = tmp_path / "tabs.csv"
    path.write_bytes("姓名\t金额\n杨全\t1,234.50\n".encode("utf-16"))
    assert read_all(path) == [Row(2, {"姓名": "杨全", "金额": "1,234.50"})]


def test_nul_characters_are_dropped(tmp_path: Path) -> None:
    path = tmp_path / "nul.csv"
    path.write_bytes(b"a,b\n1,x\x00y\n")
    assert read_all(path) == [Row(2, {"a": "1", "b": "xy"})]
    assert cell_text("a\x00b ") == "ab"


def test_malformed_csv_gives_table_error(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    path.write_text('a\n"' + "x" * 200_000 + '"\n', encoding="utf-8")  # beyond csv.field_size_limit
    with pytest.raises(TableError, match="第 2 行格式错误"):
        read_all(path)


def test_detect_encoding() -> None:
    assert detect_encoding("杨".encode(), at_end=True) == "utf-8-sig"
    assert detect_encoding("杨".encode()[:2], at_end=False) == "utf-8-sig"  # cut mid-character
    assert detect_encoding("杨".encode()[:2], at_end=True) == "gb18030"
    assert detect_encoding("杨全".encode("gbk"), at_end=True) == "gb18030"
    assert detect_encoding(b"", at_end=True) == "utf-8-sig"


def test_big_csv_is_streamed(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    line = "杨全,350212199001011234,同安区大同街道,1234.50\n"
    with path.open("w", encoding="gb18030", newline="") as out:
        out.write("姓名,身份证号,地址,金额\n")
        for _ in range(200_000):
            out.write(line)
    started = time.perf_counter()
    with read_rows(path) as reader:
        rows = iter(reader)
        first = next(rows)
        count = 1 + sum(1 for _ in rows)
    assert first == Row(
        2, {"姓名": "杨全", "身份证号": ID_NUMBER, "地址": "同安区大同街道", "金额": "1234.50"}
    )
    assert count == 200_000
    assert time.perf_counter() - started < 3


def test_reader_does_not_read_the_whole_file_up_front(tmp_path: Path) -> None:
    class CountingReader(io.BytesIO):
        consumed = 0

        def read(self, size: int | None = -1) -> bytes:
            data = super().read(size)
            CountingReader.consumed += len(data)
            return data

    body = "姓名,金额\n" + "杨全,1\n" * 500_000
    upload = CountingReader(body.encode("utf-8"))
    reader = read_rows(upload, filename="big.csv")
    next(iter(reader))
    assert CountingReader.consumed < 512 * 1024 < len(upload.getvalue())


# --- CSV writing ---------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_write_csv_round_trip(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "out.csv"
    write_csv(
        path,
        ["姓名", "身份证号", "金额", "日期", "备注"],
        [["杨全", ID_NUMBER, Decimal("1234.50"), date(2024, 10, 8), None], ["王䶮", "x", 3, None, "𠮷"]],
        encoding=encoding,  # type: ignore[arg-type]
    )
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
    assert read_all(path) == [
        Row(2, {"姓名": "杨全", "身份证号": ID_NUMBER, "金额": "1234.50", "日期": "2024-10-08", "备注": ""}),
        Row(3, {"姓名": "王䶮", "身份证号": "x", "金额": "3", "日期": "", "备注": "𠮷"}),
    ]


def test_write_csv_to_binary_file_leaves_it_open() -> None:
    buffer = io.BytesIO()
    write_csv(buffer, ["a"], [["杨"]])
    assert not buffer.closed
    assert buffer.getvalue() == "\ufeffa\r\n杨\r\n".encode()


def test_write_csv_escapes_formulas() -> None:
    buffer = io.BytesIO()
    write_csv(
        buffer, ["v"], [['=HYPERLINK("http://x")'], ["@SUM(A1)"], ["+86 138"], ["-5"], ["-1.5"], [-5], ["杨"]]
    )
    values = [row[0] for row in csv.reader(io.StringIO(buffer.getvalue().decode("utf-8-sig")))][1:]
    assert values == ['\'=HYPERLINK("http://x")', "'@SUM(A1)", "'+86 138", "-5", "-1.5", "-5", "杨"]


def test_write_csv_without_escaping() -> None:
    buffer = io.BytesIO()
    write_csv(buffer, ["v"], [["=1+1"]], escape_formulas=False)
    assert buffer.getvalue().decode("utf-8-sig").splitlines()[1] == "=1+1"


def test_write_csv_rejects_other_encodings(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_csv(tmp_path / "x.csv", ["a"], [], encoding="gbk")  # type: ignore[arg-type]


# --- properties ----------------------------------------------------------------------------

cell_strings = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp"), blacklist_characters="\x00"),
    min_size=1,
    max_size=12,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(cell_strings, min_size=3, max_size=3), min_size=1, max_size=10))
def test_csv_round_trip_of_arbitrary_text(tmp_path: Path, rows: list[list[str]]) -> None:
    encodings: tuple[Literal["utf-8-sig", "gb18030"], ...] = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        path = tmp_path / f"p-{encoding}.csv"
        write_csv(path, ["甲", "乙", "丙"], rows, encoding=encoding, escape_formulas=False)
        assert [list(row.values.values()) for row in read_all(path)] == [[c.strip() for c in r] for r in rows]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(cell_strings, min_size=2, max_size=2), min_size=1, max_size=10))
def test_xlsx_round_trip_of_arbitrary_text(tmp_path: Path, rows: list[list[str]]) -> None:
    path = tmp_path / "p.xlsx"
    write_xlsx(path, [Sheet("p", [Column("甲"), Column("乙")], rows)])
    assert [list(row.values.values()) for row in read_all(path)] == [[c.strip() for c in r] for r in rows]


def test_reader_is_an_iterable_object(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a\n1\n", encoding="utf-8")
    reader = read_rows(path)
    assert isinstance(reader, TableReader)
    assert reader.headers == ["a"] and reader.filename == "x.csv"
    assert list(reader) == [Row(2, {"a": "1"})]
    reader.close()  # closing twice is harmless
