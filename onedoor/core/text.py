"""Chinese text normalisation for matching people across forms, spreadsheets and searches.

The same applicant reaches the one-window desk through paper forms typed by different clerks,
spreadsheets from sub-district offices (some in traditional characters, some with full-width
letters) and search boxes where the clerk types pinyin initials. These helpers turn all of
that into one comparable form, and give the pinyin keys that name search indexes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import cache, lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from opencc import OpenCC

__all__ = [
    "looks_like_pinyin",
    "name_pinyin",
    "normalize_name",
    "pinyin_full",
    "pinyin_initials",
    "to_simplified",
]

MIDDLE_DOT = "\u00b7"

# Characters people (and input methods) use for the separator in names such as 买买提·艾力:
# middle dot, Greek ano teleia, bullet, hyphenation point, bullet operator, dot operator,
# katakana middle dot, half-width katakana middle dot, word separator middle dot,
# Canadian syllabics final middle dot.
_DOT_VARIANTS = "\u00b7\u0387\u2022\u2027\u2219\u22c5\u30fb\uff65\u2e31\u1427"

# CJK ideographs: the URO, extension A, compatibility ideographs, the supplementary planes, and 〇.
_CJK = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"

_DOTS = re.compile(f"[{_DOT_VARIANTS}]")
# A full stop (ASCII after NFKC, or the ideographic 。) between two ideographs is a name separator.
_STOP_BETWEEN_CJK = re.compile(f"(?<=[{_CJK}])\\s*[.\u3002]\\s*(?=[{_CJK}])")
_WHITESPACE = re.compile(r"\s+")
_SPACE_BETWEEN_CJK = re.compile(f"(?<=[{_CJK}]) (?=[{_CJK}])")
_SPACE_AROUND_DOT = re.compile(f" ?{MIDDLE_DOT} ?")
_RUNS = re.compile(f"([{_CJK}]+)|([^{_CJK}]+)")

# Surnames whose reading differs from the character's everyday reading. Only applied to the
# first character(s) of a person's name by `name_pinyin`; keys are simplified characters.
COMPOUND_SURNAME_PINYIN: dict[str, tuple[str, ...]] = {
    "尉迟": ("yu", "chi"),
    "万俟": ("mo", "qi"),
    "长孙": ("zhang", "sun"),
}
SURNAME_PINYIN: dict[str, str] = {
    "单": "shan",
    "曾": "zeng",
    "解": "xie",
    "仇": "qiu",
    "朴": "piao",
    "查": "zha",
    "区": "ou",
    "盖": "ge",
    "乐": "yue",
    "尉": "wei",
    "覃": "qin",
    "繁": "po",
    "缪": "miao",
    "翟": "zhai",
    "种": "chong",
    "召": "shao",
    "员": "yun",
    "折": "she",
    "祭": "zhai",
    "都": "du",
    "薄": "bo",
    "阚": "kan",
    "隗": "wei",
    "秘": "bi",
    "句": "gou",
    "黑": "he",
    "洗": "xian",
}


@cache
def _converter() -> OpenCC:
    """The traditional→simplified converter, built on first use (it loads dictionaries)."""
    from opencc import OpenCC

    return OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional characters to simplified (楊全 → 杨全); other text is left alone."""
    if not text:
        return ""
    return _converter().convert(text)


def _clean_spacing(text: str) -> str:
    """NFKC, one kind of name dot, and no spaces that a clerk would not consider part of the name."""
    text = unicodedata.normalize("NFKC", text)
    text = _DOTS.sub(MIDDLE_DOT, text)
    text = _STOP_BETWEEN_CJK.sub(MIDDLE_DOT, text)
    text = _WHITESPACE.sub(" ", text).strip()
    text = _SPACE_BETWEEN_CJK.sub("", text)
    return _SPACE_AROUND_DOT.sub(MIDDLE_DOT, text)


