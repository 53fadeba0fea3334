"""chain-rule: L = (y − t)² with y = w·x + b at given numbers: dL/dy, dy/dw, dL/dw = dL/dy·dy/dw, checked by nudging w.

hard: y = w₁x₁ + w₂x₂ + b, every weight's gradient and the bias's.
"""

from __future__ import annotations

import random
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

NAMES = ("w", "x", "w1", "x1", "w2", "x2", "b", "t", "y")
_RING, *_GENS = ring(",".join(NAMES), QQ)
G = dict(zip(NAMES, _GENS))
# shape -> (weights with their inputs, whether dL/db is asked)
SHAPES: dict[str, tuple[tuple[tuple[str, str], ...], bool]] = {
    "wx+b": ((("w", "x"),), False),
    "wx+b:db": ((("w", "x"),), True),
    "w1x1+w2x2+b": ((("w1", "x1"), ("w2", "x2")), True),
}
BY_LEVEL = {
    "easy": ("wx+b", ("0.1", "0.01"), (3, 3, 3, 6)),
    "medium": ("wx+b:db", ("0.01", "0.001"), (3, 4, 4, 9)),
    "hard": ("w1x1+w2x2+b", ("0.01", "0.001", "-0.01"), (3, 4, 4, 9)),
}
MAX_LOSS = 1000


def _shape(task: Task) -> tuple[tuple[tuple[str, str], ...], bool]:
    return SHAPES[task.shape]


def _q(v: Fraction) -> Any:
    return QQ(v.numerator, v.denominator)


def _at(p: Any, values: dict[str, Fraction]) -> Fraction:
    return frac(p(*[_q(values.get(n, Fraction(0))) for n in NAMES]))


def model(task: Task) -> Any:
    """y as a ring polynomial in the weights, inputs and b."""
    pairs, _ = _shape(task)
    return sum((G[w] * G[x] for w, x in pairs), G["b"])


def y_template(task: Task) -> tuple[Math, str]:
    """``w·x + b`` (Math) and its fill template ``[w][x] + {b}``."""
    pairs, _ = _shape(task)
    text = " + ".join(f"{name_text(w)}{name_text(x)}" for w, x in pairs) + " + b"
    latex = " + ".join(f"{name_latex(w)} {name_latex(x)}" for w, x in pairs) + " + b"
    return Math(latex, text), " + ".join(f"[{w}][{x}]" for w, x in pairs) + " + {b}"


def _latex(text: str) -> str:
    """A label written in text (``dL/dw₁``, ``(L(w + h) − L)/h``) as LaTeX."""
    return text.replace("₁", "_{1}").replace("₂", "_{2}").replace("−", "-").replace("·", r" \cdot ")


