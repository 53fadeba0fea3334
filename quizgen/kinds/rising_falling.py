"""rising-falling: the sign of f′(a) says whether f rises or falls at a, its size how steeply."""

from __future__ import annotations

from fractions import Fraction

from quizgen.kinds.base import about, blank, part, Kind, Solved, labeled, call, num, substitution_lines
from quizgen.kinds.calculus import exact_derivative_at, sympy_derivative_at, sympy_symbolic, sympy_value
from quizgen.exact import horner
from quizgen.kinds.slips import factor_dropped, power_kept, secant_slope
from quizgen.kinds.limit_definition import short_derivation
from quizgen.model import Answer, Step, Task


def trend(slope: Fraction) -> str:
    return "rising" if slope > 0 else "falling" if slope < 0 else "flat"


def solve(task: Task) -> Solved:
    s, a = task.style, task.a
    sym = sympy_symbolic(task)
    slope = sympy_derivative_at(task, a)
    fprime = tuple(sym.derivative.get((i, 0), Fraction(0)) for i in range(task.degree))
    word = trend(slope)
    # "about 1 times as fast" reads badly: a slope of ±1 moves the output as fast as the input.
    rate = "" if abs(slope) == 1 else f"{about(s, abs(slope))} times "
    if slope > 0:
        meaning = f"f is rising at x = {s.text(a)}: the output grows about {rate}as fast as the input."
    elif slope < 0:
        meaning = f"f is falling at x = {s.text(a)}: the output drops about {rate}as fast as the input grows."
    else:
        meaning = f"f is flat at x = {s.text(a)}: a small nudge of the input barely moves the output."
    return Solved(
        given={"f": task.f_math(), "a": labeled("x", num(task, a)), "slope": call("f'", num(task, a))},
        answer=Answer(
            (word, slope),
            s.plain(slope),
            s.latex(slope),
            s.text(slope),
        ),
        steps=(
            short_derivation(task, sym),
            Step(f"The sign of the slope at x = {s.text(a)} decides: positive rising, negative falling, zero flat.", substitution_lines(task, a, "f'", fprime)),
        ),
        meaning=meaning,
        mistakes=((s.plain(-slope), "Check the sign of f′(a): it decides rising or falling."),) * bool(slope) + (
            (s.plain(sympy_value(task, a)), "That is the height f(a); rising or falling is decided by the slope f′(a)."),
            (s.plain(horner(factor_dropped(task.coeffs), a)),
             "The power rule brings the power down as a factor: the slope of c·xⁿ is n·c·xⁿ⁻¹, not c·xⁿ⁻¹."),
            (s.plain(secant_slope(task.coeffs, a)),
             "That is the secant slope with h = 1, (f(a + 1) − f(a))/1; the tangent's slope is the limit as h → 0."),
            (s.plain(horner(power_kept(task.coeffs), a)),
             "The power rule lowers the power by one: the slope of c·xⁿ is n·c·xⁿ⁻¹, not n·c·xⁿ."),
        ),
        extra={"trend": word},
        blanks=("rising, falling or flat?", blank(call("f'", num(task, a)))),
        parts=(word, part(call("f'", num(task, a)), num(task, slope))),
    )


def recompute(task: Task) -> tuple[str, Fraction]:
    slope = exact_derivative_at(task, task.a)
    return (trend(slope), slope)


KIND = Kind("rising-falling", "Rising or falling?", ("point",), solve, recompute, "rising/falling/flat and f′(a)", allow_flat=True)
