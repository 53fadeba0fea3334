"""The walkthrough's computations done twice: with sympy, and with exact fractions.

Kinds call `sympy_*` for their answers and `exact_*` in their independent check.
The two never share code: sympy expands and differentiates symbolically, the
exact route uses the binomial theorem, Horner's rule and the power rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import sympy

from quizgen.exact import Poly, at_h0, divide_by_h, horner, poly_add, poly_from_coeffs, power_rule, shift
from quizgen.kinds.base import H, X, frac, rat, sym_f, sym_poly
from quizgen.model import Task


@dataclass(frozen=True)
class Symbolic:
    """f(x+h), f(x+h) − f(x), the quotient and f′(x) for one f."""

    shifted: Poly
    difference: Poly
    quotient: Poly
    derivative: Poly


def sympy_symbolic(task: Task) -> Symbolic:
    """The limit definition with sympy: expand, subtract, cancel h, take the limit."""
    fx = sym_f(task)
    shifted = sympy.expand(fx.subs(X, X + H))
    difference = sympy.expand(shifted - fx)
    quotient = sympy.expand(sympy.cancel(difference / H))
    # For a polynomial in h the limit h → 0 is its value at h = 0; sympy.diff is a
    # second sympy-side check that the definition gives the derivative.
    derivative = sympy.expand(quotient.subs(H, 0))
    if sympy.expand(derivative - sympy.diff(fx, X)) != 0:
        raise AssertionError("limit of the quotient differs from sympy.diff")
    return Symbolic(sym_poly(shifted), sym_poly(difference), sym_poly(quotient), sym_poly(derivative))


def sympy_value(task: Task, at: Fraction) -> Fraction:
    """f(at) with sympy."""
    return frac(sym_f(task).subs(X, rat(at)))


def sympy_derivative_at(task: Task, at: Fraction) -> Fraction:
    """f′(at) with sympy.diff."""
    return frac(sympy.diff(sym_f(task), X).subs(X, rat(at)))


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
