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
        assert "Quiz <script>alert(1)</script> & \"Co\"" in text
        # The key names its seed; the student's sheet only the version code.
        assert ("seed 2024" in text) == (name == "key.pdf") and re.search(r"version [A-Z0-9]{5}", text)
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
        # every part of the answer (the key's Answer box and summary list them one by one)
        for part in p.get("answer_parts") or [p["answer_text"]]:
            assert normalise(part).split(",f")[0] in key, (p, part)


def test_problems_are_never_split_across_pages(classroom: Path) -> None:
    """Each page holds whole problems: every number that starts on a page has its answer line there."""
    seen = []
    for text in pages(classroom / "worksheet.pdf"):
        numbers = [int(n) for n in re.findall(r"^(\d+)\. ", text, flags=re.M)]
        assert len(numbers) == text.count("Answer:"), text
        seen += numbers
    assert seen == list(range(1, 21))


def test_every_problem_and_formula_has_searchable_text() -> None:
    """Formulas are text, not pictures; each problem's f reads back (after NFKC) and labels its formula."""
    quiz = make_quiz(Options(count=10), 8)
    html = render_html(quiz, "worksheet")
    assert "<img" not in html and "<svg" not in html
    visible = normalise(re.sub(r"<[^>]+>", "", html))  # what a reader (or the PDF's text) sees
    for p in quiz.problems:
        assert normalise(p.given["f"].text) in visible
        assert f'role="math" aria-label="{p.given["f"].text}"' in html


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
    # the sentences set their variables in the math face (𝑥, ℎ): read them as a reader's search does
    import unicodedata

    text = unicodedata.normalize("NFKC", re.sub(r"<[^>]+>", "", html))
    positions = [text.index(words) for words in order]
    assert positions == sorted(positions)


def test_long_substitution_chains_break_at_their_equals_signs() -> None:
    """f(−0.999) for a quartic is too wide for one line of the page: it goes on aligned lines; short chains stay whole."""
    from quizgen.kinds.base import MAX_CHAIN, _width

    options = Options(count=1, kinds=("difference",), function="-3x^4+2x^3+4x^2-6x+2", point="-1", step="0.001")
    (step,) = [s for s in make_quiz(options, 1).problems[0].steps if "−0.999" in s.words]
    rows = step.lines[1:]  # the first row is f(−1 + 0.001) = f(−0.999)
    assert rows[0].lhs is not None and rows[0].lhs.text == "f(−0.999)" and len(rows) > 1
    assert all(r.lhs is None for r in rows[1:])
    assert all(_width([r.lhs] if r.lhs else []) + _width(r.rhs) <= MAX_CHAIN for r in rows)
    assert rows[-1].rhs.text.endswith(" = 7.003980013997")
    walkthrough = Options(count=1, kinds=("evaluate",), function="3x^2-4x+5", point="2")
    (step,) = make_quiz(walkthrough, 1).problems[0].steps
    assert [(r.lhs.text, r.rhs.text) for r in step.lines] == [("f(2)", "3(2)² − 4(2) + 5 = 12 − 8 + 5 = 9")]


