"""backprop: an expression graph of 4–8 nodes — every value forward, then every gradient backward.

A graph is written as its shape, e.g. ``d=a*b;e=d+c;L=e*a``: the inputs (a, b, c) get the
task's values, each later node is one operation on earlier ones (``+``, ``-``, ``*``, ``^2``,
a constant factor ``3*e``, and at hard ``tanh(e)``, ``relu(e)``). The forward pass works
out each node from its inputs; the backward pass starts from ∂L/∂L = 1 and gives each node
the sum, over every node that uses it, of local derivative × that node's gradient.

Two routes: solve() runs that backward pass on exact values (sympy numbers: Rationals, and
tanh of a Rational kept exact); recompute() never walks the graph backwards — it flattens
the output into one sympy expression of the inputs (a free symbol in place of the node
asked about) and differentiates it with sympy.diff. Irrational answers (after a tanh) are
rounded to ROUND places, as the question says, from 40 significant digits.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any

import sympy

from quizgen.exact import Style
from quizgen.kinds.base import Kind, Solved, chain_lines
from quizgen.levels import Level
from quizgen.model import Answer, GraphNode, GraphPicture, Line, Math, Pins, Step, Task

ROUND = 4  # decimal places of an irrational answer (the question says so)
WORK_DIGITS = 8  # significant digits of an irrational number carried in the working
MAX_VALUE = 10_000
_ITALIC_NAMES = "abcdefgL"


@dataclass(frozen=True)
class Node:
    """One node: an input (op "in"), or op applied to earlier nodes (k: the constant factor)."""

    name: str
    op: str  # in, add, sub, mul, sq, scale, tanh, relu, sigmoid
    args: tuple[str, ...] = ()
    k: Fraction | None = None


_DEF = re.compile(r"(\w+)=(?:(-?[0-9][0-9./]*)\*(\w+)|([a-zA-Z]\w*)([+*-])(\w+)|(\w+)\^2|(tanh|relu|sigmoid)\((\w+)\))")


@lru_cache(maxsize=256)
def parse(shape: str, inputs: tuple[str, ...]) -> tuple[Node, ...]:
    """The nodes of a shape such as ``d=a*b;L=d+c`` (quizgen's own shapes only, never user text)."""
    nodes = [Node(n, "in") for n in inputs]
    for part in shape.split(";"):
        m = _DEF.fullmatch(part)
        if m is None:
            raise ValueError(f"not a graph shape: {part!r}")
        name = m[1]
        if m[2]:
            nodes.append(Node(name, "scale", (m[3],), Fraction(m[2])))
        elif m[4]:
            nodes.append(Node(name, {"+": "add", "-": "sub", "*": "mul"}[m[5]], (m[4], m[6])))
        elif m[7]:
            nodes.append(Node(name, "sq", (m[7],)))
        else:
            nodes.append(Node(name, m[8], (m[9],)))
    return tuple(nodes)


# ---------------------------------------------------------------- exact values


def _sym(q: Fraction) -> sympy.Rational:
    return sympy.Rational(q.numerator, q.denominator)


def apply(node: Node, xs: list[Any]) -> Any:
    """A node's value from its inputs' values (sympy numbers)."""
    if node.op == "add":
        return xs[0] + xs[1]
    if node.op == "sub":
        return xs[0] - xs[1]
    if node.op == "mul":
        return xs[0] * xs[1]
    if node.op == "sq":
        return xs[0] ** 2
    if node.op == "scale":
        return _sym(node.k or Fraction(1)) * xs[0]
    if node.op == "tanh":
        return sympy.tanh(xs[0])
    if node.op == "sigmoid":
        return 1 / (1 + sympy.exp(-xs[0]))
    if node.op == "relu":
        return sympy.Max(xs[0], 0)
    raise ValueError(node.op)


def local(node: Node, xs: list[Any], out: Any) -> list[Any]:
    """∂node/∂input for each input, from the values (the rules the key's steps state)."""
    if node.op == "add":
        return [sympy.Integer(1), sympy.Integer(1)]
    if node.op == "sub":
        return [sympy.Integer(1), sympy.Integer(-1)]
    if node.op == "mul":
        return [xs[1], xs[0]]
    if node.op == "sq":
        return [2 * xs[0]]
    if node.op == "scale":
        return [_sym(node.k or Fraction(1))]
    if node.op == "tanh":
        return [1 - out**2]
    if node.op == "sigmoid":
        return [out * (1 - out)]
    if node.op == "relu":
        return [sympy.Integer(1 if xs[0] > 0 else 0)]
    raise ValueError(node.op)


def forward(nodes: tuple[Node, ...], values: dict[str, Fraction]) -> dict[str, Any]:
    vals: dict[str, Any] = {}
    for node in nodes:
        vals[node.name] = _sym(values[node.name]) if node.op == "in" else apply(node, [vals[a] for a in node.args])
    return vals


def backward(nodes: tuple[Node, ...], vals: dict[str, Any], slip: str = "") -> dict[str, Any]:
    """Every node's gradient of the output: local derivative × upstream, summed over the uses.

    slip names a misconception to reproduce (for the wrong answers a student would give):
    "overwrite" keeps only the last use's contribution, "no-upstream" drops the upstream
    gradient, "act" uses the activation's output for its derivative (o, not 1 − o²),
    "power" forgets the 2 of d², "product" takes a·b's derivative by a as a, "sign" takes
    the subtrahend's local derivative as +1.
    """
    grads: dict[str, Any] = {n.name: sympy.Integer(0) for n in nodes}
    grads[nodes[-1].name] = sympy.Integer(1)
    for node in reversed(nodes):
        if node.op == "in":
            continue
        xs = [vals[a] for a in node.args]
        ds = local(node, xs, vals[node.name])
        if slip == "skip-output" and node is nodes[-1]:
            ds = [sympy.Integer(1)] * len(ds)
        if slip == "act" and node.op in ("tanh", "sigmoid"):
            ds = [vals[node.name]]
        if slip == "power" and node.op == "sq":
            ds = [xs[0]]
        if slip == "product" and node.op == "mul":
            ds = [xs[0], xs[1]]
        if slip == "sign" and node.op == "sub":
            ds = [sympy.Integer(1), sympy.Integer(1)]
        for arg, d in zip(node.args, ds):
            contribution = d if slip == "no-upstream" else d * grads[node.name]
            grads[arg] = contribution if slip == "overwrite" else grads[arg] + contribution
    return grads


def uses(nodes: tuple[Node, ...], name: str) -> list[tuple[Node, int]]:
    """The nodes that take `name` as an input, and at which position."""
    return [(n, i) for n in nodes for i, a in enumerate(n.args) if a == name]


# ---------------------------------------------------------------- numbers as written


def is_exact(v: Any) -> bool:
    """A node's value or gradient (a Fraction, int or sympy number, never text) is rational."""
    if isinstance(v, (int, Fraction)):
        return True
    return isinstance(v, sympy.Basic) and bool(v.is_Rational)


def frac(v: Any) -> Fraction:
    if isinstance(v, (int, Fraction)):
        return Fraction(v)
    return Fraction(int(v.p), int(v.q))


def rounded(v: Any, places: int = ROUND) -> str:
    """An irrational value rounded to `places` decimals, from 40 significant digits (plain, -0.4621)."""
    d = Decimal(str(sympy.N(v, 40)))
    out = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    if out == 0:
        out = abs(out)
    return str(out)


def about(v: Any, places: int = ROUND + 2) -> str:
    """A small irrational change for a Meaning line, to `places` decimals without trailing zeros (−0.0042)."""
    t = rounded(v, places)
    return (t.rstrip("0").rstrip(".") if "." in t else t).replace("-", "\u2212")


def working(v: Any) -> str:
    """An irrational value in the working: WORK_DIGITS significant digits (plain)."""
    d = Decimal(str(sympy.N(v, 40)))
    exponent = d.adjusted() - WORK_DIGITS + 1
    return str(d.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_EVEN).normalize())


