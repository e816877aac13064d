"""Tamper-evident payments: an HMAC-SHA256 over the fields that decide where money goes and how much,
keyed from SECRET_KEY. Computed in the payroll's INSERT … SELECT (PostgreSQL: sha256() with the HMAC
pads as parameters; SQLite: a registered function), and by `sign` in Python; `verify` checks a row."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date
from decimal import Decimal

from django.conf import settings

BLOCK = 64


def _key() -> bytes:
    return hashlib.sha256(b"onedoor.benefits.payment|" + settings.SECRET_KEY.encode()).digest()


def message(enrollment_id: int, month: date | str, line: str, amount: Decimal | str, bank_account: str) -> str:
    month_text = month if isinstance(month, str) else month.isoformat()
    return f"{enrollment_id}|{month_text}|{line}|{Decimal(amount):.2f}|{bank_account}"


def sign_message(text: str) -> str:
    return hmac.new(_key(), text.encode(), hashlib.sha256).hexdigest()


def sign(payment) -> str:
    return sign_message(message(payment.enrollment_id, payment.month, payment.line, payment.amount,
                                payment.bank_account))


def verify(payment) -> bool:
    return hmac.compare_digest(payment.signature, sign(payment))


def hmac_pads() -> tuple[bytes, bytes]:
    """(key XOR ipad, key XOR opad): HMAC(m) = H(opad_key || H(ipad_key || m)), so SQL can compute it
    with a plain sha256()."""
    key = _key().ljust(BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)
