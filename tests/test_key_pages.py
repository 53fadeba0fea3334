"""Issue 8 items 3, 4, 6, 7, 8: a key a teacher can mark from, a worksheet without the seed, short numbers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import normalise, pdf_text
from quizgen.cli import main

SEED = "987654321"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("seeded")
    result = CliRunner().invoke(main, ["make", "--count", "14", "--seed", SEED, "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


def test_worksheet_shows_the_version_code_never_the_seed(seeded: Path) -> None:
    version = json.loads((seeded / "quiz.json").read_text())["version"]
    html = (seeded / "worksheet.html").read_text()
    text = pdf_text(seeded / "worksheet.pdf")
    assert SEED not in html and SEED not in text
    assert version in html and version in text
    from pypdf import PdfReader

    assert SEED not in str(PdfReader(seeded / "worksheet.pdf").metadata)
    # The key and quiz.json keep it: anyone holding the seed can rebuild the key.
    assert SEED in (seeded / "key.html").read_text() and SEED in pdf_text(seeded / "key.pdf")
    assert json.loads((seeded / "quiz.json").read_text())["seed"] == int(SEED)


# ---------------------------------------------------------------- item 7: numbers a student can handle

import re  # noqa: E402
from fractions import Fraction  # noqa: E402

import sympy  # noqa: E402

from quizgen.generate import Options, Pins, build_problem, make_quiz  # noqa: E402
from quizgen.kinds import KINDS  # noqa: E402
from quizgen.levels import LEVELS  # noqa: E402
from quizgen.render import prompt_text  # noqa: E402

NO_PINS = Pins(None, None, None, False)


def every_text(p) -> list[str]:  # type: ignore[no-untyped-def]
    """Everything a problem shows, gathered here without quizgen's own walker."""
    out = [m.text for m in p.given.values()] + [p.answer.text, p.meaning, prompt_text(p)]
    for step in p.steps:
        out.append(step.words)
        out += [m.text for line in step.lines for m in (line.lhs, line.rhs) if m is not None]
        out += [c.text for c in step.header] + [c.text for row in step.table for c in row]
    data = p.to_json()
    out += [str(v) for k, v in data.items() if k not in ("seed", "number")]
    return out


def digits(number: str) -> int:
    """Significant digits written: 0.008003 → 4, 12.012003 → 8, 61.496150099999 → 14."""
    whole, _, frac = number.partition(".")
    return len((whole + frac).lstrip("0")) or 1


@pytest.mark.parametrize("difficulty", list(LEVELS))
@pytest.mark.parametrize("degree", [2, 3, 4])
def test_no_number_shown_has_more_than_8_significant_digits(difficulty: str, degree: int) -> None:
    """Seed sweep, every kind: given data, answers, every worked line, the table, quiz.json fields."""
    for kind in KINDS.values():
        for seed in range(12):
            p = build_problem(kind, 1, 1000 + seed, degree, NO_PINS, difficulty)
            assert p is not None, (kind.id, seed)
            for text in every_text(p):
                for number in re.findall(r"[0-9]+(?:\.[0-9]+)?", text):
                    assert digits(number) <= 8, (kind.id, difficulty, degree, seed, number, text)


def test_the_reported_long_numbers_are_gone() -> None:
    """make --count 12 --degree 4 --difficulty hard --seed 3 showed 61.496150099999 and −32.3063503849900001."""
    for opts, seed in ((Options(count=12, degree=4, difficulty="hard"), 3), (Options(count=20, difficulty="hard"), 11)):
        for p in make_quiz(opts, seed).problems:
            longest = max(digits(n) for t in every_text(p) for n in re.findall(r"[0-9]+(?:\.[0-9]+)?", t))
            assert longest <= 8, (p.number, p.kind)


def test_pinned_values_still_get_their_long_decimals() -> None:
    quiz = make_quiz(Options(kinds=("difference",), function="x^4", point="1", step="0.000001"), 1)
    assert quiz.problems[0].answer.plain == "0.000004000006000004000001"


# ---------------------------------------------------------------- item 8: defects seen on the pages