def plain(style: Style, v: Any) -> str:
    """As an answer: exact, or rounded to ROUND places."""
    return style.plain(frac(v)) if is_exact(v) else rounded(v)


def text(style: Style, v: Any) -> str:
    return plain(style, v).replace("-", "\u2212")


def work_text(style: Style, v: Any) -> str:
    """As the working writes it: exact, or ≈ WORK_DIGITS digits."""
    return style.text(frac(v)) if is_exact(v) else working(v).replace("-", "\u2212")


def factor(style: Style, v: Any) -> str:
    """A number in a product, in parentheses: (−3), (0.78644773)."""
    return f"({work_text(style, v)})"


# ---------------------------------------------------------------- names and formulas


def latex_name(name: str) -> str:
    m = re.fullmatch(r"([a-zA-Z])(\d+)", name)
    return f"{m[1]}_{{{m[2]}}}" if m else name


def text_name(name: str) -> str:
    m = re.fullmatch(r"([a-zA-Z])(\d+)", name)
    return m[1] + m[2].translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")) if m else name


_MATH_ITALIC = {**{c: chr(0x1D44E + i) for i, c in enumerate("abcdefghijklmnopqrstuvwxyz")}, "h": "\u210e",
                **{c: chr(0x1D434 + i) for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}}


