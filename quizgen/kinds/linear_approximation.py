"""linear-approximation: predict the change in f from the slope, f′(a)·Δx."""

from __future__ import annotations

from fractions import Fraction

from quizgen.kinds.base import Kind, Solved, answer_number, labeled, num, product, substitution_lines
from quizgen.kinds.calculus import exact_derivative_at, sympy_derivative_at, sympy_symbolic, sympy_value
from quizgen.kinds.limit_definition import short_derivation
from quizgen.model import Line, Math, Step, Task

DX = Math(r"\Delta x", "Δx")


def solve(task: Task) -> Solved:
    s, a, dx = task.style, task.a, task.h
    sym = sympy_symbolic(task)
    slope = sympy_derivative_at(task, a)
    fprime = tuple(sym.derivative.get((i, 0), Fraction(0)) for i in range(task.degree))
    predicted = slope * dx
    true = sympy_value(task, a + dx) - sympy_value(task, a)
    return Solved(
        given={"f": task.f_math(), "a": labeled("a", num(task, a)), "dx": Math(rf"\Delta x = {s.latex(dx)}", f"Δx = {s.text(dx)}")},
        answer=answer_number(task, predicted),
        steps=(
            short_derivation(task, sym),
            Step(f"The slope at x = {s.text(a)}:", substitution_lines(task, a, "f'", fprime)),
            Step(
                "The output changes about slope × change in input.",
                (
                    Line(
                        Math(r"\Delta y \approx f'(a) \cdot \Delta x", "Δy ≈ f′(a)·Δx"),
                        product(task, slope, dx),
                    ),
                    Line(None, num(task, predicted)),
                ),
            ),
            Step(
                "Check against the true change (not asked): the prediction is close because Δx is small.",
                (
                    Line(
                        Math(rf"f({s.latex(a + dx)}) - f({s.latex(a)})", f"f({s.text(a + dx)}) − f({s.text(a)})"),
                        num(task, true),
                    ),
                    Line(Math(r"\text{true} - \text{predicted}", "true − predicted"), num(task, true - predicted)),
                ),
            ),
        ),
        meaning=f"Nudging x from {s.text(a)} by {s.text(dx)} changes f by about {s.text(predicted)} (truly {s.text(true)}).",
        mistakes=(
            (s.plain(slope), f"That is the slope f′({s.text(a)}); multiply it by Δx = {s.text(dx)}."),
            (s.plain(true), "That is the true change f(a + Δx) − f(a); the question asks for the prediction f′(a)·Δx."),
            (s.plain(sympy_derivative_at(task, a + dx) * dx),
             "Use the slope where you start, f′(a); f′(a + Δx)·Δx uses the slope at the far end."),
            (s.plain(sympy_value(task, a) + predicted),
             "That is the predicted value f(a) + f′(a)·Δx; the question asks for the change f′(a)·Δx."),
            (s.plain(sympy_value(task, a) * dx), "Multiply the slope f′(a), not the height f(a), by Δx."),
        ),
        extra={"true_change": s.plain(true)},
    )


def recompute(task: Task) -> Fraction:
    return exact_derivative_at(task, task.a) * task.h


KIND = Kind(
    "linear-approximation",
    "Linear approximation",
    ("point", "step"),
    solve,
    recompute,
    "predicted change f′(a)·Δx",
    max_step=Fraction(1, 10),
)
