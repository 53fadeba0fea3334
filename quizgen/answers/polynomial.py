"""A teacher's polynomial (``--function "3x^2-4x+5"``) read by the answer parser into exact coefficients.

The same tokenizer and grammar as a student's answer (so the same spellings work: ``3x²``,
``3*x**2``, ``x(3x-4)+5``, ``(x+1)(x-1)``, ``x^2/2 + 0.5x``, unicode minus), with the same
limits on length, nesting, digits and exponents; then the tree is multiplied out with
every size checked before it is computed: an exponent must be a whole number, at most
MAX_EXPONENT on a constant and at most MAX_DEGREE in total on the variable, and no
coefficient may grow past MAX_BITS. Nothing is evaluated as code.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from lark import Token

from quizgen.answers.grammar import Node, check_text, parse_tokens
from quizgen.answers.limits import MAX_BITS, MAX_DEPTH, MAX_DIGITS, MAX_EXPONENT, Invalid
from quizgen.answers.tokens import tokenize

MAX_DEGREE = 4
MAX_FUNCTION_LENGTH = 200  # characters: a degree-4 polynomial needs far fewer

# Coefficients constant-first: (5, -4, 3) is 3x² − 4x + 5.
Coeffs = tuple[Fraction, ...]

_USE = "use only {var}, numbers, + - * / ^ and parentheses"
# The parser's reasons, said about a formula instead of a student's answer.
_WORDS = {
    "empty": "empty",
    "too_long": f"longer than {MAX_FUNCTION_LENGTH} characters",
    "control": "contains a control or invisible character at position {pos}",
    "digits": f"the number at position {{pos}} has too many digits (more than {MAX_DIGITS})",
    "sci_range": "the number at position {pos} is too large or too small",
    "nested": f"nested too deeply (more than {MAX_DEPTH} brackets inside each other)",
    "too_deep": "nested too deeply",
    "unexpected": "unexpected '{tok}' at position {pos}",
    "incomplete": "unexpected end of input (something is missing at the end)",
    "unknown_name": "not a polynomial in {var} ('{name}' at position {pos}); " + _USE,
    "unknown_symbol": "not a polynomial in {var} ('{char}' at position {pos}); " + _USE,
    "func_brackets": "not a polynomial in {var} ('{name}' at position {pos}); " + _USE,
    "not_polynomial": "not a polynomial in {var} ('{name}' at position {pos}); " + _USE,
    "whole": "exponents must be whole numbers 0, 1, 2, …",
    "degree": f"degree above {MAX_DEGREE}",
    "big_exponent": f"an exponent is larger than {MAX_EXPONENT}",
    "too_big": "its numbers are too large",
    "div_expr": "division by an expression in {var} is not a polynomial",
    "div_zero": "division by zero",
}
# Tokens that cannot be part of a polynomial, whatever follows.
_NOT_POLYNOMIAL = {"FUNC", "FUNCARG", "FUNC2", "CONST", "FPOW", "_LBAR", "_RBAR", "_EQUAL", "_COMMA"}


class PolyError(ValueError):
    """The text is not a polynomial that quizgen can use; the message says why, in one line."""


class _Refused(Exception):
    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def parse_polynomial(text: str, variables: str = "x") -> Coeffs:
    """Exact coefficients (constant first) of a polynomial in one of ``variables``; PolyError says what is wrong.

    ``X`` is read as ``x``. A text using none of the variables is a constant polynomial
    in the first one.
    """
    var = variables[0]
    try:
        toks = tokenize(check_text(text, MAX_FUNCTION_LENGTH), frozenset(variables) | {"X"})
        var = _variable(toks, variables)
        form = parse_tokens(toks)
        return tuple(_trim(_coeffs(form[1][0])))
    except Invalid as why:
        code, params = why.code, why.params
    except _Refused as why:
        code, params = why.code, why.params
    raise PolyError(_WORDS[code].format(**{"var": var, **params})) from None


def _variable(toks: list[Token], variables: str) -> str:
    """The one variable the text uses; anything that is not part of a polynomial is refused here."""
    var = None
    for t in toks:
        if t.type == "VAR":
            letter = "x" if str(t) == "X" else str(t)
            if letter not in variables or (var is not None and letter != var):
                raise _Refused("not_polynomial", name=str(t), pos=t.start_pos, var=var or variables[0])
            var = letter
        elif t.type in _NOT_POLYNOMIAL:
            raise _Refused("not_polynomial", name=str(t), pos=t.start_pos, var=var or variables[0])
    return var or variables[0]


def _trim(c: list[Fraction]) -> list[Fraction]:
    while len(c) > 1 and c[-1] == 0:
        c.pop()
    return c


def _checked(c: list[Fraction]) -> list[Fraction]:
    """Refuse coefficients past MAX_BITS (checked after each sum or product of bounded ones)."""
    for q in c:
        if q.numerator.bit_length() > MAX_BITS or q.denominator.bit_length() > MAX_BITS:
            raise _Refused("too_big")
    return c


def _add(a: list[Fraction], b: list[Fraction]) -> list[Fraction]:
    n = max(len(a), len(b))
    zero = Fraction(0)
    return _checked(_trim([(a[i] if i < len(a) else zero) + (b[i] if i < len(b) else zero) for i in range(n)]))


def _mul(a: list[Fraction], b: list[Fraction]) -> list[Fraction]:
    a, b = _trim(a), _trim(b)
    if (len(a) - 1) + (len(b) - 1) > MAX_DEGREE and a != [0] and b != [0]:
        raise _Refused("degree")
    out = [Fraction(0)] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            out[i + j] += x * y
    return _checked(_trim(out))


def _power(base: list[Fraction], exponent: list[Fraction]) -> list[Fraction]:
    """base ** exponent, refused before computing if the result could be large."""
    if len(exponent) != 1 or exponent[0].denominator != 1 or exponent[0] < 0:
        raise _Refused("whole")
    n = exponent[0].numerator
    base = _trim(base)
    if len(base) > 1:  # a power of the variable: its degree is known before multiplying
        if (len(base) - 1) * n > MAX_DEGREE:
            raise _Refused("degree")
        out = [Fraction(1)]
        for _ in range(n):
            out = _mul(out, base)
        return out
    if n > MAX_EXPONENT:
        raise _Refused("big_exponent")
    b = base[0]
    # Bits of b**n are at least (bits(b) - 1)·n + 1: refuse before computing.
    if (b.numerator.bit_length() - 1) * n >= MAX_BITS or (b.denominator.bit_length() - 1) * n >= MAX_BITS:
        raise _Refused("too_big")
    return _checked([b**n])


def _coeffs(node: Node) -> list[Fraction]:
    """Coefficients of a tree of numbers, one variable, + − × ÷ and powers (depth ≤ MAX_TREE_DEPTH)."""
    op = node.op
    if op == "num":
        return [node.value[0]]
    if op == "var":
        return [Fraction(0), Fraction(1)]
    if op == "neg":
        return [-c for c in _coeffs(node.args[0])]
    if op == "add":
        out = [Fraction(0)]
        for a in node.args:
            out = _add(out, _coeffs(a))
        return out
    if op == "mul":
        out = [Fraction(1)]
        for a in node.args:
            out = _mul(out, _coeffs(a))
        return out
    if op == "inv":
        d = _trim(_coeffs(node.args[0]))
        if len(d) > 1:
            raise _Refused("div_expr")
        if d[0] == 0:
            raise _Refused("div_zero")
        return _checked([1 / d[0]])
    if op == "pow":
        exponent = _trim(_coeffs(node.args[1]))  # the exponent first: its size decides what may be computed
        return _power(_coeffs(node.args[0]), exponent)
    raise _Refused("not_polynomial", name=op, pos=1)  # functions and constants never get past _variable
