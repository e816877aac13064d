"""Money as Decimal yuan with two decimal places.

Assistance amounts are paid out by the bank from our exports and audited to the fen, so money
is never a float: binary floats cannot hold 0.1 exactly and sums drift. Every amount enters the
system through `to_money` (strings from forms and spreadsheets, Decimals from the database)
and every model declares money with `money_field`.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import models

__all__ = [
    "CENT",
    "MAX_DIGITS",
    "InvalidAmount",
    "fen_to_yuan",
    "format_yuan",
    "money_field",
    "round_money",
    "to_money",
    "yuan_to_fen",
]

CENT = Decimal("0.01")
MAX_DIGITS = 14  # 12 digits of yuan: far above any assistance total, well inside PostgreSQL numeric
_LIMIT = Decimal(10) ** (MAX_DIGITS - 2)

# After NFKC: optional sign, optional ¥ (￥ becomes ¥), digits with optional thousands commas,
# optional decimals, optional 元. Whitespace is removed before matching.
_AMOUNT = re.compile(
    r"(?P<sign>[+-]?)(?:¥|RMB|CNY)?(?P<sign2>[+-]?)"
    r"(?P<number>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)"
    r"元?",
    re.IGNORECASE,
)
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-"})


class InvalidAmount(ValueError):
    """Text that is not an amount of money; `message` is Chinese and shown to the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _reject_float(value: Any) -> None:
    """Floats (and bools, which are ints) are programming errors, not user input."""
    if isinstance(value, float):
        raise TypeError("金额不能使用浮点数（float），请使用 Decimal 或字符串")
    if isinstance(value, bool):
        raise TypeError("金额不能使用布尔值")


def _parse_text(text: str) -> Decimal:
    """Decimal from what a person typed: "￥1,234.50元", "１２３４．５", " -5 "."""
    compact = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).translate(_MINUS_SIGNS)
    match = _AMOUNT.fullmatch(compact)
    if not match or (match["sign"] and match["sign2"]):
        raise InvalidAmount(f"金额格式不正确：{text.strip() or '（空）'}")
    sign = match["sign"] or match["sign2"]
    return Decimal(sign + match["number"].replace(",", ""))


def _check_range(amount: Decimal, shown: Any) -> None:
    """Finite, at most two decimals (rounding is the caller's explicit decision), fits the column."""
    if not amount.is_finite():
        raise InvalidAmount(f"金额格式不正确：{shown}")
    if abs(amount) >= _LIMIT:
        raise InvalidAmount(f"金额格式不正确：{shown}（金额过大）")
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        raise InvalidAmount(f"金额格式不正确：{shown}（最多两位小数）")


def to_money(value: Decimal | int | str) -> Decimal:
    """An exact amount in yuan, quantised to the fen.

    Accepts Decimal, int and text such as "1,234.50", "￥1234.5", "1234.50元" and full-width
    digits. Raises TypeError for float, and InvalidAmount for junk, more than two decimals
    (use `round_money` first when rounding is intended) or amounts too large to store.
    """
    _reject_float(value)
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, str):
        amount = _parse_text(value)
    else:
        raise TypeError(f"金额类型不支持：{type(value).__name__}")
    _check_range(amount, value)
    return amount.quantize(CENT) + Decimal("0.00")  # + 0.00 turns -0.00 into 0.00


def round_money(value: Decimal | int, rounding: str = ROUND_HALF_UP) -> Decimal:
    """Round a computed amount to the fen; half-up by default, as the finance rules require."""
    _reject_float(value)
    amount = Decimal(value)
    if not amount.is_finite() or abs(amount) >= _LIMIT:
        raise InvalidAmount(f"金额格式不正确：{value}")
    return amount.quantize(CENT, rounding=rounding) + Decimal("0.00")


def format_yuan(value: Decimal | int | str) -> str:
    """Thousands-separated with two decimals: 1234.5 → "1,234.50" (no currency sign)."""
    return f"{to_money(value):,.2f}"


def yuan_to_fen(value: Decimal | int | str) -> int:
    """Whole fen, for bank files and integer arithmetic."""
    return int(to_money(value) * 100)


def fen_to_yuan(fen: int) -> Decimal:
    """Yuan from whole fen: 123450 → Decimal("1234.50")."""
    _reject_float(fen)
    if not isinstance(fen, int):
        raise TypeError(f"分必须是整数，不是 {type(fen).__name__}")
    return to_money(Decimal(fen).scaleb(-2))


def money_field(verbose_name: str | None = None, **kwargs: Any) -> models.DecimalField:
    """The one way a model declares an amount of money, so every column has the same precision."""
    return models.DecimalField(verbose_name, max_digits=MAX_DIGITS, decimal_places=2, **kwargs)
