"""Multiple choice (issue 10, item 2): every kind gives at least 3 distractors from named
misconceptions, never equal to the answer or to each other; options shuffled by the seed;
--style mc worksheets and keys; quizgen check takes the letter.

Equality is judged here by sympy from quiz.json's plain strings (a test oracle, never user
text), independently of quizgen.choices, which compares with quizgen's own reader.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import sympy
from click.testing import CliRunner
from sympy.parsing.sympy_parser import parse_expr

from quizgen.answers import check
from quizgen.choices import MIN_DISTRACTORS, distractors
from quizgen.cli import main
from quizgen.exact import plain_forms
from quizgen.generate import build_problem
from quizgen.kinds import KINDS
from quizgen.model import NO_PINS, Answer

from conftest import normalise, pdf_text

SYMBOLS = {name: sympy.Symbol(name) for name in ("x", "h", "w", "w1", "w2", "y")}


def oracle(plain: str) -> tuple[Any, ...]:
    """A plain answer as exact sympy values: one per comma-separated item; y = … as its right side."""
    exact = re.sub(r"\d+\.\d+", lambda m: f"Rational('{m.group()}')", plain)
    items = []
    for item in exact.split(","):
        item = item.strip()
        if item.startswith("y = "):
            item = item[4:]
        items.append(sympy.expand(parse_expr(item, local_dict={**SYMBOLS, "Rational": sympy.Rational})))
    return tuple(items)


def equal(a: str, b: str) -> bool:
    x, y = oracle(a), oracle(b)
    return len(x) == len(y) and all(sympy.expand(p - q) == 0 for p, q in zip(x, y))


SEEDS = range(3)


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_gives_three_distinct_wrong_answers(kind: str) -> None:
    """A seed sweep over every kind (the new ones too) at every difficulty and degrees 2–4."""
    shapes = [("easy", 2), ("medium", 2), ("hard", 2), ("medium", 3), ("hard", 4)]
    made = 0
    for difficulty, degree in shapes:
        for seed in SEEDS:
            p = build_problem(KINDS[kind], 1, 1000 * seed + 17 * degree + len(difficulty), degree, NO_PINS, difficulty)
            if p is None:
                continue
            made += 1
            wrong = [d.answer for d in p.distractors]
            assert len(wrong) >= MIN_DISTRACTORS, (kind, p.seed, wrong)
            for i, d in enumerate(p.distractors):
                assert d.why and not equal(d.answer, p.answer.plain), (kind, p.seed, d)
                assert not any(equal(d.answer, e) for e in wrong[:i]), (kind, p.seed, wrong)
                # quizgen's own checker reads it and calls it wrong, with this misconception's words.
                assert check(d.answer, d.answer).status == "correct", d
                verdict = check(d.answer, p.answer.plain, mistakes=p.mistakes)
                assert verdict.status == "incorrect", (d, verdict)
                assert (d.text, d.latex) == plain_forms(d.answer)
            # The options: the answer once and 3–4 distractors, lettered in order, the same each time.
            options = [c.answer for c in p.choices]
            assert [c.letter for c in p.choices] == list("ABCDE"[: len(options)]) and 4 <= len(options) <= 5
            assert [c.correct for c in p.choices].count(True) == 1
            # The answer itself, or (a neural-network kind's long list) the one part the options give.
            offered = p.answer.plain if not p.mc_label else next(q["answer"] for q in p.parts_json()
                                                                  if q["label"] == p.mc_label)
            assert next(c.answer for c in p.choices if c.correct) == offered
            assert not any(equal(c.answer, offered) for c in p.choices if not c.correct)
            again = build_problem(KINDS[kind], 1, p.seed, degree, NO_PINS, difficulty)
            assert again is not None and again.choices == p.choices
    assert made >= len(shapes)


def test_the_right_option_moves_with_the_seed() -> None:
    letters = Counter()
    for seed in range(40):
        p = build_problem(KINDS["difference"], 1, seed, 2, NO_PINS, "medium")
        assert p is not None
        letters[p.letter] += 1
    assert len(letters) >= 4, letters


def test_coincidences_are_dropped_and_replaced_by_a_fallback() -> None:
    half = Answer(Fraction(1, 2), "1/2", r"\frac{1}{2}", "1/2")
    found = distractors(half, [("0.5", "same value, other form"), ("2/4", "same again"), ("3/2", "real one"),
                               ("1.5", "equal to the last"), ("x*h", "not a number")])
    answers = [d.answer for d in found]
    assert answers[:2] == ["3/2", "x*h"] and len(found) >= 3
    assert "-1/2" in answers  # the sign slip, added when the kind's own ran out
    poly = Answer(None, "6*x + 3*h - 4", "", "6x + 3h − 4")
    found = distractors(poly, [("3*h + 6*x - 4", "reordered"), ("-4 + 3*h + 6*x", "again"), ("6*x - 4", "h dropped"),
                               ("2*(3*x - 2)", "equal to the one before"), ("6*x*h + 3*h**2 - 4*h", "not divided")])
    assert [d.answer for d in found] == ["6*x - 4", "6*x*h + 3*h**2 - 4*h"]


def test_multi_part_kinds_ask_for_their_main_part() -> None:
    asked = {}
    for kind in ("gradient-step", "partial-derivatives", "secant-table", "rising-falling", "derivative-at", "evaluate"):
        p = build_problem(KINDS[kind], 1, 5, 2, NO_PINS, "medium")
        assert p is not None
        asked[kind] = p.asked()
    assert asked["gradient-step"] == "w₁"
    assert asked["partial-derivatives"] == "∂L/∂w₁, ∂L/∂w₂"
    assert asked["secant-table"] == "quotients, in order"
    assert asked["rising-falling"].startswith("f′(")
    assert asked["derivative-at"].count("f′(") == 3
    assert asked["evaluate"] == ""


@pytest.fixture(scope="module")
def mc_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("mc") / "out"
    kinds = ["--kind", "evaluate", "--kind", "difference-quotient", "--kind", "limit-definition",
             "--kind", "tangent-line", "--kind", "gradient-step", "--kind", "partial-derivatives"]
    result = CliRunner().invoke(main, ["make", "--style", "mc", "--count", "6", "--seed", "3", *kinds,
                                       "--format", "pdf,json", "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


def test_mc_worksheet_and_key_read_back(mc_run: Path) -> None:
    data = json.loads((mc_run / "quiz.json").read_text(encoding="utf-8"))
    assert data["options"]["style"] == "mc"
    sheet, key = pdf_text(mc_run / "worksheet.pdf"), pdf_text(mc_run / "key.pdf")
    assert sheet.count(normalise("Your choice (A–")) == 6
    assert normalise("Why the other options are wrong") not in sheet
    for p in data["problems"]:
        choices = p["choices"]
        assert 4 <= len(choices) <= 5
        # Every option's value is printed on the worksheet (fractions stacked: their digits are there).
        for c in choices:
            assert normalise(c["answer_text"]).replace("/", "") in sheet.replace("/", ""), c
        right = next(c for c in choices if c["correct"])
        # The key's summary gives the letter, its answer box the letter too, and each wrong option's reason.
        assert normalise(f"{p['number']}.{right['letter']}") in key
        for c in choices:
            if not c["correct"]:
                assert normalise(c["why"])[:40] in key, c["why"]
    assert key.count(normalise("Why the other options are wrong")) == 6


def test_check_takes_the_letter_or_the_value(mc_run: Path) -> None:
    quiz = mc_run / "quiz.json"
    data = json.loads(quiz.read_text(encoding="utf-8"))
    runner = CliRunner()

    def said(number: int, answer: str) -> str:
        result = runner.invoke(main, ["check", "--quiz", str(quiz), "--problem", str(number), "--answer", answer])
        assert result.exit_code == 0, result.output
        return result.output.strip()

    for p in data["problems"]:
        right = next(c for c in p["choices"] if c["correct"])
        wrong = next(c for c in p["choices"] if not c["correct"])
        assert said(p["number"], right["letter"]) == "correct: Correct."
        assert said(p["number"], f"({right['letter'].lower()})") == "correct: Correct."
        assert said(p["number"], wrong["letter"]) == f"incorrect: Option {wrong['letter']} is not right. {wrong['why']}"
        assert said(p["number"], p["answer"]).startswith("correct")
    last = data["problems"][0]
    if len(last["choices"]) == 4:
        assert said(last["number"], "E").startswith("invalid: There is no option E")


def test_a_letter_is_no_answer_on_an_open_quiz(walkthrough_dir: Path) -> None:
    result = CliRunner().invoke(main, ["check", "--quiz", str(walkthrough_dir / "quiz.json"), "--problem", "1",
                                       "--answer", "C"])
    assert result.exit_code == 0 and not result.output.startswith("correct"), result.output


def test_a_class_csv_of_letters_is_graded(mc_run: Path, tmp_path: Path) -> None:
    data = json.loads((mc_run / "quiz.json").read_text(encoding="utf-8"))
    rows = ["student,problem,answer"]
    for p in data["problems"]:
        right = next(c["letter"] for c in p["choices"] if c["correct"])
        wrong = next(c["letter"] for c in p["choices"] if not c["correct"])
        rows += [f"Ada,{p['number']},{right}", f"Ben,{p['number']},{wrong.lower()}"]
    answers = tmp_path / "answers.csv"
    answers.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--quiz", str(mc_run / "quiz.json"), "--answers", str(answers),
                                       "--report", str(tmp_path / "report.csv")])
    assert result.exit_code == 0, result.output
    assert re.search(r"Ada\s+6/6", result.output) and re.search(r"Ben\s+0/6", result.output), result.output


def test_style_mc_with_a_spec(tmp_path: Path) -> None:
    """Was refused ('--style mc cannot be combined with --spec (yet)'); a spec's class set takes mc, so one sheet does."""
    spec = Path(__file__).resolve().parent.parent / "examples" / "walkthrough.toml"
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["make", "--spec", str(spec), "--style", "mc", "--format", "json,html",
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    quiz = json.loads((out / "quiz.json").read_text())
    assert quiz["options"]["style"] == "mc" and [s["heading"] for s in quiz["options"]["sections"]][0] == "Evaluating f"
    for p in quiz["problems"]:
        right = [c for c in p["choices"] if c["correct"]]
        assert len(p["choices"]) >= 4 and len(right) == 1
    # Walkthrough problem 1: f(3) = 27 − 12 + 5 = 20, offered as one of the options.
    assert quiz["problems"][0]["answer"] == "20" and any(c["answer"] == "20" for c in quiz["problems"][0]["choices"])
    assert "Your choice (A–" in (out / "worksheet.html").read_text()
