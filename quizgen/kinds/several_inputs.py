"""several-inputs: d = a·b + c (and similar) at given values; nudge one input by h, then the exact ∂d/∂input.

The walkthrough's closing idea one input at a time: a = 2, b = −3, c = 10, h = 0.0001 moves
d = a·b + c from 4 to 3.9997, a change of −0.0003 and a slope of −3; exactly, ∂d/∂a = b = −3.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

from sympy import QQ
from sympy.polys.rings import ring

from quizgen.exact import Style, parse_number
from quizgen.kinds.base import Kind, Solved, blank, num, part
from quizgen.kinds.named import distinct_mistakes, fill, frac, graded_part, join, name_text, over, plain_list, poly_template
from quizgen.kinds.shown import MAX_DIGITS, longest
from quizgen.levels import Level
from quizgen.model import Answer, Line, Math, Pins, Step, Task

NAMES = ("a", "b", "c", "d")  # the inputs; the output is called e when d is an input
_RING, *_GENS = ring(",".join(NAMES), QQ)


@dataclass(frozen=True)
class Shape:
    """One expression: how it is written (plain, LaTeX, text), its substitution template, and itself."""

    plain: str
    latex: str
    text: str
    template: str
    inputs: tuple[str, ...]
    f: Callable[[dict[str, Any]], Any]  # works on Fractions and on sympy ring elements alike


SHAPES: dict[str, Shape] = {
    "a*b+c": Shape("a*b + c", r"a \cdot b + c", "a·b + c", "[a][b] + {c}", ("a", "b", "c"),
                   lambda v: v["a"] * v["b"] + v["c"]),
    "(a+b)*c": Shape("(a + b)*c", r"(a + b) \cdot c", "(a + b)·c", "({a} + {b})[c]", ("a", "b", "c"),
                     lambda v: (v["a"] + v["b"]) * v["c"]),
    "a*b-c": Shape("a*b - c", r"a \cdot b - c", "a·b − c", "[a][b] − {c}", ("a", "b", "c"),
                   lambda v: v["a"] * v["b"] - v["c"]),
    "a*b*c": Shape("a*b*c", r"a \cdot b \cdot c", "a·b·c", "[a][b][c]", ("a", "b", "c"),
                   lambda v: v["a"] * v["b"] * v["c"]),
    "a^2+b*c": Shape("a^2 + b*c", r"a^{2} + b \cdot c", "a² + b·c", "[a]² + [b][c]", ("a", "b", "c"),
                     lambda v: v["a"] ** 2 + v["b"] * v["c"]),
    "a*b+c*d": Shape("a*b + c*d", r"a \cdot b + c \cdot d", "a·b + c·d", "[a][b] + [c][d]", ("a", "b", "c", "d"),
                     lambda v: v["a"] * v["b"] + v["c"] * v["d"]),
    "(a+b)*(c-d)": Shape("(a + b)*(c - d)", r"(a + b) \cdot (c - d)", "(a + b)·(c − d)", "({a} + {b})({c} − {d})",
                         ("a", "b", "c", "d"), lambda v: (v["a"] + v["b"]) * (v["c"] - v["d"])),
    "a^2*b+c": Shape("a^2*b + c", r"a^{2} \cdot b + c", "a²·b + c", "[a]²[b] + {c}", ("a", "b", "c"),
                     lambda v: v["a"] ** 2 * v["b"] + v["c"]),
}
# Which expressions each level draws, and its steps h (exact decimals: the change is an exact decimal too).
BY_LEVEL = {
    "easy": (("a*b+c", "(a+b)*c", "a*b-c"), ("0.01", "0.001", "0.0001"), 5),
    "medium": (("a*b+c", "(a+b)*c", "a*b*c", "a^2+b*c"), ("0.001", "0.0001"), 6),
    "hard": (("a*b+c*d", "(a+b)*(c-d)", "a^2*b+c", "a*b*c"), ("0.001", "0.0001", "-0.001", "-0.0001"), 9),
}
MAX_VALUE = 1000


def output_name(shape: Shape) -> str:
    return "e" if "d" in shape.inputs else "d"


def split(task: Task) -> tuple[Shape, str]:
    """The task's expression and the input it nudges (shape = ``a*b+c@a``)."""
    key, var = task.shape.split("@")
    return SHAPES[key], var


def _values(task: Task) -> dict[str, Fraction]:
    return dict(task.values)


def _sym(shape: Shape, values: dict[str, Fraction]) -> Any:
    return shape.f({n: g for n, g in zip(NAMES, _GENS)})


def _at(p: Any, values: dict[str, Fraction]) -> Fraction:
    return frac(p(*[QQ(values.get(n, Fraction(0)).numerator, values.get(n, Fraction(0)).denominator) for n in NAMES]))


