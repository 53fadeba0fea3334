"""neuron: o = act(w₁x₁ + w₂x₂ + b) — the forward value, then ∂o/∂ each weight, the bias and each input.

The activation is ReLU (easy: every answer exact; n ≠ 0, away from the kink), tanh (medium;
∂o/∂n = 1 − o²) or, at hard, tanh or the sigmoid σ (∂o/∂n = σ(1 − σ)). The numbers are chosen
so the weighted sum n is exact and small (|n| ≤ 2, never 0); o and the gradients after a tanh
or σ are irrational, so the question says to round them to ROUND decimal places
(Answer.form "rounded:4"), and the working carries WORK_DIGITS significant digits.

solve() is the backward pass through the neuron's graph (backprop's engine: x₁·w₁, x₂·w₂, their
sum, + b, the activation); recompute() differentiates the flattened o(w₁, w₂, b, x₁, x₂) with
sympy.diff instead.
"""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

import sympy

from quizgen.exact import Style
from quizgen.kinds.backprop import (
    ROUND,
    Node,
    about,
    backward,
    factor,
    forward,
    frac,
    graded_part,
    is_exact,
    latex_name,
    parse,
    plain,
    prose,
    pv,
    rounded,
    text,
    text_name,
    work_text,
    math_line,
)
from quizgen.kinds.base import Kind, Solved, chain_lines
from quizgen.levels import Level
from quizgen.model import Answer, Line, Math, Pins, Step, Task

INPUTS = ("x1", "w1", "x2", "w2", "b")
# The answer's order: n, o, then the gradient of o for each of these.
ASKED = ("w1", "w2", "b", "x1", "x2")
ACTIVATIONS = {"relu": "ReLU", "tanh": "tanh", "sigmoid": "σ"}
LATEX_ACT = {"relu": r"\text{ReLU}", "tanh": r"\tanh", "sigmoid": r"\sigma"}


def shape(act: str) -> str:
    return f"p1=x1*w1;p2=x2*w2;s=p1+p2;n=s+b;o={act}(n)"


def activation(task: Task) -> str:
    return task.shape.rsplit("=", 1)[1].split("(")[0]


def nodes_of(task: Task) -> tuple[Node, ...]:
    return parse(task.shape, INPUTS)


def _grad(name: str) -> Math:
    return Math(rf"\partial o/\partial {latex_name(name)}", f"∂o/∂{text_name(name)}")


def _part(name: Math, v: Any, s: Style) -> Math:
    if is_exact(v):
        return Math(f"{name.latex} = {s.latex(frac(v))}", f"{name.text} = {text(s, v)}")
    t = rounded(v)
    return Math(f"{name.latex} \\approx {('{-' + t[1:] + '}') if t.startswith('-') else t}", f"{name.text} ≈ {text(s, v)}")


