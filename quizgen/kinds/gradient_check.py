"""gradient-check: the chain rule's dL/dw against one-sided and centred difference quotients for shrinking h.

The walkthrough's 8.003 against 8, one level up: for L = (w·x + b − t)² the one-sided quotient
is off by exactly x²·h, and the centred quotient (L(w + h) − L(w − h))/(2h) is exact.
hard: y = w₁x₁ + w₂x₂ + b, the check on w₂.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from sympy import QQ
from sympy.polys.rings import ring

from quizgen.exact import Style, parse_number
from quizgen.kinds.base import Kind, Solved, blank, num, part
from quizgen.kinds.named import distinct_mistakes, fill, frac, graded_part, join, name_latex, name_text, over, plain_list
from quizgen.kinds.shown import MAX_DIGITS, longest
from quizgen.levels import Level
from quizgen.model import Answer, Line, Math, Pins, Step, Task

NAMES = ("w", "x", "w1", "x1", "w2", "x2", "b", "t")
_RING, *_GENS = ring(",".join(NAMES), QQ)
G = dict(zip(NAMES, _GENS))
# shape -> (weights with their inputs, the weight checked)
SHAPES: dict[str, tuple[tuple[tuple[str, str], ...], str]] = {
    "wx+b": ((("w", "x"),), "w"),
    "w1x1+w2x2+b": ((("w1", "x1"), ("w2", "x2")), "w2"),
}
BY_LEVEL = {
    "easy": ("wx+b", ("0.1", "0.01"), 3),
    "medium": ("wx+b", ("0.1", "0.01", "0.001"), 4),
    "hard": ("w1x1+w2x2+b", ("0.1", "0.01", "0.001"), 4),
}
MAX_LOSS = 1000


def _q(v: Fraction) -> Any:
    return QQ(v.numerator, v.denominator)


def _at(p: Any, values: dict[str, Fraction]) -> Fraction:
    return frac(p(*[_q(values.get(n, Fraction(0))) for n in NAMES]))


def hs(task: Task) -> tuple[Fraction, ...]:
    return task.steps


def quotients(loss: Any, values: dict[str, Fraction], w: str, steps: Sequence[Fraction]) -> list[tuple[Fraction, Fraction, Fraction, Fraction]]:
    """For each h: L(w + h), L(w − h), the one-sided and the centred quotient."""
    base = _at(loss, values)
    out = []
    for h in steps:
        up, down = _at(loss, {**values, w: values[w] + h}), _at(loss, {**values, w: values[w] - h})
        out.append((up, down, (up - base) / h, (up - down) / (2 * h)))
    return out


def answer_values(g: Fraction, one: Sequence[Fraction], centred: Sequence[Fraction]) -> list[Fraction]:
    """g, the one-sided quotients, their errors, the centred quotients."""
    return [g, *one, *(q - g for q in one), *centred]


def solve(task: Task) -> Solved:
    s = task.style
    pairs, w = SHAPES[task.shape]
    x = dict(pairs)[w]
    values = dict(task.values)
    y_expr = sum((G[a] * G[b] for a, b in pairs), G["b"])
    loss = (y_expr - G["t"]) ** 2
    y, L = _at(y_expr, values), _at(loss, values)
    dLdy = 2 * (y - values["t"])
    dydw = _at(y_expr.diff(G[w]), values)
    g = _at(loss.diff(G[w]), values)
    rows = quotients(loss, values, w, hs(task))
    one = [r[2] for r in rows]
    centred = [r[3] for r in rows]
    wl, wt, xl, xt = name_latex(w), name_text(w), name_latex(x), name_text(x)
    ymath = Math(" + ".join(f"{name_latex(a)} {name_latex(b)}" for a, b in pairs) + " + b",
                 " + ".join(f"{name_text(a)}{name_text(b)}" for a, b in pairs) + " + b")
    ytemplate = " + ".join(f"[{a}][{b}]" for a, b in pairs) + " + {b}"
    steps = [
        Step("Forward: the model's output and the loss.",
             (Line(Math("y", "y"), join([ymath, fill(ytemplate, values, s), num(task, y)])),
              Line(Math("L", "L"), join([fill("({y} − {t})²", {**values, "y": y}, s), num(task, L)])))),
        Step(f"Backward, by the chain rule: dL/dy = 2(y − t), and y moves {xt} times as much as {wt}.",
             (Line(Math(f"dL/d{wl}", f"dL/d{wt}"),
                   join([Math(rf"2(y - t) \cdot {xl}", f"2(y − t)·{xt}"), fill("2({y} − {t})[x]", {**values, "y": y, "x": dydw}, s),
                         num(task, g)])),)),
    ]
    h0, (up0, down0, one0, cen0) = hs(task)[0], rows[0]
    wh, wm = values[w] + h0, values[w] - h0
    steps.append(Step(
        f"The quotients for h = {s.text(h0)}: run forward at {wt} + h = {s.text(wh)} and {wt} − h = {s.text(wm)}.",
        (Line(Math(f"L({wl} + h)", f"L({wt} + h)"), num(task, up0)),
         Line(Math(f"L({wl} - h)", f"L({wt} − h)"), num(task, down0)),
         Line(Math(rf"Q({s.latex(h0)}) = \frac{{L({wl} + h) - L}}{{h}}", f"Q({s.text(h0)}) = (L({wt} + h) − L)/h"),
              join([over(Math(f"{s.latex(up0)} - {s.latex_subtrahend(L)}", f"{s.text(up0)} − {s.text_subtrahend(L)}"), h0, s),
                    num(task, one0)])),
         Line(Math(rf"C({s.latex(h0)}) = \frac{{L({wl} + h) - L({wl} - h)}}{{2h}}", f"C({s.text(h0)}) = (L({wt} + h) − L({wt} − h))/(2h)"),
              join([over(Math(f"{s.latex(up0)} - {s.latex_subtrahend(down0)}", f"{s.text(up0)} − {s.text_subtrahend(down0)}"),
                         2 * h0, s), num(task, cen0)])))))
    header = (Math("h", "h"), Math(f"L({wl} + h)", f"L({wt} + h)"), Math(f"L({wl} - h)", f"L({wt} − h)"),
              Math("Q(h)", "Q(h)"), Math(f"Q(h) - dL/d{wl}", f"Q(h) − dL/d{wt}"),
              Math("C(h)", "C(h)"), Math(f"C(h) - dL/d{wl}", f"C(h) − dL/d{wt}"))
    table = tuple((num(task, h), num(task, up), num(task, down), num(task, q1), num(task, q1 - g), num(task, qc),
                   num(task, qc - g)) for h, (up, down, q1, qc) in zip(hs(task), rows))
    xx = values[x] ** 2
    steps.append(Step(
        f"Every h the same way, each quotient's error measured against dL/d{wt} = {s.text(g)}: the one-sided error is "
        f"exactly {xt}²·h = {s.text(xx)}h, ten times smaller for each h ten times smaller; in the centred quotient the "
        "h² terms of L(w + h) and L(w − h) cancel, so for this square it is exact.", (), header, table))
    meaning = (f"The chain rule's dL/d{wt} = {s.text(g)} passes the check: the one-sided quotients "
               + ", ".join(s.text(q) for q in one)
               + f" close in on it with errors {s.text(xx)}·h (like the walkthrough's 8.003 against 8), and the centred "
               "quotients agree exactly — which is why gradient checks use the centred quotient.")
    vals = answer_values(g, one, centred)
    plain = plain_list(s, vals)
    candidates = [
        (plain_list(s, answer_values(g, one, [2 * q for q in centred])), "The centred quotient divides by 2h: the two points are 2h apart."),
        (plain_list(s, [g, *one, *(g - q for q in one), *centred]), "The error is the quotient minus the true slope dL/dw."),
        (plain_list(s, answer_values(dLdy, one, centred)), f"dL/d{wt} needs the factor dy/d{wt} = {xt} of the chain rule."),
        (plain_list(s, answer_values(g / 2, one, centred)), "The slope of (y − t)² is 2(y − t): the factor 2 is missing."),
        (plain_list(s, [g, *(q * h for q, h in zip(one, hs(task))), *(q * h - g for q, h in zip(one, hs(task))), *centred]),
         "Divide the change in L by h."),
    ]
    mistakes = distinct_mistakes(plain, candidates)
    names: list[tuple[str, str, Fraction, list[str]]] = [(f"dL/d{w}", f"dL/d{wt}", g, [f"dl/d{w}", f"l/{w}", "g", "backprop", "gradient"])]
    names += [(f"Q({s.plain(h)})", f"Q({s.text(h)})", q, [f"q{k}", f"one{k}"])
              for k, (h, q) in enumerate(zip(hs(task), one), start=1)]
    names += [(f"Q({s.plain(h)})-dL/d{w}", f"Q({s.text(h)}) − dL/d{wt}", q - g, [f"e{k}", f"error{k}", f"error({s.plain(h)})"])
              for k, (h, q) in enumerate(zip(hs(task), one), start=1)]
    names += [(f"C({s.plain(h)})", f"C({s.text(h)})", q, [f"c{k}", f"centred{k}", f"centered{k}"])
              for k, (h, q) in enumerate(zip(hs(task), centred), start=1)]
    values_text = ", ".join(f"{name_text(n)} = {s.text(v)}" for n, v in task.values)
    return Solved(
        given={
            "y": Math(f"y = {ymath.latex}", f"y = {ymath.text}"),
            "L": Math("L = (y - t)^{2}", "L = (y − t)²"),
            "vals": Math(", ".join(f"{name_latex(n)} = {s.latex(v)}" for n, v in task.values), values_text),
            "w": Math(wl, wt),
            "d": Math(f"dL/d{wl}", f"dL/d{wt}"),
            "err": Math(f"Q(h) - dL/d{wl}", f"Q(h) − dL/d{wt}"),
            "hs": Math(", ".join(s.latex(h) for h in hs(task)), ", ".join(s.text(h) for h in hs(task))),
            "one": Math(f"Q(h) = (L({wl} + h) - L)/h", f"Q(h) = (L({wt} + h) − L)/h"),
            "centred": Math(f"C(h) = (L({wl} + h) - L({wl} - h))/(2h)", f"C(h) = (L({wt} + h) − L({wt} − h))/(2h)"),
        },
        answer=Answer(tuple(vals), plain, ", ".join(s.latex(v) for v in vals), ", ".join(s.text(v) for v in vals)),
        steps=tuple(steps),
        meaning=meaning,
        mistakes=mistakes,
        mc_part=0,  # the backpropagated dL/dw
        mc_mistakes=((s.plain(one[0]), f"Q({s.text(hs(task)[0])}) is the one-sided quotient, an estimate off by "
                      f"{xt}²·h; the backpropagated dL/d{wt} is exact."),),
        parts=tuple(part(Math(_latex(t), t), num(task, v)) for _, t, v, _ in names),
        blanks=tuple(blank(Math(_latex(t), t)) for _, t, _, _ in names),
        extra={
            "expression": "(" + " + ".join(f"{a}*{b}" for a, b in pairs) + " + b - t)^2",
            "checked": w,
            "gradient": {w: s.plain(g)},
            "one_sided": [s.plain(q) for q in one],
            "centred": [s.plain(q) for q in centred],
            "graded_parts": [graded_part(t, s.plain(v), [n, t, *labels]) for n, t, v, labels in names],
        },
    )


def _latex(text: str) -> str:
    """``Q(0.1) − dL/dw₂`` as LaTeX."""
    return text.replace("₁", "_{1}").replace("₂", "_{2}").replace("−", "-")


def recompute(task: Task) -> tuple[Fraction, ...]:
    """Fractions only: 2(y − t)·x by hand, and each quotient from the forward pass written out."""
    pairs, w = SHAPES[task.shape]
    v = dict(task.values)

    def loss(vals: dict[str, Fraction]) -> Fraction:
        y = sum((vals[a] * vals[b] for a, b in pairs), vals["b"])
        return (y - vals["t"]) ** 2

    y = sum((v[a] * v[b] for a, b in pairs), v["b"])
    g = 2 * (y - v["t"]) * v[dict(pairs)[w]]
    one = [(loss({**v, w: v[w] + h}) - loss(v)) / h for h in task.steps]
    centred = [(loss({**v, w: v[w] + h}) - loss({**v, w: v[w] - h})) / (2 * h) for h in task.steps]
    return tuple(answer_values(g, one, centred))


def acceptable(task: Task) -> bool:
    pairs, w = SHAPES[task.shape]
    if any(h <= 0 for h in task.steps):
        return False
    v = dict(task.values)
    values = recompute(task)
    if values[0] == 0 or v[dict(pairs)[w]] in (0, 1, -1) or abs(values[0]) > MAX_LOSS:
        return False
    forward = [(sum((v[a] * v[b] for a, b in pairs), v["b"]) + d * v[dict(pairs)[w]] - v["t"]) ** 2
               for h in task.steps for d in (h, -h, 0)]
    return longest(task.style.plain(q) for q in [*values, *forward]) <= MAX_DIGITS


def draw(rng: random.Random, degree: int, pins: Pins, level: Level) -> Task:
    key, steps, span = BY_LEVEL.get(level.name, BY_LEVEL["medium"])
    pairs, _ = SHAPES[key]

    def nonzero(k: int) -> Fraction:
        return Fraction(rng.choice([v for v in range(-k, k + 1) if v]))

    values: list[tuple[str, Fraction]] = []
    for a, b in pairs:
        values += [(a, nonzero(3)), (b, nonzero(span))]
    values += [("b", Fraction(rng.randint(-3, 3))), ("t", Fraction(rng.randint(-6, 6)))]
    hs_ = tuple(parse_number(h) for h in steps)
    if pins.step is not None:  # a pinned --step is the smallest h, the others ten and a hundred times it
        hs_ = tuple(pins.step * 10 ** k for k in reversed(range(len(hs_))))
    return Task(coeffs=(), style=Style(decimal=True), steps=hs_, values=tuple(values), shape=key)


def refusal(pins: Pins, level: Level) -> str | None:
    """A pinned --step the quotients cannot shrink toward 0 from: h must be positive."""
    if pins.step is not None and pins.step <= 0:
        return (f"gradient-check shrinks h toward 0 by tenths (100h, 10h, h): pin a positive --step such as 0.001, "
                f"not {Style(True).text(pins.step)}")
    return None


def hint(task: Task) -> str:
    k = len(task.steps)
    return (f"dL/dw, then the {k} one-sided quotients Q(h), their {k} errors Q(h) − dL/dw and the {k} centred "
            "quotients C(h), in order, separated by commas")


KIND = Kind(
    "gradient-check",
    "Checking a gradient with difference quotients",
    ("steps",),
    solve,
    recompute,
    "dL/dw by the chain rule against one-sided and centred quotients",
    acceptable=acceptable,
    draw=draw,
    takes_function=False,
    pinnable=("step",),
    hint=hint,
    refusal=refusal,
)
