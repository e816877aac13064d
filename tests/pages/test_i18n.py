"""The English catalogue: every Chinese source string has a translation, the committed .mo is the
compiled .po, and switching to English really turns the UI chrome into English (ADR 0004)."""

from __future__ import annotations

import ast
import gettext
import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import onedoor

CATALOGUE = Path(onedoor.__file__).resolve().parent / "locale" / "en" / "LC_MESSAGES"
PO = CATALOGUE / "django.po"
MO = CATALOGUE / "django.mo"
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\{\s*\w+\s*\}\}")


def read_po(path: Path) -> list[dict]:
    """The entries of a .po file: {"flags", "msgctxt", "msgid", "msgid_plural", "msgstr" | "msgstr[n]"}.

    Enough of the format for our own catalogue (no obsolete `#~` entries are expected; they are read
    as comments and ignored)."""
    entries, entry, field = [], None, None
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            if entry and "msgid" in entry:
                entries.append(entry)
            entry, field = None, None
            continue
        entry = entry if entry is not None else {"flags": set()}
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[field] += ast.literal_eval(line)
        else:
            field, _, value = line.partition(" ")
            entry[field] = ast.literal_eval(value)
    return entries


def expected_catalog(entries: list[dict]) -> dict:
    """What gettext.GNUTranslations should hold for these entries (its `_catalog` keys)."""
    catalog = {}
    for entry in entries:
        if entry["msgid"] == "":
            continue
        key = f"{entry['msgctxt']}\x04{entry['msgid']}" if "msgctxt" in entry else entry["msgid"]
        if "msgid_plural" in entry:
            for field, value in entry.items():
                if field.startswith("msgstr["):
                    catalog[(key, int(field[7:-1]))] = value
        else:
            catalog[key] = entry["msgstr"]
    return catalog


def load_mo(path: Path) -> dict:
    with path.open("rb") as handle:
        catalog = dict(gettext.GNUTranslations(handle)._catalog)
    catalog.pop("", None)  # the header
    return catalog


def test_every_chinese_msgid_has_an_english_translation():
    entries = read_po(PO)
    header = next(e for e in entries if e["msgid"] == "")
    assert "fuzzy" not in header["flags"] and "Plural-Forms: nplurals=2; plural=(n != 1);" in header["msgstr"]
    messages = [e for e in entries if e["msgid"]]
    assert len(messages) > 200
    problems = []
    for entry in messages:
        translations = [v for k, v in entry.items() if k.startswith("msgstr")]
        name = entry["msgid"] if "msgctxt" not in entry else f"{entry['msgctxt']}|{entry['msgid']}"
        if "fuzzy" in entry["flags"]:
            problems.append(f"fuzzy: {name}")
        if "msgid_plural" in entry and len(translations) != 2:
            problems.append(f"needs msgstr[0] and msgstr[1]: {name}")
        for text in translations:
            if not text.strip():
                problems.append(f"untranslated: {name}")
            elif CJK.search(text):
                problems.append(f"still Chinese: {name} -> {text}")
            if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(entry["msgid"])):
                problems.append(f"placeholders differ: {name} -> {text}")
    assert not problems, "\n".join(problems)


def test_committed_mo_holds_exactly_the_po_translations():
    """Catches a .po edited without running compilemessages (mtimes mean nothing in a checkout)."""
    assert MO.exists(), "run: cd onedoor && onedoor compilemessages"
    assert load_mo(MO) == expected_catalog(read_po(PO))


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext (msgfmt) is not installed")
def test_committed_mo_equals_a_fresh_msgfmt_compile(tmp_path):
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(fresh), str(PO)], check=True, capture_output=True)
    assert load_mo(MO) == load_mo(fresh)


def navbar(body: str) -> str:
    start = body.index('<nav class="navbar')
    return body[start:body.index("</nav>", start)]


def test_switching_to_english_translates_the_ui_chrome(login, world):
    client = login("clerk.wuxian")
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302

    home = client.get("/").content.decode()
    assert 'lang="en"' in home
    for text in ("OneDoor", "Areas", "Background jobs", "Tools", "Window clerk", "My background jobs",
                 "Sign out", "My data scope", "Window tools", "Deadline calculator (working days)"):
        assert text in home, text

    areas = client.get("/areas/").content.decode()
    for text in ("Administrative areas", "Areas", "Area code", "Export to Excel", "Town", "Village",
                 "In use", "Communities and villages per town/sub-district/farm"):
        assert text in areas, text

    # Whatever Chinese is left in the navbar is demo data (the user's name and organisation) and the
    # switch back to 中文, which is written in its own language on purpose.
    user = world.user("clerk.wuxian")
    for page in (home, areas):
        chrome = navbar(page)
        for chinese in ("后台任务", "行政区划", "工具", "退出登录", "我的账号与权限", "一门通", "窗口受理员"):
            assert chinese not in chrome, chinese
        for data in (str(user), str(user.organisation), "中文"):
            chrome = chrome.replace(html.escape(data), "")
        assert not CJK.search(chrome), CJK.findall(chrome)


def test_english_forms_choices_and_messages(login):
    client = login("clerk.wuxian")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    workdays = client.get("/tools/workdays/", {"start": "2024-09-30", "days": 5}).content.decode()
    assert "Start date (date of acceptance)" in workdays and "Number of working days" in workdays
    # the National Day week is skipped and Saturday 12 October is a make-up working day
    assert "5 working days from 30 September 2024" in workdays and "Saturday 12 October 2024" in workdays
    id_check = client.post("/tools/id-number/", {"number": "11010519491231002X"}).content.decode()
    assert "Valid number" in id_check and "31 December 1949" in id_check and "Female" in id_check


def test_login_page_and_admin_in_english(client, login):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/accounts/login/").content.decode()
    assert "Staff sign-in" in page and "Username" in page and "Password" in page

    admin = login("admin")
    admin.post("/i18n/setlang/", {"language": "en", "next": "/"})
    index = admin.get("/admin/").content.decode()
    assert "OneDoor administration" in index and "Administrative areas" in index
    assert "Background jobs" in index and "Organisations and accounts" in index


def test_chinese_stays_the_default(login):
    body = login("clerk.wuxian").get("/").content.decode()
    assert 'lang="zh-hans"' in body
    assert "后台任务" in navbar(body) and "行政区划" in navbar(body) and "窗口受理员" in navbar(body)
    assert "Background jobs" not in body