def solve(task: Task) -> Solved:
    s, h = task.style, task.h
    pairs, with_b = _shape(task)
    values = dict(task.values)
    y_expr = model(task)
    loss_of_y = (G["y"] - G["t"]) ** 2
    flat = loss_of_y.compose(G["y"], y_expr)  # L as a polynomial in the weights, inputs, b and t
    y = _at(y_expr, values)
    L = _at(flat, values)
    dLdy = _at(loss_of_y.diff(G["y"]), {**values, "y": y})
    grads = [(w, _at(flat.diff(G[w]), values), _at(y_expr.diff(G[w]), values)) for w, _ in pairs]
    dLdb = _at(flat.diff(G["b"]), values)
    w0 = pairs[0][0]
    moved = {**values, w0: values[w0] + h}
    y_h, L_h = _at(y_expr, moved), _at(flat, moved)
    quotient = (L_h - L) / h
    ymath, ytemplate = y_template(task)
    wt0 = name_text(w0)
    steps = [
        Step("Forward: the model's output, then the loss.",
             (Line(Math("y", "y"), join([ymath, fill(ytemplate, values, s), num(task, y)])),
              Line(Math("L", "L"), join([Math("(y - t)^{2}", "(y − t)²"), fill("({y} − {t})²", {**values, "y": y}, s),
                                         num(task, L)])))),
        Step("How L moves with y: L = (y − t)² is a square, and nudging y by h changes it by 2(y − t)h + h², "
             "so the slope is 2(y − t).",
             (Line(Math("dL/dy", "dL/dy"), join([Math("2(y - t)", "2(y − t)"), fill("2({y} − {t})", {**values, "y": y}, s),
                                                 num(task, dLdy)])),)),
    ]
    local = [Line(Math(f"dy/d{name_latex(w)}", f"dy/d{name_text(w)}"), join([Math(name_latex(x), name_text(x)), num(task, dy)]))
             for (w, dLdw, dy), (_, x) in zip(grads, pairs)]
    if with_b:
        local.append(Line(Math("dy/db", "dy/db"), num(task, Fraction(1))))
    steps.append(Step("How y moves with each weight: y = " + ymath.text + " changes by x times the nudge to the weight"
                      + (" and one-for-one with b." if with_b else "."), tuple(local)))
    chain = [Line(Math(f"dL/d{name_latex(w)}", f"dL/d{name_text(w)}"),
                  join([Math(rf"dL/dy \cdot dy/d{name_latex(w)}", f"dL/dy · dy/d{name_text(w)}"),
                        fill("[g][d]", {"g": dLdy, "d": dy}, s), num(task, dLdw)]))
             for w, dLdw, dy in grads]
    if with_b:
        chain.append(Line(Math("dL/db", "dL/db"), join([Math(r"dL/dy \cdot dy/db", "dL/dy · dy/db"),
                                                        fill("[g][d]", {"g": dLdy, "d": Fraction(1)}, s), num(task, dLdb)])))
    steps.append(Step("The chain rule: multiply the two sensitivities along the path from the weight to the loss.", tuple(chain)))
    steps.append(Step(
        f"Check by nudging {wt0} by h = {s.text(h)} (everything else fixed) and running forward again.",
        (Line(Math(f"y({name_latex(w0)} + h)", f"y({wt0} + h)"), join([fill(ytemplate, moved, s), num(task, y_h)])),
         Line(Math(f"L({name_latex(w0)} + h)", f"L({wt0} + h)"), join([fill("({y} − {t})²", {**values, "y": y_h}, s), num(task, L_h)])),
         Line(Math(rf"\frac{{L({name_latex(w0)} + h) - L}}{{h}}", f"(L({wt0} + h) − L)/h"),
              join([over(Math(f"{s.latex(L_h)} - {s.latex_subtrahend(L)}", f"{s.text(L_h)} − {s.text_subtrahend(L)}"), h, s),
                    num(task, quotient)])))))
    g0, x0 = grads[0][1], values[pairs[0][1]]
    steps.append(Step(
        f"The quotient {s.text(quotient)} is dL/d{wt0} = {s.text(g0)} plus {s.text(quotient - g0)}: "
        f"for this square the gap is exactly x²·h = {s.text(x0 * x0 * h)}, which vanishes as h → 0.",
        (Line(Math(rf"{s.latex(quotient)} - {s.latex_subtrahend(g0)}", f"{s.text(quotient)} − {s.text_subtrahend(g0)}"),
              num(task, quotient - g0)),)))
    nudge = Style(True)
    moves = "raises" if g0 > 0 else "lowers"
    meaning = (f"dL/d{wt0} = {s.text(g0)}: L moves {s.text(dLdy)} times as much as y, and y moves "
               f"{s.text(grads[0][2])} times as much as {wt0}, so nudging {wt0} up by 0.01 {moves} the loss by about "
               f"{nudge.text(abs(g0) / 100)}; gradient descent moves {wt0} {'down' if g0 > 0 else 'up'}.")
    # The answer, in the order the question asks.
    names: list[tuple[str, str, Fraction, list[str]]] = [
        ("y", "y", y, ["y", "output"]),
        ("L", "L", L, ["l", "loss"]),
        ("dL/dy", "dL/dy", dLdy, ["dl/dy", "l/y"]),
    ]
    if len(pairs) == 1:
        names.append((f"dy/d{w0}", f"dy/d{wt0}", grads[0][2], [f"dy/d{w0}", f"y/{w0}"]))
    for w, dLdw, _ in grads:
        names.append((f"dL/d{w}", f"dL/d{name_text(w)}", dLdw, [f"dl/d{w}", f"l/{w}", f"g{w}"]))
    if with_b:
        names.append(("dL/db", "dL/db", dLdb, ["dl/db", "l/b", "gb"]))
    names.append((f"L({w0}+h)", f"L({wt0} + h)", L_h, [f"l({w0}+h)", "lh", "newloss", "nudged"]))
    names.append(("quotient", f"(L({wt0} + h) − L)/h", quotient, ["quotient", "check", "slope", "(l(w+h)-l)/h"]))
    answer_values = tuple(v for _, _, v, _ in names)
    plain = plain_list(s, answer_values)
    index = {n: k for k, (n, _, _, _) in enumerate(names)}

    def variant(changes: dict[str, Fraction]) -> str:
        vals = list(answer_values)
        for n, v in changes.items():
            vals[index[n]] = v
        return plain_list(s, vals)

    grad_names = [f"dL/d{w}" for w, _, _ in grads] + (["dL/db"] if with_b else [])
    grad_values = [g for _, g, _ in grads] + ([dLdb] if with_b else [])
    candidates = [
        (variant({f"dL/d{w0}": dLdy}), f"dL/d{wt0} needs the factor dy/d{wt0} = {s.text(grads[0][2])}: the chain rule multiplies the two slopes."),
        (variant({"dL/dy": -dLdy, **{n: -g for n, g in zip(grad_names, grad_values)}}),
         "The sign is flipped: dL/dy = 2(y − t), the prediction minus the target."),
        (variant({"dL/dy": dLdy / 2, **{n: g / 2 for n, g in zip(grad_names, grad_values)}}),
         "The factor 2 is missing: the slope of (y − t)² is 2(y − t)."),
        (variant({f"dL/d{w0}": dLdy + grads[0][2]}), "The chain rule multiplies the slopes along the path; it does not add them."),
        (variant({"quotient": L_h - L}), "The check divides the change in L by h."),
    ]
    mistakes = distinct_mistakes(plain, candidates)
    values_text = ", ".join(f"{name_text(n)} = {s.text(v)}" for n, v in task.values)
    asked = ", ".join(t for _, t, _, _ in names[2:-2])
    return Solved(
        given={
            "y": Math(f"y = {ymath.latex}", f"y = {ymath.text}"),
            "L": Math("L = (y - t)^{2}", "L = (y − t)²"),
            "vals": Math(", ".join(f"{name_latex(n)} = {s.latex(v)}" for n, v in task.values), values_text),
            "asked": Math(_latex(asked), asked),
            "chain": Math(rf"dL/d{name_latex(w0)} = dL/dy \cdot dy/d{name_latex(w0)}", f"dL/d{wt0} = dL/dy · dy/d{wt0}"),
            "w": Math(name_latex(w0), wt0),
            "h": Math(f"h = {s.latex(h)}", f"h = {s.text(h)}"),
            "moved": Math(f"L({name_latex(w0)} + h)", f"L({wt0} + h)"),
            "quotient": Math(f"(L({name_latex(w0)} + h) - L)/h", f"(L({wt0} + h) − L)/h"),
        },
        answer=Answer(answer_values, plain, ", ".join(s.latex(v) for v in answer_values),
                      ", ".join(s.text(v) for v in answer_values)),
        steps=tuple(steps),
        meaning=meaning,
        mistakes=mistakes,
        mc_part=index[f"dL/d{w0}"],
        parts=tuple(part(Math(_latex(t), t), num(task, v))
                    for _, t, v, _ in names),
        blanks=tuple(blank(Math(_latex(t), t)) for _, t, _, _ in names),
        extra={
            "expression": "(" + " + ".join(f"{w}*{x}" for w, x in pairs) + " + b - t)^2",
            "model": " + ".join(f"{w}*{x}" for w, x in pairs) + " + b",
            "nudged": w0,
            "gradient": {**{w: s.plain(g) for w, g, _ in grads}, **({"b": s.plain(dLdb)} if with_b else {})},
            "graded_parts": [graded_part(t, s.plain(v), [n, t, *labels]) for n, t, v, labels in names],
        },
    )


