"""--function parsing: polynomials in many spellings, everything else refused."""

from __future__ import annotations

import re
from fractions import Fraction

import pytest

from quizgen.polyparse import PolyError, parse_polynomial


@pytest.mark.parametrize(
    "text",
    ["3x^2-4x+5", "3*x**2 - 4*x + 5", "5 - 4x + 3x²", "3 x^2 − 4 x + 5", "x(3x-4)+5", "(3x - 4)x + 5", "3(x^2) - 4x + 10/2"],
)
def test_spellings_of_the_walkthrough(text: str) -> None:
    assert parse_polynomial(text) == (Fraction(5), Fraction(-4), Fraction(3))


def test_products_and_powers() -> None:
    assert parse_polynomial("(x+1)(x-1)") == (Fraction(-1), Fraction(0), Fraction(1))
    assert parse_polynomial("(x+1)^3") == (1, 3, 3, 1)
    assert parse_polynomial("x^2/2 + 0.5x") == (0, Fraction(1, 2), Fraction(1, 2))
    assert parse_polynomial("-x^2") == (0, 0, -1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("3x^^2", "unexpected '^'"),
        ("sin(x)", "not a polynomial"),
        ("3y^2", "not a polynomial"),
        ("1/x", "division by an expression"),
        ("x^-1", "whole numbers"),
        ("x^1.5", "whole numbers"),
        ("x^9", "degree above 4"),
        ("(x+1)^99999999", "degree above 4"),
        ("3x^2 +", "unexpected end"),
        ("", "empty"),
        ("x/0", "division by zero"),
        ("x" * 300, "longer than"),
        ("__import__('os')", "not a polynomial"),
    ],
)
def test_bad_functions(text: str, message: str) -> None:
    with pytest.raises(PolyError, match=re.escape(message)):
        parse_polynomial(text)
