"""Read a teacher's polynomial such as ``3x^2-4x+5`` into exact coefficients, safely.

A small lark grammar (never eval or sympy's string parsers): numbers, x, + − * /,
^ or **, parentheses and implicit multiplication (``3x``, ``2(x+1)``, ``(x+1)(x-1)``).
"""

from __future__ import annotations

import re
from fractions import Fraction

from lark import Lark, Transformer, UnexpectedInput, v_args

MAX_DEGREE = 4
MAX_LENGTH = 200

_GRAMMAR = r"""
?start: sum
?sum: term
    | sum "+" term   -> add
    | sum "-" term   -> sub
?term: signed
    | term "*" signed  -> mul
    | term "/" signed  -> div
    | term power       -> mul
?signed: power
    | "-" signed     -> neg
    | "+" signed
?power: atom
    | atom POW signed -> pow
?atom: NUMBER        -> number
    | "x"            -> var
    | "(" sum ")"
POW: "^" | "**"
NUMBER: /(\d+\.?\d*|\.\d+)/
%import common.WS
%ignore WS
"""

_PARSER = Lark(_GRAMMAR, parser="lalr", maybe_placeholders=False)

# Coefficients constant-first: (5, -4, 3) is 3x² − 4x + 5.
Coeffs = tuple[Fraction, ...]


class PolyError(ValueError):
    """The text is not a polynomial in x that quizgen can use."""


def _trim(c: list[Fraction]) -> list[Fraction]:
    while len(c) > 1 and c[-1] == 0:
        c.pop()
    return c


def _mul(a: list[Fraction], b: list[Fraction]) -> list[Fraction]:
    out = [Fraction(0)] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            out[i + j] += x * y
    if len(_trim(out)) - 1 > MAX_DEGREE:
        raise PolyError(f"degree above {MAX_DEGREE}")
    return out


@v_args(inline=True)
class _ToCoeffs(Transformer):
    def number(self, tok):  # noqa: D102 - grammar callbacks
        return [Fraction(str(tok))]

    def var(self):  # noqa: D102
        return [Fraction(0), Fraction(1)]

    def add(self, a, b):  # noqa: D102
        n = max(len(a), len(b))
        return _trim([(a[i] if i < len(a) else 0) + (b[i] if i < len(b) else 0) for i in range(n)])

    def sub(self, a, b):  # noqa: D102
        return self.add(a, [-c for c in b])

    def neg(self, a):  # noqa: D102
        return [-c for c in a]

    def mul(self, a, b):  # noqa: D102
        return _trim(_mul(a, b))

    def div(self, a, b):  # noqa: D102
        if len(b) != 1:
            raise PolyError("division by an expression in x is not a polynomial")
        if b[0] == 0:
            raise PolyError("division by zero")
        return [c / b[0] for c in a]

    def pow(self, base, _op, exponent):  # noqa: D102
        if len(exponent) != 1 or exponent[0].denominator != 1 or exponent[0] < 0:
            raise PolyError("exponents must be whole numbers 0, 1, 2, …")
        n = int(exponent[0])
        if n > MAX_DEGREE and len(base) > 1:
            raise PolyError(f"degree above {MAX_DEGREE}")
        out = [Fraction(1)]
        for _ in range(n):
            out = _mul(out, base)
        return _trim(out)


def parse_polynomial(text: str) -> Coeffs:
    """Exact coefficients (constant first) of a polynomial in x; PolyError says what is wrong."""
    if len(text) > MAX_LENGTH:
        raise PolyError(f"longer than {MAX_LENGTH} characters")
    cleaned = text.replace("\u2212", "-").replace("·", "*").replace("×", "*")
    cleaned = cleaned.replace("²", "^2").replace("³", "^3").replace("⁴", "^4")
    cleaned = re.sub(r"\bX\b", "x", cleaned)
    if not cleaned.strip():
        raise PolyError("empty")
    word = re.search(r"[A-Za-z_]{2,}|[A-WYZa-wyz_]", cleaned)
    if word:
        raise PolyError(f"not a polynomial in x ('{word.group()}' at position {word.start() + 1}); use only x, numbers, + - * / ^ and parentheses")
    try:
        tree = _PARSER.parse(cleaned)
        coeffs = _ToCoeffs().transform(tree)
    except UnexpectedInput as exc:
        token = getattr(exc, "token", None)
        if token is not None and token.type == "$END":
            raise PolyError("unexpected end of input (something is missing at the end)") from None
        pos = exc.pos_in_stream if exc.pos_in_stream is not None else 0
        char = str(token) if token is not None else cleaned[pos : pos + 1]
        raise PolyError(f"unexpected '{char}' at position {pos + 1}") from None
    except PolyError:
        raise
    except Exception as exc:  # lark wraps errors raised in transformer callbacks
        inner = getattr(exc, "orig_exc", exc)
        if isinstance(inner, PolyError):
            raise inner from None
        raise PolyError(str(inner)) from None
    return tuple(_trim(list(coeffs)))