def recompute(task: Task) -> tuple[Fraction, ...]:
    """Fractions only: the forward pass by hand, 2(y − t)·x for each weight, the nudge as written."""
    pairs, with_b = _shape(task)
    v = dict(task.values)

    def forward(vals: dict[str, Fraction]) -> tuple[Fraction, Fraction]:
        y = sum((vals[w] * vals[x] for w, x in pairs), vals["b"])
        return y, (y - vals["t"]) ** 2

    y, L = forward(v)
    out = [y, L, 2 * (y - v["t"])]
    if len(pairs) == 1:
        out.append(v[pairs[0][1]])
    # Each weight's slope again, without the chain rule: exact quotients at h = 1 and 2, extrapolated
    # to h = 0 (L is quadratic in each weight, so the quotient is linear in h).
    for w, _ in pairs:
        q1 = (forward({**v, w: v[w] + 1})[1] - L) / 1
        q2 = (forward({**v, w: v[w] + 2})[1] - L) / 2
        out.append(2 * q1 - q2)
    if with_b:
        out.append(2 * (forward({**v, "b": v["b"] + 1})[1] - L) - (forward({**v, "b": v["b"] + 2})[1] - L) / 2)
    w0 = pairs[0][0]
    L_h = forward({**v, w0: v[w0] + task.h})[1]
    out += [L_h, (L_h - L) / task.h]
    return tuple(out)


