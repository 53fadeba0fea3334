"""The same tree handed to sympy: a second, symbolic opinion for the tests."""

from __future__ import annotations

from typing import Any

from quizgen.answers.evaluation import exprs, wrap
from quizgen.answers.grammar import Node, parse
from quizgen.answers.limits import Invalid
from quizgen.answers.tokens import context


_SYMPY_FUNCTIONS = {
    "sin": "sin", "cos": "cos", "tan": "tan", "sec": "sec", "csc": "csc", "cot": "cot",
    "asin": "asin", "acos": "acos", "atan": "atan", "sinh": "sinh", "cosh": "cosh",
    "tanh": "tanh", "exp": "exp", "log": "log", "sqrt": "sqrt", "abs": "Abs",
    "asinh": "asinh", "acosh": "acosh", "atanh": "atanh", "sgn": "sign",
}


def to_sympy(text: str, expected: str = "") -> tuple[Any, ...]:
    """An answer's parts as sympy objects built from our own tree (for a second, symbolic opinion)."""
    # The tests confirm the shared table with it; it can also typeset a student's answer.
    # Invalid text raises ValueError with the student message. Variables are real symbols,
    # so sqrt(x**2) is Abs(x), as for the checker.
    import sympy

    try:
        form = parse(text, context(expected or text))
        for x in exprs(wrap(form)):
            x.validate()  # the limits protect sympy too (10^10^10 would never finish)
    except Invalid as why:
        raise ValueError(str(why)) from None

    def build(node: Node) -> Any:
        op = node.op
        if op == "num":
            q = node.value[0]
            return sympy.Rational(q.numerator, q.denominator)
        if op == "var":
            return sympy.Symbol(node.value, real=True)
        if op == "const":
            return sympy.pi if node.value == "pi" else sympy.E
        args = [build(a) for a in node.args]
        if op == "add":
            return sympy.Add(*args)
        if op == "mul":
            return sympy.Mul(*args)
        if op == "neg":
            return -args[0]
        if op == "inv":
            return sympy.Pow(args[0], -1)
        if op == "pow":
            return sympy.Pow(args[0], args[1])
        if op == "fn2":
            return (sympy.Max if node.value == "max" else sympy.Min)(args[0], args[1])
        if node.value == "sigmoid":
            return 1 / (1 + sympy.exp(-args[0]))
        if node.value == "relu":
            return sympy.Max(0, args[0])
        return getattr(sympy, _SYMPY_FUNCTIONS[node.value])(args[0])

    if form[0] == "eq":
        return (sympy.Eq(build(form[1]), build(form[2]), evaluate=False),)
    return tuple(build(n) for n in form[1])
