"""Issue 8 items 4 (compact layout), 5 (tagged PDFs) and 9 (nothing leaves the page), on real PDFs."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pdfplumber
import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from quizgen.cli import main

MM = 72 / 25.4
# style.css's @page margins (top, right, bottom, left) in mm: the running header and the page
# number live in the top and bottom margins, everything else inside.
MARGINS = (20, 17, 18, 17)


def make(out: Path, *args: str) -> Path:
    result = CliRunner().invoke(main, ["make", *args, "--format", "pdf", "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


def worksheet_pages(tmp_path: Path, seed: int, layout: str) -> PdfReader:
    from quizgen.generate import Options, make_quiz
    from quizgen.render import html_to_pdf, render_html

    pdf = tmp_path / f"worksheet-{seed}-{layout}.pdf"
    pdf.write_bytes(html_to_pdf(render_html(make_quiz(Options(count=20), seed), "worksheet", layout=layout)))
    return PdfReader(pdf)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_compact_layout_fits_twenty_problems_on_three_a4_pages(tmp_path: Path, seed: int) -> None:
    compact = worksheet_pages(tmp_path, seed, "compact")
    assert len(compact.pages) <= 3
    assert round(float(compact.pages[0].mediabox.width)) == 595  # A4
    text = "".join(page.extract_text() for page in compact.pages)
    assert all(f"{n}." in text for n in range(1, 21))
    if seed == 1:
        assert len(worksheet_pages(tmp_path, seed, "normal").pages) > 3  # compact is what makes the difference


def test_compact_is_a_make_option(tmp_path: Path) -> None:
    html = make_html(tmp_path, "--count", "4", "--seed", "1", "--layout", "compact")
    assert '<ol class="problems compact">' in html
    result = CliRunner().invoke(main, ["make", "--layout", "tight", "--out", str(tmp_path / "no")])
    assert result.exit_code == 2 and "--layout" in result.output and not (tmp_path / "no").exists()


def make_html(out: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["make", *args, "--format", "html", "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return (out / "worksheet.html").read_text()


def test_pdfs_are_tagged_with_language_and_title(tmp_path: Path) -> None:
    out = make(tmp_path, "--count", "3", "--seed", "5")
    for name, title in (("worksheet", "Worksheet"), ("key", "Answer key")):
        info = subprocess.run(["pdfinfo", str(out / f"{name}.pdf")], check=True, capture_output=True, text=True).stdout
        assert "Tagged:          yes" in info
        assert f"Title:           Derivatives from first principles — {title}" in info
        root = PdfReader(out / f"{name}.pdf").trailer["/Root"]
        assert root["/Lang"] == "en" and "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]


def outside(pdf: Path) -> list[str]:
    """Characters of any page outside its printable area (running header and page number: outside the body,
    inside their margin band and the page)."""
    top_m, right_m, bottom_m, left_m = (m * MM for m in MARGINS)
    bad = []
    with pdfplumber.open(pdf) as doc:
        for n, page in enumerate(doc.pages, start=1):
            w, h = float(page.width), float(page.height)
            for c in page.chars:
                if c["size"] < 0.1:  # the zero-width linear reading of a fraction ("/"), inside its fraction
                    continue
                if not c["text"].strip():  # a space where a line breaks puts no ink on the paper
                    continue
                running = c["bottom"] <= top_m or c["top"] >= h - bottom_m
                x_ok = c["x0"] >= left_m - 1 and c["x1"] <= w - right_m + 1
                y_ok = (0 <= c["top"] and c["bottom"] <= h) if running else (
                    c["top"] >= top_m - 1 and c["bottom"] <= h - bottom_m + 1)
                if not (x_ok and y_ok) or (running and abs(c["size"] - 8.5) > 0.2):
                    bad.append(f"{pdf.name} p{n}: {c['text']!r} at x {c['x0']:.0f}–{c['x1']:.0f}, "
                               f"y {c['top']:.0f}–{c['bottom']:.0f}")
    return bad


# One run per difficulty, each at another degree and seed: every kind, every difficulty and degree, both
# papers and both layouts, in three runs (about 30 s on a quiet machine).
SWEEP = [
    ("easy", "2", "11", "a4", "normal"),
    ("medium", "3", "7", "letter", "compact"),
    ("hard", "4", "3", "a4", "compact"),
]


@pytest.mark.parametrize(("difficulty", "degree", "seed", "paper", "layout"), SWEEP)
def test_every_character_lies_inside_the_printable_area(
    tmp_path: Path, difficulty: str, degree: str, seed: str, paper: str, layout: str
) -> None:
    out = make(tmp_path, "--count", "14", "--difficulty", difficulty, "--degree", degree, "--seed", seed,
               "--paper", paper, "--layout", layout)
    bad = outside(out / "worksheet.pdf") + outside(out / "key.pdf")
    assert not bad, "\n".join(bad[:20])


def test_the_area_check_catches_a_line_past_the_margin(tmp_path: Path) -> None:
    """The check itself: a formula wider than the page is reported."""
    from quizgen.render import html_to_pdf

    html = ('<html><head><style>@page { size: A4; margin: 20mm 17mm 18mm 17mm; }</style></head>'
            '<body><p style="white-space: nowrap">' + "f(x) = 3x² − 4x + 5 = " * 12 + "</p></body></html>")
    pdf = tmp_path / "wide.pdf"
    pdf.write_bytes(html_to_pdf(html))
    assert outside(pdf)
