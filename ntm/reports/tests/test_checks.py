"""The docs-check checks on small PDFs made for the purpose (WeasyPrint from HTML): each check
passes a good page and names the fault on a bad one."""

from pathlib import Path

import pytest
from weasyprint import HTML

from ntm.reports.checks import Expected, check_pdf

MOTTO = "Độc lập - Tự do - Hạnh phúc"
PAGE = """
@page { size: A4; margin: 2cm 1.5cm 2cm 3cm; %(numbers)s }
%(first)s
html { font: 13pt "Liberation Serif"; line-height: 1.25; }
table { border-collapse: collapse; width: 100%%; table-layout: fixed; }
td, th { border: 0.75pt solid #000; padding: 2pt 4pt; vertical-align: top; }
"""
NUMBERS_TOP = '@top-center { content: counter(page); font: 13pt "Liberation Serif"; }'
NO_NUMBER_FIRST = "@page :first { @top-center { content: none; } }"


def pdf(
    tmp_path: Path,
    body: str,
    *,
    numbers: str = NUMBERS_TOP,
    first: str = NO_NUMBER_FIRST,
    motto_pt: float = 14,
):
    css = PAGE % {"numbers": numbers, "first": first}
    motto = f'<p style="font-size: {motto_pt}pt"><b>{MOTTO}</b></p>'
    html = f"<html><head><style>{css}</style></head><body>{motto}{body}</body></html>"
    path = tmp_path / "doc.pdf"
    HTML(string=html).write_pdf(path)
    return path


def pages_of(text: str, count: int) -> str:
    return "".join(f'<p style="break-after: page">{text} {n}</p>' for n in range(count))


def test_a_good_document_passes(tmp_path):
    body = pages_of("Nội dung", 2) + (
        '<div style="break-inside: avoid"><p>KT. CHỦ TỊCH</p><p>PHÓ CHỦ TỊCH</p>'
        "<p>Nơi nhận:</p><p>Nguyễn Văn A</p></div>"
    )
    expected = Expected(signature=["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Văn A"], recipients=True)
    assert check_pdf(pdf(tmp_path, body), expected) == []


def test_page_numbers_on_page_1_in_the_footer_or_too_small(tmp_path):
    body = pages_of("Nội dung", 2)
    everywhere = pdf(tmp_path, body, first="")
    assert check_pdf(everywhere, Expected()) == [
        "page 1: a page number in the top margin (none on page 1)"
    ]
    footer = pdf(
        tmp_path,
        body,
        numbers='@bottom-center { content: counter(page) " / " counter(pages); }',
        first="",
    )
    problems = check_pdf(footer, Expected())
    assert "page 1: a page number in the bottom margin" in problems
    assert "page 2: no page number 2 centred in the top margin" in problems
    small = pdf(tmp_path, body, numbers="@top-center { content: counter(page); font: 9pt serif; }")
    assert check_pdf(small, Expected()) == ["page 2: the page number is 9.0 pt, not 13-14"]
    # A workbook shrunk to the page's width (LibreOffice shrinks its header with it) fails.
    shrunk = pdf(
        tmp_path,
        body,
        numbers='@top-center { content: counter(page); font: 9.75pt "Liberation Serif"; }',
        motto_pt=10.5,
    )
    assert check_pdf(shrunk, Expected()) == ["page 2: the page number is 9.8 pt, not 13-14"]


def test_the_motto_must_be_on_page_1(tmp_path):
    path = pdf(tmp_path, pages_of("Nội dung", 1))
    assert check_pdf(path, Expected(motto="Độc lập - Tự do")) == []
    assert check_pdf(path, Expected(motto="CỘNG HÒA XÃ HỘI")) == [
        "the motto 'CỘNG HÒA XÃ HỘI' is not on page 1"
    ]


