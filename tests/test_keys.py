"""What a problem is graded against: typed Answer.form/tolerance, each kind's hint, one key for page and check."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from quizgen.answers import check
from quizgen.generate import Options, make_quiz
from quizgen.kinds import KINDS
from quizgen.kinds.base import EQUATION_HINT, LIST_HINT, NUMBER_HINT
from quizgen.keys import generated_key, quiz_keys
from quizgen.model import Answer, Tolerance
from quizgen.practice import answer_hint, checker_data

# A set with every kind, gradient steps of one and of two iterations among them.
QUIZZES = [make_quiz(Options(count=28), 4), make_quiz(Options(count=28, difficulty="hard", degree=3), 5)]
PROBLEMS = [p for quiz in QUIZZES for p in quiz.problems]


def test_every_kind_is_in_the_sample() -> None:
    assert {p.kind for p in PROBLEMS} == set(KINDS)


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
        assert data.get("form") == p.answer.form
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
            assert keys[p.number].grade(p.answer.plain).status == "correct"