def solve(task: Task) -> Solved:
    s = task.style
    act = activation(task)
    nodes = nodes_of(task)
    values = dict(task.values)
    vals = forward(nodes, values)
    grads = backward(nodes, vals)
    n, o = vals["n"], vals["o"]
    do_dn = grads["n"]
    x1, w1, x2, w2, b = (values[k] for k in INPUTS)
    any_rounded = not is_exact(o)
    rel = "=" if is_exact(o) else "≈"
    fname = ACTIVATIONS[act]
    steps = [
        Step(
            "Forward: the weighted sum of the inputs plus the bias, then the activation.",
            (
                *chain_lines(Math("n", "n"), [math_line("w₁x₁ + w₂x₂ + b"), math_line(
                    f"{factor(s, w1)}{factor(s, x1)} + {factor(s, w2)}{factor(s, x2)} + {factor(s, b) if b < 0 else work_text(s, b)}"),
                    math_line(work_text(s, n))]),
                Line(Math("o", "o"), math_line(f"{fname}({work_text(s, n)}) {rel} {work_text(s, o)}")),
            ),
        ),
    ]
    if act == "tanh":
        rule = prose("tanh′(n) = 1 − tanh²(n) = 1 − o²") + f": the output {pv('o')} gives the local derivative."
        local = math_line(f"1 − o² = 1 − {factor(s, o)}² ≈ {work_text(s, do_dn)}")
    elif act == "sigmoid":
        rule = prose("σ′(n) = σ(n)(1 − σ(n)) = o(1 − o)") + f": the output {pv('o')} gives the local derivative."
        local = math_line(f"o(1 − o) = {factor(s, o)}(1 − {work_text(s, o)}) ≈ {work_text(s, do_dn)}")
    else:
        side = "above" if n > 0 else "below"
        rule = (f"ReLU passes the gradient on (slope 1) where {pv('n')} > 0 and blocks it (slope 0) where {pv('n')} < 0; "
                f"here {pv('n')} = {work_text(s, n)} is {side} 0.")
        local = math_line(work_text(s, do_dn))
    steps.append(Step(rule, (Line(Math(r"\partial o/\partial n", "∂o/∂n"), local),)))
    lines: list[Line] = []
    for name, other in (("w1", "x1"), ("w2", "x2"), ("b", ""), ("x1", "w1"), ("x2", "w2")):
        g = grads[name]
        relg = "=" if is_exact(g) else "≈"
        if other:
            body = [math_line(f"∂o/∂n · {text_name(other)}"), math_line(f"{factor(s, do_dn)}{factor(s, values[other])} {relg} {work_text(s, g)}")]
        else:
            body = [math_line("∂o/∂n · 1"), math_line(f"{work_text(s, g)}")]
        lines.extend(chain_lines(_grad(name), body))
    steps.append(Step(
        f"Backward: {prose('n = w₁x₁ + w₂x₂ + b')}, so {prose('∂n/∂w₁ = x₁')} (each weight's local derivative is its input), "
        f"{prose('∂n/∂x₁ = w₁')}, {prose('∂n/∂b = 1')}. Each gradient is {prose('∂o/∂n')} times that local derivative "
        "(the chain rule):",
        tuple(lines),
    ))
    ordered = [n, o] + [grads[k] for k in ASKED]
    answer_plain = ", ".join(plain(s, v) for v in ordered)
    names = [Math("n", "n"), Math("o", "o")] + [_grad(k) for k in ASKED]
    parts = tuple(_part(nm, v, s) for nm, v in zip(names, ordered))
    blanks = tuple(Math(f"{nm.latex} =", f"{nm.text} =") for nm in names)
    expression = f"{act}(w1*x1 + w2*x2 + b)"
    bits = []
    for k in ASKED:
        g = grads[k]
        change = Style(True).text(frac(g) / 100) if is_exact(g) else about(g / 100)
        if g == 0:
            bits.append(f"nudging {pv(k)} does not move {pv('o')} at all")
        else:
            bits.append(f"nudging {pv(k)} up by 0.01 moves {pv('o')} by {'' if is_exact(g) else 'about '}{change}")
    meaning = "; ".join(bits) + (
        ". A weight's gradient is the slope of the activation times that weight's input: training moves each "
        f"weight against the gradient of the loss built on {pv('o')}."
        if do_dn != 0 else ". The neuron is off (n < 0): no gradient reaches its weights, so training cannot change them here.")
    given = {
        "o": Math(rf"o = {LATEX_ACT[act]}(w_{{1}}x_{{1}} + w_{{2}}x_{{2}} + b)", f"o = {fname}(w₁x₁ + w₂x₂ + b)"),
        "inputs": Math(
            ", ".join(f"{latex_name(k)} = {s.latex(values[k])}" for k in INPUTS),
            ", ".join(f"{text_name(k)} = {s.text(values[k])}" for k in INPUTS),
        ),
        "act": Math(LATEX_ACT[act], fname),
    }
    if any_rounded:
        given["places"] = Math(str(ROUND), str(ROUND))
    if act == "sigmoid":
        given["sigma"] = Math(r"\sigma(n) = 1/(1 + e^{-n})", "σ(n) = 1/(1 + e⁻ⁿ)")
    return Solved(
        given=given,
        answer=Answer(tuple(plain(s, v) for v in ordered), answer_plain,
                      ", ".join(p.latex.split(" = ")[-1].split(r"\approx ")[-1] for p in parts),
                      ", ".join(text(s, v) for v in ordered), form=_whole_form(ordered)),
        steps=tuple(steps),
        meaning=meaning,
        mistakes=tuple(mistakes(nodes, vals, s, answer_plain)),
        mc_part=2,  # ∂o/∂w₁
        extra={
            "expression": expression,
            "activation": act,
            "values": {k: s.plain(values[k]) for k in INPUTS},
            "n": plain(s, n),
            "o": plain(s, o),
            "gradient": {k: plain(s, grads[k]) for k in ASKED},
            **({"rounding": ROUND} if any_rounded else {}),
            "graded_parts": [graded_part("n", n, s, ["n", "z", "sum"]), graded_part("o", o, s, ["o", "out", "output", "y"])]
            + [graded_part(f"∂o/∂{text_name(k)}", grads[k], s, [f"do/d{k}", f"∂o/∂{text_name(k)}", f"o/{k}", f"grad {k}", f"g{k}"])
               for k in ASKED],
        },
        parts=parts,
        blanks=blanks,
    )


def _whole_form(numbers: list[Any]) -> str | None:
    """The whole answer's form: "rounded:N" only when every number in it is rounded (a mixed answer is
    graded part by part, each part with its own form, through quiz.json's graded_parts)."""
    return f"rounded:{ROUND}" if not any(is_exact(v) for v in numbers) else None