def pv(name: str) -> str:
    """A node's name in a sentence, in the math face (𝑎, 𝑤₁): prose sets only f, h, x, w, L, E, y itself."""
    t = text_name(name)
    return "".join(_MATH_ITALIC.get(c, c) for c in t)


def prose(text_: str) -> str:
    """A sentence's formulas with every single-letter name in the math face (∂𝐿/∂𝑎, 1 − 𝑓²)."""
    return re.sub(r"(?<![A-Za-z])([A-Za-z])(?=[₀-₉]*(?![A-Za-z′']))", lambda m: _MATH_ITALIC[m[1]], text_)


def grad_name(out: str, name: str) -> Math:
    """``∂L/∂a`` (slash form: it keeps the line height of running text)."""
    return Math(rf"\partial {latex_name(out)}/\partial {latex_name(name)}", f"∂{text_name(out)}/∂{text_name(name)}")


def _k_text(style: Style, k: Fraction) -> str:
    return style.text(k) if k >= 0 else f"({style.text(k)})"


def formula_text(node: Node, style: Style) -> str:
    """``c = a·b`` (an input is just its name)."""
    a = [text_name(x) for x in node.args]
    n = text_name(node.name)
    if node.op == "in":
        return n
    body: dict[str, Callable[[], str]] = {
        "add": lambda: f"{a[0]} + {a[1]}",
        "sub": lambda: f"{a[0]} − {a[1]}",
        "mul": lambda: f"{a[0]}·{a[1]}",
        "sq": lambda: f"{a[0]}²",
        "scale": lambda: f"{_k_text(style, node.k or Fraction(1))}{a[0]}",
        "tanh": lambda: f"tanh({a[0]})",
        "sigmoid": lambda: f"σ({a[0]})",
        "relu": lambda: f"ReLU({a[0]})",
    }
    return f"{n} = {body[node.op]()}"


def formula_latex(node: Node, style: Style) -> str:
    a = [latex_name(x) for x in node.args]
    k = node.k or Fraction(1)
    body: dict[str, Callable[[], str]] = {
        "add": lambda: f"{a[0]} + {a[1]}",
        "sub": lambda: f"{a[0]} - {a[1]}",
        "mul": lambda: rf"{a[0]} \cdot {a[1]}",
        "sq": lambda: f"{a[0]}^{{2}}",
        "scale": lambda: f"{style.latex_factor(k) if k < 0 else style.latex(k)}{a[0]}",
        "tanh": lambda: rf"\tanh({a[0]})",
        "sigmoid": lambda: rf"\sigma({a[0]})",
        "relu": lambda: rf"\text{{ReLU}}({a[0]})",
    }
    return f"{latex_name(node.name)} = {body[node.op]()}"


def formula_plain(node: Node, style: Style) -> str:
    """The node's operation in plain (checker) syntax over its inputs' names: ``a*b``."""
    a = node.args
    k = node.k or Fraction(1)
    return {
        "add": lambda: f"{a[0]} + {a[1]}",
        "sub": lambda: f"{a[0]} - {a[1]}",
        "mul": lambda: f"{a[0]}*{a[1]}",
        "sq": lambda: f"{a[0]}^2",
        "scale": lambda: f"{style.plain(k) if k >= 0 else '(' + style.plain(k) + ')'}*{a[0]}",
        "tanh": lambda: f"tanh({a[0]})",
        "sigmoid": lambda: f"sigmoid({a[0]})",
        "relu": lambda: f"relu({a[0]})",
    }[node.op]()


_PRECEDENCE = {"add": 1, "sub": 1, "mul": 2, "scale": 2, "sq": 3, "tanh": 4, "sigmoid": 4, "relu": 4, "in": 5}


