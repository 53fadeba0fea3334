"""Formulas as math text: the kinds' LaTeX subset → HTML in one math face, read back linearly."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from conftest import normalise
from quizgen.generate import Pins, build_problem
from quizgen.kinds import KINDS
from quizgen.mathtex import convert, math_html
from quizgen.model import Math, Problem

NO_PINS = Pins(None, None, None, False)
TEMPLATES = Path(__file__).resolve().parent.parent / "quizgen" / "templates"


def formulas(p: Problem) -> list[Math]:
    maths = [*p.given.values(), p.answer]
    for step in p.steps:
        maths += [m for line in step.lines for m in (line.lhs, line.rhs) if m is not None]
        maths += [*step.header, *(cell for row in step.table for cell in row)]
    return maths


def every_latex() -> dict[str, str]:
    """Every LaTeX string the kinds write over a sweep (each kind, degree, difficulty, a few seeds) → its text."""
    seen: dict[str, str] = {}
    for kind_id in KINDS:
        for degree in (2, 3, 4):
            for difficulty in ("easy", "medium", "hard"):
                for seed in range(4):
                    p = build_problem(KINDS[kind_id], 1, seed * 7 + degree, degree, NO_PINS, difficulty)
                    if p is None:
                        continue
                    for m in formulas(p):
                        seen.setdefault(m.latex, m.text)
    # The templates' own formulas: text("LaTeX", "text") calls in the prompts and the key.
    for path in TEMPLATES.rglob("*.html"):
        for latex, text in re.findall(r'text\("((?:[^"\\]|\\\\.)*)", "([^"]*)"\)', path.read_text()):
            seen.setdefault(latex.replace("\\\\", "\\"), text)
    return seen


@pytest.fixture(scope="module")
def latex_strings() -> dict[str, str]:
    return every_latex()


def test_every_formula_the_kinds_write_converts_with_no_leftover_macro(latex_strings: dict[str, str]) -> None:
    assert len(latex_strings) > 500
    assert any("\\frac" in s for s in latex_strings) and any("\\lim" in s for s in latex_strings)
    for latex in latex_strings:
        html, text = convert(latex)
        assert "\\" not in html and "\\" not in text, latex
        assert not re.search(r"[{}^_]", re.sub(r"<[^>]*>", "", html)), latex
        # No ASCII letter is left upright in a formula except the words lim, error, quotient, …
        letters = re.findall(r"[A-Za-z]+", re.sub(r"<[^>]*>", "", html))
        assert set(letters) <= {"lim", "error", "true", "predicted", "quotient", "tanh", "ReLU", "max"}, (latex, letters)


def test_linear_reading_matches_the_kinds_text(latex_strings: dict[str, str]) -> None:
    """What a PDF reader extracts (the hidden / and parentheses of each fraction) is the kind's own text form.

    The known differences: ∂L/∂w₁ at (…) (the word is the text form's), and a fraction over a fraction, which
    the converter brackets fully ((21/2)/(1/2)) where the text writes 21/2/(1/2).
    """
    differ = []
    for latex, text in latex_strings.items():
        _, linear = convert(latex)
        if normalise(linear) != normalise(text):
            differ.append((latex, linear, text))
    for latex, linear, text in differ:
        assert " at " in text or latex.count("\\frac") >= 3, (latex, linear, text)


@pytest.mark.parametrize(
    ("latex", "html"),
    [
        # Variables are math-italic code points (h is U+210E), numbers and operators text.
        ("f(x) = 3x^{2} - 4x + 5", "\U0001d453(\U0001d465) = 3\U0001d465² − 4\U0001d465 + 5"),
        ("3 \\cdot 2^{4}", "3\u202f·\u202f2⁴"),
        ("w_{0} - \\eta \\cdot L'(w_{0})", "\U0001d464₀ − \U0001d702\u202f·\u202f\U0001d43f′(\U0001d464₀)"),
        ("\\Delta y \\approx f'(a) \\cdot \\Delta x", "Δ\U0001d466 ≈ \U0001d453′(\U0001d44e)\u202f·\u202fΔ\U0001d465"),
        ("\\text{error} = {-1}", "error = −1"),
        # A fraction: one element for the numerator, one for the denominator, the linear reading hidden.
        ("\\frac{1}{4}", '<span class="fr"><span>1<span class="h">/</span></span><span>4</span></span>'),
        (
            "\\frac{f(x + h) - f(x)}{h}",
            '<span class="fr"><span><span class="h">(</span>\U0001d453(\U0001d465 + ℎ) − \U0001d453(\U0001d465)'
            '<span class="h">)/</span></span><span>ℎ</span></span>',
        ),
        ("\\lim_{h \\to 0} (2x)", '<span class="lim"><span>lim</span><span>ℎ→0</span></span> (2\U0001d465)'),
        # Brackets grow only around a stacked fraction; a power after them is raised to their top.
        ("\\left({-3}\\right)^{2}", "(−3)²"),
        # Plain brackets too: f(3/2) has tall brackets, f(2) small ones.
        (
            "f(\\frac{3}{2}) + f(2)",
            '\U0001d453<span class="br">(</span><span class="fr"><span>3<span class="h">/</span></span><span>2</span></span>'
            '<span class="br">)</span> + \U0001d453(2)',
        ),
        (
            "\\left(\\frac{1}{2}\\right)^{2}",
            '<span class="br">(</span><span class="fr"><span>1<span class="h">/</span></span><span>2</span></span>'
            '<span class="br">)</span><sup class="hi">2</sup>',
        ),
    ],
)
def test_converter_by_hand(latex: str, html: str) -> None:
    assert convert(latex)[0].replace("\u00a0", " ") == html


def test_long_formulas_may_wrap_only_after_a_plus_or_minus_between_terms() -> None:
    html, _ = convert("3(x + h)^{2} - 4(x + h) + \\frac{1}{2} = {-5} + x")
    text = re.sub(r"<[^>]*>", "", html)  # the spaces inside tags are not the formula's
    # ... except before a short last term, which never stands alone on a line ("+ x" stays together).
    assert [part[-1] for part in text.split(" ")[:-1]] == ["−", "+"]
    assert text.endswith("+\u00a0\U0001d465")
    assert "(\U0001d465\u00a0+\u00a0ℎ)" in html and "\u00a0=\u00a0" in html


@pytest.mark.parametrize(
    ("latex", "linear"),
    [
        ("\\frac{0.008003}{0.001}", "0.008003/0.001"),
        ("\\frac{f(a + h) - f(a)}{h}", "(f(a + h) − f(a))/h"),
        ("y = \\frac{37}{4}x - \\frac{19}{2}", "y = (37/4)x − 19/2"),
        ("\\frac{\\partial L}{\\partial w_{1}}", "∂L/∂w₁"),
        ("\\lim_{h \\to 0} (6x + 3h - 4)", "lim h→0 (6x + 3h − 4)"),
    ],
)
def test_linear_reading_by_hand(latex: str, linear: str) -> None:
    assert " ".join(convert(latex)[1].split()) == linear


@pytest.mark.parametrize("latex", ["\\sqrt{2}", "\\frac{1}", "x^{\\frac{1}{2}}", "{x", "x}", "\\left[x\\right]", "x < 1"])
def test_outside_the_subset_is_an_error_not_literal_text(latex: str) -> None:
    with pytest.raises(ValueError, match="subset"):
        convert(latex)


def test_math_html_labels_each_formula_for_screen_readers() -> None:
    html = math_html(Math("\\frac{1}{4}", "1/4 & <x>"))
    assert html.startswith('<span class="m" role="math" aria-label="1/4 &amp; &lt;x&gt;">')


def test_nfkc_reads_math_italic_as_ascii() -> None:
    assert unicodedata.normalize("NFKC", convert("f(x) = 3xh")[0]) == "f(x) = 3xh"


@pytest.mark.parametrize(
    ("latex", "html"),
    [
        # A Greek letter before a relation keeps the space written after it, as every other
        # variable does: the prompts read "learning rate η = 0.05", not "η= 0.05" (seed 7).
        ("\\eta = 0.05", "\U0001d702 = 0.05"),
        ("\\eta = \\frac{1}{4}", '\U0001d702 = <span class="fr"><span>1<span class="h">/</span></span><span>4</span></span>'),
        ("\\Delta x = 0.001", "Δ\U0001d465 = 0.001"),
        # ...while a control word still eats the space before a letter or a tight operator.
        ("\\partial L", "∂\U0001d43f"),
        ("\\eta \\cdot L'(w_{0})", "\U0001d702\u202f·\u202f\U0001d43f′(\U0001d464₀)"),
    ],
)
def test_space_after_a_greek_letter_before_a_relation_is_kept(latex: str, html: str) -> None:
    assert convert(latex)[0].replace("\u00a0", " ") == html


def test_a_derivation_shares_one_equals_column_across_steps_with_no_words_between() -> None:
    """Teacher review: consecutive lines of one derivation line up their = signs, also when the
    derivation runs on into a next step that has no words of its own (a sentence starts a new column)."""
    from quizgen.mathtex import lhs_width, step_widths
    from quizgen.model import Line, Math, Step

    short = Line(Math("f(1)", "f(1)"), Math("2", "2"))
    long = Line(Math("f(-2 + 0.001)", "f(−2 + 0.001)"), Math("f(-1.999)", "f(−1.999)"))
    steps = (Step("Evaluate.", (long,)), Step("", (short,)), Step("Now a sentence.", (short,)))
    widths = step_widths(steps)
    assert widths[0] == widths[1] == lhs_width((long,)) > lhs_width((short,))
    assert widths[2] == lhs_width((short,))


def test_key_lines_of_one_step_have_one_lhs_width() -> None:
    """seed 7, problem 8: f(0 + ½) = f(½) and f(½) = … carry the same width style (one = column)."""
    import re

    from quizgen.generate import Options, make_quiz
    from quizgen.render import build_files

    quiz = make_quiz(Options(count=20), 7)
    html = build_files(quiz, {"html"}, plots="none")["key.html"].decode()
    problem = html.split('id="p8"')[1].split('<li class="problem"')[0]
    for step in problem.split('<div class="step">')[1:]:
        widths = re.findall(r'class="m l" style="width:([0-9.]+)em"', step)
        assert len(set(widths)) <= 1, widths
    step = next(s for s in problem.split('<div class="step">') if "Move the input" in s)
    assert len(re.findall(r'class="m l" style="width:([0-9.]+)em"', step)) == 2
