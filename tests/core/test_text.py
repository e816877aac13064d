"""Tests for onedoor.core.text (name normalisation and pinyin keys)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onedoor.core.text import (
    looks_like_pinyin,
    name_pinyin,
    normalize_name,
    pinyin_full,
    pinyin_initials,
    to_simplified,
)

# --- to_simplified -------------------------------------------------------------------------


def test_traditional_to_simplified() -> None:
    assert to_simplified("楊全") == "杨全"
    assert to_simplified("頭髮") == "头发"
    assert to_simplified("同安區") == "同安区"


def test_simplified_and_other_text_unchanged() -> None:
    assert to_simplified("杨全") == "杨全"
    assert to_simplified("John Smith 123") == "John Smith 123"
    assert to_simplified("") == ""


# --- normalize_name ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("楊全", "杨全"),
        ("杨 全", "杨全"),
        ("  杨\u3000全  ", "杨全"),  # ideographic space
        ("杨\t 全\n明", "杨全明"),
        ("ＡＢＣ", "ABC"),  # full-width letters
        ("杨全Ａ", "杨全A"),
        ("John   Smith", "John Smith"),
        ("买买提·艾力", "买买提·艾力"),
        ("买买提・艾力", "买买提·艾力"),  # katakana middle dot
        ("买买提･艾力", "买买提·艾力"),  # half-width katakana middle dot
        ("买买提•艾力", "买买提·艾力"),  # bullet
        ("买买提‧艾力", "买买提·艾力"),  # hyphenation point
        ("买买提 · 艾力", "买买提·艾力"),
        ("买买提.艾力", "买买提·艾力"),  # full stop between ideographs
        ("买买提．艾力", "买买提·艾力"),  # full-width full stop
        ("買買提·艾力", "买买提·艾力"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_normalize_name(raw: str, expected: str) -> None:
    assert normalize_name(raw) == expected


def test_latin_full_stop_is_kept() -> None:
    assert normalize_name("J. Smith") == "J. Smith"


def test_space_between_cjk_and_latin_is_kept() -> None:
    assert normalize_name("杨全 A") == "杨全 A"


# Arbitrary Unicode, plus strings dense in what normalisation actually touches.
name_like = st.text(max_size=20) | st.text(
    alphabet=st.sampled_from("楊全杨乾隆髮發単單 ·・•.。．\u3000\tＡaＸ"), max_size=20
)


@given(name_like)
def test_normalize_name_is_idempotent(raw: str) -> None:
    once = normalize_name(raw)
    assert normalize_name(once) == once


cjk_names = st.text(
    alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=5
)


@given(cjk_names, st.lists(st.sampled_from([" ", "\u3000", "\t"]), max_size=3))
def test_spaces_inside_chinese_names_never_matter(name: str, spaces: list[str]) -> None:
    spaced = "".join(ch + "".join(spaces) for ch in name)
    assert normalize_name(spaced) == normalize_name(name)


@given(name_like)
def test_normalize_name_has_no_outer_or_double_spaces(raw: str) -> None:
    result = normalize_name(raw)
    assert result == result.strip()
    assert "  " not in result


# --- pinyin --------------------------------------------------------------------------------


def test_pinyin_full_and_initials() -> None:
    assert pinyin_full("杨全") == "yangquan"
    assert pinyin_initials("杨全") == "yq"


def test_pinyin_of_traditional_and_full_width() -> None:
    assert pinyin_full("楊全") == "yangquan"
    assert pinyin_full("杨全ＡＢ") == "yangquanab"


def test_pinyin_keeps_ascii_letters_and_digits_and_drops_punctuation() -> None:
    assert pinyin_full("杨全2") == "yangquan2"
    assert pinyin_initials("杨全2") == "yq2"
    assert pinyin_full("买买提·艾力") == "maimaitiaili"
    assert pinyin_initials("买买提·艾力") == "mmtal"
    assert pinyin_full("杨-全!") == "yangquan"
    assert pinyin_full("Tom 杨") == "tomyang"


def test_pinyin_u_umlaut_is_v() -> None:
    assert pinyin_full("吕") == "lv"


def test_pinyin_of_empty_and_symbols() -> None:
    assert pinyin_full("") == ""
    assert pinyin_initials("") == ""
    assert pinyin_full("·、。!") == ""


def test_plain_pinyin_does_not_apply_surname_rule() -> None:
    assert pinyin_full("单") == "dan"


@pytest.mark.parametrize(
    ("name", "full", "initials"),
    [
        ("杨全", "yangquan", "yq"),
        ("单田芳", "shantianfang", "stf"),
        ("曾国藩", "zengguofan", "zgf"),
        ("解缙", "xiejin", "xj"),
        ("仇英", "qiuying", "qy"),
        ("朴树", "piaoshu", "ps"),
        ("查良镛", "zhaliangyong", "zly"),
        ("区家麟", "oujialin", "ojl"),
        ("盖聂", "genie", "gn"),
        ("乐嘉", "yuejia", "yj"),
        ("覃小明", "qinxiaoming", "qxm"),
        ("翟明", "zhaiming", "zm"),
        ("尉迟恭", "yuchigong", "ycg"),
        ("万俟卨", "moqixie", "mqx"),
        ("長孫無忌", "zhangsunwuji", "zswj"),
        ("單田芳", "shantianfang", "stf"),  # traditional surname
        ("单 田芳", "shantianfang", "stf"),
        ("", "", ""),
    ],
)
def test_name_pinyin_reads_surnames(name: str, full: str, initials: str) -> None:
    assert name_pinyin(name) == (full, initials)


def test_surname_rule_only_for_first_character() -> None:
    assert name_pinyin("杨单") == ("yangdan", "yd")


@given(cjk_names)
def test_initials_are_first_letters_of_full(name: str) -> None:
    full = pinyin_full(name)
    initials = pinyin_initials(name)
    assert len(initials) <= len(full)
    assert full.startswith(initials[:1])
    assert full.isascii() and initials.isascii()


@given(name_like)
def test_pinyin_is_always_lower_ascii_alnum(text: str) -> None:
    for key in (pinyin_full(text), pinyin_initials(text), *name_pinyin(text)):
        assert key == key.lower()
        assert all(ch.isascii() and ch.isalnum() for ch in key)


# --- looks_like_pinyin ---------------------------------------------------------------------


@pytest.mark.parametrize("query", ["yq", "yangquan", "Yang Quan", "xi'an", "ＹＱ"])
def test_looks_like_pinyin(query: str) -> None:
    assert looks_like_pinyin(query)


@pytest.mark.parametrize("query", ["", "  ", "杨全", "yq2", "350212", "yang-quan", "杨q", "é"])
def test_does_not_look_like_pinyin(query: str) -> None:
    assert not looks_like_pinyin(query)
