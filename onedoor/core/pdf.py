"""PDF documents (receipts, notices, sign-off sheets) from Django templates via WeasyPrint.

Templates extend `print/base.html`, which sets up A4 pages, the CJK font and the
"第 N 页 / 共 M 页" footer. The font comes from settings.ONEDOOR["PDF_FONT_FAMILY"]; a server
without any Chinese font would print empty boxes, so `font_available()` lets the health check
and the tests say so plainly.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import cache
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

__all__ = [
    "css_font_family",
    "font_available",
    "render_pdf",
    "render_pdf_from_html",
]

DEFAULT_FONT_FAMILY = "WenQuanYi Micro Hei, Noto Sans CJK SC, sans-serif"
GENERIC_FAMILIES = frozenset({"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui"})
_UNSAFE_IN_FAMILY = re.compile(r"[^\w \-.]", re.UNICODE)


def css_font_family(value: str) -> SafeString:
    """A font-family list safe to put inside <style>: each name quoted, nothing else.

    The value comes from an environment variable and is written into CSS, where HTML escaping
    does not apply; dropping quotes, semicolons and braces keeps it from breaking the sheet.
    """
    names = []
    for part in value.split(","):
        name = _UNSAFE_IN_FAMILY.sub("", part).strip()
        if not name:
            continue
        names.append(name if name.lower() in GENERIC_FAMILIES else f'"{name}"')
    if not names or names[-1] not in GENERIC_FAMILIES:
        names.append("sans-serif")
    return mark_safe(", ".join(names))  # only word characters, spaces, - and . survive above


def _configured_font_family() -> str:
    """settings.ONEDOOR["PDF_FONT_FAMILY"], or the packaged default."""
    return getattr(settings, "ONEDOOR", {}).get("PDF_FONT_FAMILY", DEFAULT_FONT_FAMILY)


@cache
def font_available() -> bool:
    """Whether fontconfig knows a font covering Chinese (`fc-list :lang=zh`).

    Cached: fonts are installed with the system, not while the server runs.
    """
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    try:
        result = subprocess.run(
            [fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return result.returncode == 0 and bool(result.stdout.strip())


def _url_fetcher(allow_network: bool) -> Any:
    """WeasyPrint's fetcher limited to local files and data: URLs unless network is allowed.

    Rendering must not make the server fetch arbitrary URLs (SSRF) because a template
    happened to contain one.
    """
    from weasyprint.urls import URLFetcher

    protocols = {"file", "data", "http", "https"} if allow_network else {"file", "data"}
    return URLFetcher(allowed_protocols=protocols)


def render_pdf_from_html(html: str, *, base_url: str | None = None, allow_network: bool = False) -> bytes:
    """The PDF bytes of an HTML document (its own <style> included)."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=base_url, url_fetcher=_url_fetcher(allow_network))
    return document.write_pdf()


def render_pdf(
    template_name: str, context: dict[str, Any], *, base_url: str | None = None, allow_network: bool = False
) -> bytes:
    """Render a Django template (normally extending print/base.html) to PDF bytes.

    `pdf_font_family` comes from settings unless the caller sets it; either way it is made
    CSS-safe. `base_url` resolves relative URLs of images and stylesheets (e.g. the static root).
    """
    family = context.get("pdf_font_family") or _configured_font_family()
    full_context = {**context, "pdf_font_family": css_font_family(str(family))}
    html = render_to_string(template_name, full_context)
    return render_pdf_from_html(html, base_url=base_url, allow_network=allow_network)