def flat_plain(nodes: tuple[Node, ...], style: Style) -> str:
    """The output in plain syntax over the inputs' names alone: ``(a*b + c)^2``."""
    by = {n.name: n for n in nodes}

    def go(name: str, outer: int, right: bool = False) -> str:
        node = by[name]
        if node.op == "in":
            return name
        p = _PRECEDENCE[node.op]
        a = node.args
        if node.op in ("add", "sub"):
            body = f"{go(a[0], p)} {'+' if node.op == 'add' else '-'} {go(a[1], p, True)}"
        elif node.op == "mul":
            body = f"{go(a[0], p)}*{go(a[1], p, True)}"
        elif node.op == "scale":
            k = node.k or Fraction(1)
            body = f"{style.plain(k) if k >= 0 else '(' + style.plain(k) + ')'}*{go(a[0], p, True)}"
        elif node.op == "sq":
            body = f"{go(a[0], p + 1)}^2"
        else:
            return f"{node.op}({go(a[0], 0)})"
        return f"({body})" if p < outer or (right and p == outer) else body

    return go(nodes[-1].name, 0)


# ---------------------------------------------------------------- the problem


def task_nodes(task: Task) -> tuple[Node, ...]:
    return parse(task.shape, tuple(n for n, _ in task.values))


def solve(task: Task) -> Solved:
    s = task.style
    nodes = task_nodes(task)
    values = dict(task.values)
    vals = forward(nodes, values)
    grads = backward(nodes, vals)
    out = nodes[-1].name
    inner = [n for n in nodes if n.op != "in"]
    any_rounded = not all(is_exact(v) for v in list(vals.values()) + list(grads.values()))
    steps = [forward_step(nodes, vals, s), Step(
        f"Backward pass: start at the output, {prose(f'∂{out}/∂{out}')} = 1 (nudging {pv(out)} moves {pv(out)} by the same amount).",
        (Line(grad_name(out, out), Math("1", "1")),),
    )]
    for node in reversed(nodes[:-1]):
        steps.append(backward_step(nodes, node, vals, grads, s))
    answer_values = answer_tuple(nodes, vals, grads, s)
    parts: list[Math | str] = []
    blanks: list[Math | str] = []
    for n in inner:
        name = Math(latex_name(n.name), text_name(n.name))
        parts.append(_part(name, vals[n.name], s))
        blanks.append(Math(f"{name.latex} =", f"{name.text} ="))
    for n in nodes[:-1]:
        g = grad_name(out, n.name)
        parts.append(_part(g, grads[n.name], s))
        blanks.append(Math(f"{g.latex} =", f"{g.text} ="))
    # "rounded:N" for the whole answer only when every number in it is rounded; a mixed answer is graded
    # part by part, each part with its own form (quiz.json's graded_parts).
    numbers = _ordered(nodes, vals, grads)
    form = f"rounded:{ROUND}" if not any(is_exact(v) for v in numbers) else None
    plain_answer = ", ".join(answer_values)
    inputs = [n for n in nodes if n.op == "in"]
    meaning = meaning_text(nodes, grads, s, out)
    picture = GraphPicture(
        tuple(GraphNode(n.name, _op_symbol(n, s), n.args, formula_text(n, s), text(s, vals[n.name]),
                        text(s, grads[n.name])) for n in nodes),
        caption=f"The graph with every value (forward) and every gradient of {out} (backward).",
        given_caption="Fill in each value, left to right, then each gradient, right to left.",
    )
    given = {
        "graph": Math(
            ", ".join(formula_latex(n, s) for n in inner),
            ", ".join(formula_text(n, s) for n in inner),
        ),
        "inputs": Math(
            ", ".join(f"{latex_name(n.name)} = {s.latex(values[n.name])}" for n in inputs),
            ", ".join(f"{text_name(n.name)} = {s.text(values[n.name])}" for n in inputs),
        ),
        "out": Math(latex_name(out), text_name(out)),
        **({"places": Math(str(ROUND), str(ROUND))} if any_rounded else {}),
    }
    return Solved(
        given=given,
        # The whole answer as numbers (the parts say which are rounded: f ≈ 0.4621).
        answer=Answer(answer_values, plain_answer,
                      ", ".join(_show_latex(s, v).replace("\\approx ", "") for v in _ordered(nodes, vals, grads)),
                      ", ".join(text(s, v) for v in _ordered(nodes, vals, grads)), form=form),
        steps=tuple(steps),
        meaning=meaning,
        mistakes=tuple(mistakes(nodes, vals, grads, s, answer_values)),
        mc_part=sum(1 for n in nodes if n.op != "in"),  # ∂L/∂ of the first input
        extra={
            "expression": flat_plain(nodes, s),
            "values": {n.name: s.plain(values[n.name]) for n in inputs},
            "gradient": {n.name: plain(s, grads[n.name]) for n in inputs},
            "nodes": [{"name": n.name, "formula": formula_plain(n, s) if n.op != "in" else "",
                       "value": plain(s, vals[n.name]), "grad": plain(s, grads[n.name]),
                       **({"value_form": f"rounded:{ROUND}"} if not is_exact(vals[n.name]) else {}),
                       **({"grad_form": f"rounded:{ROUND}"} if not is_exact(grads[n.name]) else {})}
                      for n in nodes],
            "graded_parts": graded(nodes, vals, grads, s),
            **({"rounding": ROUND} if any_rounded else {}),
        },
        plot=picture,
        parts=tuple(parts),
        blanks=tuple(blanks),
    )


