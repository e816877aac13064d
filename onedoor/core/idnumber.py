"""Chinese resident identity card numbers (公民身份号码, GB 11643-1999).

An 18-character number is 6 address digits, the birth date as yyyymmdd, a 3-digit sequence
(odd for men, even for women) and one ISO 7064 MOD 11-2 check character (0-9 or X).

Clerks type these numbers by hand, copy them from scanned forms or paste them from spreadsheets,
so everything that accepts one first runs it through `normalize_id_number` (full-width digits,
spaces, a lower-case x) and then validates it with `parse_id_number`, whose Chinese error
message tells the clerk exactly what to fix.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Literal

__all__ = [
    "IdNumber",
    "InvalidIdNumber",
    "check_character",
    "is_valid_id_number",
    "make_id_number",
    "mask_id_number",
    "normalize_id_number",
    "parse_id_number",
    "upgrade_15_to_18",
]

WEIGHTS: tuple[int, ...] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"
EARLIEST_BIRTH_YEAR = 1800  # anything earlier is a typo, not a living applicant

# Spaces of every kind (incl. the full-width U+3000), hyphens and dashes people put between groups.
_SEPARATORS = re.compile(r"[\s\u3000\-\u2010-\u2015\u2212\uff0d]+")
_SEVENTEEN_DIGITS_AND_CHECK = re.compile(r"[0-9]{17}[0-9X]")


class InvalidIdNumber(ValueError):
    """A number that is not a valid 18-character ID. `message` is Chinese and shown to the clerk."""

    def __init__(self, message: str, *, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class IdNumber:
    """The parts of a valid ID number; `number` is the normalised 18-character form."""

    number: str
    address_code: str
    birth_date: date
    sex: Literal["M", "F"]
    sequence: str

    def __str__(self) -> str:
        return self.number


def normalize_id_number(raw: str) -> str:
    """Canonical spelling of what a clerk typed; does not validate.

    NFKC turns full-width digits and letters (common with Chinese input methods) into ASCII,
    separators are dropped and the check character x is upper-cased, so the same person always
    ends up with the same stored string and duplicate detection works.
    """
    text = _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw or ""))
    # Dropping a separator can leave a combining mark next to a letter; compose it again so
    # normalising twice gives the same string.
    text = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text))
    return text.replace("x", "X")


def check_character(first17: str) -> str:
    """The MOD 11-2 check character for the first 17 digits of an ID number."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError(f"check_character needs exactly 17 ASCII digits, got {first17!r}")
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


def _birth_date(yyyymmdd: str) -> date:
    """The birth date in an ID number, or InvalidIdNumber naming the bad date."""
    try:
        born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        raise InvalidIdNumber(f"出生日期无效：{yyyymmdd}", code="birth_date") from None
    if born.year < EARLIEST_BIRTH_YEAR:
        raise InvalidIdNumber(f"出生日期无效：{yyyymmdd}", code="birth_date")
    return born


def _check_shape(number: str) -> None:
    """Length and character checks, in the order a clerk would fix them."""
    if len(number) == 15 and number.isascii() and number.isdigit():
        raise InvalidIdNumber("旧版15位号码请先升级为18位", code="old_15")
    if len(number) != 18:
        raise InvalidIdNumber(f"长度应为18位，当前为{len(number)}位", code="length")
    if not _SEVENTEEN_DIGITS_AND_CHECK.fullmatch(number):
        raise InvalidIdNumber("含有非法字符：前17位应为数字，最后一位应为数字或X", code="characters")


def parse_id_number(raw: str, *, today: date | None = None) -> IdNumber:
    """Normalise and validate an 18-character ID number and split it into its parts.

    Raises InvalidIdNumber with a Chinese message. The 15-digit numbers issued before 1999 are
    refused with a hint; call `upgrade_15_to_18` explicitly so the conversion is a visible step.
    """
    number = normalize_id_number(raw)
    _check_shape(number)
    born = _birth_date(number[6:14])
    if born > (today or date.today()):
        raise InvalidIdNumber(f"出生日期晚于今天：{born.isoformat()}", code="future_birth_date")
    expected = check_character(number[:17])
    if number[17] != expected:
        raise InvalidIdNumber(f"校验码错误，应为{expected}", code="check_character")
    sequence = number[14:17]
    return IdNumber(
        number=number,
        address_code=number[:6],
        birth_date=born,
        sex="M" if int(sequence) % 2 else "F",
        sequence=sequence,
    )


def is_valid_id_number(raw: str, *, today: date | None = None) -> bool:
    """True when `parse_id_number` would accept the input; for filters and quick checks."""
    try:
        parse_id_number(raw, today=today)
    except InvalidIdNumber:
        return False
    return True


def upgrade_15_to_18(raw: str) -> str:
    """Convert a 15-digit first-generation number to 18 characters.

    The old form wrote the birth year with two digits and had no check character; every such
    card was issued to someone born in the 1900s, so "19" is inserted and the check computed.
    """
    number = normalize_id_number(raw)
    if len(number) != 15 or not number.isascii() or not number.isdigit():
        raise InvalidIdNumber("旧版号码应为15位数字", code="length")
    first17 = number[:6] + "19" + number[6:]
    _birth_date(first17[6:14])
    return first17 + check_character(first17)


def make_id_number(address_code: str, birth: date, sequence: int) -> str:
    """Build a valid number from its parts (tests and demo data; real numbers come from cards)."""
    if len(address_code) != 6 or not address_code.isascii() or not address_code.isdigit():
        raise ValueError(f"address_code must be 6 digits, got {address_code!r}")
    if not 0 <= sequence <= 999:
        raise ValueError(f"sequence must be 0..999, got {sequence}")
    first17 = f"{address_code}{birth:%Y%m%d}{sequence:03d}"
    if len(first17) != 17:
        raise ValueError(f"birth year must have 4 digits, got {birth.year}")
    return first17 + check_character(first17)


def mask_id_number(number: str) -> str:
    """The form shown on screens and printouts: 350212********1234.

    The birth date and the rest of the middle are hidden; only a full-access action (audited
    elsewhere) shows the whole number. Inputs that are not 18 characters (passports, typos) keep
    two characters at each end, and very short strings are masked completely, so this never
    returns the input unchanged.
    """
    text = normalize_id_number(number)
    if len(text) == 18:
        return f"{text[:6]}{'*' * 8}{text[-4:]}"
    if len(text) >= 5:
        return f"{text[:2]}{'*' * (len(text) - 4)}{text[-2:]}"
    return "*" * len(text)
