"""A small fixed-window counter per client address, in Django's cache, for the public pages that a
script could abuse: the status lookup (guessing ID suffixes) and the online application (flooding).

The address is `accounts.lockout.client_ip` — the one login lockouts count — so a forged
X-Forwarded-For does not buy fresh attempts. The page and the API share one budget per bucket.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from onedoor.accounts.lockout import client_ip


@dataclass(frozen=True)
class Limit:
    bucket: str
    attempts: int
    seconds: int

    @property
    def minutes(self) -> int:
        return max(1, self.seconds // 60)


def _configured(name: str, attempts: int, seconds: int) -> Limit:
    overrides = getattr(settings, "ONEDOOR", {}).get("PORTAL_LIMITS", {})
    attempts, seconds = overrides.get(name, (attempts, seconds))
    return Limit(name, int(attempts), int(seconds))


def lookup_limit() -> Limit:
    """Status lookups: 10 tries per 10 minutes per address."""
    return _configured("lookup", 10, 600)


def apply_limit() -> Limit:
    """Online applications: 5 per hour per address."""
    return _configured("apply", 5, 3600)


def _key(limit: Limit, address: str) -> str:
    return f"onedoor:portal:{limit.bucket}:{address}"


def allow(request, limit: Limit) -> bool:
    """Count one attempt of this client; False once it has used up the window's budget."""
    key = _key(limit, client_ip(request) or "unknown")
    if cache.add(key, 1, timeout=limit.seconds):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=limit.seconds)
        return True
    return count <= limit.attempts


def reset(limit: Limit, address: str) -> None:
    cache.delete(_key(limit, address))


def refused_message(limit: Limit) -> str:
    return f"尝试次数过多，请{limit.minutes}分钟后再试。如需帮助，请拨打所在镇（街、场）受理窗口电话。"