def graded_part(name: str, v: Any, s: Style, labels: list[str]) -> dict[str, Any]:
    """One part as quiz.json's graded_parts lists it; a rounded number carries its form "rounded:N"."""
    out: dict[str, Any] = {"name": name, "answer": plain(s, v), "labels": list(dict.fromkeys(labels)), "required": True}
    if not is_exact(v):
        out["form"] = f"rounded:{ROUND}"
    return out


def graded(nodes: tuple[Node, ...], vals: dict[str, Any], grads: dict[str, Any], s: Style) -> list[dict[str, Any]]:
    """The parts `quizgen check` grades, in the answer's order: each computed value, then each gradient
    (labels as typed: ``d``, ``dL/da``, ``∂L/∂a``, ``grad a``)."""
    out = nodes[-1].name
    parts = [graded_part(text_name(n.name), vals[n.name], s, [n.name, text_name(n.name)]) for n in nodes if n.op != "in"]
    for n in nodes[:-1]:
        v, t = n.name, text_name(n.name)
        parts.append(graded_part(f"∂{out}/∂{t}", grads[n.name], s,
                                 [f"d{out}/d{v}", f"∂{out}/∂{t}", f"{out}/{v}", f"grad {v}", f"g{v}"]))
    return parts


def _ordered(nodes: tuple[Node, ...], vals: dict[str, Any], grads: dict[str, Any]) -> list[Any]:
    """The answer's numbers in order: each computed node's value, then each node's gradient (not the output's)."""
    return [vals[n.name] for n in nodes if n.op != "in"] + [grads[n.name] for n in nodes[:-1]]


def answer_tuple(nodes: tuple[Node, ...], vals: dict[str, Any], grads: dict[str, Any], s: Style) -> tuple[str, ...]:
    return tuple(plain(s, v) for v in _ordered(nodes, vals, grads))


def _part(name: Math, v: Any, s: Style) -> Math:
    """``d = 3``, ``f ≈ 0.4621``: one part of the answer, named."""
    rel_l, rel_t = ("=", "=") if is_exact(v) else (r"\approx", "≈")
    return Math(f"{name.latex} {rel_l} {_show_latex(s, v).replace(chr(92) + 'approx ', '')}", f"{name.text} {rel_t} {text(s, v)}")


def _show_latex(s: Style, v: Any) -> str:
    if is_exact(v):
        return s.latex(frac(v))
    t = rounded(v)
    return r"\approx " + (f"{{-{t[1:]}}}" if t.startswith("-") else t)


def _op_symbol(node: Node, s: Style) -> str:
    if node.op == "in":
        return ""
    return { "add": "+", "sub": "−", "mul": "×", "sq": "²", "tanh": "tanh", "sigmoid": "σ",
            "relu": "ReLU"}.get(node.op) or f"×{_k_text(s, node.k or Fraction(1))}"