def test_leading_coefficient_times_h_never_reads_1h() -> None:
    """seed 7's secant-table key said (leading coefficient)·h = −1h."""
    for function, want in (("-x^2+3x", "= −h."), ("x^2+3x", "= h."), ("3x^2-4x+5", "= 3h.")):
        p = make_quiz(Options(kinds=("secant-table",), function=function, point="2", count=1), 1).problems[0]
        table = next(step for step in p.steps if step.table)
        assert table.words.endswith(want), table.words
    for p in make_quiz(Options(count=20), 7).problems:
        assert not re.search(r"[−\s]1h", " ".join(every_text(p))), p.kind


def test_the_error_is_a_number_and_E_h_a_separate_line() -> None:
    """seed 7 key: error = 4 − 5 = −1 = −2h equated a number with an expression in h."""
    for p in make_quiz(Options(kinds=("estimate-error",), count=30, degree=3), 7).problems + make_quiz(
        Options(kinds=("estimate-error",), count=30), 7
    ).problems:
        for step in p.steps:
            for line in step.lines:
                # no chain sets a number equal to an expression in h
                parts = ([line.lhs.text] if line.lhs else []) + line.rhs.text.split(" = ")
                numbers = [q for q in parts if re.fullmatch(r"−?[0-9.]+(/[0-9]+)?", q)]
                in_h = [q for q in parts if re.search(r"h(?![→a-z])", q) and "x" not in q and "lim" not in q]
                assert not (numbers and in_h), parts
        check = p.steps[-1].lines
        h, err = p.task.step, p.answer.value
        assert check[0].lhs.text == "E(h)" and check[1].lhs.text == f"E({p.task.style.text(h)})"
        assert check[-1].rhs.text.split(" = ")[-1] == p.task.style.text(err)


def test_tangent_prompt_defines_a() -> None:
    """seed 7 worksheet: the prompt used a in y = f′(a)(x − a) + f(a) without saying what a is."""
    p = make_quiz(Options(kinds=("tangent-line",), function="3x^2-4x+5", point="2", count=1), 1).problems[0]
    text = prompt_text(p)
    assert "and a = 2." in text and "at x = a," in text


def test_no_multiplication_dot_beside_a_decimal_point() -> None:
    """5·0.1² reads as 5.0.1: substituted values go in parentheses, 3(2.001)²."""
    dot_by_decimal = re.compile(r"\d·\d|\d·\(?−?\d*\.\d|\d\.\d+·")
    for seed in (7, 11, 3):
        for difficulty in LEVELS:
            for p in make_quiz(Options(count=28, difficulty=difficulty), seed).problems:
                for text in every_text(p):
                    assert not dot_by_decimal.search(text), (p.kind, text)
    p = make_quiz(Options(kinds=("evaluate",), function="3x^2-4x+5", point="2.001", count=1), 1).problems[0]
    assert p.steps[0].lines[0].rhs.text.startswith("3(2.001)² − 4(2.001) + 5")


def test_minimiser_has_no_asterisk_on_the_baseline() -> None:
    for p in make_quiz(Options(kinds=("gradient-step",), count=10), 2).problems:
        assert not re.search(r"w\*(?!\*)", " ".join(every_text(p)).replace("w**", "")), p.task


w = sympy.Symbol("w")


def _one_low_point_never_negative(coeffs: tuple[Fraction, ...]) -> None:
    """Independently, with sympy: L′ changes sign exactly once, from − to +, and L there is ≥ 0."""
    L = sum(sympy.Rational(c.numerator, c.denominator) * w**i for i, c in enumerate(coeffs))
    d = sympy.Poly(sympy.diff(L, w), w)
    changes = [r for r, mult in sympy.roots(d, multiple=False).items() if r.is_real and mult % 2] if d.degree() < 3 else [
        r for r in sympy.real_roots(d) if True
    ]
    crossings = sorted({sympy.nsimplify(r) if r.is_Rational else r for r in changes}, key=lambda r: float(r))
    odd = [r for r in crossings if sympy.Poly(d, w).as_expr().subs(w, r - sympy.Rational(1, 10**6)).evalf() < 0
           < sympy.Poly(d, w).as_expr().subs(w, r + sympy.Rational(1, 10**6)).evalf()]
    assert len(odd) == 1 and sympy.LC(L, w) > 0 and sympy.degree(L, w) % 2 == 0, (coeffs, crossings)
    assert float(L.subs(w, odd[0]).evalf()) >= -1e-12, coeffs


