"""What a problem is graded against: typed Answer.form/tolerance, each kind's hint, one key for page and check."""

from __future__ import annotations

import json
from pathlib import Path
import re
from dataclasses import replace

import pytest

from quizgen.answers import check
from quizgen.generate import Options, make_quiz
from quizgen.kinds import DEFAULT_KINDS, KINDS
from quizgen.kinds.base import EQUATION_HINT, LIST_HINT, NUMBER_HINT
from quizgen.keys import generated_key, quiz_keys
from quizgen.model import Answer, Tolerance, graded_form
from quizgen.practice import answer_hint, checker_data

# A set with every kind, gradient steps of one and of two iterations among them.
QUIZZES = [make_quiz(Options(count=28), 4), make_quiz(Options(count=28, difficulty="hard", degree=3), 5)]
PROBLEMS = [p for quiz in QUIZZES for p in quiz.problems]


def test_every_kind_is_in_the_sample() -> None:
    assert {p.kind for p in PROBLEMS} == set(DEFAULT_KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_says_what_its_box_takes(kind: str) -> None:
    """The hint matches the shape of the answer, and never gives the answer away."""
    for p in (p for p in PROBLEMS if p.kind == kind):
        hint = answer_hint(p)
        assert hint and p.answer.plain not in hint
        if hint == NUMBER_HINT:
            assert not re.search(r"[,=xwh]", p.answer.plain), p.answer.plain
        if hint == LIST_HINT or "separated by commas" in hint:
            assert "," in p.answer.plain
        if hint == EQUATION_HINT:
            assert "=" in p.answer.plain


def test_gradient_steps_hint_by_iterations() -> None:
    steps = [p for p in PROBLEMS if p.kind == "gradient-step"]
    assert {p.task.iterations for p in steps} == {1, 2}
    for p in steps:
        assert ("weights" in answer_hint(p)) == (p.task.iterations > 1) == ("," in p.answer.plain)


def test_form_is_a_typed_field_of_the_answer_not_extra() -> None:
    for p in PROBLEMS:
        assert "form" not in p.extra and "tolerance" not in p.extra
        assert p.answer.form == ("expanded" if p.kind in ("expand", "simplify-quotient") else None)
        data = p.to_json()
        # quiz.json says "value" where the answer is a number: a calculation is not accepted there
        assert data.get("form") == graded_form(p.answer.form, p.answer.plain)
        assert (data.get("form") == "value") == (p.kind in ("evaluate", "difference", "difference-quotient",
            "derivative-at", "estimate-error", "linear-approximation", "rising-falling", "secant-table",
            "gradient-step", "partial-derivatives"))
        # quiz.json's field order is unchanged: form comes right after the mistakes.
        keys = list(data)
        if p.answer.form:
            assert keys[keys.index("form") - 1] in ("mistakes", "meaning")


def test_tolerance_is_recorded_only_when_set() -> None:
    assert Tolerance(rtol=0.01).to_json() == {"rtol": 0.01}
    assert Tolerance(0.01, 0.5).to_json() == {"rtol": 0.01, "atol": 0.5}
    answer = Answer(1, "0.08", "0.08", "0.08", tolerance=Tolerance(rtol=0.01))
    problem = PROBLEMS[0]
    data = replace(problem, answer=answer).to_json()
    assert data["tolerance"] == {"rtol": 0.01}
    assert "tolerance" not in problem.to_json()


def test_the_page_and_quiz_json_carry_the_same_key() -> None:
    """The practice page grades with exactly what quiz.json stores for check."""
    quiz = QUIZZES[0]
    page = json.loads(str(checker_data(quiz)).replace("<\\/", "</"))
    for item, p in zip(page, quiz.problems, strict=True):
        stored = p.to_json()
        for field in ("number", "kind", "answer", "mistakes", "form", "tolerance"):
            assert item.get(field) == stored.get(field), (p.number, field)


def test_an_unexpanded_expand_answer_is_refused_by_its_key() -> None:
    (p,) = [p for p in PROBLEMS if p.kind == "expand"][:1]
    coeffs = p.task.coeffs
    # f(x + h) left as a sum of powers of (x + h): equal, but not what was asked.
    typed = " + ".join(f"({c})*(x+h)^{i}" for i, c in enumerate(coeffs) if c)
    assert check(typed, p.answer.plain).status == "correct"
    assert check(typed, p.answer.plain, form=p.answer.form).status == "incorrect"


def test_check_and_the_page_build_keys_with_one_function() -> None:
    """`quizgen check` (quiz_keys over quiz.json) and the page (generated_key) get equal keys from problem_key."""
    for quiz in QUIZZES:
        keys = quiz_keys(json.loads(json.dumps(quiz.to_json())))
        assert [generated_key(p) for p in quiz.problems] == [keys[p.number] for p in quiz.problems]
        for p in quiz.problems:
            assert keys[p.number].grade(keys[p.number].full_answer).status == "correct"


# ---------------------------------------------------------------- multi-part answers, values not calculations
# The entries below are written by hand (the fields quiz.json carries for these kinds); the
# expected verdicts are worked out by hand: L(w) = 5w² + 5w + 2, w₀ = −2, η = 0.05:
# L′(−2) = −15, w₁ = −2 + 0.75 = −1.25, L(−2) = 20 − 10 + 2 = 12, L(−1.25) = 7.8125 − 6.25 + 2 = 3.5625,
# the minimum is at −0.5 and −1.25 < −0.5: no overshoot.
GRADIENT_STEP = {"number": 1, "kind": "gradient-step", "answer": "-1.25", "weights": ["-2", "-1.25"],
                 "loss_before": "12", "loss_after": "3.5625", "overshoot": False,
                 "mistakes": [["-2.75", "Gradient descent steps against the slope."]]}


@pytest.mark.parametrize("typed, status, says", [
    ("-1.25; 12; 3.5625; no", "correct", ""),
    ("-1.25, 12, 3.5625, no", "correct", ""),
    ("w1 = -1.25; L0 = 12; L1 = 3.5625; no", "correct", ""),
    ("w₁ = −5/4; L(w₀) = 12; L(w₁) = 3.5625; overshoot: no", "correct", ""),
    ("no; L1 = 3.5625; w1 = -1.25; L0 = 12", "correct", ""),
    ("-1.25", "incorrect", "missing: L(w₀), L(w₁), overshoot"),
    ("-1.25; 12; 3.5625; yes", "incorrect", "overshoot (yes/no) is not right"),
    ("-1.25; 12; 4; no", "incorrect", "L(w₁): "),
    ("-2.75; 12; 3.5625; no", "incorrect", "w₁: Gradient descent steps against the slope"),
    ("-2+3/4; 12; 3.5625; no", "incorrect", "write the value, not the calculation"),
    ("w1 = -1.25; x = 3", "incorrect", "there is no part called 'x'"),
    ("-1.25; 12; 3.5625; no; 7", "incorrect", "more answers than the question asks for"),
])
def test_gradient_step_is_graded_part_by_part(typed, status, says) -> None:
    key = quiz_keys({"problems": [GRADIENT_STEP]})[1]
    assert [p.name for p in key.parts] == ["w₁", "L(w₀)", "L(w₁)", "overshoot (yes/no)"]
    verdict = key.grade(typed)
    assert verdict.status == status, verdict
    assert says in verdict.message


@pytest.mark.parametrize("typed, status, says", [
    ("-25", "correct", ""), ("falling", "correct", ""), ("falling, -25", "correct", ""), ("falling -25", "correct", ""),
    ("decreasing; slope = -25", "correct", ""),
    ("rising, -25", "incorrect", "f′(a) right; rising/falling/flat is not right"),
    ("falling, 25", "incorrect", "f′(a): "), ("rising", "incorrect", "rising/falling/flat is not right"),
])
def test_rising_falling_takes_the_word_the_slope_or_both(typed, status, says) -> None:
    entry = {"number": 1, "kind": "rising-falling", "answer": "-25", "trend": "falling"}
    verdict = quiz_keys({"problems": [entry]})[1].grade(typed)
    assert verdict.status == status, verdict
    assert says in verdict.message


def test_partial_derivatives_and_secant_table_parts() -> None:
    # L = 2w1² + w1w2 + w2² − 8w1 − 4w2 + 12 at (−3, −2): ∂/∂w1 = 4(−3) − 2 − 8 = −22, ∂/∂w2 = −3 − 4 − 4 = −11;
    # step η = 0.01: (−3 + 0.22, −2 + 0.11) = (−2.78, −1.89); the loss falls (72 → 66.0831)
    partial = {"number": 1, "kind": "partial-derivatives", "answer": "-22, -11", "gradient": ["-22", "-11"],
               "new_point": ["-2.78", "-1.89"], "loss_before": "72", "loss_after": "66.0831",
               "mistakes": [["-11, -22", "The order is ∂L/∂w₁ first, then ∂L/∂w₂."]]}
    key = quiz_keys({"problems": [partial]})[1]
    assert key.grade("-22, -11").status == "correct"
    assert key.grade("-22, -11; (-2.78, -1.89); yes").status == "correct"
    assert "loss goes down (yes/no) is not right" in key.grade("-22, -11; (-2.78, -1.89); no").message
    assert key.grade("-11, -22").message == "The order is ∂L/∂w₁ first, then ∂L/∂w₂."
    assert "missing: ∂L/∂w₂" in key.grade("-22").message
    # f = 4x² + 8x + 1, a = 3: quotient 4(2a + h) + 8 = 32 + 4h
    secant = {"number": 2, "kind": "secant-table", "answer": "32.4, 32.04, 32.004", "steps": ["0.1", "0.01", "0.001"],
              "slope": "32"}
    key = quiz_keys({"problems": [secant]})[2]
    assert key.grade("32.4, 32.04, 32.004").status == "correct"
    assert key.grade("32.4, 32.04, 32.004; 32").status == "correct"
    verdict = key.grade("32.4, 32.04, 32.04")
    assert verdict.status == "incorrect" and "quotient for h = 0.001: " in verdict.message
    assert "the number they approach: " in key.grade("32.4, 32.04, 32.004; 33").message


def test_a_number_question_does_not_take_a_calculation() -> None:
    key = quiz_keys({"problems": [{"number": 1, "kind": "evaluate", "answer": "106"}]})[1]
    assert key.form == "value"
    assert key.grade("106").status == "correct"
    verdict = key.grade("3*25+30+1")
    assert verdict.status == "incorrect" and "write the value, not the calculation" in verdict.message
    assert key.grade("-7/2").status == "incorrect"  # a value, just the wrong one
    expression = quiz_keys({"problems": [{"number": 1, "answer": "6*x - 4"}]})[1]
    assert expression.form is None and expression.grade("2(3x-2)").status == "correct"


PART_CASES = json.loads((Path(__file__).parent / "answer_parts.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", PART_CASES, ids=[f"{i}-{c['entry']['kind']}-{ascii(c['answer'][:20])}"
                                                  for i, c in enumerate(PART_CASES)])
def test_multi_part_table(case) -> None:
    """The shared table of multi-part answers (checker.js must give the same verdicts: test_checker_js)."""
    verdict = quiz_keys({"problems": [case["entry"]]})[1].grade(case["answer"])
    assert verdict.status == case["status"], verdict
    assert case.get("message_contains", "") in verdict.message
