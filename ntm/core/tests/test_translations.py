"""The Vietnamese catalogue is complete, keeps its placeholders, is compiled, and is served.

The .po files are read by a small parser here so that the checks need neither GNU gettext
nor polib; the compiled .mo files are committed and read by Django at run time.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "locale"
VI_PO = LOCALE / "vi" / "LC_MESSAGES" / "django.po"
EN_PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"

# %(name)s, %(n)d, %s, %d … but not the literal "%%".
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr]")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # msgstr is index 0
    flags: set[str] = field(default_factory=set)
    line: int = 0


def _unquote(text: str) -> str:
    assert text.startswith('"') and text.endswith('"'), text
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), text[1:-1])


def parse_po(path: Path) -> tuple[dict[str, str], list[Entry]]:
    """Return (header fields, entries without the header); obsolete (#~) entries are skipped."""
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int] | None = None

    def finish() -> None:
        nonlocal entry, target
        if target is not None:
            entries.append(entry)
        entry, target = Entry(), None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            if target is not None and target[0] != "msgctxt":
                finish()
            entry.flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            assert target is not None, f"{path}:{number}: continuation without a keyword"
            keyword, rest = "", line
        elif keyword in {"msgctxt", "msgid"} and target is not None and target[0] == "msgstr":
            finish()
        if keyword:
            entry.line = entry.line or number
            match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if match:
                target = ("msgstr", int(match.group(1)))
            elif keyword == "msgstr":
                target = ("msgstr", 0)
            elif keyword in {"msgid", "msgid_plural", "msgctxt"}:
                target = (keyword, 0)
            else:
                raise AssertionError(f"{path}:{number}: unexpected line {raw!r}")
        assert target is not None
        text = _unquote(rest)
        name, index = target
        if name == "msgstr":
            entry.msgstr[index] = entry.msgstr.get(index, "") + text
        else:
            setattr(entry, name, (getattr(entry, name) or "") + text)
    finish()

    header_entry = next(e for e in entries if e.msgid == "" and e.msgctxt is None)
    header = dict(
        line.split(": ", 1) for line in header_entry.msgstr[0].splitlines() if ": " in line
    )
    header["#flags"] = ",".join(sorted(header_entry.flags))
    return header, [e for e in entries if e is not header_entry]


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text.replace("%%", "")))


@pytest.fixture(scope="module")
def vi_catalogue() -> tuple[dict[str, str], list[Entry]]:
    return parse_po(VI_PO)


