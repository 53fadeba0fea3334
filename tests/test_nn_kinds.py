"""The kinds of named inputs (issue 11): several-inputs, chain-rule, gradient-check, training-steps.

Every answer of a seed sweep is recomputed here by sympy on the flattened expression quiz.json
carries (tests/independent.py, not quizgen's code); the key's own answers pass the checker part
by part; the named mistakes are ≥ 3, distinct and wrong; one PDF of each kind is read back.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
import sympy

from conftest import normalise, pdf_text
from independent import agrees, expected_answer, expression, read
from quizgen.exact import Style
from quizgen.generate import Options, build_problem, make_quiz
from quizgen.keys import quiz_keys
from quizgen.kinds import DEFAULT_KINDS, KINDS
from quizgen.levels import LEVELS
from quizgen.model import NO_PINS, Task
from quizgen.render import build_files

NAMED = tuple(k for k in ("several-inputs", "chain-rule", "gradient-check", "training-steps") if k in KINDS)
F = Fraction


def sweep(kind_id: str, seeds: int = 30) -> list[tuple[str, dict]]:
    out = []
    for difficulty in LEVELS:
        for seed in range(seeds):
            problem = build_problem(KINDS[kind_id], 1, 7919 * seed + 3, 2, NO_PINS, difficulty)
            assert problem is not None, (kind_id, difficulty, seed)
            out.append((difficulty, json.loads(json.dumps(problem.to_json()))))
    return out


def test_registered_by_name_but_not_drawn_by_default() -> None:
    assert set(NAMED) <= set(KINDS) and not set(NAMED) & set(DEFAULT_KINDS)
    assert {p.kind for p in make_quiz(Options(count=20), 1).problems} <= set(DEFAULT_KINDS)


@pytest.mark.parametrize("kind_id", NAMED)
def test_seed_sweep_recomputed_by_sympy_from_quiz_json(kind_id: str) -> None:
    """Every level, 30 seeds: the answer equals sympy's, from expression/values/step/data/rate alone."""
    for difficulty, data in sweep(kind_id):
        assert agrees(data), (difficulty, data, expected_answer(data))
        assert "expression" in data and "gradient" in data and data["gradient"], data
        assert "function" not in data  # no f(x) here: the expression over named inputs replaces it
        if "values" in data:
            for name, value in data["values"].items():
                assert sympy.Symbol(name) in expression(data["expression"]).free_symbols, (name, data)
                read(value)


@pytest.mark.parametrize("kind_id", NAMED)
def test_gradient_field_is_sympys_derivative_of_the_expression(kind_id: str) -> None:
    for _, data in sweep(kind_id, 10):
        f = expression(data["expression"])
        at = {sympy.Symbol(n): read(v) for n, v in data.get("values", {}).items()}
        if kind_id == "training-steps":
            continue  # its gradient is per step; checked with the weights below
        for name, value in data["gradient"].items():
            assert sympy.diff(f, sympy.Symbol(name)).subs(at) == read(value), (name, data)


@pytest.mark.parametrize("kind_id", NAMED)
def test_mistakes_are_named_distinct_and_wrong(kind_id: str) -> None:
    for _, data in sweep(kind_id, 15):
        wrong = [m[0] for m in data["mistakes"]]
        assert len(wrong) >= 3 and len(set(wrong)) == len(wrong) and data["answer"] not in wrong, data
        assert all(m[1].strip() for m in data["mistakes"])


@pytest.mark.parametrize("kind_id", NAMED)
def test_the_checker_accepts_the_keys_own_answers_part_by_part(kind_id: str) -> None:
    quiz = make_quiz(Options(count=6, kinds=(kind_id,), difficulty="hard"), 3).to_json()
    quiz = json.loads(json.dumps(quiz))
    keys = quiz_keys(quiz)
    for p in quiz["problems"]:
        key = keys[p["number"]]
        assert key.parts, p  # graded part by part
        verdict = key.grade(p["answer"])
        if all(part.words is None for part in key.parts):
            assert verdict.status == "correct", (p["answer"], verdict.message)
        else:  # the numbers alone leave the parts in words unanswered, and the checker says which
            assert verdict.status == "incorrect" and "missing" in verdict.message, verdict.message
        assert key.grade(key.full_answer).status == "correct"
        labelled = "; ".join(f"{part.labels[0]} = {part.answer}" for part in reversed(key.parts))
        assert key.grade(labelled).status == "correct", (labelled, key.grade(labelled).message)
        for wrong, why in p["mistakes"]:
            verdict = key.grade(wrong)
            assert verdict.status == "incorrect", (wrong, verdict)
        # One part wrong: the message names that part.
        first = key.parts[0]
        if first.words is None:
            bad = key.full_answer.replace(first.answer, str(read(first.answer) + 1), 1)
            verdict = key.grade(bad)
            assert verdict.status == "incorrect" and first.name in verdict.message, (bad, verdict.message)


