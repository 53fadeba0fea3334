"""derivative-at: f′(x) from the definition, then f′ at several points."""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

from quizgen.kinds.base import blank, call, derivative_math, num, part, LIST_HINT, Kind, Solved, substitution_lines
from quizgen.kinds.calculus import exact_derivative_at, sympy_derivative_at, sympy_symbolic, sympy_value
from quizgen.exact import horner
from quizgen.kinds.slips import factor_dropped, power_kept, secant_slope
from quizgen.kinds.limit_definition import derivation
from quizgen.model import Answer, Math, Step, Task


def solve(task: Task) -> Solved:
    sym = sympy_symbolic(task)
    s = task.style
    values = tuple(sympy_derivative_at(task, p) for p in task.points)
    fprime = tuple(sym.derivative.get((i, 0), Fraction(0)) for i in range(task.degree))
    lines = tuple(line for p in task.points for line in substitution_lines(task, p, "f'", fprime))
    def listed(vs: Iterable[Fraction]) -> str:
        return ", ".join(s.plain(v) for v in vs)

    mistakes = (
        (listed(sympy_value(task, p) for p in task.points), "Those are the heights f(a); substitute each point into f′(x), not f(x)."),
        (listed(horner(factor_dropped(task.coeffs), p) for p in task.points),
         "The power rule brings the power down as a factor: the slope of c·xⁿ is n·c·xⁿ⁻¹, not c·xⁿ⁻¹."),
        (listed(secant_slope(task.coeffs, p) for p in task.points),
         "Those are secant slopes with h = 1, (f(a + 1) − f(a))/1; the tangent's slope is the limit as h → 0."),
        (listed(horner(power_kept(task.coeffs), p) for p in task.points),
         "The power rule lowers the power by one: the slope of c·xⁿ is n·c·xⁿ⁻¹, not n·c·xⁿ."),
    )
    listing = ", ".join(f"f′({s.text(p)}) = {s.text(v)}" for p, v in zip(task.points, values))
    return Solved(
        given={
            "f": task.f_math(),
            "points": Math(
                "x = " + ", ".join(s.latex(p) for p in task.points), "x = " + ", ".join(s.text(p) for p in task.points)
            ),
        },
        answer=Answer(
            values,
            ", ".join(s.plain(v) for v in values),
            ", ".join(s.latex(v) for v in values),
            ", ".join(s.text(v) for v in values),
        ),
        steps=derivation(task, sym) + (Step("Substitute each point into f′(x).", lines),),
        mistakes=mistakes,
        meaning=f"{listing}: the slope of the graph at each point.",
        blanks=(blank(Math("f'(x)", "f′(x)")),) + tuple(blank(call("f'", num(task, p))) for p in task.points),
        parts=(derivative_math(task, sym.derivative),)
        + tuple(part(call("f'", num(task, p)), num(task, v)) for p, v in zip(task.points, values)),
    )


def recompute(task: Task) -> tuple[Fraction, ...]:
    return tuple(exact_derivative_at(task, p) for p in task.points)


KIND = Kind(
    "derivative-at", "Derivative at several points", ("points",), solve, recompute, "f′(a₁), f′(a₂), f′(a₃)",
    hint=LIST_HINT,
)
