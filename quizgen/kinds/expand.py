"""expand: f(x + h) multiplied out, the first step of the limit definition."""

from __future__ import annotations

from quizgen.exact import Poly, poly_plain
from quizgen.kinds.base import EXPRESSION_HINT, Kind, Solved, answer_poly, f_shift_name, poly_math, shifted_form
from quizgen.kinds.calculus import exact_symbolic, sympy_symbolic
from quizgen.kinds.slips import first_term_shifted, no_binomial, plus_h
from quizgen.model import Line, Step, Task


def solve(task: Task) -> Solved:
    sym = sympy_symbolic(task)
    # The classic slip: (x + h)ⁿ written as xⁿ + hⁿ.
    slip: Poly = {}
    for n, c in enumerate(task.coeffs):
        for key in {(n, 0), (0, n)}:
            if c:
                slip[key] = slip.get(key, 0) + c
    slip = {k: v for k, v in slip.items() if v}
    mistakes: list[tuple[str, str]] = []
    if slip != sym.shifted:
        mistakes.append((poly_plain(slip, task.style), "(x + h)² is not x² + h²: keep the cross terms such as 2xh."))
    mistakes += [
        (poly_plain(no_binomial(task.coeffs), task.style),
         "The cross terms carry binomial coefficients: (x + h)² = x² + 2xh + h², not x² + xh + h²."),
        (poly_plain(first_term_shifted(task.coeffs), task.style), "Replace every x by (x + h), not only the one in the first term."),
        (poly_plain(plus_h(task.coeffs), task.style), "f(x + h) moves the input: replace x by x + h inside f, do not add h to f(x)."),
    ]
    return Solved(
        given={"f": task.f_math(), "target": f_shift_name()},
        # An equal but unexpanded answer is not what was asked.
        answer=answer_poly(task, sym.shifted, form="expanded"),
        steps=(
            Step(
                "Replace every x by (x + h), then expand the powers and collect like terms.",
                (Line(f_shift_name(), shifted_form(task)), Line(None, poly_math(sym.shifted, task.style))),
            ),
        ),
        meaning="This is the output after the input x is nudged by h.",
        mistakes=tuple(mistakes),
    )


def recompute(task: Task) -> Poly:
    return exact_symbolic(task).shifted


KIND = Kind("expand", "Expand f(x + h)", (), solve, recompute, "f(x + h) expanded", hint=EXPRESSION_HINT)