def test_the_vietnamese_catalogue_has_a_valid_header(vi_catalogue):
    header, entries = vi_catalogue
    assert header["Language"] == "vi"
    assert "charset=UTF-8" in header["Content-Type"]
    assert header["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"
    assert "fuzzy" not in header["#flags"]
    assert len(entries) > 100


def test_every_vietnamese_entry_is_translated_and_not_fuzzy(vi_catalogue):
    _header, entries = vi_catalogue
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    untranslated = [
        e.msgid for e in entries if not e.msgstr or any(not s.strip() for s in e.msgstr.values())
    ]
    assert fuzzy == []
    assert untranslated == []


def test_plural_entries_have_exactly_the_one_vietnamese_form(vi_catalogue):
    _header, entries = vi_catalogue
    plurals = [e for e in entries if e.msgid_plural is not None]
    assert plurals, "the catalogue is expected to contain plural entries"
    assert [e.msgid for e in plurals if sorted(e.msgstr) != [0]] == []


def test_no_vietnamese_translation_is_a_copy_of_the_english(vi_catalogue):
    _header, entries = vi_catalogue
    assert [e.msgid for e in entries if e.msgstr.get(0) == e.msgid] == []


def test_translations_keep_exactly_the_placeholders_of_their_msgid(vi_catalogue):
    _header, entries = vi_catalogue
    wrong = []
    for e in entries:
        expected = placeholders(e.msgid) | placeholders(e.msgid_plural or "")
        for index, text in e.msgstr.items():
            if placeholders(text) != expected:
                wrong.append((e.msgid, index, text))
    assert wrong == []


def test_placeholder_pattern_finds_named_and_positional_forms():
    assert placeholders("%(n)s units, %(first)d rows, %s and %d; 100%% done") == {
        "%(n)s",
        "%(first)d",
        "%s",
        "%d",
    }


def test_the_english_catalogue_has_a_valid_header_and_english_plurals():
    header, entries = parse_po(EN_PO)
    assert header["Language"] == "en"
    assert "charset=UTF-8" in header["Content-Type"]
    assert header["Plural-Forms"].replace(" ", "") == "nplurals=2;plural=(n!=1);"
    assert "fuzzy" not in header["#flags"]
    assert {e.msgid for e in entries} == {e.msgid for e in parse_po(VI_PO)[1]}


def test_the_compiled_catalogue_serves_what_the_po_file_says(vi_catalogue):
    """A stale or missing .mo would serve other (or English) text than the .po."""
    _header, entries = vi_catalogue
    by_id = {e.msgid: e for e in entries}
    stale = []
    with translation.override("vi"):
        assert translation.gettext("Log in") == "Đăng nhập"
        assert translation.gettext("merged into") == "sáp nhập vào"
        assert translation.gettext("Formed on %(d)s from:") == "Thành lập ngày %(d)s trên cơ sở:"
        for msgid, e in by_id.items():
            if e.msgctxt is not None:
                continue
            if e.msgid_plural is None:
                served = translation.gettext(msgid)
            else:
                served = translation.ngettext(msgid, e.msgid_plural, 2)
            if served != e.msgstr[0]:
                stale.append((msgid, served, e.msgstr[0]))
    assert stale == []


def test_the_login_page_is_in_vietnamese_by_default(client, db):
    response = client.get("/accounts/login/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="vi">' in html
    assert "Đăng nhập" in html
    assert "Tên đăng nhập" in html
    assert "Log in" not in html


def test_the_login_page_follows_an_english_accept_language_header(client, db):
    response = client.get("/accounts/login/", headers={"accept-language": "en"})
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Log in" in html
    assert "Đăng nhập" not in html


def test_the_language_switch_turns_the_login_page_to_english_and_back(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Log in" in client.get("/accounts/login/").content.decode()

    client.post("/i18n/setlang/", {"language": "vi", "next": "/accounts/login/"})
    assert "Đăng nhập" in client.get("/accounts/login/").content.decode()


APP_CATALOGUES = sorted(Path(settings.BASE_DIR).glob("ntm/*/locale/vi/LC_MESSAGES/django.po"))


@pytest.mark.parametrize("po", APP_CATALOGUES, ids=lambda p: p.parts[-5])
def test_every_app_catalogue_is_complete_keeps_placeholders_and_is_compiled(po):
    """Apps with their own catalogue (portal, recognition, reports, api) meet the same rules,
    and their committed .mo says what the .po says."""
    import gettext

    _header, entries = parse_po(po)
    assert [e.msgid for e in entries if "fuzzy" in e.flags] == []
    assert [e.msgid for e in entries if not e.msgstr or not all(e.msgstr.values())] == []
    wrong = [
        e.msgid
        for e in entries
        for text in e.msgstr.values()
        if placeholders(text) != placeholders(e.msgid) | placeholders(e.msgid_plural or "")
    ]
    assert wrong == []
    with po.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [
        e.msgid
        for e in entries
        if e.msgctxt is None and e.msgid_plural is None and compiled.gettext(e.msgid) != e.msgstr[0]
    ]
    assert stale == []


def test_app_catalogues_are_found():
    assert {p.parts[-5] for p in APP_CATALOGUES} >= {"portal", "recognition", "reports", "api"}


def test_djangos_blank_choice_is_vietnamese():
    """Django 6.1's "- Select an option -" has no Vietnamese in Django's own catalogue."""
    from ntm.finance.forms import WorkForm

    with translation.override("vi"):
        assert "— Chọn —" in str(WorkForm()["kind"])
