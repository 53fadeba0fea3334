"""What a teacher prints: pages numbered, no answers on the worksheet, problems kept whole, text escaped."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from conftest import normalise
from quizgen.cli import main
from quizgen.generate import Options, make_quiz
from quizgen.render import render_html


@pytest.fixture(scope="module")
def classroom(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A default 20-problem set, all formats, Letter paper, with a hostile title."""
    out = tmp_path_factory.mktemp("classroom")
    title = "Quiz <script>alert(1)</script> & \"Co\""
    result = CliRunner().invoke(
        main, ["make", "--seed", "2024", "--paper", "letter", "--title", title, "--out", str(out)], catch_exceptions=False
    )
    assert result.exit_code == 0
    return out


def pages(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(path).pages]


@pytest.mark.parametrize("name", ["worksheet.pdf", "key.pdf"])
def test_page_x_of_y_title_seed_and_metadata_on_every_page(classroom: Path, name: str) -> None:
    reader = PdfReader(classroom / name)
    texts = pages(classroom / name)
    assert len(texts) >= 2
    for number, text in enumerate(texts, 1):
        assert f"Page {number} of {len(texts)}" in text
        assert "seed 2024" in text and "Quiz <script>alert(1)</script> & \"Co\"" in text
    assert reader.metadata.title.startswith("Quiz <script>")
    assert "20 problems" in reader.metadata.subject
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)  # US Letter


def test_a4_is_the_default(tmp_path: Path) -> None:
    assert CliRunner().invoke(main, ["make", "-n", "2", "--seed", "1", "-f", "pdf", "-o", str(tmp_path)]).exit_code == 0
    box = PdfReader(tmp_path / "worksheet.pdf").pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_title_is_escaped_in_html(classroom: Path) -> None:
    for name in ("worksheet.html", "key.html"):
        html = (classroom / name).read_text()
        assert "<script>" not in html
        assert "Quiz &lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;Co&#34;" in html


def test_worksheet_has_no_answers_or_solutions(classroom: Path) -> None:
    import json

    quiz = json.loads((classroom / "quiz.json").read_text())
    html = (classroom / "worksheet.html").read_text()
    assert 'class="solution"' not in html and 'class="answer"' not in html and 'class="meaning"' not in html
    text = normalise("".join(pages(classroom / "worksheet.pdf")))
    layers = set(re.findall(r'<span class="tl"[^>]*>([^<]*)</span>', html))
    for p in quiz["problems"]:
        if p["kind"] in {"expand", "simplify-quotient"}:  # answers with h: unique strings
            assert normalise(p["answer_text"]) not in text, p
        assert p["answer_text"] not in layers and f"f′(x) = {p['answer_text']}" not in layers, p
    key = normalise("".join(pages(classroom / "key.pdf")))
    for p in quiz["problems"]:
        assert normalise(p["answer_text"]).split(",f")[0] in key, p


def test_problems_are_never_split_across_pages(classroom: Path) -> None:
    """Each page holds whole problems: every number that starts on a page has its answer line there."""
    seen = []
    for text in pages(classroom / "worksheet.pdf"):
        numbers = [int(n) for n in re.findall(r"^(\d+)\. ", text, flags=re.M)]
        assert len(numbers) == text.count("Answer:"), text
        seen += numbers
    assert seen == list(range(1, 21))


def test_every_problem_and_formula_has_searchable_text() -> None:
    """Each math picture carries its text layer; each problem's f appears as text."""
    quiz = make_quiz(Options(count=10), 8)
    html = render_html(quiz, "worksheet")
    assert html.count('<img src="data:image/svg+xml;base64,') == html.count('class="tl"')
    visible = re.sub(r"<[^>]+>", "", html)  # what a reader (or the PDF's text) sees
    for p in quiz.problems:
        assert p.given["f"].text in visible


def test_key_follows_the_walkthrough_steps() -> None:
    quiz = make_quiz(Options(count=1, kinds=("limit-definition",)), 3)
    html = render_html(quiz, "key")
    order = [
        "Start from the definition",
        "Replace x by x + h",
        "Subtract f(x)",
        "divide by h",
        "Let h shrink to 0",
    ]
    positions = [html.index(words) for words in order]
    assert positions == sorted(positions)
