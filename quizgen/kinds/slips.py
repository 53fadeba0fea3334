"""Named misconceptions, computed exactly: the wrong answers students typically give.

Each function returns the value a particular slip leads to; the kinds pair it with a sentence
saying what went wrong (Solved.mistakes). quizgen.choices turns them into multiple-choice
distractors, dropping any that happen to equal the answer or one another.
"""

from __future__ import annotations

from fractions import Fraction

from quizgen.exact import Poly, horner, poly_add, poly_from_coeffs

Coeffs = tuple[Fraction, ...]


def power_kept(coeffs: Coeffs) -> Coeffs:
    """The power-rule slip that keeps the power: c·xⁿ → n·c·xⁿ (as coefficients, constant first)."""
    return tuple(Fraction(n) * c for n, c in enumerate(coeffs))


def factor_dropped(coeffs: Coeffs) -> Coeffs:
    """The power-rule slip that forgets the factor n: c·xⁿ → c·xⁿ⁻¹."""
    return tuple(coeffs[1:]) or (Fraction(0),)


def no_binomial(coeffs: Coeffs) -> Poly:
    """f(x + h) with every binomial coefficient taken as 1: (x + h)² = x² + xh + h²."""
    out: Poly = {}
    for n, c in enumerate(coeffs):
        for k in range(n + 1) if c else ():
            out[(n - k, k)] = out.get((n - k, k), Fraction(0)) + c
    return {k: v for k, v in out.items() if v}


def powers_split(coeffs: Coeffs) -> Poly:
    """f(x + h) with (x + h)ⁿ taken as xⁿ + hⁿ."""
    out: Poly = {}
    for n, c in enumerate(coeffs):
        for key in {(n, 0), (0, n)} if c else set():
            out[key] = out.get(key, Fraction(0)) + c
    return {k: v for k, v in out.items() if v}


def first_term_shifted(coeffs: Coeffs) -> Poly:
    """f(x + h) with only the leading term's x replaced by (x + h)."""
    from math import comb

    n = len(coeffs) - 1
    out = poly_from_coeffs(coeffs[:-1])
    lead = {(n - k, k): coeffs[-1] * comb(n, k) for k in range(n + 1)}
    return poly_add(out, lead)


def plus_h(coeffs: Coeffs) -> Poly:
    """f(x) + h: h added to the output instead of the input."""
    return poly_add(poly_from_coeffs(coeffs), {(0, 1): Fraction(1)})


def difference_of(shifted: Poly, coeffs: Coeffs) -> Poly:
    """shifted − f(x)."""
    return poly_add(shifted, poly_from_coeffs(coeffs), Fraction(-1))


def over_h(p: Poly) -> Poly | None:
    """p/h, or None when p has a term without h."""
    if any(j == 0 for (_, j) in p):
        return None
    return {(i, j - 1): c for (i, j), c in p.items()}


def secant_slope(coeffs: Coeffs, a: Fraction, h: Fraction = Fraction(1)) -> Fraction:
    """(f(a + h) − f(a))/h: the secant's slope (h = 1 by default) taken for the tangent's."""
    return (horner(coeffs, a + h) - horner(coeffs, a)) / h


def squared_coefficient(coeffs: Coeffs, a: Fraction) -> Fraction:
    """f(a) with each power taken of the coefficient too: 3(2)² as (3·2)² = 36."""
    return coeffs[0] + sum(((c * a) ** n for n, c in enumerate(coeffs) if n), Fraction(0))


def power_as_product(coeffs: Coeffs, a: Fraction) -> Fraction:
    """f(a) with aⁿ taken as n·a: (2)² as 2·2 is right by chance, (3)² as 6 is not."""
    return coeffs[0] + sum((c * n * a for n, c in enumerate(coeffs) if n), Fraction(0))