@pytest.mark.parametrize("difficulty", list(LEVELS))
@pytest.mark.parametrize("degree", [2, 3, 4])
def test_drawn_gradient_losses_have_one_minimum_and_are_never_negative(difficulty: str, degree: int) -> None:
    for seed in range(15):
        p = build_problem(KINDS["gradient-step"], 1, seed, degree, NO_PINS, difficulty)
        _one_low_point_never_negative(p.task.coeffs)
        assert all(not v.startswith("-") for v in (p.extra["loss_before"], p.extra["loss_after"]))
        assert "minimum" in prompt_text(p)


@pytest.mark.parametrize("difficulty", list(LEVELS))
@pytest.mark.parametrize("degree", [2, 3, 4])
def test_drawn_two_weight_losses_are_bowls_never_saddles(difficulty: str, degree: int) -> None:
    """--kind partial-derivatives drew the saddle w₁² + 5w₁w₂ + w₂²."""
    w1, w2 = sympy.symbols("w1 w2")
    for seed in range(15):
        p = build_problem(KINDS["partial-derivatives"], 1, seed, degree, NO_PINS, difficulty)
        L = sum(sympy.Rational(c.numerator, c.denominator) * w1**i * w2**j for (i, j), c in p.task.terms)
        quadratic = sum(c * w1**i * w2**j for (i, j), c in
                        ((k, sympy.Rational(v.numerator, v.denominator)) for k, v in p.task.terms) if i + j == 2)
        hessian = sympy.hessian(quadratic, (w1, w2))
        assert hessian[0, 0] > 0 and hessian.det() > 0, L  # positive definite: a bowl
        top = {(i, j) for (i, j), _ in p.task.terms if i + j > 2}
        assert top <= {(4, 0), (0, 4)} and all(c > 0 for (i, j), c in p.task.terms if (i, j) in top)
        # convex, so its one critical point is the minimum: solve ∇L = 0 numerically and check L ≥ 0 there
        crit = sympy.nsolve([sympy.diff(L, w1), sympy.diff(L, w2)], (w1, w2), (0, 0))
        assert float(L.subs({w1: crit[0], w2: crit[1]})) >= -1e-9, L


def test_a_pinned_loss_without_a_minimum_is_not_asked_about_the_minimum() -> None:
    quiz = make_quiz(Options(kinds=("gradient-step",), function="x^3-2x+1", point="2", count=1), 1)
    text = prompt_text(quiz.problems[0])
    assert "minimum" not in text and "Did the slope L′ change sign" in text
    words = " ".join(step.words for step in quiz.problems[0].steps)
    assert "overshoot" not in words and "minimum" not in words


# ---------------------------------------------------------------- item 3: a key you can mark from


def test_page_one_of_the_key_is_an_answer_summary(seeded: Path) -> None:
    """Every problem's number and every part of its answer on page 1; the worked solutions start on page 2."""
    from pypdf import PdfReader

    import unicodedata

    pages = [normalise(unicodedata.normalize("NFKC", p.extract_text() or "")) for p in PdfReader(seeded / "key.pdf").pages]
    quiz = json.loads((seeded / "quiz.json").read_text())
    first = pages[0]
    assert "Answers" in first
    for p in quiz["problems"]:
        parts = p.get("answer_parts") or [p["answer_text"]]
        for part in parts:
            assert normalise(unicodedata.normalize("NFKC", part)) in first, (p["number"], part)
        assert f"{p['number']}." in first
    # page 2 opens with problem 1's prompt: the summary has a page to itself
    assert re.match(r"^.*?1\.(Let|A)", pages[1][:400]), pages[1][:200]


