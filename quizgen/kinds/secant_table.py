"""secant-table: quotients for h = 0.1, 0.01, … closing in on f′(a), with the error of each."""

from __future__ import annotations

from fractions import Fraction

from quizgen.exact import Style, horner, power_rule
from quizgen.kinds.base import LIST_HINT, Kind, Solved, call, labeled, lead_h, num, substitution_lines, sum_point
from quizgen.kinds.calculus import exact_value, sympy_derivative_at, sympy_symbolic, sympy_value
from quizgen.kinds.limit_definition import short_derivation
from quizgen.model import Answer, Line, Math, SecantPicture, Step, Task


QUOTIENT = Math(r"\frac{f(a + h) - f(a)}{h}", "(f(a + h) − f(a))/h")
HEADER = (
    Math("h", "h"),
    Math("f(a + h)", "f(a + h)"),
    QUOTIENT,
    Math(r"\text{error} = \text{quotient} - f'(a)", "error = quotient − f′(a)"),
)


def hundredth(slope: Fraction) -> str:
    """slope × 0.01 as words use it: a decimal when exact."""
    return Style(True).text(slope / 100)


def step_list(task: Task) -> str:
    """``h = 0.1, 0.01, 0.001``."""
    return "h = " + ", ".join(task.style.text(h) for h in task.steps)


def solve(task: Task) -> Solved:
    s, a = task.style, task.a
    sym = sympy_symbolic(task)
    fa = sympy_value(task, a)
    slope = sympy_derivative_at(task, a)
    fprime = tuple(sym.derivative.get((i, 0), Fraction(0)) for i in range(task.degree))
    rows, quotients, diffs = [], [], []
    for h in task.steps:
        fah = sympy_value(task, a + h)
        q = (fah - fa) / h
        quotients.append(q)
        diffs.append(fah - fa)
        rows.append((num(task, h), num(task, fah), num(task, q), num(task, q - slope)))
    h0 = task.steps[0]
    q0 = quotients[0]
    first = Step(
        f"One row in full, h = {s.text(h0)}: evaluate f at {s.text(a + h0)}, subtract f({s.text(a)}) = {s.text(fa)}, divide by h.",
        (Line(call("f", sum_point(task, a, h0)), call("f", num(task, a + h0))),)
        + substitution_lines(task, a + h0)
        + (
            Line(
                QUOTIENT,
                Math(
                    rf"\frac{{{s.latex(fa + diffs[0])} - {s.latex_subtrahend(fa)}}}{{{s.latex(h0)}}}",
                    f"({s.text(fa + diffs[0])} − {s.text_subtrahend(fa)})/{s.text_factor(h0)}",
                ),
            ),
            Line(None, num(task, q0)),
        ),
    )
    if task.degree == 2:
        rule = f"For a quadratic the error is exactly (leading coefficient)·h = {lead_h(task).text}."
    else:
        rule = "The error is a polynomial in h with no constant term, so it shrinks about as fast as h."
    listing = ", ".join(s.text(q) for q in quotients)
    key_caption = (
        f"As h shrinks the secants through ({s.text(a)}, {s.text(fa)}) tilt onto "
        f"the tangent of slope f′({s.text(a)}) = {s.text(slope)}."
    )
    return Solved(
        given={"f": task.f_math(), "a": labeled("a", num(task, a)), "hs": Math(
            "h = " + ", ".join(s.latex(h) for h in task.steps), step_list(task))},
        answer=Answer(
            tuple(quotients),
            ", ".join(s.plain(q) for q in quotients),
            ", ".join(s.latex(q) for q in quotients),
            ", ".join(s.text(q) for q in quotients),
        ),
        steps=(
            Step(f"Start from f({s.text(a)}).", substitution_lines(task, a)),
            first,
            short_derivation(task, sym),
            Step(f"The exact slope at x = {s.text(a)}, to compare with:", substitution_lines(task, a, "f'", fprime)),
            Step(
                f"The whole table: each row is f(a + h), the quotient, and its error against f′({s.text(a)}) = {s.text(slope)}. " + rule,
                header=HEADER,
                table=tuple(rows),
            ),
        ),
        meaning=(
            f"As h shrinks the quotients {listing} close in on f′({s.text(a)}) = {s.text(slope)}: "
            f"the slope of the tangent is the limit of the secant slopes. Nudging x up by 0.01 near x = {s.text(a)} "
            f"changes f by about {hundredth(slope)}."
        ),
        mistakes=(
            (", ".join(s.plain(d) for d in diffs), "Those are the changes f(a + h) − f(a); divide each by its h."),
            (", ".join(s.plain(-q) for q in quotients), "The order is reversed: each quotient is (f(a + h) − f(a))/h, new minus old."),
            (", ".join(s.plain(sympy_value(task, a + h) / h) for h in task.steps),
             "Subtract f(a) before dividing: each quotient is (f(a + h) − f(a))/h."),
            (", ".join(s.plain(slope) for _ in task.steps),
             f"That is the limit f′({s.text(a)}) for every row; the table asks for the quotient at each h, which only approaches it."),
        ),
        extra={"errors": [s.plain(q - slope) for q in quotients], "slope": s.plain(slope)},
        blanks=("quotients, in order:", "the number they approach:"),
        parts=(
            Math(", ".join(s.latex(q) for q in quotients), ", ".join(s.text(q) for q in quotients)),
            Math(rf"\text{{approach}} f'({s.latex(a)}) = {s.latex(slope)}", f"approach f′({s.text(a)}) = {s.text(slope)}"),
        ),
        plot=SecantPicture(
            task.coeffs, a, task.steps, key_caption,
            f"The graph of f near x = {s.text(a)}.", s.decimal,
        ),
    )


def recompute(task: Task) -> tuple[Fraction, ...]:
    a = task.a
    fa = exact_value(task, a)
    return tuple((exact_value(task, a + h) - fa) / h for h in task.steps)


def close_enough(task: Task) -> bool:
    """The last quotient must show where the column is heading: within 1 of f′(a) (within a tenth
    of |f′(a)| when that is smaller, but never asked closer than 1/4). A hard quartic's table stopped
    at h = 0.1 while still 12 away from f′(a) = −177: a smaller h would break the digit bound, so
    such tasks are redrawn instead."""
    a, h = task.a, task.steps[-1]
    slope = horner(power_rule(task.coeffs), a)
    last = (horner(task.coeffs, a + h) - horner(task.coeffs, a)) / h
    return abs(last - slope) <= max(Fraction(1, 4), min(Fraction(1), abs(slope) / 10))


KIND = Kind(
    "secant-table",
    "Secant slopes converging to f′(a)",
    ("point", "steps"),
    solve,
    recompute,
    "(f(a + h) − f(a))/h for h = 0.1, 0.01, 0.001",
    hint=LIST_HINT,
    acceptable=close_enough,
)
