"""limit-definition: f′(x) from the limit of the difference quotient, every step shown."""

from __future__ import annotations

from fractions import Fraction

from quizgen.exact import Poly, horner, poly_from_coeffs, poly_plain, power_rule
from quizgen.kinds.base import (
    DERIVATIVE_HINT,
    Kind,
    Solved,
    answer_poly,
    derivative_math,
    expansion_steps,
    limit_name,
    limit_rhs,
    poly_math,
    quotient_name,
)
from quizgen.kinds.calculus import Symbolic, exact_symbolic, sympy_symbolic
from quizgen.kinds.slips import factor_dropped, power_kept
from quizgen.model import Line, Math, SecantPicture, Step, Task


def limit_step(task: Task, sym: Symbolic) -> Step:
    """``f′(x) = lim_{h→0} (6x + 3h − 4) = 6x − 4``."""
    q = poly_math(sym.quotient, task.style)
    d = poly_math(sym.derivative, task.style)
    return Step(
        "Let h shrink to 0: every term with h vanishes.",
        (
            Line(
                Math(r"f'(x)", "f′(x)"),
                Math(rf"\lim_{{h \to 0}} ({q.latex})", f"lim h→0 ({q.text})"),
            ),
            Line(None, d),
        ),
    )


def short_derivation(task: Task, sym: Symbolic) -> Step:
    """f′(x) in two lines: the simplified quotient and its limit."""
    q = poly_math(sym.quotient, task.style)
    return Step(
        "From the limit definition: expand f(x + h), subtract f(x), divide by h, let h → 0.",
        (Line(quotient_name(), q),) + limit_step(task, sym).lines,
    )


def derivation(task: Task, sym: Symbolic) -> tuple[Step, ...]:
    """The full walkthrough from the definition to f′(x)."""
    start = Step("Start from the definition of the derivative.", (Line(Math("f'(x)", "f′(x)"), limit_rhs()),))
    return (start,) + expansion_steps(task, sym.shifted, sym.difference, sym.quotient) + (limit_step(task, sym),)


def picture(task: Task) -> SecantPicture:
    """The limit as a picture: secants at a nearby whole number with non-zero slope tilt onto the tangent."""
    s = task.style
    a = next((Fraction(p) for p in (1, 2, -1, -2, 0, 3) if horner(power_rule(task.coeffs), Fraction(p))), Fraction(1))
    slope = horner(power_rule(task.coeffs), a)
    return SecantPicture(
        task.coeffs, a, (),
        f"At x = {s.text(a)}: as h shrinks the secants tilt onto the tangent of slope f′({s.text(a)}) = {s.text(slope)}, "
        "the limit the definition takes.",
        f"The graph of f near x = {s.text(a)}.", s.decimal,
    )


def solve(task: Task) -> Solved:
    sym = sympy_symbolic(task)
    return Solved(
        given={"f": task.f_math(), "target": limit_name()},
        answer=answer_poly(task, sym.derivative),
        steps=derivation(task, sym),
        meaning=f"{derivative_math(task, sym.derivative).text} is the slope of the graph of f at every x.",
        plot=picture(task),
        mistakes=derivative_mistakes(task, sym),
    )


# The checker says this of an answer that still holds h; the same words keep its feedback unchanged.
STILL_H = "Your answer still contains h: take the limit as h → 0."


def derivative_mistakes(task: Task, sym: Symbolic) -> tuple[tuple[str, str], ...]:
    """f′(x) as the typical slips give it: h left in, h not divided out, the two power-rule slips."""
    s = task.style
    return (
        (poly_plain(sym.quotient, s), STILL_H),
        (poly_plain(sym.difference, s), "It looks like you forgot to divide by h."),
        (poly_plain(poly_from_coeffs(factor_dropped(task.coeffs)), s),
         "The power rule brings the power down as a factor: the slope of c·xⁿ is n·c·xⁿ⁻¹, not c·xⁿ⁻¹."),
        (poly_plain(poly_from_coeffs(power_kept(task.coeffs)), s),
         "The power rule lowers the power by one: the slope of c·xⁿ is n·c·xⁿ⁻¹, not n·c·xⁿ."),
    )


def recompute(task: Task) -> Poly:
    return exact_symbolic(task).derivative


KIND = Kind(
    "limit-definition", "Derivative from the limit definition", (), solve, recompute, "f′(x) from the definition",
    hint=DERIVATIVE_HINT,
)