def forward_step(nodes: tuple[Node, ...], vals: dict[str, Any], s: Style) -> Step:
    lines: list[Line] = []
    for node in nodes:
        if node.op == "in":
            continue
        xs = [work_text(s, vals[a]) for a in node.args]
        fx = [factor(s, vals[a]) for a in node.args]
        v = vals[node.name]
        sub = {
            "add": lambda: f"{xs[0]} + {fx[1] if vals[node.args[1]] < 0 else xs[1]}",
            "sub": lambda: f"{xs[0]} − {fx[1] if vals[node.args[1]] < 0 else xs[1]}",
            "mul": lambda: f"{fx[0]}{fx[1]}",
            "sq": lambda: f"{fx[0]}²",
            "scale": lambda: f"{_k_text(s, node.k or Fraction(1))}{fx[0]}",
            "tanh": lambda: f"tanh({xs[0]})",
            "sigmoid": lambda: f"σ({xs[0]})",
            "relu": lambda: f"max({xs[0]}, 0)",
        }[node.op]()
        rel = "=" if is_exact(v) else "≈"
        body = f"{sub} {rel} {work_text(s, v)}"
        lhs = Math(latex_name(node.name), text_name(node.name))
        lines.extend(chain_lines(lhs, [math_line(body)]))
    return Step("Forward pass: work out each node from its inputs, in order.", tuple(lines))


def math_line(text_: str) -> Math:
    """A line of working as Math: its text, with the LaTeX the same symbols (set as text)."""
    latex = (text_.replace("−", "-").replace("·", r" \cdot ").replace("≈", r"\approx ").replace("²", "^{2}")
             .replace("tanh", r"\tanh ").replace("σ", r"\sigma ").replace("∂", r"\partial ").replace("max", r"\max"))
    latex = re.sub(r"([a-zA-Z])([₀₁₂₃₄₅₆₇₈₉])", lambda m: f"{m[1]}_{{{'₀₁₂₃₄₅₆₇₈₉'.index(m[2])}}}", latex)
    latex = latex.replace("ReLU", r"\text{ReLU}")
    return Math(latex, text_)


def local_text(node: Node, i: int, s: Style) -> tuple[str, str]:
    """The local derivative ∂node/∂(input i) as a rule in words, and as a formula of the node's names."""
    a = [text_name(x) for x in node.args]
    n = text_name(node.name)
    if node.op == "add":
        return "sums pass the gradient on unchanged", "1"
    if node.op == "sub":
        return ("differences pass it on", "1") if i == 0 else ("the subtracted input gets it with its sign flipped", "−1")
    if node.op == "mul":
        return "for a product, the other factor", a[1 - i]
    if node.op == "sq":
        return "the power rule", f"2{a[0]}"
    if node.op == "scale":
        return "constant factors stay", _k_text(s, node.k or Fraction(1))
    if node.op == "tanh":
        return f"tanh′ = 1 − tanh², written with the output {pv(node.name)}", f"1 − {n}²"
    if node.op == "sigmoid":
        return f"σ′ = σ(1 − σ), written with the output {pv(node.name)}", f"{n}(1 − {n})"
    return "ReLU passes the gradient where its input is above 0, blocks it below", "1"


def backward_step(nodes: tuple[Node, ...], node: Node, vals: dict[str, Any], grads: dict[str, Any], s: Style) -> Step:
    """∂L/∂node = Σ over its uses of local derivative × the user's gradient, in symbols then numbers."""
    out = nodes[-1].name
    used = uses(nodes, node.name)
    words_parts, sym, num_parts = [], [], []
    for user, i in used:
        rule, d = local_text(user, i, s)
        if user.op == "relu":
            d = "1" if vals[user.args[0]] > 0 else "0"
            rule = f"ReLU's input {work_text(s, vals[user.args[0]])} is {'above' if d == '1' else 'below'} 0"
        xs = [vals[a] for a in user.args]
        ld = local(user, xs, vals[user.name])[i]
        d_factor = d if re.fullmatch(r"−?[\w.₀-₉]+", d) else f"({d})"
        if user.name == out:  # the upstream gradient is ∂L/∂L = 1: the local derivative is all
            said = d[1:-1] if d.startswith("(") and d.endswith(")") and d.count("(") == 1 else d  # (−2) → −2
            words_parts.append(f"through {prose(formula_text(user, s))} the local derivative is {prose(said)} ({rule})")
            sym.append(d)
            num_parts.append(factor(s, ld) if len(used) > 1 else work_text(s, ld))
        else:
            words_parts.append(prose(f"∂{text_name(user.name)}/∂{text_name(node.name)} = {d}") + f" ({rule})")
            sym.append(f"{d_factor}·∂{text_name(out)}/∂{text_name(user.name)}")
            num_parts.append(f"{factor(s, ld)}{factor(s, grads[user.name])}")
    g = grads[node.name]
    rel = "=" if is_exact(g) else "≈"
    twice = len(used) > 1
    words = (f"{pv(node.name)} is used {'twice' if len(used) == 2 else str(len(used)) + ' times'}, so its "
             f"gradient is the sum of both paths: " if twice else f"{pv(node.name)} feeds {pv(used[0][0].name)}: ")
    words += "; ".join(words_parts) + ". Local derivative × upstream gradient:"
    lhs = grad_name(out, node.name)
    if len(used) == 1 and used[0][0].name == out:
        return Step(words.replace(" Local derivative × upstream gradient:", ""), chain_lines(lhs, [math_line(f"{num_parts[0]}")]))
    parts = [math_line(" + ".join(sym)), math_line(" + ".join(num_parts) + f" {rel} {work_text(s, g)}")]
    return Step(words, chain_lines(lhs, parts))


