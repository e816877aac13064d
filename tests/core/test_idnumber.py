"""Tests for onedoor.core.idnumber (GB 11643-1999 resident ID numbers)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onedoor.core.idnumber import (
    IdNumber,
    InvalidIdNumber,
    check_character,
    is_valid_id_number,
    make_id_number,
    mask_id_number,
    normalize_id_number,
    parse_id_number,
    upgrade_15_to_18,
)

TODAY = date(2025, 6, 1)

address_codes = st.from_regex(r"[1-9][0-9]{5}", fullmatch=True)
births = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
sequences = st.integers(min_value=0, max_value=999)


# --- known numbers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "11010519491231002X",  # the example printed in GB 11643-1999
        "110101199003074477",
        "440524188001010014",
    ],
)
def test_known_valid_numbers(number: str) -> None:
    assert is_valid_id_number(number, today=TODAY)


def test_parse_splits_the_parts() -> None:
    parsed = parse_id_number("11010519491231002X", today=TODAY)
    assert parsed == IdNumber(
        number="11010519491231002X",
        address_code="110105",
        birth_date=date(1949, 12, 31),
        sex="F",
        sequence="002",
    )
    assert str(parsed) == "11010519491231002X"


def test_odd_sequence_is_male() -> None:
    assert parse_id_number(make_id_number("350212", date(1990, 1, 1), 123), today=TODAY).sex == "M"
    assert parse_id_number(make_id_number("350212", date(1990, 1, 1), 124), today=TODAY).sex == "F"


def test_check_character_of_standard_example() -> None:
    assert check_character("11010519491231002") == "X"


@pytest.mark.parametrize(
    "bad", ["1234", "1101051949123100", "a1010519491231002", "110105194912310021"[:17] + "XX"]
)
def test_check_character_needs_17_digits(bad: str) -> None:
    with pytest.raises(ValueError):
        check_character(bad)


# --- normalisation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "11010519491231002x",
        "１１０１０５１９４９１２３１００２Ｘ",  # full-width digits and letter
        "１１０１０５１９４９１２３１００２ｘ",
        " 110105 19491231 002X ",
        "110105\u300019491231\u3000002X",  # ideographic space
        "110105-19491231-002X",
        "110105\t19491231\n002x",
    ],
)
def test_normalisation_variants(raw: str) -> None:
    assert normalize_id_number(raw) == "11010519491231002X"
    assert parse_id_number(raw, today=TODAY).number == "11010519491231002X"


def test_normalize_does_not_validate() -> None:
    assert normalize_id_number("abc") == "abc"
    assert normalize_id_number("") == ""


# --- error messages ------------------------------------------------------------------------


def _error(raw: str) -> InvalidIdNumber:
    with pytest.raises(InvalidIdNumber) as info:
        parse_id_number(raw, today=TODAY)
    assert isinstance(info.value, ValueError)
    return info.value


def test_wrong_length() -> None:
    error = _error("1101051949123100")
    assert "长度应为18位" in error.message
    assert error.code == "length"


def test_empty_is_wrong_length() -> None:
    assert "长度应为18位" in _error("").message


def test_illegal_character() -> None:
    assert "含有非法字符" in _error("11010519491231A02X").message
    assert "含有非法字符" in _error("11010519491231002Y").message


def test_fifteen_digit_number_is_refused_with_hint() -> None:
    error = _error("110105491231002")
    assert error.message == "旧版15位号码请先升级为18位"
    assert error.code == "old_15"


def test_invalid_birth_date() -> None:
    assert "出生日期无效" in _error(make_first17_with_check("11010519491331002")).message
    assert "出生日期无效" in _error(make_first17_with_check("11010517991231002")).message


def test_february_29_on_non_leap_year_rejected() -> None:
    error = _error(make_first17_with_check("35021220230229001"))
    assert "出生日期无效" in error.message
    assert is_valid_id_number(make_first17_with_check("35021220240229001"), today=TODAY)
    assert not is_valid_id_number(make_first17_with_check("35021219000229001"), today=TODAY)  # 1900 not leap
    assert is_valid_id_number(make_first17_with_check("35021220000229001"), today=TODAY)  # 2000 leap


def test_future_birth_date_rejected() -> None:
    tomorrow = make_id_number("350212", date(2025, 6, 2), 1)
    error = _error(tomorrow)
    assert "出生日期晚于今天" in error.message
    assert is_valid_id_number(make_id_number("350212", TODAY, 1), today=TODAY)


def test_future_is_judged_against_real_today_by_default() -> None:
    assert not is_valid_id_number(make_id_number("350212", date(2999, 1, 1), 1))


def test_wrong_check_character_names_the_right_one() -> None:
    error = _error("110105194912310021")
    assert error.message == "校验码错误，应为X"
    assert error.code == "check_character"


def make_first17_with_check(first17: str) -> str:
    return first17 + check_character(first17)


# --- 15 → 18 -------------------------------------------------------------------------------


def test_upgrade_15_to_18() -> None:
    assert upgrade_15_to_18("110105491231002") == "11010519491231002X"
    assert upgrade_15_to_18("１１０１０５ ４９１２３１ ００２") == "11010519491231002X"


@pytest.mark.parametrize("bad", ["11010549123100", "11010549123100X", "11010519491231002X"])
def test_upgrade_rejects_non_15_digit(bad: str) -> None:
    with pytest.raises(InvalidIdNumber):
        upgrade_15_to_18(bad)


def test_upgrade_rejects_bad_date() -> None:
    with pytest.raises(InvalidIdNumber, match="出生日期无效"):
        upgrade_15_to_18("110105490230002")


@given(address_codes, st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)), sequences)
def test_upgrade_matches_make(address: str, birth: date, sequence: int) -> None:
    old = f"{address}{birth:%y%m%d}{sequence:03d}"
    assert upgrade_15_to_18(old) == make_id_number(address, birth, sequence)


# --- properties ----------------------------------------------------------------------------


@given(address_codes, births, sequences)
def test_make_then_parse_round_trip(address: str, birth: date, sequence: int) -> None:
    number = make_id_number(address, birth, sequence)
    parsed = parse_id_number(number, today=TODAY)
    assert parsed.number == number
    assert parsed.address_code == address
    assert parsed.birth_date == birth
    assert parsed.sequence == f"{sequence:03d}"
    assert parsed.sex == ("M" if sequence % 2 else "F")


@given(address_codes, births, sequences, st.integers(0, 16), st.integers(1, 9))
def test_any_single_digit_change_is_detected(
    address: str, birth: date, sequence: int, position: int, delta: int
) -> None:
    number = make_id_number(address, birth, sequence)
    changed_digit = str((int(number[position]) + delta) % 10)
    changed = number[:position] + changed_digit + number[position + 1 :]
    assert changed != number
    assert not is_valid_id_number(changed, today=TODAY)


@given(address_codes, births, sequences, st.integers(0, 15))
def test_adjacent_transposition_is_detected(address: str, birth: date, sequence: int, position: int) -> None:
    number = make_id_number(address, birth, sequence)
    a, b = number[position], number[position + 1]
    if a == b:
        return
    swapped = number[:position] + b + a + number[position + 2 :]
    assert not is_valid_id_number(swapped, today=TODAY)


@given(st.text(max_size=30))
def test_parse_never_raises_anything_but_invalid_id_number(raw: str) -> None:
    try:
        parse_id_number(raw, today=TODAY)
    except InvalidIdNumber as error:
        assert error.message


@given(st.text(max_size=30))
def test_normalize_is_idempotent(raw: str) -> None:
    once = normalize_id_number(raw)
    assert normalize_id_number(once) == once


def test_make_id_number_validates_inputs() -> None:
    with pytest.raises(ValueError):
        make_id_number("35021", date(1990, 1, 1), 1)
    with pytest.raises(ValueError):
        make_id_number("350212", date(1990, 1, 1), 1000)


# --- masking -------------------------------------------------------------------------------


def test_mask_18() -> None:
    assert mask_id_number("350212199001011234") == "350212********1234"


def test_mask_other_lengths() -> None:
    assert mask_id_number("E12345678") == "E1*****78"
    assert mask_id_number("12345") == "12*45"
    assert mask_id_number("1234") == "****"
    assert mask_id_number("1") == "*"
    assert mask_id_number("") == ""


@given(address_codes, births, sequences)
def test_mask_never_reveals_the_middle(address: str, birth: date, sequence: int) -> None:
    number = make_id_number(address, birth, sequence)
    masked = mask_id_number(number)
    assert len(masked) == 18
    assert masked[6:14] == "********"
    assert f"{birth:%Y%m%d}" not in masked
    assert masked[:6] == number[:6] and masked[-4:] == number[-4:]


@given(st.text(alphabet="0123456789ABCDEFX", min_size=1, max_size=40))
def test_mask_never_returns_the_input(raw: str) -> None:
    masked = mask_id_number(raw)
    assert masked != raw
    assert len(masked) == len(raw)
    assert "*" in masked