def test_a_signature_split_across_pages(tmp_path):
    body = '<p style="break-after: page">TM. ỦY BAN NHÂN DÂN</p><p>KT. CHỦ TỊCH</p><p>Nguyễn Đức Khiêm</p>'
    expected = Expected(signature=["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "Nguyễn Đức Khiêm"])
    (problem,) = check_pdf(pdf(tmp_path, body), expected)
    assert problem.startswith("the signature block is split: 'TM. ỦY BAN NHÂN DÂN' not on page 2")


def test_text_over_text(tmp_path):
    body = (
        '<div style="position: relative; height: 2cm">'
        '<span style="position: absolute; left: 0; top: 0">Giao thông</span>'
        '<span style="position: absolute; left: 0.5cm; top: 0.1cm">Thủy lợi</span></div>'
    )
    problems = check_pdf(pdf(tmp_path, body), Expected())
    assert problems[0].startswith("page 1: text over text at (")
    assert "of 'GiaToh'" in problems[0]  # pdfplumber merges overlapping words into one
    assert problems[-1] == "page 1: … and 6 more glyphs over others"
    apart = body.replace("top: 0.1cm", "top: 1cm")
    assert check_pdf(pdf(tmp_path, apart), Expected()) == []


@pytest.mark.parametrize(("gap", "fails"), [("-6pt", True), ("-1pt", True), ("4pt", False)])
def test_a_rule_must_clear_the_descenders(tmp_path, gap, fails):
    """The rule under the motto in the issue cut the "p" of "lập" at its foot."""
    body = (
        f'<p style="margin: 0"><b>Hạnh phúc lập</b></p>'
        f'<div style="border-top: 0.75pt solid #000; width: 5cm; margin-top: {gap}"></div>'
    )
    problems = check_pdf(pdf(tmp_path, body), Expected())
    assert any("touches 'lập'" in p for p in problems) is fails


def test_rows_split_across_pages_or_words_broken(tmp_path):
    tall = "<br>".join(f"dòng {n}" for n in range(60))
    row = f"<tr><td>16.1</td><td>{tall}</td></tr>"
    split = pdf(tmp_path, f"<table><tr><td>16.1</td><td>Mở đầu</td></tr>{row}</table>")
    problems = check_pdf(split, Expected(rows=[["16.1", tall.replace("<br>", "\n")]]))
    assert len(problems) == 1 and "is not whole on one page" in problems[0]
    narrow = pdf(
        tmp_path,
        '<table><colgroup><col style="width: 0.9cm"><col></colgroup>'
        "<tr><td>110.000.000</td><td>Ngân sách xã</td></tr></table>",
    )
    problems = check_pdf(narrow, Expected(rows=[["110.000.000", "Ngân sách xã"]]))
    # The amount runs over the column's border into the next cell's text.
    assert any(p.startswith("page 1: a border at ") for p in problems)
    assert any(p.startswith("page 1: text over text") for p in problems)
    assert "'110.000.000 | Ngân sách xã' is not whole on one page" in problems[-1]
    wide = pdf(tmp_path, "<table><tr><td>110.000.000</td><td>Ngân sách xã</td></tr></table>")
    assert check_pdf(wide, Expected(rows=[["110.000.000", "Ngân sách xã"]])) == []


# One black pixel: a workbook's rule is this picture, stretched.
PIXEL = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgAB"
    "SK+kcQAAAABJRU5ErkJggg=="
)
ISSUER = "UBND XÃ DƯƠNG ĐỨC"


def _rule(width_cm: float, *, picture: bool, gap: str = "3pt") -> str:
    style = f"display: block; margin: {gap} auto 4pt; width: {width_cm}cm"
    if picture:
        return f'<img src="{PIXEL}" style="{style}; height: 0.75pt">'
    return f'<div style="{style}; border-top: 0.75pt solid #000"></div>'


def header_pdf(tmp_path, *, issuer_cm=1.9, motto_cm=6.1, picture=False, gap="3pt"):
    """The issuer's name and a motto, each centred in its own block with a rule under it."""
    rules = {
        name: _rule(cm, picture=picture, gap=gap) if cm else ""
        for name, cm in (("issuer", issuer_cm), ("motto", motto_cm))
    }
    body = (
        '<div style="display: flex; text-align: center">'
        f'<div style="width: 40%"><b>{ISSUER}</b>{rules["issuer"]}</div>'
        f'<div style="width: 60%"><b style="font-size: 14pt">{MOTTO}</b>{rules["motto"]}</div>'
        "</div>"
    )
    css = PAGE % {"numbers": "", "first": ""}
    path = tmp_path / "header.pdf"
    HTML(string=f"<html><head><style>{css}</style></head><body>{body}</body></html>").write_pdf(
        path
    )
    return path


@pytest.mark.parametrize("picture", [False, True])
def test_rules_under_the_issuer_and_the_motto(tmp_path, picture):
    expected = Expected(issuer=ISSUER)
    assert check_pdf(header_pdf(tmp_path, picture=picture), expected) == []
    assert check_pdf(header_pdf(tmp_path, motto_cm=0, picture=picture), expected) == [
        "page 1: no rule under the motto, centred, 85%-115% of its width"
    ]
    # a cell's bottom border runs the half page's width, not the issuer's third to half
    too_long = header_pdf(tmp_path, issuer_cm=6, picture=picture)
    assert check_pdf(too_long, expected) == [
        "page 1: no rule under the issuer, centred, 25%-65% of its width"
    ]
    # a rule through the motto's descenders ("lập", "phúc"), line or picture, is found
    through = check_pdf(header_pdf(tmp_path, picture=picture, gap="-4pt"), expected)
    assert any("touches 'lập'" in p for p in through)


def test_hashes_for_a_number_too_wide(tmp_path):
    path = pdf(tmp_path, "<table><tr><td>###</td><td>1.715.000.000</td></tr></table>")
    assert check_pdf(path, Expected()) == ["page 1: '###', a number too wide for its column"]