def meaning_text(nodes: tuple[Node, ...], grads: dict[str, Any], s: Style, out: str) -> str:
    inputs = [n.name for n in nodes if n.op == "in"]
    bits = []
    for name in inputs:
        g = grads[name]
        change = Style(True).text(frac(g) / 100) if is_exact(g) else about(g / 100)
        if g == 0:
            bits.append(f"nudging {pv(name)} does not move {pv(out)} at all here")
        else:
            approx = "" if is_exact(g) else "about "
            bits.append(f"nudging {pv(name)} up by 0.01 moves {pv(out)} by {approx}{change}")
    size = {n: abs(sympy.N(grads[n], 30)) for n in inputs}
    top = [n for n in inputs if size[n] == max(size.values())]
    if len(top) == 1:
        return ("; ".join(bits) + f". {pv(out)} is most sensitive to {pv(top[0])}: that is the input "
                "a gradient step would change most.")
    # A tie (a·b + b with a = 3, b = 4: ∂L/∂a = ∂L/∂b = 128) names every input that shares the top.
    names = ", ".join(pv(n) for n in top[:-1]) + f" and {pv(top[-1])}"
    return ("; ".join(bits) + f". {pv(out)} is equally and most sensitive to {names}: those are the inputs "
            "a gradient step would change most.")


def mistakes(nodes: tuple[Node, ...], vals: dict[str, Any], grads: dict[str, Any], s: Style,
             right: tuple[str, ...]) -> list[tuple[str, str]]:
    why = {
        "overwrite": "A value used twice gets the gradients of both paths added together, not just the last one.",
        "no-upstream": "Each local derivative must be multiplied by the gradient flowing back from above (the chain rule).",
        "act": "The derivative of tanh is 1 − o² (of σ, σ(1 − σ)), not the output o itself.",
        "power": "The local derivative of d² is 2d: the power rule's 2 is missing.",
        "product": "The local derivative of a·b with respect to a is the other factor, b.",
        "sign": "The subtracted input of a − b gets the gradient with its sign flipped (∂/∂b = −1).",
        "skip-output": "The backward pass starts with ∂L/∂L = 1 at the output itself; L's inputs then get L's local derivative, not 1.",
        "value": "A gradient is how much the output moves per unit nudge of the node, not the node's own value.",
    }
    out: list[tuple[str, str]] = []
    seen = {right}
    for slip, reason in why.items():
        wrong = dict(vals) if slip == "value" else backward(nodes, vals, slip)
        answer = tuple(plain(s, v) for v in _ordered(nodes, vals, wrong))
        if answer not in seen:
            seen.add(answer)
            out.append((", ".join(answer), reason))
    return out


# ---------------------------------------------------------------- the independent route


def recompute(task: Task) -> tuple[str, ...]:
    """sympy.diff of the flattened output: for each node, a free symbol in its place, differentiated."""
    nodes = task_nodes(task)
    values = dict(task.values)
    s = task.style
    syms = {n.name: sympy.Symbol(n.name, real=True) for n in nodes}

    def expr(name: str, free: str) -> Any:
        """The node as an expression of the inputs, with node `free` left as its symbol."""
        node = next(n for n in nodes if n.name == name)
        if node.op == "in" or name == free:
            return syms[name]
        return apply(node, [expr(a, free) for a in node.args])

    at = {syms[n]: sympy.Rational(v.numerator, v.denominator) for n, v in values.items()}
    out = nodes[-1].name
    forward_values = {}
    for node in nodes:
        forward_values[node.name] = expr(node.name, "").subs(at)
    gradients = []
    for node in nodes[:-1]:
        e = expr(out, node.name)
        d = sympy.diff(e, syms[node.name])
        point = {**at, syms[node.name]: forward_values[node.name]}
        gradients.append(d.subs(point))
    numbers = [forward_values[n.name] for n in nodes if n.op != "in"] + gradients
    return tuple(plain(s, v) for v in numbers)


