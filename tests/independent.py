"""An independent recomputation of every answer from quiz.json's strings alone.

Used by the tests only: it reads our own generated `function`, `point`, `step`
(never user text) with sympy's parser and recomputes each answer with sympy's
`limit` and `diff`, a route quizgen itself does not take.
"""

from __future__ import annotations

import re
from typing import Any

import sympy
from sympy.parsing.sympy_parser import parse_expr

x, h = sympy.symbols("x h")
w, w1, w2 = sympy.symbols("w w1 w2")
# Kinds whose answer is a comma-separated list.
LISTS = ("derivative-at", "secant-table", "gradient-step", "partial-derivatives")


def read(text: str) -> sympy.Expr:
    """One of quizgen's own exact strings (``8.003``, ``-7/2``, ``6*x - 4``) as an exact sympy value."""
    names = {"x": x, "h": h, "w": w, "w1": w1, "w2": w2}
    # Decimals become exact Rationals before parsing: nsimplify would round 15.999999 to 16.
    exact = re.sub(r"\d+\.\d+", lambda m: f"Rational('{m.group()}')", text)
    return parse_expr(exact, local_dict={**names, "Rational": sympy.Rational}, evaluate=True)


def _slope(f: sympy.Expr, var: sympy.Symbol, at: dict[sympy.Symbol, Any]) -> sympy.Expr:
    """The derivative in `var` at a point, as the limit of the difference quotient."""
    moved = {**at, var: at[var] + h}
    return sympy.limit((f.subs(moved) - f.subs(at)) / h, h, 0)


def _later_kinds(problem: dict[str, Any]) -> Any:
    """secant-table, tangent-line, gradient-step, partial-derivatives from their own quiz.json fields."""
    f, kind = read(problem["function"]), problem["kind"]
    if kind == "secant-table":
        a = read(problem["point"])
        return tuple((f.subs(x, a + step) - f.subs(x, a)) / step for step in map(read, problem["steps"]))
    if kind == "tangent-line":
        a = read(problem["point"])
        return sympy.expand(_slope(f, x, {x: a}) * (x - a) + f.subs(x, a))
    if kind == "gradient-step":
        weight, rate, out = read(problem["start"]), read(problem["rate"]), []
        for _ in range(problem["iterations"]):
            weight = weight - rate * _slope(f, w, {w: weight})
            out.append(weight)
        return tuple(out)
    at = dict(zip((w1, w2), map(read, problem["point"])))
    return (_slope(f, w1, at), _slope(f, w2, at))


def _inputs(problem: dict[str, Any]) -> dict[sympy.Symbol, Any]:
    """quiz.json's `values` as {symbol: exact value}."""
    return {sympy.Symbol(name): read(value) for name, value in problem["values"].items()}


def expression(text: str) -> sympy.Expr:
    """quiz.json's `expression` (plain syntax over the input names, ^ for powers) as sympy."""
    names = set(re.findall(r"[A-Za-z_]\w*", text))
    return parse_expr(text.replace("^", "**"), local_dict={n: sympy.Symbol(n) for n in names}, evaluate=True)


