"""evaluate: f(a) for a polynomial f and a point a."""

from __future__ import annotations

from fractions import Fraction

from quizgen.kinds.base import Kind, Solved, answer_number, call, num, substitution_lines
from quizgen.kinds.calculus import exact_value, sympy_derivative_at, sympy_value
from quizgen.kinds.slips import power_as_product, squared_coefficient
from quizgen.model import Step, Task


def solve(task: Task) -> Solved:
    a = task.a
    value = sympy_value(task, a)
    s = task.style
    mistakes = []
    if a < 0:
        # -2² read as −(2²): every power of a taken as negative.
        slip = sum((c * -(abs(a) ** i) for i, c in enumerate(task.coeffs) if i), task.coeffs[0])
        if slip != value:
            mistakes.append((s.plain(slip), f"Put {s.text(a)} in parentheses before taking powers: ({s.text(a)})² is positive."))
    lead = task.coeffs[-1]
    mistakes += [
        (s.plain(squared_coefficient(task.coeffs, a)),
         f"The power applies to x only: {s.text_factor(lead)}({s.text(a)})² = {s.text_factor(lead)}({s.text(a * a)}), "
         f"not ({s.text(lead * a)})²."),
        (s.plain(power_as_product(task.coeffs, a)), "A power is repeated multiplication: x² is x·x, not 2·x."),
    ]
    if a:
        mistakes.append((s.plain(sympy_value(task, -a)), f"Substitute x = {s.text(a)} with its sign: that is f({s.text(-a)})."))
    mistakes.append((s.plain(sympy_derivative_at(task, a)), f"That is the slope f′({s.text(a)}); the question asks for the value f({s.text(a)})."))
    if task.coeffs[0]:
        mistakes.append((s.plain(value - task.coeffs[0]), f"Keep the constant term {s.text(task.coeffs[0])}: it is part of f(x) too."))
    return Solved(
        given={"f": task.f_math(), "target": call("f", num(task, a))},
        answer=answer_number(task, value),
        steps=(Step(f"Substitute x = {s.text(a)} into every term and work each one out exactly.", substitution_lines(task, a)),),
        meaning=f"The graph of f passes through the point ({s.text(a)}, {s.text(value)}).",
        mistakes=tuple(mistakes),
    )


def recompute(task: Task) -> Fraction:
    return exact_value(task, task.a)


KIND = Kind("evaluate", "Evaluate f at a point", ("point",), solve, recompute, "f(a) for a given a")