# ---------------------------------------------------------------- drawing


# Shapes by level: inputs, then the graph (4–8 nodes in all; a value used twice in most).
SHAPES: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = {
    "easy": (
        (("a", "b", "c"), "d=a*b;L=d*c"),
        (("a", "b", "c"), "d=a+b;L=d*c"),
        (("a", "b", "c"), "d=a-b;L=d*c"),
        (("a", "b"), "d=a*b;L=d^2"),
        (("a", "b"), "d=a+b;L=d^2"),
        (("a", "b"), "d=a-b;L=d^2"),
        (("a", "b", "c"), "d=a*b;L=d-c"),
    ),
    "medium": (
        (("a", "b", "c"), "d=a*b;e=d+c;L=e*a"),
        (("a", "b", "c"), "d=a+b;e=a*d;L=e-c"),
        (("a", "b", "c"), "d=a*b;e=d-c;L=e^2"),
        (("a", "b", "c"), "d=a+b;e=d*c;L=K*e"),
        (("a", "b", "c"), "d=a*b;e=d+b;f=e^2;L=f-c"),
        (("a", "b"), "c=a*b;d=c+a;L=d^2"),
    ),
    "hard": (
        (("a", "b", "c"), "d=a*b;e=d+c;f=relu(e);L=f*a"),
        (("a", "b", "c"), "d=a*b;e=d+a;f=e*c;L=tanh(f)"),
        (("a", "b", "c"), "d=a*b;e=d+c;f=tanh(e);L=K*f"),
        (("a", "b", "c"), "d=a+b;e=d*c;f=relu(e);L=f^2"),
        (("a", "b", "c"), "d=a*b;e=d-c;f=e^2;L=tanh(f)"),
        (("a", "b", "c"), "d=a*c;e=b*c;f=d+e;L=relu(f)"),
    ),
}
FACTORS = ("2", "3", "-2", "0.5")


def draw(rng: random.Random, degree: int, pins: Pins, level: Level) -> Task:
    """A shape of the level, whole inputs (halves at hard), a constant factor K where the shape has one."""
    inputs, shape = rng.choice(SHAPES[level.name if level.name in SHAPES else "medium"])
    if "K" in shape:
        shape = shape.replace("K", rng.choice(FACTORS))
    span = {"easy": 4, "medium": 5}.get(level.name, 3)
    if level.halves:
        values = tuple((n, Fraction(rng.randint(-2 * span, 2 * span), 2)) for n in inputs)
    else:
        values = tuple((n, Fraction(rng.randint(-span, span))) for n in inputs)
    return Task(coeffs=(), style=Style(decimal=True), variables=inputs, values=values, shape=shape)


def acceptable(task: Task) -> bool:
    """No input 0 or ±1 twice (trivial products), bounded values, a tanh input of at most 2 and no
    ReLU at its kink, no gradient 0, and at least three different wrong answers to offer."""
    nodes = task_nodes(task)
    values = dict(task.values)
    if any(v == 0 for v in values.values()) or len({abs(v) for v in values.values()}) < len(values) - 1:
        return False
    vals = forward(nodes, values)
    for node in nodes:
        v = vals[node.name]
        if v == 0:
            return False
        if node.op in ("tanh", "sigmoid"):
            x = vals[node.args[0]]
            if x == 0 or abs(x) > 2:
                return False
        if node.op == "relu" and vals[node.args[0]] <= 0:
            return False
        if abs(sympy.N(v)) > MAX_VALUE:
            return False
    grads = backward(nodes, vals)
    if any(g == 0 for g in grads.values()) or any(abs(sympy.N(g)) > MAX_VALUE for g in grads.values()):
        return False
    s = task.style
    right = answer_tuple(nodes, vals, grads, s)
    if any(len(x.replace("-", "").replace(".", "").lstrip("0")) > 8 for x in right):
        return False
    return len(mistakes(nodes, vals, grads, s, right)) >= 3


KIND = Kind(
    "backprop",
    "Backpropagation through a graph",
    ("values",),
    solve,
    recompute,
    "every node's value forward, every gradient backward",
    acceptable=acceptable,
    draw=draw,
    takes_function=False,
    pinnable=(),
    hint="Label each part, e.g. d = -6; dL/da = 4 (or all the numbers in order, separated by commas)",
)