def solve(task: Task) -> Solved:
    shape, var = split(task)
    s, h = task.style, task.h
    values = _values(task)
    out = output_name(shape)
    expr = _sym(shape, values)
    d0 = _at(expr, values)
    moved = {**values, var: values[var] + h}
    d1 = _at(expr, moved)
    change = d1 - d0
    slope = change / h
    partial = expr.diff(_GENS[NAMES.index(var)])
    g = _at(partial, values)
    pmath, pplain, ptemplate = poly_template(partial, NAMES)
    vt, vl = name_text(var), var
    dname = Math(rf"\partial {out}/\partial {vl}", f"∂{out}/∂{vt}")
    given_values = ", ".join(f"{n} = {s.text(v)}" for n, v in task.values)
    others = [n for n in shape.inputs if n != var]
    steps = [
        Step(f"Put the values in: {given_values}.",
             (Line(Math(out, out), join([fill(shape.template, values, s), num(task, d0)])),)),
        Step(f"Nudge {vt} by h = {s.text(h)}: {vt} becomes {s.text(values[var] + h)}; "
             f"{' and '.join(others)} stay{'s' if len(others) == 1 else ''} as they are.",
             (Line(Math(rf"{out}({vl} + h)", f"{out}({vt} + h)"), join([fill(shape.template, moved, s), num(task, d1)])),)),
        Step("The change in the output, and the change per unit of input (divide by h):",
             (Line(Math(rf"{out}({vl} + h) - {out}", f"{out}({vt} + h) − {out}"),
                   Math(f"{s.latex(d1)} - {s.latex_subtrahend(d0)} = {s.latex(change)}",
                        f"{s.text(d1)} − {s.text_subtrahend(d0)} = {s.text(change)}")),
              Line(Math(rf"\frac{{{out}({vl} + h) - {out}}}{{h}}", f"({out}({vt} + h) − {out})/h"),
                   join([over(num(task, change), h, s), num(task, slope)])))),
    ]
    rule = (f"Exactly: hold {' and '.join(others)} fixed, so {out} is a polynomial in {vt} alone; "
            f"the limit of the quotient as h → 0 (the power rule) gives ∂{out}/∂{vt} = {pmath.text}.")
    lines = [Line(dname, pmath)]
    if pmath.text not in shape.inputs:
        lines.append(Line(None, join([fill(ptemplate, values, s), num(task, g)])))
    else:
        lines.append(Line(None, num(task, g)))
    steps.append(Step(rule, tuple(lines)))
    gap = slope - g
    if gap:
        steps.append(Step(f"The quotient {s.text(slope)} is off by {s.text(gap)}: {out} curves in {vt}, "
                          "so the nudge sees a little of the curve; the smaller h, the smaller the gap.",
                          (Line(Math(rf"{s.latex(slope)} - {s.latex_subtrahend(g)}", f"{s.text(slope)} − {s.text_subtrahend(g)}"),
                                num(task, gap)),)))
    times = "as much as" if g == 1 else f"{s.text(abs(g))} times as much as"
    direction = "the same way" if g > 0 else f"the opposite way ({out} falls when {vt} rises)"
    meaning = (f"∂{out}/∂{vt} = {s.text(g)}: near these values a small nudge to {vt} moves {out} {times} the nudge, "
               f"{direction}; the nudge by {s.text(h)} moved it by {s.text(change)}.")
    answer_values = (d0, d1, change, slope, g)
    plain = plain_list(s, answer_values)

    def variant(k: int, v: Fraction) -> str:
        vals = list(answer_values)
        vals[k] = v
        return plain_list(s, vals)

    wrong_partial = [(n, _at(expr.diff(_GENS[NAMES.index(n)]), values)) for n in others]
    candidates = [
        (variant(3, change), "The slope is the change divided by h, not the change itself."),
        (plain_list(s, (d0, d1, -change, -slope, g)), f"The change is {out}({vt} + h) − {out}: new minus old."),
        *[(variant(4, w), f"That is ∂{out}/∂{n}; for ∂{out}/∂{vt} hold every input but {vt} fixed.") for n, w in wrong_partial],
        (variant(4, d0), f"∂{out}/∂{vt} is how fast {out} changes with {vt}, not the value of {out}."),
        (variant(4, slope * h), "Divide the change by h: the partial derivative is a rate, not a change."),
    ]
    mistakes = distinct_mistakes(plain, candidates)
    labels_d = Math(out, out)
    return Solved(
        given={
            "expr": Math(f"{out} = {shape.latex}", f"{out} = {shape.text}"),
            "vals": Math(", ".join(f"{n} = {s.latex(v)}" for n, v in task.values), given_values),
            "h": Math(f"h = {s.latex(h)}", f"h = {s.text(h)}"),
            "var": Math(vl, vt),
            "out": Math(out, out),
            "partial": dname,
            "moved": Math(rf"{out}({vl} + h)", f"{out}({vt} + h)"),
        },
        answer=Answer(answer_values, plain, ", ".join(s.latex(v) for v in answer_values),
                      ", ".join(s.text(v) for v in answer_values)),
        steps=tuple(steps),
        meaning=meaning,
        mistakes=mistakes,
        mc_part=4,  # ∂d/∂(nudged input)
        mc_mistakes=((s.plain(slope), f"{s.text(slope)} is the quotient for h = {s.text(h)}, an estimate; ∂{out}/∂{vt} "
                      "is its limit as h → 0."),) if slope != g else (),
        parts=(
            part(labels_d, num(task, d0)),
            part(Math(rf"{out}({vl} + h)", f"{out}({vt} + h)"), num(task, d1)),
            part(Math(rf"{out}({vl} + h) - {out}", f"{out}({vt} + h) − {out}"), num(task, change)),
            part(Math(rf"\frac{{{out}({vl} + h) - {out}}}{{h}}", f"({out}({vt} + h) − {out})/h"), num(task, slope)),
            part(dname, num(task, g)),
        ),
        blanks=(
            blank(labels_d),
            blank(Math(rf"{out}({vl} + h)", f"{out}({vt} + h)")),
            blank(Math(rf"{out}({vl} + h) - {out}", f"{out}({vt} + h) − {out}")),
            blank(Math(rf"\frac{{{out}({vl} + h) - {out}}}{{h}}", f"({out}({vt} + h) − {out})/h")),
            blank(dname),
        ),
        extra={
            "expression": shape.plain,
            "output": out,
            "nudged": var,
            "gradient": {var: s.plain(g)},
            "partial": pplain,
            "graded_parts": [
                graded_part(out, s.plain(d0), [out, "value", "before"]),
                graded_part(f"{out}({vt} + h)", s.plain(d1), [f"{out}({var}+h)", "new", "after", f"new{out}"]),
                graded_part("change", s.plain(change), ["change", "difference", f"d{out}", f"Δ{out}"]),
                graded_part("slope", s.plain(slope), ["slope", "quotient", "change/h", "rate"]),
                graded_part(f"∂{out}/∂{vt}", s.plain(g), [f"∂{out}/∂{var}", f"d{out}/d{var}", "partial", "exact"]),
            ],
        },
    )


