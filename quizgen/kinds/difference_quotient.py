"""difference-quotient: (f(a + h) − f(a))/h, the average rate of change over a small step."""

from __future__ import annotations

from fractions import Fraction

from quizgen.kinds.base import Kind, Solved, about, labeled, answer_number, num
from quizgen.kinds.calculus import exact_value, sympy_derivative_at, sympy_value
from quizgen.kinds.difference import change_steps
from quizgen.model import Line, Math, Step, Task


def quotient_step(task: Task, diff: Fraction) -> tuple[Step, Fraction]:
    """Divide the change by h."""
    s, h = task.style, task.h
    q = diff / h
    name = Math(
        r"\frac{f(a + h) - f(a)}{h}",
        "(f(a + h) − f(a))/h",
    )
    return (
        Step(
            "Divide the change in the output by the change in the input.",
            (Line(name, Math(rf"\frac{{{s.latex(diff)}}}{{{s.latex(h)}}}", f"{s.text(diff)}/{s.text_factor(h)}")), Line(None, num(task, q))),
        ),
        q,
    )


def solve(task: Task) -> Solved:
    steps, _, _, diff = change_steps(task)
    step, q = quotient_step(task, diff)
    s = task.style
    exact = sympy_derivative_at(task, task.a)
    mistakes = [(s.plain(diff), "It looks like you forgot to divide by h.")]
    if exact != q:
        mistakes.append((s.plain(exact), f"That is the exact slope f′({s.text(task.a)}); the question asks for the quotient with h = {s.text(task.h)}."))
    mistakes += [
        (s.plain(sympy_derivative_at(task, task.a + task.h)),
         "That is the slope f′(a + h) at the far end of the step; the quotient is the average slope (f(a + h) − f(a))/h."),
        (s.plain(-q), "The order is reversed: the quotient is (f(a + h) − f(a))/h, new minus old."),
        (s.plain(sympy_value(task, task.a + task.h) / task.h), "Subtract f(a) before dividing: (f(a + h) − f(a))/h."),
    ]
    return Solved(
        given={"f": task.f_math(), "a": labeled("a", num(task, task.a)), "h": labeled("h", num(task, task.h))},
        answer=answer_number(task, q),
        steps=steps + (step,),
        meaning=f"Near x = {s.text(task.a)} the output moves about {about(s, q)} times as much as the input."
        if q > 0
        else f"Near x = {s.text(task.a)} the output moves about {about(s, -q)} times as much as the input, "
        "in the opposite direction.",
        mistakes=tuple(mistakes),
    )


def recompute(task: Task) -> Fraction:
    a, h = task.a, task.h
    return (exact_value(task, a + h) - exact_value(task, a)) / h


KIND = Kind(
    "difference-quotient", "Difference quotient", ("point", "step"), solve, recompute, "(f(a + h) − f(a))/h"
)