def test_hard_keys_keep_math_on_the_page_and_problems_whole(tmp_path: Path) -> None:
    """Two-step gradient descent on a quartic with fractional rates (the tallest keys) and decimal quartic
    chains (the widest lines), on Letter: no word past the right margin, every page starts a problem."""
    import subprocess

    from quizgen.render import html_to_pdf

    quiz = make_quiz(Options(count=6, kinds=("gradient-step", "difference"), degree=4, difficulty="hard"), 1)
    pdf = tmp_path / "key.pdf"
    pdf.write_bytes(html_to_pdf(render_html(quiz, "key", paper="letter")))
    bbox = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    right = 612 - 17 / 25.4 * 72  # Letter width less the 17 mm margin, in pt
    for n, page in enumerate(bbox.split("<page ")[1:], start=1):
        xmax = [float(v) for v in re.findall(r'xMax="([\d.]+)"', page)]
        assert max(xmax) <= right + 4, f"page {n}: text runs past the margin to x = {max(xmax)}"
        text = subprocess.run(["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(pdf), "-"],
                              check=True, capture_output=True, text=True).stdout
        body = [line for line in text.splitlines() if line.strip()][1:]  # below the running header
        # Stacked fractions' numerators stand on their own -layout line above their problem's first line.
        body = [line for line in body if not re.fullmatch(r"(\s*[\u2212-]?[\d.]+)+\s*", line)]
        if n > 1:
            assert re.match(r"\s*\d+\.\s", body[0]), f"page {n} continues a problem: {body[0].strip()}"


def test_problem_numbers_sit_on_the_first_line_of_text(tmp_path: Path) -> None:
    """A fraction in a prompt's first line makes the line taller: the number still shares its baseline."""
    import subprocess

    from quizgen.render import html_to_pdf

    quiz = make_quiz(Options(count=2, kinds=("evaluate", "difference-quotient"), function="3x^2-4x+5", point="2",
                             step="0.001"), 1)
    pdf = tmp_path / "worksheet.pdf"
    pdf.write_bytes(html_to_pdf(render_html(quiz, "worksheet")))
    bbox = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    words = re.findall(r'yMax="([\d.]+)">(1\.|2\.|Let)</word>', bbox)
    (n1, let1), (n2, let2) = [(float(words[i][0]), float(words[i + 1][0])) for i in (0, 2)]
    assert [w for _, w in words[:4]] == ["1.", "Let", "2.", "Let"]
    # Same offset between the number's and the text's glyph boxes with and without the fraction.
    assert abs((let2 - n2) - (let1 - n1)) < 0.5, (let1 - n1, let2 - n2)


def test_prompts_write_eta_and_partials_as_a_textbook_does() -> None:
    """Seed 7's worksheet read "learning rate η= 0.05" and "Find ∂L / ∂w₁" while its key wrote
    ∂L/∂w₁: a relation keeps its spaces after η, and an inline ∂L/∂w₁ has none around the slash."""
    import re as _re
    import unicodedata as _ud

    from quizgen.generate import Options, make_quiz
    from quizgen.render import build_files

    quiz = make_quiz(Options(count=2, kinds=("gradient-step", "partial-derivatives")), 7)
    html = build_files(quiz, {"html"}, plots="none")["worksheet.html"].decode()
    text = _ud.normalize("NFKC", _re.sub(r"<[^>]*>", "", html)).replace("\u00a0", " ")
    assert "η= " not in text and "learning rate η = " in text
    assert "∂L / ∂w" not in text and "Find ∂L/∂w1 and ∂L/∂w2" in text


def test_a_class_set_sheet_carries_the_student_name_on_every_page() -> None:
    """Teacher review of a 4-name roster: pages 2 and 3 of each sheet (and 2-6 of each key) had the
    version code but no name, so a loose page could not be given back. The name now runs in the
    header of every page beside the code (read back from the PDF; a name with CSS-significant
    characters must neither break the header nor the page)."""
    import dataclasses
    import io

    from pypdf import PdfReader

    from quizgen.generate import Options, make_quiz
    from quizgen.render import build_files

    name = 'Zoë "Q" Ñúñez \\'
    quiz = dataclasses.replace(make_quiz(Options(count=8), 5), in_class=True, student={"name": name, "id": "s1"})
    files = build_files(quiz, {"pdf"}, plots="none")
    for which in ("worksheet", "key"):
        pages = [p.extract_text() or "" for p in PdfReader(io.BytesIO(files[f"{which}.pdf"])).pages]
        assert len(pages) >= 2
        for text in pages:
            assert "Zoë" in text and "Ñúñez" in text and f"version {quiz.version}" in text, (which, text[:300])
    plain = build_files(make_quiz(Options(count=2), 5), {"pdf"}, plots="none")["worksheet.pdf"]
    assert "Worksheet · version" in (PdfReader(io.BytesIO(plain)).pages[0].extract_text() or "")


def test_partial_derivatives_answer_lines_set_the_weights_in_the_math_face() -> None:
    """Teacher review (--layout compact --seed 7, p. 3): the answer line 'new weights (w₁, w₂) ='
    had upright w₁, w₂ while the prompt and the other answer lines set them in math italic."""
    import re as _re

    from quizgen.generate import Options, make_quiz
    from quizgen.render import build_files

    quiz = make_quiz(Options(count=1, kinds=("partial-derivatives",)), 7)
    html = build_files(quiz, {"html"}, plots="none")["worksheet.html"].decode()
    lines = [_re.sub(r"<[^>]*>", "", x).replace("\u00a0", " ")
             for x in _re.findall(r'<span class="answer-line">(.*?)<span class="blank">', html)]
    new = [x for x in lines if x.startswith("new weights")]
    assert new == ["new weights (\U0001d464₁, \U0001d464₂) = "], lines


def test_picture_captions_are_set_in_the_text_face_with_math_italic_variables() -> None:
    """Teacher review (seed 7 key p. 3; --plots worksheet): the caption beside a picture was the
    only sentence in the sans face, with x, h and f′(1) upright, unlike every other sentence."""
    import re as _re
    import unicodedata as _ud

    from quizgen.generate import Options, make_quiz
    from quizgen.render import render_html

    quiz = make_quiz(Options(count=1, kinds=("limit-definition",)), 7)
    for which, plots in (("key", "key"), ("worksheet", "worksheet")):
        html = render_html(quiz, which, plots=plots)
        captions = _re.findall(r"<figcaption>(.*?)</figcaption>", html, _re.S)
        assert captions, which
        for cap in captions:
            text = _re.sub(r"<[^>]*>", "", cap)
            assert "\U0001d465" in text and not _re.search(r"(?<![A-Za-z])[xfh](?![A-Za-z])", text), (which, text)
            assert _ud.normalize("NFKC", text).startswith(("At x = ", "The graph of f")), text
        css = html[html.index("figure.plot figcaption"):].split("}", 1)[0]
        assert "var(--sans)" not in css and "var(--text)" in css


def test_class_answers_sheet_sets_answers_in_the_math_face() -> None:
    """Teacher review of a 4-version answers.pdf: '5x² + 10xh', 'f′(x) = 6x − 3' were set with
    upright letters in the text face, unlike the key's own answer summary (math italic)."""
    import re as _re
    from types import SimpleNamespace

    from quizgen.generate import Options, make_quiz
    from quizgen.render import environment

    quiz = make_quiz(Options(count=7), 9)
    version = SimpleNamespace(code="K7M2Q", student=None, quiz=quiz)
    html = environment().get_template("answers.html").render(title="T", versions=[version], paper_size="A4", seed=9)
    row = html[html.index("K7M2Q"):]
    text = _re.sub(r"<[^>]*>", "", row)
    assert "\U0001d465" in text and "\U0001d453′(\U0001d465)" in text  # 𝑥 and 𝑓′(𝑥)
    assert not _re.search(r"\d[xh]|f′", text), text[:400]
    assert ".fr > span:first-child" in html and ".h {" in html  # stacked fractions drawn, linear text hidden


def test_spec_instructions_and_headings_set_variables_in_the_math_face() -> None:
    """Teacher review of --spec examples/walkthrough.toml: the instructions 'Work with f(x) = 3x² − 4x + 5'
    and the headings 'Evaluating f', 'w ← w − η·L′(w)' had upright letters; the part letters stay words."""
    import re as _re
    from pathlib import Path

    from quizgen.render import render_html
    from quizgen.spec import load_spec, make_spec_quiz

    path = Path(__file__).resolve().parent.parent / "examples" / "walkthrough.toml"
    quiz = make_spec_quiz(load_spec(path), path, 1)
    for which in ("worksheet", "key"):
        html = render_html(quiz, which, plots="none")
        heads = [_re.sub(r"<[^>]*>", "", h).replace("\u00a0", " ") for h in _re.findall(r"<h2>(.*?)</h2>", html)]
        heads = [h for h in heads if h.startswith("Part ")]
        assert heads[0] == "Part A: Evaluating \U0001d453", heads
        assert all(_re.match(r"Part [A-Z]: ", h) for h in heads), heads  # "Part E" is not 𝐸
        assert any("\U0001d464 ← \U0001d464" in h for h in heads), heads
    sheet = render_html(quiz, "worksheet", plots="none")
    box = _re.sub(r"<[^>]*>", "", sheet[sheet.index('<div class="instructions">'):].split("</div>", 1)[0])
    assert "\U0001d453(\U0001d465) = 3\U0001d465²" in box.replace("\u00a0", " "), box


# A positive number after a minus sign, in brackets: "44639/432 − (2809/16)" (hard, degree 4, seed 3, #3).
_NEEDLESS_TEXT = re.compile(r"\u2212 \((?!\u2212)[0-9./]+\)(?![⁰¹²³⁴⁵⁶⁷⁸⁹])")
_NEEDLESS_LATEX = re.compile(r"- \\left\((\\frac\{\d+\}\{\d+\}|[0-9.]+)\\right\)(?!\^)")


@pytest.mark.parametrize(("difficulty", "degree", "seed"), [("hard", 4, 3), ("medium", 2, 7), ("hard", 3, 11)])
def test_brackets_after_a_minus_only_around_negative_numbers(difficulty: str, degree: int, seed: int) -> None:
    quiz = make_quiz(Options(count=12, degree=degree, difficulty=difficulty), seed)
    seen = 0
    for p in quiz.problems:
        for step in p.steps:
            for line in step.lines:
                for math in (line.lhs, line.rhs):
                    if math is None:
                        continue
                    seen += 1
                    assert not _NEEDLESS_TEXT.search(math.text), (p.number, p.kind, math.text)
                    assert not _NEEDLESS_LATEX.search(math.latex), (p.number, p.kind, math.latex)
    assert seen > 50


def test_limit_definition_gets_clearly_more_working_space_than_simplify_quotient() -> None:
    """Teacher review: "show every step" (about nine lines in the key) had no more room than
    simplify-quotient in the compact layout (27 mm each). Now more at every degree, in both layouts."""
    from types import SimpleNamespace
    from typing import Any

    from quizgen.kinds.base import working_space

    for degree in (2, 3, 4):
        t: Any = SimpleNamespace(degree=degree, iterations=1)  # all working_space reads of a task
        assert working_space("limit-definition", t) >= working_space("simplify-quotient", t) + 10
        assert working_space("limit-definition", t, "compact") >= working_space("simplify-quotient", t, "compact") + 6
    quiz = make_quiz(Options(count=20), 7)
    html = render_html(quiz, "worksheet", layout="compact")
    heights = dict(re.findall(r'<div class="work space-([a-z-]+)" style="height: ([0-9.]+)mm"', html))
    assert float(heights["limit-definition"]) > float(heights["simplify-quotient"]) + 5