def test_several_inputs_reproduces_the_walkthrough_numbers() -> None:
    """a = 2, b = −3, c = 10, h = 0.0001: d moves from 4 to 3.9997, slope −3; ∂d/∂a = b = −3."""
    kind = KINDS["several-inputs"]
    task = Task(coeffs=(), style=Style(True), step=F(1, 10000), values=(("a", F(2)), ("b", F(-3)), ("c", F(10))),
                shape="a*b+c@a")
    solved = kind.solve(task)
    assert solved.answer.plain == "4, 3.9997, -0.0003, -3, -3"
    assert kind.recompute(task) == solved.answer.value
    words = " ".join(step.words for step in solved.steps)
    assert "∂d/∂a = b" in words and "−3" in solved.meaning


def test_chain_rule_by_hand() -> None:
    """w = 2, x = 3, b = 1, t = 4: y = 7, L = 9, dL/dy = 6, dy/dw = 3, dL/dw = 18; nudge 0.001: 9.018009, 18.009."""
    kind = KINDS["chain-rule"]
    task = Task(coeffs=(), style=Style(True), step=F(1, 1000),
                values=(("w", F(2)), ("x", F(3)), ("b", F(1)), ("t", F(4))), shape="wx+b")
    solved = kind.solve(task)
    assert solved.answer.plain == "7, 9, 6, 3, 18, 9.018009, 18.009"
    assert kind.recompute(task) == solved.answer.value
    mistakes = dict(solved.mistakes)
    assert "7, 9, 6, 3, 6, 9.018009, 18.009" in mistakes  # dL/dw without the factor dy/dw
    assert "7, 9, -6, 3, -18, 9.018009, 18.009" in mistakes  # sign of (y − t) flipped
    assert "7, 9, 3, 3, 9, 9.018009, 18.009" in mistakes  # the factor 2 forgotten


@pytest.mark.parametrize("kind_id", NAMED)
def test_key_pdf_reads_back_the_answers(kind_id: str, tmp_path: Path) -> None:
    quiz = make_quiz(Options(count=2, kinds=(kind_id,)), 5)
    files = build_files(quiz, {"pdf"}, plots="none")
    (tmp_path / "key.pdf").write_bytes(files["key.pdf"])
    (tmp_path / "worksheet.pdf").write_bytes(files["worksheet.pdf"])
    key, sheet = pdf_text(tmp_path / "key.pdf"), pdf_text(tmp_path / "worksheet.pdf")
    for p in quiz.problems:
        for part in p.parts:
            text = part if isinstance(part, str) else part.text
            assert normalise(text) in key, (text, kind_id)
        assert normalise(p.meaning[:40]) in key
        assert normalise(p.answer.text) not in sheet


def test_training_steps_hard_asks_what_went_wrong_and_reads_how_students_say_it() -> None:
    quiz = json.loads(json.dumps(make_quiz(Options(count=3, kinds=("training-steps",), difficulty="hard"), 8).to_json()))
    keys = quiz_keys(quiz)
    for p in quiz["problems"]:
        assert p["loss_goes_down"] is False and read(p["losses"][-1]) > read(p["losses"][0])
        key = keys[p["number"]]
        for said in ("learning rate too large", "The learning rate is too big", "eta too large", "overshoot"):
            assert key.grade(f"{p['answer']}; no; {said}").status == "correct", said
        verdict = key.grade(f"{p['answer']}; no; learning rate too small")
        assert verdict.status == "incorrect" and "what went wrong" in verdict.message
        assert key.grade(f"{p['answer']}; yes; too large").status == "incorrect"


def test_training_steps_easy_and_medium_go_downhill_with_weights_after_each_step() -> None:
    for difficulty, points, steps in (("easy", 2, 2), ("medium", 3, 3)):
        for p in make_quiz(Options(count=5, kinds=("training-steps",), difficulty=difficulty), 2).to_json()["problems"]:
            assert len(p["data"]) == points and p["iterations"] == steps and len(p["weights"]) == steps + 1
            losses = [read(q) for q in p["losses"]]
            assert all(b < a for a, b in zip(losses, losses[1:])) and p["loss_goes_down"] is True
            # the weights after each step, recomputed from data and rate with sympy
            f, w, b = expression(p["expression"]), sympy.Symbol("w"), sympy.Symbol("b")
            point = (read(p["weights"][0]["w"]), read(p["weights"][0]["b"]))
            for after in p["weights"][1:]:
                here = {w: point[0], b: point[1]}
                point = (point[0] - read(p["rate"]) * sympy.diff(f, w).subs(here),
                         point[1] - read(p["rate"]) * sympy.diff(f, b).subs(here))
                assert point == (read(after["w"]), read(after["b"]))


