"""--style mc on the neural-network kinds (issue 10 × 11): the options give one main part of the
long answer list (a slope, dL/dw, ∂o/∂w₁, the final loss), never the whole list; each wrong option a
single value different from the right one (exactly, by Fraction), at most 8 significant digits; a
typed value of that part (or its letter) is graded right by quizgen check's key."""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import pytest

from quizgen.generate import Options, make_quiz
from quizgen.keys import quiz_keys

NN = ("several-inputs", "chain-rule", "gradient-check", "training-steps", "backprop", "neuron")
# The part each kind offers, by the label its key gives it.
MAIN = {"several-inputs": r"∂\w/∂\w+", "chain-rule": r"dL/dw\w*", "gradient-check": r"dL/dw\w*",
        "training-steps": r"L[₁₂₃]", "backprop": r"∂\w+/∂\w+", "neuron": r"∂o/∂w₁"}


def digits(plain: str) -> int:
    return len(re.sub(r"^[-0.]+", "", plain.replace("-", "").replace(".", "")).lstrip("0") or "0")


@pytest.mark.parametrize("kind", NN)
def test_mc_offers_one_part(kind: str) -> None:
    quiz = make_quiz(Options(count=3, kinds=(kind,), style="mc"), seed=11)
    keys = quiz_keys(quiz.to_json())
    for p in quiz.problems:
        right = [c for c in p.choices if c.correct]
        assert len(right) == 1 and len(p.choices) >= 4, p.choices
        assert all("," not in c.answer for c in p.choices), [c.answer for c in p.choices]
        label = p.asked()
        assert re.fullmatch(MAIN[kind], label), label
        part = next(q for q in p.parts_json() if q["label"] == label)
        assert right[0].answer == part["answer"]
        values = [Fraction(c.answer) for c in p.choices]
        assert len(set(values)) == len(values)
        assert all(digits(c.answer) <= 8 for c in p.choices if not c.correct)
        key = keys[p.number]
        assert key.grade(right[0].answer).status == "correct"
        assert key.grade(right[0].letter).status == "correct"
        wrong = next(c for c in p.choices if not c.correct)
        assert key.grade(wrong.answer).status == "incorrect"


def test_a_lone_e_is_a_letter_only_where_there_is_an_option_e() -> None:
    from quizgen.keys import Key

    four = (("A", "2.7183", ""), ("B", "3", "why b"), ("C", "2", "why c"), ("D", "1", "why d"))
    five = four + (("E", "4", "why e"),)
    rounded = Key(number=1, answer="2.7183", form="rounded:4", choices=four)
    # A–D: the typed e is the number e (its value rounds to 2.7183; the question asks for the decimal).
    assert "right value" in rounded.grade("e").message, rounded.grade("e")
    assert rounded.grade("2.7183").status == "correct"
    assert rounded.grade("E").status == "invalid"  # a capital E (or (e), e.) is a letter: no option E
    assert rounded.grade("(e)").status == "invalid"
    # A–E: a lone e is option E.
    with_e = Key(number=1, answer="2.7183", form="rounded:4", choices=five)
    assert with_e.grade("e").message.startswith("Option E is not right")
    assert "right value" in with_e.grade("exp(1)").message


def test_nn_answer_summary_never_breaks_a_part_after_a_slash(tmp_path: Path) -> None:
    # Reported as "dL/" | "dw₂ = 28" in the six kinds' summaries; fixed for every kind by 1258e59 (the
    # part's nowrap no longer undone); this keeps the long lists of dL/dw, ∂L/∂a, Q(h) − dL/dw covered.
    import unicodedata

    import pdfplumber
    from click.testing import CliRunner

    from quizgen.cli import main

    args = ["make", "--seed", "2", "-n", "12", "-f", "pdf", "-q", "--difficulty", "hard", "--style", "mc",
            *[a for k in NN for a in ("-k", k)], "-o", str(tmp_path)]
    assert CliRunner().invoke(main, args, catch_exceptions=False).exit_code == 0
    with pdfplumber.open(tmp_path / "key.pdf") as pdf:
        page = pdf.pages[0]  # the summary: two columns
        middle = page.width / 2
        lines = [unicodedata.normalize("NFKC", line["text"])
                 for column in (page.crop((0, 0, middle, page.height)), page.crop((middle, 0, page.width, page.height)))
                 for line in column.extract_text_lines()]
    assert any("dL/dw" in t for t in lines), lines
    assert not [t for t in lines if re.search(r"(′|\S/)$", t)], lines


@pytest.mark.parametrize(("step", "difficulty"), [("0.001", "easy"), ("0.05", "medium"), ("0.002", "hard")])
def test_gradient_check_uses_a_pinned_step_as_its_smallest_h(step: str, difficulty: str) -> None:
    quiz = make_quiz(Options(count=2, kinds=("gradient-check",), step=step, difficulty=difficulty), seed=3)
    h = Fraction(step)
    for p in quiz.problems:
        n = len(p.task.steps)
        assert n >= 2 and p.task.steps == tuple(h * 10 ** k for k in reversed(range(n))), p.task.steps
        assert f"Q({step})" in [q["label"] for q in p.parts_json()]


def test_gradient_check_refuses_a_step_it_cannot_shrink(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from quizgen.cli import main

    result = CliRunner().invoke(main, ["make", "-k", "gradient-check", "--step", "-0.01", "-n", "2", "-q",
                                       "-o", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1, result.output
    assert "gradient-check" in result.output and "positive" in result.output, result.output
    assert not (tmp_path / "out").exists()


def test_named_input_kinds_get_more_working_space_for_more_parts() -> None:
    """Their degree is −1, so the degree-indexed table gave every level the same room (backprop with
    10 parts at hard as much as with 5 at easy). The worksheet's own space div is read back."""
    from quizgen.render import render_html

    def spaces(kind: str, difficulty: str) -> list[tuple[int, int]]:
        quiz = make_quiz(Options(count=4, kinds=(kind,), difficulty=difficulty), seed=4)
        html = render_html(quiz, "worksheet")
        mm = [int(x) for x in re.findall(r'class="work space-[a-z-]+" style="height: (\d+)mm"', html)]
        assert len(mm) == len(quiz.problems), html[:500]
        return [(len(p.parts) + len(p.task.values) + len(p.task.data), m) for p, m in zip(quiz.problems, mm)]

    for kind in ("several-inputs", "chain-rule", "gradient-check", "training-steps", "backprop"):
        easy, hard = spaces(kind, "easy"), spaces(kind, "hard")
        assert max(m for _, m in hard) > min(m for _, m in easy), (kind, easy, hard)
        # More to write, more room; as much to write, as much room.
        pairs = sorted(easy + hard)
        assert all(m1 <= m2 for (n1, m1), (n2, m2) in zip(pairs, pairs[1:]) if n1 <= n2), (kind, pairs)


def test_a_capital_letter_past_the_options_says_there_is_no_such_option() -> None:
    """'F' on an A–E problem got "should be a number, but it contains F"; a student who picked a letter
    is told the options instead."""
    from quizgen.keys import Key

    five = (("A", "4", ""), ("B", "3", "why b"), ("C", "2", "why c"), ("D", "1", "why d"), ("E", "5", "why e"))
    key = Key(number=1, answer="4", choices=five)
    for typed in ("F", "(F)", "Z."):
        verdict = key.grade(typed)
        assert (verdict.status, verdict.message) == ("invalid", f"There is no option {typed.strip('().')}: choose A–E.")
    assert key.grade("A").status == "correct" and key.grade("4").status == "correct"
    assert Key(number=1, answer="4").grade("F").status != "correct"  # not an MC problem: no letters at all