def _named_kinds(problem: dict[str, Any]) -> Any:
    """The kinds of named inputs (issue 11), from `expression`, `values`, `step`, `data`, `rate` alone."""
    kind, at = problem["kind"], _inputs(problem) if "values" in problem else {}
    if kind == "several-inputs":
        f, var, step = expression(problem["expression"]), sympy.Symbol(problem["nudged"]), read(problem["step"])
        d0, d1 = f.subs(at), f.subs({**at, var: at[var] + step})
        return (d0, d1, d1 - d0, (d1 - d0) / step, sympy.diff(f, var).subs(at))
    if kind == "chain-rule":
        loss, model = expression(problem["expression"]), expression(problem["model"])
        weights = [n for n in problem["values"] if n.startswith("w")]
        first, step = sympy.Symbol(weights[0]), read(problem["step"])
        y, Y, t = model.subs(at), sympy.Symbol("Y"), sympy.Symbol("t")
        out = [y, loss.subs(at), sympy.diff((Y - t) ** 2, Y).subs({**at, Y: y})]
        if len(weights) == 1:
            out.append(sympy.diff(model, first).subs(at))
        out += [sympy.diff(loss, sympy.Symbol(w)).subs(at) for w in weights]
        if "b" in problem["gradient"]:
            out.append(sympy.diff(loss, sympy.Symbol("b")).subs(at))
        moved = loss.subs({**at, first: at[first] + step})
        return tuple(out + [moved, (moved - loss.subs(at)) / step])
    if kind == "gradient-check":
        loss, w = expression(problem["expression"]), sympy.Symbol(problem["checked"])
        g, base = sympy.diff(loss, w).subs(at), loss.subs(at)
        steps = [read(q) for q in problem["steps"]]
        one = [(loss.subs({**at, w: at[w] + q}) - base) / q for q in steps]
        centred = [(loss.subs({**at, w: at[w] + q}) - loss.subs({**at, w: at[w] - q})) / (2 * q) for q in steps]
        return (g, *one, *(q - g for q in one), *centred)
    if kind == "training-steps":
        loss, w, b = expression(problem["expression"]), sympy.Symbol("w"), sympy.Symbol("b")
        rate, point = read(problem["rate"]), (at[w], at[b])
        out = [loss.subs({w: point[0], b: point[1]})]
        for _ in range(problem["iterations"]):
            here = {w: point[0], b: point[1]}
            point = (point[0] - rate * sympy.diff(loss, w).subs(here), point[1] - rate * sympy.diff(loss, b).subs(here))
            out += [point[0], point[1], loss.subs({w: point[0], b: point[1]})]
        return tuple(out)
    raise KeyError(kind)


NAMED = ("several-inputs", "chain-rule", "gradient-check", "training-steps")


def expected_answer(problem: dict[str, Any]) -> Any:
    """The answer recomputed from the problem's data, by the limit definition in sympy."""
    kind = problem["kind"]
    if kind in NAMED:
        return _named_kinds(problem)
    if kind in ("secant-table", "tangent-line", "gradient-step", "partial-derivatives"):
        return _later_kinds(problem)
    f = read(problem["function"])
    quotient = sympy.cancel((f.subs(x, x + h) - f) / h)
    fprime = sympy.limit(quotient, h, 0)
    if kind == "expand":
        return sympy.expand(f.subs(x, x + h))
    if kind == "simplify-quotient":
        return sympy.expand(quotient)
    if kind == "limit-definition":
        return sympy.expand(fprime)
    if kind == "derivative-at":
        return tuple(fprime.subs(x, read(p)) for p in problem["points"])
    a = read(problem["point"])
    if kind == "evaluate":
        return f.subs(x, a)
    if kind == "rising-falling":
        return fprime.subs(x, a)
    step = read(problem["step"])
    change = f.subs(x, a + step) - f.subs(x, a)
    if kind == "difference":
        return change
    if kind == "difference-quotient":
        return change / step
    if kind == "estimate-error":
        return change / step - fprime.subs(x, a)
    if kind == "linear-approximation":
        return fprime.subs(x, a) * step
    raise KeyError(kind)


def given_answer(problem: dict[str, Any]) -> Any:
    """quiz.json's `answer` as sympy values (a tuple for comma lists)."""
    if problem["kind"] == "tangent-line":
        lhs, rhs = problem["answer"].split("=")
        assert lhs.strip() == "y"
        return read(rhs)
    parts = [read(part) for part in problem["answer"].split(",")]
    return tuple(parts) if problem["kind"] in LISTS + NAMED else parts[0]


# The neural-network kinds whose answers are checked from "expression", "values" and "nodes" here.
NETWORK = ("backprop", "neuron")
_FUNCTIONS = {"tanh": sympy.tanh, "sigmoid": lambda e: 1 / (1 + sympy.exp(-e)), "relu": lambda e: sympy.Max(e, 0)}