def test_gradient_check_errors_shrink_with_h_and_the_centred_quotient_is_exact() -> None:
    for p in make_quiz(Options(count=6, kinds=("gradient-check",)), 4).to_json()["problems"]:
        g = read(next(iter(p["gradient"].values())))
        errors = [read(q) - g for q in p["one_sided"]]
        steps = [read(h) for h in p["steps"]]
        assert len({e / h for e, h in zip(errors, steps)}) == 1  # exactly x²·h
        assert all(read(q) == g for q in p["centred"])


def test_the_backprop_example_walks_from_f_2_001_to_a_trained_neuron(tmp_path: Path) -> None:
    """examples/backprop.toml through the real CLI: every section made, in order, every answer recomputed."""
    from click.testing import CliRunner

    from quizgen.cli import main

    example = Path(__file__).resolve().parent.parent / "examples" / "backprop.toml"
    result = CliRunner().invoke(main, ["make", "--spec", str(example), "-f", "json,html", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    quiz = json.loads((tmp_path / "quiz.json").read_text(encoding="utf-8"))
    problems = quiz["problems"]
    kinds = [p["kind"] for p in problems]
    assert kinds[:3] == ["evaluate", "difference", "difference-quotient"]
    assert problems[2]["answer"] == "8.003"  # (f(2.001) − f(2))/0.001, the walkthrough's start
    for kind in ("several-inputs", "chain-rule", "backprop", "neuron", "gradient-check", "training-steps"):
        assert kind in kinds
    assert kinds[-2:] == ["training-steps", "training-steps"]
    assert problems[-2]["loss_goes_down"] is True and problems[-1]["loss_goes_down"] is False
    assert all(p["step"] == "0.0001" for p in problems if p["kind"] == "several-inputs")
    for p in problems:
        assert agrees(p), p
    sections = [p["section"] for p in problems]
    assert len(dict.fromkeys(sections)) == 10 and sections[0].startswith("One input")


def test_practice_page_grades_them_part_by_part_in_chromium(tmp_path: Path) -> None:
    """practice.html in real headless Chromium: the key's own answers (numbers, labels, words) are right,
    a named mistake gets its feedback, a wrong part is named — the same verdicts as quizgen check."""
    from click.testing import CliRunner
    from playwright.sync_api import sync_playwright

    from quizgen.cli import main

    args = ["make", "--kind", "several-inputs", "--kind", "chain-rule", "--kind", "gradient-check", "--kind",
            "training-steps", "--count", "4", "--difficulty", "hard", "--seed", "3", "--format", "practice,json",
            "--variants", "0", "--out", str(tmp_path)]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    quiz = json.loads((tmp_path / "quiz.json").read_text(encoding="utf-8"))
    keys = quiz_keys(quiz)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.goto((tmp_path / "practice.html").as_uri())

        def verdict(number: int, text: str) -> tuple[str, str]:
            box = page.locator(f"#answer-{number}")
            box.fill(text)
            box.press("Enter")
            feedback = page.locator(f"#feedback-{number}")
            return feedback.get_attribute("class").split()[-1], feedback.text_content() or ""

        for p_ in quiz["problems"]:
            n, key = p_["number"], keys[p_["number"]]
            typed = [key.full_answer, p_["mistakes"][0][0],
                     "; ".join(f"{part.labels[0]} = {part.answer}" for part in key.parts)]
            for text in typed:
                status, message = verdict(n, text)
                python = key.grade(text)
                assert status == python.status and message == python.message, (p_["kind"], text, status, message, python)
            assert verdict(n, key.full_answer)[0] == "correct"
        browser.close()


@pytest.mark.parametrize(("args", "message"), [
    (["--kind", "training-steps", "--rate", "0.05", "--difficulty", "hard"],
     "Error: --rate: training-steps at hard asks what a too-large learning rate does, and with η = 0.05 the loss grew"),
    (["--kind", "training-steps", "--rate", "0.9"],
     "Error: --rate: training-steps at medium needs a learning rate under which the loss falls at every step"),
    (["--kind", "training-steps", "--rate", "0.03"],
     "Error: --rate: with η = 0.03, training-steps' weights and losses after 3 steps run past 8 significant digits"),
    (["--kind", "several-inputs", "--kind", "chain-rule", "--function", "3x^2"],
     "Error: --function: several-inputs and chain-rule draw their own data"),
])
def test_pinned_values_they_cannot_use_are_one_line_errors(args: list[str], message: str, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from quizgen.cli import main

    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["make", *args, "--count", "2", "--format", "json", "--out", str(out)])
    assert result.exit_code == 2 and result.output.startswith(message), result.output
    assert len(result.output.strip().splitlines()) == 1 and not out.exists()


def test_pinned_step_and_rate_are_used() -> None:
    quiz = make_quiz(Options(count=2, kinds=("several-inputs", "chain-rule"), step="0.5"), 1)
    assert all(p.task.step == F(1, 2) for p in quiz.problems)
    quiz = make_quiz(Options(count=2, kinds=("training-steps",), rate="0.02", difficulty="easy"), 1)
    assert all(p.task.rate == F(1, 50) for p in quiz.problems)
