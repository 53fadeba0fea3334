"""Difficulty levels: the ranges each level draws from hold, and quiz.json records a level only when it is not the default."""

from __future__ import annotations

from fractions import Fraction

import pytest

from quizgen.exact import Style
from quizgen.generate import Options, make_quiz
from quizgen.levels import LEVELS


@pytest.mark.parametrize("difficulty", list(LEVELS))
def test_difficulty_ranges_hold(difficulty: str) -> None:
    level = LEVELS[difficulty]
    quiz = make_quiz(Options(count=140, difficulty=difficulty, degree=3), 2)
    for p in quiz.problems:
        t = p.task
        if t.terms:
            continue
        assert 0 < abs(t.coeffs[-1]) <= level.lead[3]
        # a drawn loss has its constant raised until its lowest value is ≥ 0
        assert all(abs(c) <= level.other[3] for c in t.coeffs[1 if p.kind == "gradient-step" else 0:-1])
        if t.step is not None:
            assert Style(True).plain(t.step) in {Style(True).plain(Fraction(s)) for s in level.steps}
        if t.rate is not None and t.coeffs is not None and p.kind == "gradient-step":
            assert t.rate in {Fraction(r) for r in level.rates}
            assert t.iterations == level.iterations
    halves = [p for p in quiz.problems if p.task.point is not None and p.task.point.denominator == 2]
    assert bool(halves) == level.halves


def test_difficulty_recorded_only_when_not_default() -> None:
    assert "difficulty" not in make_quiz(Options(count=2), 1).options
    assert make_quiz(Options(count=2, difficulty="hard"), 1).options["difficulty"] == "hard"


def test_a_kind_without_h_writes_numbers_one_way() -> None:
    """A kind that shows no step h draws none: how it writes 3/2 (or 1.5) is not decided by a
    random step it never shows. Before, hard `evaluate` problems wrote f(1.5) or f(3/2) at random."""
    stepless = ("evaluate", "derivative-at", "rising-falling", "tangent-line", "expand", "limit-definition",
                "simplify-quotient")
    quiz = make_quiz(Options(count=70, kinds=stepless, difficulty="hard"), 5)
    for p in quiz.problems:
        assert p.task.step is None
        assert not p.task.style.decimal, (p.number, p.kind)
    halves = [p for p in quiz.problems if p.task.point is not None and p.task.point.denominator == 2]
    assert halves, "hard draws half points; the sweep must include some"
    for p in halves:
        assert "." not in p.answer.text, (p.kind, p.answer.text)


@pytest.mark.parametrize("difficulty", list(LEVELS))
def test_a_secant_table_ends_near_the_slope_it_approaches(difficulty: str) -> None:
    """A hard quartic's table stopped at h = 0.1 still 12 away from f′(a) = −177: no student can
    read the limit off that column. The last quotient is now within 1 of f′(a) (computed here from
    the coefficients, not by quizgen)."""
    quiz = make_quiz(Options(count=12, kinds=("secant-table",), degree=4, difficulty=difficulty), 3)
    for p in quiz.problems:
        c, a, h = p.task.coeffs, p.task.a, p.task.steps[-1]
        f = lambda x: sum(ci * x**i for i, ci in enumerate(c))  # noqa: E731
        slope = sum(i * ci * a ** (i - 1) for i, ci in enumerate(c) if i)
        assert abs((f(a + h) - f(a)) / h - slope) <= 1, (p.task.f_plain(), a)