# Names, villages and addresses repeat a great deal in a 台账: bulk imports convert each once.
@lru_cache(maxsize=65536)
def normalize_name(text: str) -> str:
    """The comparable form of a person's (or place's) name.

    "楊 全", "杨全" and "杨　全" must match, as must "买买提・艾力" and "买买提·艾力"; Latin
    names keep single spaces between words. Idempotent, so stored values can be re-normalised.
    """
    if not text:
        return ""
    once = _clean_spacing(to_simplified(_clean_spacing(text)))
    # Conversion is a fixed point in practice; one more round makes idempotence certain.
    return _clean_spacing(to_simplified(once))


def _ascii_syllable(syllable: str) -> str:
    """Lower-case ASCII letters and digits only (ê → e; punctuation and symbols dropped)."""
    decomposed = unicodedata.normalize("NFKD", syllable.lower())
    return "".join(ch for ch in decomposed if ch.isascii() and ch.isalnum())


def _hanzi_pinyin(run: str) -> list[str]:
    """Pinyin syllables for a run of ideographs, one per character that has a reading."""
    from pypinyin import Style, lazy_pinyin

    return [
        s for s in (_ascii_syllable(p) for p in lazy_pinyin(run, style=Style.NORMAL, errors="ignore")) if s
    ]


def _syllables(text: str) -> Iterator[tuple[str, bool]]:
    """(piece, is_hanzi) pairs: a syllable per ideograph, or a whole run of other letters/digits.

    Runs of ideographs are converted together so pypinyin can use phrase context for the
    polyphonic characters of given names.
    """
    for cjk, other in _RUNS.findall(unicodedata.normalize("NFKC", text or "")):
        if cjk:
            yield from ((syllable, True) for syllable in _hanzi_pinyin(cjk))
        elif piece := _ascii_syllable(other):
            yield piece, False


def _join(pieces: list[tuple[str, bool]], *, initials: bool) -> str:
    """Concatenate syllables, or their first letters for ideographs when `initials` is set.

    Non-Chinese runs (digits, Latin words) are kept whole in both forms: "杨全2" → "yq2".
    """
    if initials:
        return "".join(piece[0] if is_hanzi else piece for piece, is_hanzi in pieces)
    return "".join(piece for piece, _ in pieces)


def pinyin_full(text: str) -> str:
    """Toneless lower-case pinyin without separators: 杨全 → "yangquan"; punctuation dropped."""
    return _join(list(_syllables(text)), initials=False)


def pinyin_initials(text: str) -> str:
    """First letters of the syllables: 杨全 → "yq"; what clerks type in a search box."""
    return _join(list(_syllables(text)), initials=True)


def _surname_syllables(name: str) -> tuple[tuple[str, ...], str]:
    """The surname reading from the tables and the rest of the name, or ((), name)."""
    for surname, syllables in COMPOUND_SURNAME_PINYIN.items():
        if name.startswith(surname):
            return syllables, name[len(surname) :]
    if name and name[0] in SURNAME_PINYIN:
        return (SURNAME_PINYIN[name[0]],), name[1:]
    return (), name


@lru_cache(maxsize=65536)
def name_pinyin(name: str) -> tuple[str, str]:
    """(full pinyin, initials) of a person's name, reading the surname as a surname.

    pypinyin reads 单 as "dan" and 曾 as "ceng"; as surnames they are Shan and Zeng, and a clerk
    searching for 单田芳 types "stf". Only the first character(s) get the surname reading.
    """
    normalized = normalize_name(name)
    surname, rest = _surname_syllables(normalized)
    pieces = [(syllable, True) for syllable in surname] + list(_syllables(rest))
    return _join(pieces, initials=False), _join(pieces, initials=True)


def looks_like_pinyin(query: str) -> bool:
    """True when a search query is only Latin letters (spaces and ' allowed): search by pinyin.

    Anything with a digit or an ideograph is searched as a name, ID number or phone instead.
    """
    compact = re.sub(r"[\s']+", "", unicodedata.normalize("NFKC", query or ""))
    return bool(compact) and compact.isascii() and compact.isalpha()
