"""difference: f(a + h) − f(a), the change in the output for a small step h."""

from __future__ import annotations

from fractions import Fraction

from quizgen.kinds.base import Kind, Solved, labeled, answer_number, call, num, substitution_lines, sum_point
from quizgen.kinds.calculus import exact_value, sympy_derivative_at, sympy_value
from quizgen.model import Line, Math, Step, Task


def change_steps(task: Task) -> tuple[tuple[Step, ...], Fraction, Fraction, Fraction]:
    """Steps for f(a), f(a + h) and their difference; also returns the three values."""
    a, h, s = task.a, task.h, task.style
    fa, fah = sympy_value(task, a), sympy_value(task, a + h)
    diff = fah - fa
    shifted = call("f", sum_point(task, a, h))
    steps = (
        Step(f"Start from f({s.text(a)}).", substitution_lines(task, a)),
        Step(
            f"Move the input by h = {s.text(h)}: evaluate f at {s.text(a + h)} exactly.",
            (Line(shifted, call("f", num(task, a + h))),) + substitution_lines(task, a + h),
        ),
        Step(
            "Subtract to get the change in the output.",
            (
                Line(
                    Math(f"{shifted.latex} - {call('f', num(task, a)).latex}", f"{shifted.text} − f({s.text(a)})"),
                    Math(f"{s.latex(fah)} - {s.latex_subtrahend(fa)}", f"{s.text(fah)} − {s.text_subtrahend(fa)}"),
                ),
                Line(None, num(task, diff)),
            ),
        ),
    )
    return steps, fa, fah, diff


def solve(task: Task) -> Solved:
    steps, fa, fah, diff = change_steps(task)
    s = task.style
    return Solved(
        given={"f": task.f_math(), "a": labeled("a", num(task, task.a)), "h": labeled("h", num(task, task.h))},
        answer=answer_number(task, diff),
        steps=steps,
        meaning=f"Moving the input from {s.text(task.a)} to {s.text(task.a + task.h)} changes the output by {s.text(diff)}.",
        mistakes=(
            (s.plain(fah), f"That is f(a + h) itself; subtract f({s.text(task.a)}) to get the change."),
            (s.plain(-diff), "The order is reversed: the change is f(a + h) − f(a)."),
            (s.plain(sympy_value(task, task.h)), "f(a + h) is not f(a) + f(h): evaluate f at the one point a + h."),
            (s.plain(sympy_derivative_at(task, task.a) * task.h),
             "That is the tangent's estimate f′(a)·h; the question asks for the exact change f(a + h) − f(a)."),
        ),
    )


def recompute(task: Task) -> Fraction:
    return exact_value(task, task.a + task.h) - exact_value(task, task.a)


KIND = Kind("difference", "Change in the output", ("point", "step"), solve, recompute, "f(a + h) − f(a)")