def acceptable(task: Task) -> bool:
    """y ≠ t (a loss to reduce), x not 0 or 1 (dy/dw would hide), bounded short numbers, ≥ 3 mistakes."""
    values = recompute(task)
    v = dict(task.values)
    pairs, _ = _shape(task)
    if v["t"] == values[0] or any(v[x] in (0, 1) for _, x in pairs) or values[1] > MAX_LOSS:
        return False
    return longest(task.style.plain(q) for q in values) <= MAX_DIGITS


def draw(rng: random.Random, degree: int, pins: Pins, level: Level) -> Task:
    key, steps, (wspan, xspan, bspan, tspan) = BY_LEVEL.get(level.name, BY_LEVEL["medium"])
    pairs, _ = SHAPES[key]

    def nonzero(span: int) -> Fraction:
        return Fraction(rng.choice([k for k in range(-span, span + 1) if k]))

    values: list[tuple[str, Fraction]] = []
    for w, x in pairs:
        values += [(w, nonzero(wspan)), (x, nonzero(xspan))]
    values += [("b", Fraction(rng.randint(-bspan, bspan))), ("t", Fraction(rng.randint(-tspan, tspan)))]
    step = pins.step if pins.step is not None else parse_number(rng.choice(steps))
    return Task(coeffs=(), style=Style(decimal=True), step=step, values=tuple(values), shape=key)


def hint(task: Task) -> str:
    pairs, with_b = _shape(task)
    names = ["y", "L", "dL/dy"] + ([f"dy/d{name_text(pairs[0][0])}"] if len(pairs) == 1 else [])
    names += [f"dL/d{name_text(w)}" for w, _ in pairs] + (["dL/db"] if with_b else [])
    names += [f"L({name_text(pairs[0][0])} + h)", "the quotient"]
    return ", ".join(names) + " in order, separated by commas (or labelled, e.g. dL/dy = 6)"


KIND = Kind(
    "chain-rule",
    "The chain rule through a loss",
    ("step",),
    solve,
    recompute,
    "L = (y − t)², y = w·x + b: dL/dw = dL/dy·dy/dw, checked by a nudge",
    acceptable=acceptable,
    draw=draw,
    takes_function=False,
    pinnable=("step",),
    hint=hint,
)
