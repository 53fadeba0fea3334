"""The PDF is set from a print flavour of the page (render.print_html): fewer boxes, the same look.

WeasyPrint pays per box, so html_to_pdf drops the boxes that change nothing on paper (a
formula's screen-reader label, the span around a derivation line's right-hand side, a no-break
span around one formula, the flex row around one answer line). These tests hold it to "nothing
changes": the same pixels and the same text as the page typeset as written, every word kept,
the .html outputs untouched.
"""

from __future__ import annotations

import html as html_lib
import re
import subprocess
import unicodedata
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from quizgen import render
from quizgen.generate import Options, make_quiz

SETS = {
    # A key of the walkthrough kinds (derivations, fractions, limits, no-break answers in the summary),
    "key": ("key", Options(count=8), 5),
    # the network kinds' worksheet (rows of several labelled answer lines, and rows of one),
    "worksheet": ("worksheet", Options(count=6, kinds=("backprop", "neuron", "training-steps", "evaluate")), 3),
    # and a multiple-choice key (options A–E, no-break parts).
    "mc-key": ("key", Options(count=6, style="mc"), 4),
}


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return {name: render.render_html(make_quiz(options, seed), which) for name, (which, options, seed) in SETS.items()}


def _visible(html: str) -> str:
    """The text a page shows: tags dropped (with the head's style), entities read, NFKC."""
    body = html.split("<body>", 1)[1]
    return unicodedata.normalize("NFKC", html_lib.unescape(re.sub(r"<[^>]*>", "", body)))


def _png(pdf: bytes, folder: Path, tag: str) -> list[Image.Image]:
    (folder / f"{tag}.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "100", "-png", str(folder / f"{tag}.pdf"), str(folder / tag)], check=True)
    return [Image.open(p).convert("L") for p in sorted(folder.glob(f"{tag}-*.png"))]


def _text(pdf: bytes, folder: Path, tag: str) -> str:
    (folder / f"{tag}.pdf").write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(folder / f"{tag}.pdf"), "-"], capture_output=True, text=True, check=True)
    return unicodedata.normalize("NFKC", out.stdout)


@pytest.mark.parametrize("name", list(SETS))
def test_the_pdf_looks_and_reads_as_the_page_typeset_as_written(pages: dict[str, str], name: str, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    html = pages[name]
    flavoured = render.html_to_pdf(html)
    monkeypatch.setattr(render, "print_html", lambda page: page)
    as_written = render.html_to_pdf(html)
    monkeypatch.undo()
    assert render.print_html(html) != html  # the flavour did change the markup
    before, after = _png(as_written, tmp_path, "before"), _png(flavoured, tmp_path, "after")
    assert len(before) == len(after)
    for number, (a, b) in enumerate(zip(before, after), 1):
        diff = ImageChops.difference(a, b)
        # Identical at 100 dpi when measured; a faint antialiasing difference would be allowed, a moved line not.
        assert diff.getbbox() is None or max(diff.getdata()) < 80, f"{name}: page {number} differs at {diff.getbbox()}"
    assert _text(flavoured, tmp_path, "after") == _text(as_written, tmp_path, "before")
    info = subprocess.run(["pdfinfo", str(tmp_path / "after.pdf")], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.M)


@pytest.mark.parametrize("name", list(SETS))
def test_the_print_flavour_keeps_every_word_and_drops_boxes(pages: dict[str, str], name: str) -> None:
    html = pages[name]
    flavoured = render.print_html(html)
    assert _visible(flavoured) == _visible(html)
    assert 'role="math"' in html and "role=" not in flavoured.split("<body>", 1)[1]
    assert flavoured.count("<span") < html.count("<span")
    # Every fraction, limit and hidden linear reading stays: they carry the look and the PDF's text.
    for cls in ("fr", "lim", "h", "br"):
        assert flavoured.count(f'class="{cls}"') == html.count(f'class="{cls}"'), cls


def test_what_it_changes_and_what_it_leaves() -> None:
    line = ('<div class="lines">\n<div style="padding-left:2.88em;text-indent:-2.88em"><span class="m l" style="width:2.58em" '
            'role="math" aria-label="f(−1)">𝑓(−1)</span>= <span class="m" role="math" aria-label="−15">−15</span></div>\n'
            '<div style="padding-left:2.88em">= <span class="m" role="math" aria-label="1/2"><span class="fr"><span>1'
            '<span class="h">/</span></span><span>2</span></span></span></div>\n</div>')
    assert render.print_html(line) == (
        '<div class="lines">\n<div style="padding-left:2.88em;text-indent:-2.88em"><span class="m l" style="width:2.58em">'
        '𝑓(−1)</span>= −15</div>\n<div style="padding-left:2.88em">= <span class="fr"><span>1<span class="h">/</span></span>'
        '<span>2</span></span></div>\n</div>')
    # A no-break span around one formula becomes the formula's own no-break span ...
    assert render.print_html('<span class="nw"><span class="m"><span class="fr"><span>1</span><span>2</span></span></span></span>; x') == (
        '<span class="m mn"><span class="fr"><span>1</span><span>2</span></span></span>; x')
    # ... but one that also holds the punctuation after it stays (WeasyPrint then fills a full line differently),
    kept = '<p>at <span class="nw"><span class="m">𝑥 = 1</span>.</span> Then</p>'
    assert render.print_html(kept) == kept
    # as does a row of two answer lines (a flex row that wraps), while a row of one becomes a block.
    two = '<div class="answer-lines"><span class="answer-line">a <span class="blank"></span></span><span class="answer-line">b</span></div>'
    assert render.print_html(two) == two
    assert render.print_html('<div class="answer-lines"><span class="answer-line">Answer: <span class="blank"></span></span></div>') == (
        '<div class="answer-lines one"><span class="answer-line">Answer: <span class="blank"></span></span></div>')
    # A right-hand side that is not quizgen's markup (a user template) is left alone.
    odd = '<div class="lines"><div style="x">= </span><span class="m">1</span></div></div>'
    assert render.print_html(odd) == odd
    unbalanced = '<span class="nw"><span class="m">1</span>'
    assert render.print_html(unbalanced) == unbalanced
