"""Where a page may send the user next: a `next` from a form or a stored link is followed only if it is a
path on this site, so a crafted link can never send a clerk off to another site after they act."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def local_url(request: HttpRequest, url: str | None) -> str | None:
    """`url` if it is a path on this site, else None."""
    if url and url.startswith("/") and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return url
    return None
