"""Tests for onedoor.core.pdf (Django template → WeasyPrint PDF with CJK text)."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from pypdf import PdfReader

from onedoor.core.pdf import css_font_family, font_available, render_pdf, render_pdf_from_html

TEMPLATES_DIR = Path(__file__).parent / "templates"
PHRASE = "一门受理 协同办理 同安区"

needs_cjk_font = pytest.mark.skipif(
    not font_available(),
    reason="no Chinese font known to fontconfig (fc-list :lang=zh); install fonts-wqy-microhei",
)


def pdf_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture
def test_templates(settings) -> None:  # type: ignore[no-untyped-def]
    """Make tests/core/templates loadable (assigning TEMPLATES resets the engines)."""
    engine = dict(settings.TEMPLATES[0])
    engine["DIRS"] = [*engine.get("DIRS", []), TEMPLATES_DIR]
    settings.TEMPLATES = [engine, *settings.TEMPLATES[1:]]


# --- font family ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "WenQuanYi Micro Hei, Noto Sans CJK SC, sans-serif",
            '"WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif',
        ),
        ("'Noto Serif CJK SC', serif", '"Noto Serif CJK SC", serif'),
        ("文泉驿微米黑", '"文泉驿微米黑", sans-serif'),
        ("", "sans-serif"),
        (" , ,", "sans-serif"),
        ('x"; } body { color: red; } /*', '"x  body  color red", sans-serif'),
        ("</style><script>alert(1)</script>", '"stylescriptalert1script", sans-serif'),
    ],
)
def test_css_font_family(value: str, expected: str) -> None:
    assert css_font_family(value) == expected


def test_font_available_matches_fontconfig() -> None:
    import shutil
    import subprocess

    fc_list = shutil.which("fc-list")
    expected = bool(fc_list) and bool(
        subprocess.run([fc_list, ":lang=zh"], capture_output=True, text=True).stdout
    )
    assert font_available() is expected


# --- rendering -----------------------------------------------------------------------------


def test_render_pdf_from_html_returns_a_pdf() -> None:
    pdf = render_pdf_from_html("<p>hello</p>")
    assert pdf.startswith(b"%PDF-")
    assert "hello" in pdf_text(pdf)[0]


@needs_cjk_font
def test_chinese_text_is_embedded_and_extractable() -> None:
    html = (
        '<html lang="zh-CN"><head><meta charset="utf-8"><style>html { font-family: '
        f"{css_font_family('WenQuanYi Micro Hei, Noto Sans CJK SC')}; }}</style></head>"
        f"<body><p>{PHRASE}</p></body></html>"
    )
    assert PHRASE in pdf_text(render_pdf_from_html(html))[0]


@needs_cjk_font
def test_render_pdf_with_base_template(test_templates: None) -> None:
    rows = [("杨全", "1,234.50")] * 80  # long enough for more than one page
    pdf = render_pdf(
        "tests_core/sample.html",
        {
            "title": "低保审核确认通知书",
            "subtitle": "同安民〔2025〕1号",
            "body": PHRASE,
            "rows": rows,
            "printed_at": "2025-01-02 09:30",
        },
    )
    pages = pdf_text(pdf)
    assert len(pages) >= 2
    assert "低保审核确认通知书" in pages[0]
    assert "同安民〔2025〕1号" in pages[0]
    assert PHRASE in pages[0]
    for number, text in enumerate(pages, 1):
        assert f"第 {number} 页 / 共 {len(pages)} 页" in text
        assert "打印时间：2025-01-02 09:30" in text
    assert "姓名" in pages[1]  # the table header repeats on every page
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata is not None and reader.metadata.title == "低保审核确认通知书"
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("WenQuanYi" in font for font in fonts), fonts


@needs_cjk_font
def test_render_pdf_escapes_user_text(test_templates: None) -> None:
    pdf = render_pdf(
        "tests_core/sample.html", {"title": "t", "body": "<b>杨全</b> & <script>x</script>", "rows": []}
    )
    assert "<b>杨全</b> & <script>x</script>" in pdf_text(pdf)[0]


def test_render_pdf_sanitises_a_given_font_family(test_templates: None) -> None:
    from django.template.loader import render_to_string

    html = render_to_string("tests_core/sample.html", {"pdf_font_family": css_font_family("a;b")})
    assert 'font-family: "ab", sans-serif;' in html
    pdf = render_pdf("tests_core/sample.html", {"pdf_font_family": "x} body {color: red", "rows": []})
    assert pdf.startswith(b"%PDF-")


def test_base_template_uses_configured_font(
    settings,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
    test_templates: None,
) -> None:
    from onedoor.core import pdf as pdf_module

    settings.ONEDOOR = {**settings.ONEDOOR, "PDF_FONT_FAMILY": "Noto Sans CJK SC"}
    captured: dict[str, str] = {}

    def capture(html: str, **kwargs: object) -> bytes:
        captured["html"] = html
        return b"%PDF-fake"

    monkeypatch.setattr(pdf_module, "render_pdf_from_html", capture)
    assert render_pdf("tests_core/sample.html", {"rows": []}) == b"%PDF-fake"
    html = captured["html"]
    assert 'font-family: "Noto Sans CJK SC", sans-serif;' in html
    assert 'counter(page) " 页 / 共 " counter(pages)' in html
    assert "size: A4" in html and "margin: 2cm" in html


# --- no network fetches by default ---------------------------------------------------------


@pytest.fixture
def http_server() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server recording the paths requested from it."""
    requested: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server API
            requested.append(self.path)
            body = b"p { color: red; }"
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server API
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requested
    finally:
        server.shutdown()
        server.server_close()


def test_remote_urls_are_not_fetched_by_default(http_server: tuple[str, list[str]]) -> None:
    url, requested = http_server
    html = f'<link rel="stylesheet" href="{url}/style.css"><img src="{url}/logo.png"><p>x</p>'
    assert render_pdf_from_html(html).startswith(b"%PDF-")
    assert requested == []
    render_pdf_from_html(html, allow_network=True)
    assert "/style.css" in requested


def test_local_files_are_fetched(tmp_path: Path) -> None:
    (tmp_path / "style.css").write_text("p::after { content: ' 来自样式表'; }", encoding="utf-8")
    pdf = render_pdf_from_html(
        '<link rel="stylesheet" href="style.css"><p>ok</p>', base_url=str(tmp_path) + "/"
    )
    assert "ok" in pdf_text(pdf)[0]
    if font_available():
        assert "来自样式表" in pdf_text(pdf)[0]