def read_network(text: str, names: list[str]) -> sympy.Expr:
    """A network kind's own plain formula (``tanh(w1*x1 + w2*x2 + b)``) over the given names, as sympy."""
    exact = re.sub(r"\d+\.\d+", lambda m: f"Rational('{m.group()}')", text).replace("^", "**")
    local = {n: sympy.Symbol(n, real=True) for n in names}
    return parse_expr(exact, local_dict={**local, **_FUNCTIONS, "Rational": sympy.Rational}, evaluate=True)


def matches(exact: sympy.Expr, key: str, places: int | None) -> bool:
    """An exact value against the key's string: equal; or, where the key is rounded (the value is
    irrational), written with exactly `places` decimals and within half a unit of the last place."""
    if places is not None and not sympy.nsimplify(exact).is_Rational:
        if "." not in key or len(key.split(".")[1]) != places:
            return False
        return bool(abs(sympy.N(exact - read(key), 60)) <= sympy.Rational(1, 2 * 10**places))
    return sympy.simplify(exact - read(key)) == 0


def network_values(problem: dict[str, Any]) -> list[tuple[sympy.Expr, str]]:
    """Every number of a backprop or neuron answer, recomputed with sympy's diff of the flattened
    expression, paired with the key's string for it (in the answer's order)."""
    values = {k: read(v) for k, v in problem["values"].items()}
    names = list(values)
    if problem["kind"] == "neuron":
        o = read_network(problem["expression"], names)
        n = read_network("w1*x1 + w2*x2 + b", names)
        at = {sympy.Symbol(k, real=True): v for k, v in values.items()}
        asked = ["w1", "w2", "b", "x1", "x2"]
        exact = [n.subs(at), o.subs(at)] + [sympy.diff(o, sympy.Symbol(k, real=True)).subs(at) for k in asked]
        keys = [problem["n"], problem["o"]] + [problem["gradient"][k] for k in asked]
        assert [k.strip() for k in problem["answer"].split(",")] == keys
        return list(zip(exact, keys))
    nodes = problem["nodes"]
    all_names = [nd["name"] for nd in nodes]
    formulas = {nd["name"]: read_network(nd["formula"], all_names) for nd in nodes if nd["formula"]}
    syms = {n: sympy.Symbol(n, real=True) for n in all_names}

    def flat(name: str, free: str = "") -> sympy.Expr:
        if name not in formulas or name == free:
            return syms[name]
        return formulas[name].subs({syms[m]: flat(m, free) for m in all_names if syms[m] in formulas[name].free_symbols})

    at = {syms[k]: v for k, v in values.items()}
    out = all_names[-1]
    whole = read_network(problem["expression"], names)
    assert sympy.simplify(whole - flat(out)) == 0 or whole.subs(at) == flat(out).subs(at)
    forward = {n: flat(n).subs(at) for n in all_names}
    exact, keys = [], []
    for nd in nodes:
        if nd["formula"]:
            exact.append(forward[nd["name"]])
            keys.append(nd["value"])
    for nd in nodes[:-1]:
        free = nd["name"]
        d = sympy.diff(flat(out, free), syms[free])
        exact.append(d.subs({**at, syms[free]: forward[free]}))
        keys.append(nd["grad"])
    for nd in nodes:
        if not nd["formula"]:  # the inputs' gradients again, straight from the whole expression
            d = sympy.diff(whole, syms[nd["name"]]).subs(at)
            assert matches(d, problem["gradient"][nd["name"]], problem.get("rounding")), nd
    assert [k.strip() for k in problem["answer"].split(",")] == keys
    return list(zip(exact, keys))


def agrees(problem: dict[str, Any]) -> bool:
    """True when quiz.json's answer equals the independent recomputation exactly."""
    if problem["kind"] in NETWORK:
        return all(matches(e, k, problem.get("rounding")) for e, k in network_values(problem))
    want, got = expected_answer(problem), given_answer(problem)
    if isinstance(want, tuple):
        return len(want) == len(got) and all(sympy.simplify(a - b) == 0 for a, b in zip(want, got))
    return sympy.expand(want - got) == 0
