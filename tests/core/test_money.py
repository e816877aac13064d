"""Tests for onedoor.core.money (Decimal yuan)."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal

import pytest
from django.db import models
from hypothesis import given
from hypothesis import strategies as st

from onedoor.core.money import (
    CENT,
    InvalidAmount,
    fen_to_yuan,
    format_yuan,
    money_field,
    round_money,
    to_money,
    yuan_to_fen,
)

fens = st.integers(min_value=-(10**14) + 1, max_value=10**14 - 1)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("12.5"), "12.50"),
        (Decimal("12.50"), "12.50"),
        (Decimal("12.500"), "12.50"),
        (12, "12.00"),
        (0, "0.00"),
        ("12", "12.00"),
        ("12.5", "12.50"),
        ("1,234.50", "1234.50"),
        ("1,234,567.89", "1234567.89"),
        ("  1234.5  ", "1234.50"),
        ("￥1,234.50", "1234.50"),
        ("¥ 1234.5", "1234.50"),
        ("1234.50元", "1234.50"),
        ("￥1234.50 元", "1234.50"),
        ("１２３４．５０", "1234.50"),  # full-width digits and full stop
        ("１，２３４．５", "1234.50"),  # full-width comma
        ("-5", "-5.00"),
        ("−5.5", "-5.50"),  # U+2212 minus sign
        ("-￥5", "-5.00"),
        ("+5", "5.00"),
        ("5.", "5.00"),
        (".5", "0.50"),
        ("-0", "0.00"),
        (Decimal("-0.00"), "0.00"),
        ("RMB 100", "100.00"),
    ],
)
def test_to_money_accepts(value: object, expected: str) -> None:
    result = to_money(value)  # type: ignore[arg-type]
    assert isinstance(result, Decimal)
    assert str(result) == expected


@pytest.mark.parametrize(
    "junk",
    [
        "",
        "  ",
        "abc",
        "1.2.3",
        "12,34",
        "1,2345",
        "1e5",
        "NaN",
        "Infinity",
        "--5",
        "-¥-5",
        "5元元",
        "五元",
        "1.005",
    ],
)
def test_to_money_rejects_junk(junk: str) -> None:
    with pytest.raises(InvalidAmount) as info:
        to_money(junk)
    assert info.value.message.startswith("金额格式不正确：")
    assert isinstance(info.value, ValueError)


def test_to_money_rejects_nonfinite_decimal_and_too_many_places() -> None:
    with pytest.raises(InvalidAmount):
        to_money(Decimal("NaN"))
    with pytest.raises(InvalidAmount):
        to_money(Decimal("Infinity"))
    with pytest.raises(InvalidAmount, match="最多两位小数"):
        to_money(Decimal("1.005"))


def test_to_money_rejects_amounts_that_do_not_fit() -> None:
    assert to_money("999999999999.99") == Decimal("999999999999.99")
    with pytest.raises(InvalidAmount, match="金额过大"):
        to_money("1000000000000")
    with pytest.raises(InvalidAmount, match="金额过大"):
        to_money(Decimal("1e40"))


@pytest.mark.parametrize("value", [0.1, 12.0, True, None, [1]])
def test_to_money_refuses_floats_and_other_types(value: object) -> None:
    with pytest.raises(TypeError):
        to_money(value)  # type: ignore[arg-type]


def test_round_money_half_up() -> None:
    assert round_money(Decimal("0.005")) == Decimal("0.01")
    assert round_money(Decimal("0.015")) == Decimal("0.02")
    assert round_money(Decimal("0.025")) == Decimal("0.03")  # half-even would give 0.02
    assert round_money(Decimal("-0.005")) == Decimal("-0.01")
    assert round_money(Decimal("0.004999")) == Decimal("0.00")
    assert round_money(Decimal("1234.5")) == Decimal("1234.50")
    assert round_money(7) == Decimal("7.00")


def test_round_money_other_rounding() -> None:
    assert round_money(Decimal("0.025"), ROUND_HALF_EVEN) == Decimal("0.02")
    assert round_money(Decimal("0.019"), ROUND_DOWN) == Decimal("0.01")


def test_round_money_refuses_float() -> None:
    with pytest.raises(TypeError):
        round_money(0.005)  # type: ignore[arg-type]


def test_round_money_rejects_nonfinite() -> None:
    with pytest.raises(InvalidAmount):
        round_money(Decimal("NaN"))


@given(st.integers(min_value=-(10**9), max_value=10**9), st.integers(min_value=0, max_value=999))
def test_round_money_is_half_up_on_thousandths(whole_fen: int, thousandths: int) -> None:
    value = Decimal(whole_fen) / 100 + Decimal(thousandths) / 100000
    rounded = round_money(value)
    assert rounded == rounded.quantize(CENT)
    assert abs(rounded - value) <= Decimal("0.005")
    if abs(rounded - value) == Decimal("0.005"):
        assert abs(rounded) > abs(value)  # ties go away from zero


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1234.5"), "1,234.50"),
        (Decimal("0"), "0.00"),
        (Decimal("1234567.891").quantize(CENT), "1,234,567.89"),
        (Decimal("-1234.5"), "-1,234.50"),
        ("1,234.5", "1,234.50"),
        (100, "100.00"),
    ],
)
def test_format_yuan(value: object, expected: str) -> None:
    assert format_yuan(value) == expected  # type: ignore[arg-type]


def test_yuan_fen_conversions() -> None:
    assert yuan_to_fen(Decimal("1234.50")) == 123450
    assert yuan_to_fen("0.01") == 1
    assert yuan_to_fen("-0.01") == -1
    assert fen_to_yuan(123450) == Decimal("1234.50")
    assert str(fen_to_yuan(1)) == "0.01"
    assert str(fen_to_yuan(0)) == "0.00"


def test_fen_to_yuan_refuses_non_int() -> None:
    with pytest.raises(TypeError):
        fen_to_yuan(1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        fen_to_yuan(Decimal(1))  # type: ignore[arg-type]


@given(fens)
def test_fen_round_trip(fen: int) -> None:
    yuan = fen_to_yuan(fen)
    assert yuan == yuan.quantize(CENT)
    assert yuan_to_fen(yuan) == fen
    assert to_money(format_yuan(yuan)) == yuan
    assert to_money(str(yuan)) == yuan


@given(fens)
def test_formatted_amount_parses_back(fen: int) -> None:
    text = format_yuan(fen_to_yuan(fen))
    assert yuan_to_fen(f"￥{text}元") == fen


def test_money_field() -> None:
    field = money_field("补助金额", default=Decimal("0.00"))
    assert isinstance(field, models.DecimalField)
    assert field.max_digits == 14
    assert field.decimal_places == 2
    assert field.verbose_name == "补助金额"
    assert field.default == Decimal("0.00")
    assert money_field(null=True, blank=True).null is True
