"""simplify-quotient: (f(x + h) − f(x))/h simplified; it still contains h."""

from __future__ import annotations

from quizgen.exact import Poly, poly_plain
from quizgen.kinds.base import EXPRESSION_HINT, Kind, Solved, answer_poly, expansion_steps, quotient_name
from quizgen.kinds.calculus import exact_symbolic, sympy_symbolic
from quizgen.kinds.slips import difference_of, no_binomial, over_h, powers_split
from quizgen.model import Task


def solve(task: Task) -> Solved:
    sym = sympy_symbolic(task)
    mistakes = [
        (poly_plain(sym.derivative, task.style), "That is the limit f′(x); this question stops before letting h → 0, so keep the h terms."),
        (poly_plain(sym.difference, task.style), "It looks like you forgot to divide by h."),
    ]
    for wrong, why in (
        (no_binomial(task.coeffs), "The cross terms carry binomial coefficients: (x + h)² = x² + 2xh + h², not x² + xh + h²."),
        (powers_split(task.coeffs), "(x + h)² is not x² + h²: keep the cross terms such as 2xh."),
    ):
        slipped = over_h(difference_of(wrong, task.coeffs))
        if slipped:
            mistakes.append((poly_plain(slipped, task.style), why))
    return Solved(
        given={"f": task.f_math(), "target": quotient_name()},
        # An equal but unexpanded answer is not what was asked.
        answer=answer_poly(task, sym.quotient, form="expanded"),
        steps=expansion_steps(task, sym.shifted, sym.difference, sym.quotient),
        meaning="This is the average slope between x and x + h; it still depends on h.",
        mistakes=tuple(mistakes),
    )


def recompute(task: Task) -> Poly:
    return exact_symbolic(task).quotient


KIND = Kind(
    "simplify-quotient", "Simplify the difference quotient", (), solve, recompute, "(f(x + h) − f(x))/h simplified",
    hint=EXPRESSION_HINT,
)
