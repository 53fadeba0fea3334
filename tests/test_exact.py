"""Exact numbers and the writers, checked against values worked out by hand."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizgen.exact import (
    Style,
    decimal_str,
    divide_by_h,
    horner,
    is_decimal_text,
    parse_number,
    poly_latex,
    poly_plain,
    poly_text,
    shift,
    terminates,
)
from quizgen.kinds.partial_derivatives import loss_at

WALK = (Fraction(5), Fraction(-4), Fraction(3))  # 3x² − 4x + 5


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Fraction(9008003, 1000000), "9.008003"),
        (Fraction(8003, 1000), "8.003"),
        (Fraction(-3, 1000), "-0.003"),
        (Fraction(1, 8), "0.125"),
        (Fraction(7), "7"),
        (Fraction(-1, 20), "-0.05"),
    ],
)
def test_decimal_str_is_exact(value: Fraction, text: str) -> None:
    assert decimal_str(value) == text
    assert Fraction(text) == value


def test_non_terminating_fraction_stays_a_fraction() -> None:
    assert not terminates(Fraction(1, 3))
    assert Style(decimal=True).plain(Fraction(-7, 3)) == "-7/3"
    assert Style(decimal=False).plain(Fraction(1, 2)) == "1/2"
    assert Style(decimal=True).plain(Fraction(1, 2)) == "0.5"


@given(st.integers(-10**9, 10**9), st.integers(0, 9), st.integers(0, 9))
def test_decimal_round_trip(n: int, a: int, b: int) -> None:
    q = Fraction(n, 2**a * 5**b)
    assert Fraction(decimal_str(q)) == q


def test_number_parsing() -> None:
    assert parse_number("0.001") == Fraction(1, 1000)
    assert parse_number("-1/2") == Fraction(-1, 2)
    assert parse_number("1e-3") == Fraction(1, 1000)
    assert parse_number("\u22122") == -2
    assert is_decimal_text("0.001") and not is_decimal_text("1/2") and not is_decimal_text("2")
    with pytest.raises(ValueError):
        parse_number("2+2")


def test_walkthrough_expansion_in_walkthrough_order() -> None:
    shifted = shift(WALK)
    s = Style(decimal=True)
    assert poly_text(shifted, s) == "3x² + 6xh + 3h² − 4x − 4h + 5"
    assert poly_plain(shifted, s) == "3*x**2 + 6*x*h + 3*h**2 - 4*x - 4*h + 5"
    diff = {k: v for k, v in shifted.items() if k[1] > 0}
    assert poly_text(diff, s) == "6xh + 3h² − 4h"
    assert poly_text(divide_by_h(diff), s) == "6x + 3h − 4"
    assert poly_latex(divide_by_h(diff), s) == "6x + 3h - 4"


def test_leading_negative_is_grouped_for_ziamath() -> None:
    p = {(2, 0): Fraction(-3), (0, 0): Fraction(1, 2)}
    assert poly_latex(p, Style()) == r"{-3x^{2}} + \frac{1}{2}"
    assert poly_text(p, Style()) == "\u22123x² + 1/2"
    assert poly_plain(p, Style()) == "-3*x**2 + 1/2"


# The fast paths (integer Horner, one table of written forms per number) against the plain definitions.
@given(
    st.lists(st.integers(-50, 50), min_size=1, max_size=6),
    st.integers(-10**6, 10**6),
    st.integers(1, 10**6),
)
def test_horner_on_whole_coefficients_is_the_sum_of_terms(coeffs: list[int], p: int, q: int) -> None:
    x = Fraction(p, q)
    cs = tuple(Fraction(c) for c in coeffs)
    assert horner(cs, x) == sum((c * x**i for i, c in enumerate(cs)), Fraction(0))
    half = cs + (Fraction(1, 2),)
    assert horner(half, x) == sum((c * x**i for i, c in enumerate(half)), Fraction(0))


@given(st.integers(-10**9, 10**9), st.sampled_from([1, 2, 3, 4, 8, 10, 16, 125, 1000, 7, 12, 3000]), st.booleans())
def test_style_writers_follow_their_definitions(n: int, d: int, decimal: bool) -> None:
    q = Fraction(n, d)
    s = Style(decimal)
    exact_decimal = q.denominator == 1 or (decimal and terminates(q))
    plain = str(q.numerator) if q.denominator == 1 else decimal_str(q) if exact_decimal else f"{q.numerator}/{q.denominator}"
    assert s.plain(q) == plain
    assert s.text(q) == plain.replace("-", "\u2212")
    body = decimal_str(abs(q)) if exact_decimal and q.denominator != 1 else str(abs(q.numerator)) if exact_decimal else (
        rf"\frac{{{abs(q.numerator)}}}{{{q.denominator}}}")
    assert s.latex(q) == (f"{{-{body}}}" if q < 0 else body)
    assert s.latex_factor(q) == (rf"\left({s.latex(q)}\right)" if q < 0 or not exact_decimal else s.latex(q))
    assert s.text_factor(q) == (f"({s.text(q)})" if q < 0 or "/" in s.text(q) else s.text(q))
    assert s.magnitude(q) == (s.latex(abs(q)), s.text(abs(q)))


@given(
    st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4), st.integers(-9, 9)), max_size=6),
    st.tuples(st.integers(-40, 40), st.sampled_from([1, 2, 4, 10, 100])),
    st.tuples(st.integers(-40, 40), st.sampled_from([1, 3, 8, 1000])),
)
def test_two_weight_loss_in_integers_is_the_sum_of_terms(
    raw: list[tuple[int, int, int]], w1: tuple[int, int], w2: tuple[int, int]
) -> None:
    terms = tuple(((i, j), Fraction(c)) for i, j, c in raw)
    at = (Fraction(*w1), Fraction(*w2))
    assert loss_at(terms, at) == sum((c * at[0] ** i * at[1] ** j for (i, j), c in terms), Fraction(0))
