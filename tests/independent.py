"""An independent recomputation of every answer from quiz.json's strings alone.

Used by the tests only: it reads our own generated `function`, `point`, `step`
(never user text) with sympy's parser and recomputes each answer with sympy's
`limit` and `diff`, a route quizgen itself does not take.
"""

from __future__ import annotations

from typing import Any

import sympy
from sympy.parsing.sympy_parser import parse_expr

x, h = sympy.symbols("x h")


def read(text: str) -> sympy.Expr:
    """One of quizgen's own exact strings (``8.003``, ``-7/2``, ``6*x - 4``) as an exact sympy value."""
    return sympy.nsimplify(parse_expr(text, local_dict={"x": x, "h": h}, evaluate=True), rational=True)


def expected_answer(problem: dict[str, Any]) -> Any:
    """The answer recomputed from the problem's data, by the limit definition in sympy."""
    f = read(problem["function"])
    kind = problem["kind"]
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
    parts = [read(part) for part in problem["answer"].split(",")]
    return tuple(parts) if problem["kind"] == "derivative-at" else parts[0]


def agrees(problem: dict[str, Any]) -> bool:
    """True when quiz.json's answer equals the independent recomputation exactly."""
    want, got = expected_answer(problem), given_answer(problem)
    if isinstance(want, tuple):
        return len(want) == len(got) and all(sympy.simplify(a - b) == 0 for a, b in zip(want, got))
    return sympy.expand(want - got) == 0