def recompute(task: Task) -> tuple[Fraction, ...]:
    """Exact Fractions, no differentiation rules: the value twice, and the slope at h → 0 by extrapolating
    exact quotients at h = 1, 2, 3 (the quotient is a polynomial of degree < 3 in h)."""
    shape, var = split(task)
    values = _values(task)
    d0 = shape.f(values)
    d1 = shape.f({**values, var: values[var] + task.h})
    qs = [(shape.f({**values, var: values[var] + k}) - d0) / k for k in (1, 2, 3)]
    # Quadratic through (1, q1), (2, q2), (3, q3), at 0: 3q1 − 3q2 + q3.
    exact = 3 * qs[0] - 3 * qs[1] + qs[2]
    return (d0, d1, d1 - d0, (d1 - d0) / task.h, exact)


def acceptable(task: Task) -> bool:
    """A slope that is not 0, a change that is not 0, ≥ 3 named mistakes, numbers a student can write."""
    d0, d1, change, slope, g = recompute(task)
    if g == 0 or change == 0 or abs(d0) > MAX_VALUE or abs(d1) > MAX_VALUE:
        return False
    return longest(task.style.plain(v) for v in (d0, d1, change, slope)) <= MAX_DIGITS


def draw(rng: random.Random, degree: int, pins: Pins, level: Level) -> Task:
    """An expression of the level, whole-number values (no 0, no ±1 where they would hide a factor), a nudge."""
    shapes, steps, span = BY_LEVEL.get(level.name, BY_LEVEL["medium"])
    key = rng.choice(shapes)
    shape = SHAPES[key]
    var = rng.choice(shape.inputs)
    values = tuple((n, Fraction(rng.choice([v for v in range(-span, span + 1) if v not in (0, 1, -1)])))
                   for n in shape.inputs)
    step = pins.step if pins.step is not None else parse_number(rng.choice(steps))
    return Task(coeffs=(), style=Style(decimal=True), variables=shape.inputs, step=step, values=values,
                shape=f"{key}@{var}")


def hint(task: Task) -> str:
    shape, var = split(task)
    out = output_name(shape)
    return f"{out}, {out}({name_text(var)} + h), the change, the slope and ∂{out}/∂{name_text(var)}, in order, separated by commas"


KIND = Kind(
    "several-inputs",
    "Nudging one of several inputs",
    ("step",),
    solve,
    recompute,
    "d = a·b + c: nudge a by h, then ∂d/∂a exactly",
    acceptable=acceptable,
    draw=draw,
    takes_function=False,
    pinnable=("step",),
    hint=hint,
)