def _parts(kind: str, **pins: str) -> list[str]:
    opts = Options(kinds=(kind,), count=1, **pins) if pins else Options(kinds=(kind,), count=1)
    return make_quiz(opts, 5).problems[0].to_json()["answer_parts"]


def test_the_answer_box_answers_every_part_the_question_asks() -> None:
    # L(w) = 3w² − 4w + 5 from w₀ = 2, η = 0.1: w₁ = 2 − 0.1(8) = 1.2; L(2) = 9, L(1.2) = 4.32 − 4.8 + 5 = 4.52;
    # the minimum is at w = 4/6 = 2/3 and both 2 and 1.2 lie right of it: no overshoot.
    assert _parts("gradient-step", function="3x^2-4x+5", point="2") == ["w₁ = 1.2", "L(w₀) = 9", "L(w₁) = 4.52", "overshoot: no"]
    # secant-table: quotients 3(2 + h) − 4 + 3h·… = 8 + 3h: 8.3, 8.03, 8.003, approaching f′(2) = 8.
    assert _parts("secant-table", function="3x^2-4x+5", point="2") == ["8.3, 8.03, 8.003", "approach f′(2) = 8"]
    # rising-falling at 2: f′(2) = 8 > 0.
    assert _parts("rising-falling", function="3x^2-4x+5", point="2") == ["rising", "f′(2) = 8"]
    assert _parts("derivative-at", function="3x^2-4x+5", point="2") == ["f′(x) = 6x − 4", "f′(2) = 8", "f′(0) = −4", "f′(5) = 26"]


def test_partial_derivative_parts_by_hand() -> None:
    """Both partials, the new weights, the loss before and after, whether it went down."""
    from quizgen.kinds import KINDS
    from quizgen.model import Task
    from quizgen.exact import Style

    # L = (w₁ − 3)² + 2w₁w₂ + w₂² at (1, 1), η = 0.1 (worked in test_new_kinds): ∂₁ = −2, ∂₂ = 4,
    # new point (1.2, 0.6), L: 7 → 5.04.
    task = Task(coeffs=(), style=Style(decimal=True), variables=("w1", "w2"),
                terms=tuple(sorted({(2, 0): Fraction(1), (1, 0): Fraction(-6), (0, 0): Fraction(9),
                                    (1, 1): Fraction(2), (0, 2): Fraction(1)}.items())),
                at=(Fraction(1), Fraction(1)), rate=Fraction(1, 10))
    parts = [p if isinstance(p, str) else p.text for p in KINDS["partial-derivatives"].solve(task).parts]
    assert parts == ["∂L/∂w₁ = −2", "∂L/∂w₂ = 4", "new (w₁, w₂) = (1.2, 0.6)", "L(1, 1) = 7", "L(1.2, 0.6) = 5.04",
                     "loss goes down: yes"]


def test_key_html_answer_box_holds_the_parts(seeded: Path) -> None:
    html = (seeded / "key.html").read_text()
    quiz = json.loads((seeded / "quiz.json").read_text())
    boxes = re.findall(r'<div class="answer">(.*?)</div>', html, flags=re.S)
    assert len(boxes) == len(quiz["problems"])
    for box, p in zip(boxes, quiz["problems"]):
        for part in p.get("answer_parts", []):
            assert (f'aria-label="{part}"' in box) or (f">{part}<" in box), (p["kind"], part)


def test_summary_agrees_with_the_worked_solutions_over_seeds() -> None:
    """Each numeric part of the summary is the value a worked line ends with (gradient steps, partials)."""
    for seed in range(6):
        for p in make_quiz(Options(kinds=("gradient-step", "partial-derivatives"), count=4, difficulty="hard"), seed).problems:
            ends = {line.rhs.text.split(" = ")[-1] for step in p.steps for line in step.lines}
            for part in p.parts:
                if isinstance(part, str):
                    continue
                value = part.text.split(" = ")[-1]
                assert value in ends or value.strip("()").replace(", ", ",") in {e.replace(", ", ",") for e in ends} or (
                    p.kind == "partial-derivatives" and part.text.startswith("new")), (p.kind, part.text)


