"""The walkthrough's computations done twice: with sympy, and with exact fractions.

Kinds call `sympy_*` for their answers and `exact_*` in their independent check.
The two never share code: sympy expands and differentiates symbolically, the
exact route uses the binomial theorem, Horner's rule and the power rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from functools import lru_cache
from typing import Any

from sympy import QQ
from sympy.polys.densetools import dup_eval
from sympy.polys.rings import PolyElement, ring

from quizgen.exact import Poly, at_h0, divide_by_h, horner, poly_add, poly_from_coeffs, power_rule, shift
from quizgen.model import Task


@dataclass(frozen=True)
class Symbolic:
    """f(x+h), f(x+h) − f(x), the quotient and f′(x) for one f."""

    shifted: Poly
    difference: Poly
    quotient: Poly
    derivative: Poly


# sympy's sparse polynomial rings over QQ: the same exact algebra as sympy.expand
# and sympy.diff on expressions, about 100 times faster (generation must reach
# thousands of problems per second).
_RING, _RX, _RH = ring("x,h", QQ)
_UNI, _UX = ring("x", QQ)


def _terms(p: PolyElement) -> Poly:
    return {(int(i), int(j)): Fraction(int(c.numerator), int(c.denominator)) for (i, j), c in p.terms() if c}


def _frac(c: object) -> Fraction:
    return Fraction(int(c.numerator), int(c.denominator))  # type: ignore[attr-defined]


@lru_cache(maxsize=4096)
def _f(coeffs: tuple[Fraction, ...]) -> PolyElement:
    return _UNI.from_list([QQ(c.numerator, c.denominator) for c in reversed(coeffs)])


def sympy_symbolic(task: Task) -> Symbolic:
    """The limit definition with sympy: compose with x + h, subtract, divide by h, h → 0."""
    return _symbolic(task.coeffs)


# (x + h)^n for the degrees quizgen draws, expanded once by sympy; f(x + h) is then a sum of
# scaled powers, the same ring arithmetic `compose` does, without redoing the powers per f.
_SHIFTED_POWERS: list[PolyElement] = [(_RX + _RH) ** n for n in range(5)]
_H_TERM = ((0, 1), QQ(1))


def _shifted_power(n: int) -> PolyElement:
    while n >= len(_SHIFTED_POWERS):
        _SHIFTED_POWERS.append(_SHIFTED_POWERS[-1] * (_RX + _RH))
    return _SHIFTED_POWERS[n]


@lru_cache(maxsize=4096)
def _symbolic(coeffs: tuple[Fraction, ...]) -> Symbolic:
    qs = [QQ(c.numerator, c.denominator) for c in coeffs]
    fx = _RING.from_dict({(i, 0): q for i, q in enumerate(qs) if q})
    shifted = _RING.zero
    for i, q in enumerate(qs):
        if q:
            shifted = shifted + _shifted_power(i).mul_ground(q)
    difference = shifted - fx
    # Divide by h exactly: every term of f(x + h) − f(x) has a factor h (else no exact quotient).
    if not all(j for _, j in difference.itermonoms()):
        raise AssertionError("f(x + h) − f(x) has a term without h")
    quotient = difference.quo_term(_H_TERM)
    # For a polynomial in h the limit h → 0 is its value at h = 0, its h⁰ part; sympy's diff must agree.
    derivative = quotient.coeff_wrt(_RH, 0)
    by_diff = {(int(i), 0): _frac(c) for (i,), c in _f(coeffs).diff(_UX).terms() if c}
    by_limit = {(int(i), 0): _frac(c) for (i, _), c in derivative.terms() if c}
    if by_limit != by_diff:
        raise AssertionError("limit of the quotient differs from sympy's diff")
    return Symbolic(_terms(shifted), _terms(difference), _terms(quotient), by_diff)


@lru_cache(maxsize=4096)
def _dense(coeffs: tuple[Fraction, ...]) -> tuple[list[Any], list[Any]]:
    """f and sympy's diff of f as sympy's dense lists (highest power first), once per f."""
    f = _f(coeffs)
    return f.to_dense(), f.diff(_UX).to_dense()


def sympy_value(task: Task, at: Fraction) -> Fraction:
    """f(at) with sympy (its dense evaluation, dup_eval)."""
    return _frac(dup_eval(_dense(task.coeffs)[0], QQ(at.numerator, at.denominator), QQ))


def sympy_derivative_at(task: Task, at: Fraction) -> Fraction:
    """f′(at) with sympy's diff (evaluated by dup_eval)."""
    return _frac(dup_eval(_dense(task.coeffs)[1], QQ(at.numerator, at.denominator), QQ))


def exact_symbolic(task: Task) -> Symbolic:
    """The same four polynomials by the binomial theorem and exact fractions."""
    shifted = shift(task.coeffs)
    difference = poly_add(shifted, poly_from_coeffs(task.coeffs), Fraction(-1))
    quotient = divide_by_h(difference)
    derivative = at_h0(quotient)
    return Symbolic(shifted, difference, quotient, derivative)


def exact_value(task: Task, at: Fraction) -> Fraction:
    """f(at) by Horner's rule."""
    return horner(task.coeffs, at)


def exact_derivative_at(task: Task, at: Fraction) -> Fraction:
    """f′(at) by the power rule and Horner's rule."""
    return horner(power_rule(task.coeffs), at)