def mistakes(nodes: tuple[Node, ...], vals: dict[str, Any], s: Style, right: str) -> list[tuple[str, str]]:
    why = {
        "act": "The activation's local derivative is 1 − o² for tanh (o(1 − o) for σ, 1 or 0 for ReLU), not the output o itself.",
        "no-upstream": "∂o/∂w₁ is ∂o/∂n · x₁: the activation's slope ∂o/∂n multiplies every local derivative (the chain rule).",
        "product": "∂n/∂w₁ is the input x₁ that w₁ multiplies, not w₁ itself (and ∂n/∂x₁ is w₁).",
        "sign-act": "tanh′ is 1 − o², not 1 + o² (and σ′ is o(1 − o)): a sign slip.",
        "kink": "ReLU's slope is 1 where its input n is above 0 and 0 where it is below: the two sides swapped.",
        "input": "ReLU's local derivative is its slope (1 or 0), not its input n.",
    }
    out: list[tuple[str, str]] = []
    seen = {right}
    for slip, reason in why.items():
        if slip == "sign-act":
            o = vals["o"]
            op = nodes[-1].op
            if op == "relu":
                continue
            slope = 1 + o**2 if op == "tanh" else o * (1 + o)
            wrong = {k: slope * d for k, d in _locals(vals).items()}
        elif slip in ("kink", "input"):
            if nodes[-1].op != "relu":
                continue
            slope = (0 if vals["n"] > 0 else 1) if slip == "kink" else vals["n"]
            wrong = {k: slope * d for k, d in _locals(vals).items()}
        elif slip == "act" and nodes[-1].op == "relu":
            wrong = {k: vals["o"] * d for k, d in _locals(vals).items()}
        else:
            wrong = backward(nodes, vals, slip)
        answer = ", ".join([plain(s, vals["n"]), plain(s, vals["o"])] + [plain(s, wrong[k]) for k in ASKED])
        if answer not in seen:
            seen.add(answer)
            out.append((answer, reason))
    return out


def _locals(vals: dict[str, Any]) -> dict[str, Any]:
    """∂n/∂(each asked input): n = w₁x₁ + w₂x₂ + b."""
    return {"w1": vals["x1"], "w2": vals["x2"], "b": sympy.Integer(1), "x1": vals["w1"], "x2": vals["w2"]}


def recompute(task: Task) -> tuple[str, ...]:
    """sympy.diff of o = act(w1*x1 + w2*x2 + b) by each input, at the values: no graph, no chain rule by hand."""
    s = task.style
    act = activation(task)
    syms = {k: sympy.Symbol(k, real=True) for k in INPUTS}
    n_expr = syms["w1"] * syms["x1"] + syms["w2"] * syms["x2"] + syms["b"]
    o_expr = {"tanh": sympy.tanh, "sigmoid": lambda e: 1 / (1 + sympy.exp(-e)),
              "relu": lambda e: sympy.Max(e, 0)}[act](n_expr)
    at = {syms[k]: sympy.Rational(v.numerator, v.denominator) for k, v in task.values}
    numbers = [n_expr.subs(at), o_expr.subs(at)] + [sympy.diff(o_expr, syms[k]).subs(at) for k in ASKED]
    return tuple(plain(s, v) for v in numbers)


NS = (Fraction(1, 2), Fraction(1), Fraction(3, 2), Fraction(2))


def draw(rng: random.Random, degree: int, pins: Pins, level: Level) -> Task:
    """ReLU (easy), tanh (medium), tanh or σ (hard); b chosen so that n = w₁x₁ + w₂x₂ + b is a small
    non-zero value (±1/2 … ±2; whole at easy), the inputs and weights whole (halves at hard)."""
    act = {"easy": "relu", "medium": "tanh"}.get(level.name) or rng.choice(("tanh", "sigmoid"))
    def pick(span: int) -> Fraction:
        if level.halves:
            return Fraction(rng.choice([v for v in range(-2 * span, 2 * span + 1) if v]), 2)
        return Fraction(rng.choice([v for v in range(-span, span + 1) if v]))

    x1, x2, w1, w2 = pick(3), pick(3), pick(2), pick(2)
    if act == "relu":
        n = Fraction(rng.choice([v for v in range(-4, 5) if v]))
    else:
        n = rng.choice(NS) * rng.choice((1, -1))
    b = n - w1 * x1 - w2 * x2
    values = (("x1", x1), ("w1", w1), ("x2", x2), ("w2", w2), ("b", b))
    return Task(coeffs=(), style=Style(decimal=True), variables=INPUTS, values=values, shape=shape(act))


def acceptable(task: Task) -> bool:
    """A bias of at most 6 in size, inputs not all alike, at least three different wrong answers."""
    values = dict(task.values)
    if abs(values["b"]) > 6 or values["x1"] == values["x2"] or values["b"] == 0:
        return False
    if len({abs(values[k]) for k in ("x1", "x2", "w1", "w2")}) < 3:  # not every gradient the same size
        return False
    nodes = nodes_of(task)
    vals = forward(nodes, values)
    right = ", ".join(plain(task.style, v) for v in [vals["n"], vals["o"]] + [backward(nodes, vals)[k] for k in ASKED])
    return len(mistakes(nodes, vals, task.style, right)) >= 3


KIND = Kind(
    "neuron",
    "One neuron: forward value and gradients",
    ("values",),
    solve,
    recompute,
    "o = tanh(w₁x₁ + w₂x₂ + b) and its gradients",
    acceptable=acceptable,
    draw=draw,
    takes_function=False,
    pinnable=(),
    hint="Label each part, e.g. n = 1; o = 0.7616; do/dw1 = 0.84 (or the seven numbers in order, separated by commas)",
)