# ---------------------------------------------------------------- item 4: paper


def _heights(html: str) -> list[float]:
    return [float(h) for h in re.findall(r'<div class="work [^"]*" style="height: ([0-9.]+)mm"', html)]


def test_working_space_grows_with_kind_and_degree() -> None:
    from quizgen.render import render_html

    def space(kind: str, degree: int) -> float:
        (h,) = _heights(render_html(make_quiz(Options(kinds=(kind,), count=1, degree=degree), 3), "worksheet", plots="none"))
        return h

    assert space("expand", 4) > space("expand", 3) > space("expand", 2) > space("evaluate", 2)
    assert space("limit-definition", 4) > space("evaluate", 4)
    assert space("evaluate", 2) <= 30  # evaluating a quadratic needs a few lines, not half a page


def test_one_answer_line_per_part() -> None:
    from quizgen.render import render_html

    want = {"evaluate": 1, "tangent-line": 1, "rising-falling": 2, "secant-table": 2, "derivative-at": 4,
            "gradient-step": 4, "partial-derivatives": 6}
    quiz = make_quiz(Options(kinds=tuple(want), count=len(want)), 4)
    html = render_html(quiz, "worksheet", plots="none")
    items = re.findall(r'<li class="problem[^"]*" id="p\d+">(.*?)</li>', html, flags=re.S)
    for p, item in zip(quiz.problems, items):
        assert item.count('class="blank"') == want[p.kind], p.kind
        assert item.count("Answer:") == 1
        # the labels give nothing away: no answer value appears in them
        labels = re.sub(r"<[^>]+>", "", item.split('class="answer-lines"')[1])
        for part in p.parts:
            if isinstance(part, str):  # words: the label names the choices (rising, falling or flat?)
                continue
            value = part.text.split(" = ")[-1]
            if len(value) > 2:
                assert value not in labels, (p.kind, value)


