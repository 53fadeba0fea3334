"""Every kind, over many seeds: answers exact, verified, and equal to an independent recomputation."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from independent import agrees, expected_answer, read
from quizgen.errors import VerificationError
from quizgen.generate import Options, build_problem, make_quiz
from quizgen.kinds import DEFAULT_KINDS, KINDS
from quizgen.model import NO_PINS, Pins, Task
from quizgen.verify import verify

# The kinds after the walkthrough's first ten.
LATER = ("secant-table", "tangent-line", "gradient-step", "partial-derivatives")
# An exact decimal or fraction: no exponent, no float noise such as 0.30000000000000004.
NUMBER = re.compile(r"^-?\d+(\.\d{1,12})?(/\d+)?$")


@pytest.mark.parametrize("kind_id", list(KINDS))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**48), degree=st.sampled_from([2, 3, 4]))
def test_answers_match_an_independent_computation(kind_id: str, seed: int, degree: int) -> None:
    problem = build_problem(KINDS[kind_id], 1, seed, degree, Pins(None, None, None, False))
    assert problem is not None
    data = problem.to_json()
    assert agrees(data), (data, expected_answer(data))


def test_seed_sweep_over_ten_thousand_problems() -> None:
    """10,000 problems across all kinds: each verified twice inside quizgen, each answer well-formed."""
    pins = Pins(None, None, None, False)
    made = 0
    for seed in range(1000):
        for kind in (KINDS[k] for k in DEFAULT_KINDS):  # the network kinds: tests/test_network_kinds.py
            problem = build_problem(kind, 1, seed, 2 + seed % 3, pins)
            assert problem is not None, (kind.id, seed)
            for part in problem.answer.plain.split(", "):
                if "x" not in part and "h" not in part:
                    assert NUMBER.match(part), (kind.id, seed, part)
            assert "e" not in problem.answer.plain.replace("rising", "")
            made += 1
    assert made >= 10_000


def test_independent_checker_catches_a_wrong_answer() -> None:
    """The test oracle itself can fail: a tampered answer is rejected."""
    data = build_problem(KINDS["difference-quotient"], 1, 5, 2, Pins(None, None, None, False)).to_json()
    data["answer"] = str(read(data["answer"]) + read("1/1000"))
    assert not agrees(data)


def test_verification_failure_stops_the_run() -> None:
    """A kind whose sympy route disagrees with the exact route raises, never returns."""
    kind = KINDS["evaluate"]
    problem = build_problem(kind, 1, 3, 2, Pins(None, None, None, False))
    solved = kind.solve(problem.task)
    wrong = Task(problem.task.coeffs[:-1] + (problem.task.coeffs[-1] + 1,), problem.task.style, point=problem.task.point)
    with pytest.raises(VerificationError, match="evaluate"):
        verify(kind, wrong, solved)


def test_same_seed_same_problems_and_each_problem_rebuilds_from_its_own_seed() -> None:
    a = make_quiz(Options(count=20), 77).to_json()
    b = make_quiz(Options(count=20), 77).to_json()
    assert a == b
    for p in a["problems"]:
        again = build_problem(KINDS[p["kind"]], p["number"], p["seed"], 2, Pins(None, None, None, False))
        assert again.to_json() == p


def test_no_duplicates_and_walkthrough_order() -> None:
    quiz = make_quiz(Options(count=40), 11).to_json()
    kinds = [p["kind"] for p in quiz["problems"]]
    assert kinds[: len(DEFAULT_KINDS)] == list(DEFAULT_KINDS)
    keys = [
        (p["kind"], p["function"], str(p.get("point")), tuple(p.get("points", ())), p.get("step"), p.get("start"), p.get("rate"))
        for p in quiz["problems"]
    ]
    assert len(set(keys)) == len(keys)


@pytest.mark.parametrize("degree", [2, 3, 4])
def test_degree_and_leading_coefficient(degree: int) -> None:
    for p in make_quiz(Options(count=30, degree=degree), degree).problems:
        # partial-derivatives' loss of two weights has terms, not coefficients of x; a loss has a
        # minimum, so degree 3 draws quartic losses (a cubic falls forever one way)
        loss = p.kind in ("gradient-step", "partial-derivatives")
        assert p.task.degree == (4 if loss and degree == 3 else degree) and (p.task.terms or p.task.coeffs[-1] != 0)


def test_no_trick_zero_slopes_except_flat() -> None:
    for p in make_quiz(Options(count=200), 5).problems:
        if p.kind in {"difference-quotient", "estimate-error", "linear-approximation", "difference"}:
            # f′(a) ≠ 0: the slope is computed here by the power rule, by hand.
            slope = sum(i * c * p.task.point ** (i - 1) for i, c in enumerate(p.task.coeffs) if i)
            assert slope != 0, p.to_json()
    flats = [
        p for seed in range(200)
        if (p := build_problem(KINDS["rising-falling"], 1, seed, 2, Pins(None, None, None, False))).extra["trend"] == "flat"
    ]
    assert flats, "rising-falling should sometimes ask about a flat point"


def test_linear_approximation_uses_small_steps() -> None:
    """The key says the prediction is close because Δx is small: every level keeps |Δx| ≤ 0.1."""
    from fractions import Fraction

    for level in ("easy", "medium", "hard"):
        quiz = make_quiz(Options(count=40, kinds=("linear-approximation",), difficulty=level), 9)
        assert all(abs(p.task.step) <= Fraction(1, 10) for p in quiz.problems), level


@pytest.mark.parametrize("difficulty", ["easy", "medium", "hard"])
def test_derivative_at_points_have_non_zero_slopes(difficulty: str) -> None:
    """derivative-at asks for f′ at three points, none of them a trick f′(a) = 0 (only rising-falling is flat)."""
    for degree in (2, 3, 4):
        quiz = make_quiz(Options(count=40, kinds=("derivative-at",), degree=degree, difficulty=difficulty), 11)
        for p in quiz.problems:
            slopes = [sum(i * c * a ** (i - 1) for i, c in enumerate(p.task.coeffs) if i) for a in p.task.points]
            assert len(p.task.points) == 3 and 0 not in slopes, p.to_json()


def test_rising_falling_meaning_reads_well_for_a_slope_of_one() -> None:
    """f(x) = x² + x at 0 has f′(0) = 1: "as fast as the input", not "about 1 times as fast"."""
    for function, word in (("x^2+x", "grows"), ("x^2-x", "drops")):
        options = Options(count=1, kinds=("rising-falling",), function=function, point="0")
        meaning = make_quiz(options, 1).problems[0].meaning
        assert f"the output {word} about as fast as the input" in meaning and "1 times" not in meaning, meaning
    options = Options(count=1, kinds=("rising-falling",), function="3x^2-4x+5", point="2")
    assert "grows about 8 times as fast as the input." in make_quiz(options, 1).problems[0].meaning


@pytest.mark.parametrize("kind_id", LATER)
def test_a_wrong_sympy_answer_is_caught(kind_id: str) -> None:
    kind = KINDS[kind_id]
    problem = build_problem(kind, 1, 5, 2, NO_PINS)
    solved = kind.solve(problem.task)
    t = problem.task
    if t.terms:
        (key, c), *rest = t.terms
        wrong = Task(t.coeffs, t.style, variables=t.variables, terms=((key, c + 1), *rest), at=t.at, rate=t.rate)
    else:
        wrong = Task(t.coeffs[:-1] + (t.coeffs[-1] + 1,), t.style, point=t.point, variables=t.variables,
                     start=t.start, rate=t.rate, iterations=t.iterations, steps=t.steps)
    with pytest.raises(VerificationError, match=kind_id):
        verify(kind, wrong, solved)


def test_registered_after_the_first_ten_in_walkthrough_order() -> None:
    assert list(DEFAULT_KINDS)[10:] == list(LATER)
    quiz = make_quiz(Options(count=28), 4)
    assert [p.kind for p in quiz.problems[10:14]] == list(LATER)


def test_no_duplicates_among_many_problems_of_the_later_kinds() -> None:
    quiz = make_quiz(Options(kinds=LATER, count=120), 9)
    keys = [json.dumps({k: v for k, v in p.to_json().items() if k not in ("number", "seed")}, sort_keys=True)
            for p in quiz.problems]
    assert len(set(keys)) == len(keys) == 120
