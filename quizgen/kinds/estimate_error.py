"""estimate-error: how far the difference quotient is from the true slope f′(a)."""

from __future__ import annotations

from fractions import Fraction

from quizgen.exact import Poly
from quizgen.kinds.base import Kind, Solved, answer_number, labeled, lead_h, num, poly_math, substitution_lines
from quizgen.kinds.calculus import exact_derivative_at, exact_value, sympy_derivative_at, sympy_symbolic
from quizgen.kinds.difference import change_steps
from quizgen.kinds.difference_quotient import quotient_step
from quizgen.kinds.limit_definition import short_derivation
from quizgen.model import Line, Math, Step, Task


def error_poly(task: Task, quotient: Poly, slope: Fraction) -> Poly:
    """E(h) = quotient(a, h) − f′(a) as a polynomial in h alone."""
    out: dict[tuple[int, int], Fraction] = {}
    for (i, j), c in quotient.items():
        out[(0, j)] = out.get((0, j), Fraction(0)) + c * task.a**i
    out[(0, 0)] = out.get((0, 0), Fraction(0)) - slope
    return {k: v for k, v in out.items() if v}


def solve(task: Task) -> Solved:
    s, a, h = task.style, task.a, task.h
    sym = sympy_symbolic(task)
    steps, _, _, diff = change_steps(task)
    qstep, q = quotient_step(task, diff)
    slope = sympy_derivative_at(task, a)
    fprime = tuple(sym.derivative.get((i, 0), Fraction(0)) for i in range(task.degree))
    err = q - slope
    # The error is a number; E(h), the error as a polynomial in h, is a separate line that gives it again.
    e_h = poly_math(error_poly(task, sym.quotient, slope), s)
    lines = (
        Line(Math("\\text{error}", "error"), Math(f"{s.latex(q)} - {s.latex_subtrahend(slope)}", f"{s.text(q)} − {s.text_subtrahend(slope)}")),
        Line(None, num(task, err)),
    )
    e_poly = error_poly(task, sym.quotient, slope)
    e_coeffs = tuple(e_poly.get((0, j), Fraction(0)) for j in range(task.degree))
    if task.degree == 2:
        rule = f"For a quadratic the error is exactly (leading coefficient)·h, E(h) = {lead_h(task).text}; at h = {s.text(h)}:"
    else:
        rule = f"The error shrinks with h: it is a polynomial in h with no constant term; at h = {s.text(h)}:"
    check = (Line(Math("E(h)", "E(h)"), e_h),) + substitution_lines(task, h, "E", e_coeffs)
    return Solved(
        given={"f": task.f_math(), "a": labeled("a", num(task, a)), "h": labeled("h", num(task, h))},
        answer=answer_number(task, err),
        steps=steps
        + (
            qstep,
            short_derivation(task, sym),
            Step(f"The true slope at x = {s.text(a)}:", substitution_lines(task, a, "f'", fprime)),
            Step("Subtract the true slope from the estimate.", lines),
            Step(rule, check),
        ),
        meaning=f"The quotient with h = {s.text(h)} overestimates f′({s.text(a)}) by {s.text(err)}." if err > 0
        else f"The quotient with h = {s.text(h)} underestimates f′({s.text(a)}) by {s.text(-err)}.",
        mistakes=(
            (s.plain(-err), "Error here means estimate minus true slope: check the sign."),
            (s.plain(q), f"That is the quotient itself; subtract the true slope f′({s.text(a)}) = {s.text(slope)} to get the error."),
            (s.plain(slope), "That is the true slope f′(a); the error is the quotient minus it."),
            (s.plain(err / h), "The error is already a difference of slopes: do not divide it by h again."),
        ),
    )


def recompute(task: Task) -> Fraction:
    a, h = task.a, task.h
    return (exact_value(task, a + h) - exact_value(task, a)) / h - exact_derivative_at(task, a)


KIND = Kind(
    "estimate-error",
    "Error of the estimate",
    ("point", "step"),
    solve,
    recompute,
    "quotient − f′(a)",
    acceptable=lambda task: recompute(task) != 0,
)