def _problems_per_page(pdf: bytes) -> list[list[int]]:
    import io

    from pypdf import PdfReader

    return [[int(n) for n in re.findall(r"^(\d+)\. ", page.extract_text() or "", flags=re.M)]
            for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.mark.parametrize("count", [5, 11])
def test_no_last_page_holds_a_single_problem(count: int) -> None:
    """Seed 1 left problem 11 alone on a 4th page (it fits on page 3 with a little less room each), and
    problem 5 alone on page 2 (it does not fit: page 1 hands over its last problem)."""
    import weasyprint

    from quizgen.render import html_to_pdf, render_html, templates_dir

    html = render_html(make_quiz(Options(count=count), 1), "worksheet", plots="none")
    plain = weasyprint.HTML(string=html, base_url=str(templates_dir())).write_pdf()
    before, after = _problems_per_page(plain), _problems_per_page(html_to_pdf(html))
    assert len(before[-1]) == 1  # the layout without the rule: the defect
    assert len(after[-1]) >= 2 and sorted(n for page in after for n in page) == list(range(1, count + 1))
    assert len(after) <= len(before)


# ---------------------------------------------------------------- item 8: typography of the key and sheet


def _visible(html: str) -> str:
    """The text a reader sees: tags and their attributes (aria-labels) removed, no style block."""
    html = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", "", html)


def test_one_problem_is_not_1_problems(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["make", "--count", "1", "--seed", "3", "-f", "html", "-o", str(tmp_path)])
    assert result.exit_code == 0 and "1 problem →" in result.output, result.output
    for name in ("worksheet.html", "key.html"):
        html = (tmp_path / name).read_text()
        assert "1 problems" not in html and "1 problem ·" in html


def test_spec_section_headings_never_read_as_problem_numbers(tmp_path: Path) -> None:
    """--spec headings numbered '2.' clashed with problem 2.: sections are lettered, a leading number dropped."""
    spec = tmp_path / "s.toml"
    spec.write_text('title = "T"\n[[sections]]\nheading = "1. Evaluating f"\nkinds = ["evaluate"]\ncount = 2\n'
                    '[[sections]]\nheading = "2. Slopes"\nkinds = ["rising-falling"]\ncount = 2\n')
    result = CliRunner().invoke(main, ["make", "--spec", str(spec), "--seed", "1", "-f", "html", "-o", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    for name in ("worksheet.html", "key.html"):
        headings = re.findall(r'<li class="section-heading"><h2>(.*?)</h2>', (tmp_path / "o" / name).read_text())
        assert headings == ["Part A: Evaluating \U0001d453", "Part B: Slopes"]  # f in the math face


def test_variables_and_eta_in_the_keys_prose_are_in_the_math_face() -> None:
    """Upright f, h, x, w and η in the key's sentences, italic 𝑓, ℎ, 𝑥, 𝑤, 𝜂 in its formulas: now one face."""
    from quizgen.render import render_html

    quiz = make_quiz(Options(kinds=("difference", "gradient-step", "tangent-line", "partial-derivatives"), count=8), 7)
    html = render_html(quiz, "key", plots="none")
    sentences = re.findall(r'<p>(.*?)</p>|<div class="meaning">(.*?)</div>', html, flags=re.S)
    words = " ".join(_visible(a or b) for a, b in sentences)
    assert "η" not in _visible(html)  # U+03B7 upright: only the math-italic 𝜂 U+1D702 is shown
    assert "\U0001d702" in words
    for letter in "fhxwL":
        assert not re.search(rf"(?<![A-Za-z]){letter}(?![A-Za-z])", words), letter
    # a formula inside a sentence is never broken: η·|L′(w₀)| sits in one no-wrap span
    assert re.search(r'<span class="nw">[^<]*\U0001d702·\|\U0001d43f′\(\U0001d464₀\)\|[^<]*</span>', html)


def test_a_formula_keeps_its_full_stop() -> None:
    """'h.)' alone on a line: the formula and the punctuation after it go together."""
    from quizgen.render import render_html

    quiz = make_quiz(Options(kinds=("simplify-quotient", "evaluate"), count=2), 2)
    html = render_html(quiz, "worksheet", plots="none")
    assert re.search(r'<span class="nw"><span class="m"[^>]*>ℎ</span>\.\)</span>', html)
    assert re.search(r'Find <span class="nw"><span class="m"[^>]*>.*?</span>\.</span>', html)
    assert "Your answer still contains h.)" in prompt_text(quiz.problems[0])  # plain text carries no markup


def test_a_formula_in_a_pictures_caption_is_not_broken_across_lines(tmp_path: Path) -> None:
    """Seen on every key of a 30-student class set: the gradient-step picture's caption ended a line with
    'the step 𝑤₀ = −5 → 𝑤₁ =' and began the next with '0.25;'. A formula written with spaces around its
    signs stays on one line now (read back from the PDF with pdftotext, line by line)."""
    import subprocess

    from quizgen.render import render_html

    quiz = make_quiz(Options(kinds=("gradient-step", "tangent-line"), count=6), 339252)
    html = render_html(quiz, "key", plots="key")
    captions = re.findall(r"<figcaption>(.*?)</figcaption>", html, flags=re.S)
    assert any("The loss curve with the step" in c for c in captions)
    assert re.search(r'<span class="nw">\U0001d464₀ = [^<]*→ \U0001d464₁ = [^<]*</span>', html)
    result = CliRunner().invoke(main, ["make", "--kind", "gradient-step", "--count", "4", "--seed", "339252",
                                       "-f", "pdf", "-o", str(tmp_path / "o")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = subprocess.run(["pdftotext", str(tmp_path / "o" / "key.pdf"), "-"], capture_output=True, text=True,
                           check=True).stdout.splitlines()
    starts = [i for i, line in enumerate(lines) if "The loss curve with the step" in line]
    assert len(starts) == 4
    for i in starts:  # the step's formula whole on one line of the caption, no line ending in a sign
        caption = lines[i:i + 3]
        assert any(re.search(r"\U0001d464₀ = \S+ → \U0001d464₁ = \S+;", line) for line in caption), caption
        assert not any(re.search(r"[=→−]\s*$", line) for line in caption), caption
