"""--function: a teacher's polynomial read by the answer parser (quizgen.answers.polynomial), and the option end to end.

The spellings that worked with the old polyparse.py still work; everything else is refused
with one line naming --function, and every number and power is bounded before it is
computed (the hostile cases below used to hang, run 30 s or print a traceback).
"""

from __future__ import annotations

import re
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner

from quizgen.answers import check
from quizgen.answers.polynomial import MAX_FUNCTION_LENGTH, PolyError, parse_polynomial
from quizgen.cli import main


@contextmanager
def hang_guard(what: str, seconds: int = 10) -> Iterator[list[str]]:
    """A hang guard, not a speed test: SIGALRM stops a run stuck for `seconds` and the test fails.

    The handler records that it fired as well as raising, because a parser that swallows
    every exception would otherwise turn the alarm into an ordinary error message.
    """
    fired: list[str] = []

    def stuck(signum: int, frame: object) -> None:
        fired.append(what)
        raise AssertionError(f"still running after {seconds} s on {what[:40]!r}")

    previous = signal.signal(signal.SIGALRM, stuck)
    signal.alarm(seconds)
    try:
        yield fired
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert not fired, f"still running after {seconds} s on {what[:40]!r}"


# ---------------------------------------------------------------- what is accepted (ported from test_polyparse.py)


@pytest.mark.parametrize(
    "text",
    ["3x^2-4x+5", "3*x**2 - 4*x + 5", "5 - 4x + 3x²", "3 x^2 − 4 x + 5", "x(3x-4)+5", "(3x - 4)x + 5",
     "3(x^2) - 4x + 10/2", "3X^2 - 4X + 5", "3·x² − 4×x + 5", "[3x - 4]x + 5", "3x^2 - 4.0x + 50e-1"],
)
def test_spellings_of_the_walkthrough(text: str) -> None:
    assert parse_polynomial(text) == (Fraction(5), Fraction(-4), Fraction(3))


def test_products_powers_fractions_and_decimals() -> None:
    assert parse_polynomial("(x+1)(x-1)") == (Fraction(-1), Fraction(0), Fraction(1))
    assert parse_polynomial("(x+1)^3") == (1, 3, 3, 1)
    assert parse_polynomial("x^2/2 + 0.5x") == (0, Fraction(1, 2), Fraction(1, 2))
    assert parse_polynomial("-x^2") == (0, 0, -1)
    assert parse_polynomial("x(x-1)(x+2)") == (0, -2, 1, 1)
    assert parse_polynomial("x⁴ - 2x³") == (0, 0, 0, -2, 1)
    assert parse_polynomial("0.25x^2 - x/3 + 1/8") == (Fraction(1, 8), Fraction(-1, 3), Fraction(1, 4))
    assert parse_polynomial("x^2^2") == (0, 0, 0, 0, 1)  # powers group to the right: x^(2^2)
    assert parse_polynomial("2^3 x^2") == (0, 0, 8)


def test_losses_in_w() -> None:
    assert parse_polynomial("2w^2 - 3w + 1", variables="xw") == (1, -3, 2)
    assert parse_polynomial("(w - 3)^2", variables="xw") == (9, -6, 1)
    assert parse_polynomial("3x^2-4x+5", variables="xw") == (5, -4, 3)
    with pytest.raises(PolyError, match=re.escape("not a polynomial in x ('w' at position 7)")):
        parse_polynomial("x^2 + w", variables="xw")
    with pytest.raises(PolyError, match=re.escape("not a polynomial in x ('w' at position 1)")):
        parse_polynomial("w^2")  # only x unless w is allowed


def test_the_polynomial_is_the_one_the_checker_reads() -> None:
    """A second opinion: the checker, on the same text, agrees with the coefficients written out."""
    for text in ["3x^2-4x+5", "x(x-1)(x+2)", "(2x - 1/2)^2 / 3", "0.5x^3 - (x+1)(x-1)"]:
        c = parse_polynomial(text)
        written = " + ".join(f"({q.numerator}/{q.denominator})*x^{k}" for k, q in enumerate(c))
        assert check(text, written).status == "correct", (text, written)


# ---------------------------------------------------------------- what is refused (ported and new)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("3x^^2", "unexpected '^' at position 4"),
        ("sin(x)", "not a polynomial in x ('sin' at position 1)"),
        ("sin x", "not a polynomial in x ('sin' at position 1)"),
        ("3y^2", "not a polynomial in x ('y' at position 2)"),
        ("e^x", "not a polynomial in x ('e' at position 1)"),
        ("|x|", "not a polynomial in x ('|' at position 1)"),
        ("y = x^2", "not a polynomial in x ('y' at position 1)"),
        ("x^2 = 1", "not a polynomial in x ('=' at position 5)"),
        ("x^2, 1", "not a polynomial in x (',' at position 4)"),
        ("foo", "not a polynomial in x ('foo' at position 1)"),
        ("1/x", "division by an expression in x"),
        ("x^-1", "whole numbers"),
        ("x^1.5", "whole numbers"),
        ("x^x", "whole numbers"),
        ("x^9", "degree above 4"),
        ("(x^2)^3", "degree above 4"),
        ("(x+1)^99999999", "degree above 4"),
        ("3x^2 +", "unexpected end"),
        ("", "empty"),
        ("   ", "empty"),
        ("x/0", "division by zero"),
        ("x" * 300, f"longer than {MAX_FUNCTION_LENGTH} characters"),
        ("__import__('os')", "not a polynomial in x ('_' at position 1)"),
        ("x^2\x00", "control or invisible character at position 4"),
        ("x^2 + " + "9" * 41, "too many digits"),
        ("1e101 x^2", "too large or too small"),
    ],
)
def test_bad_functions(text: str, message: str) -> None:
    with pytest.raises(PolyError, match=re.escape(message)):
        parse_polynomial(text)


# The reproductions of issue 7: each must end at once with one line, never hang.
HOSTILE = {
    "one-to-a-huge-power": ("x^2+1^99999999", "an exponent is larger than 100"),
    "power-tower-of-nines": ("x^2+9^9^9", "an exponent is larger than 100"),
    "zero-to-a-huge-power": ("x^2+0^99999999", "an exponent is larger than 100"),
    "half-to-a-huge-power": ("x^2+(1/2)^999999", "an exponent is larger than 100"),
    "past-4300-digits": ("x^2+2^2^2^2^2", "an exponent is larger than 100"),
    "nested-1000-deep": ("(" * 1000 + "x^2" + ")" * 1000, "longer than 200 characters"),
    "nested-60-deep": ("(" * 60 + "x^2" + ")" * 60, "nested too deeply (more than 50"),
    "signs-190-deep": ("-" * 190 + "x^2", "nested too deeply"),
    "100-kB": ("x^2+" * 25_000, "longer than 200 characters"),
    "huge-coefficients": ("(10^40)^90 x^2", "too large"),
    "many-huge-factors": ("x^2" + "*10^99" * 20, "too large"),
}


@pytest.mark.parametrize(("text", "message"), HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_functions_are_refused_before_anything_is_computed(text: str, message: str) -> None:
    with hang_guard(text), pytest.raises(PolyError, match=re.escape(message)):
        parse_polynomial(text)


@pytest.mark.parametrize(("text", "message"), HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_functions_on_the_command_line(tmp_path: Path, text: str, message: str) -> None:
    out = tmp_path / "out"
    with hang_guard(text):
        result = CliRunner().invoke(main, ["make", "--function", text, "--out", str(out)])
    assert result.exit_code == 2, result.output[:300]
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output[:300]
    assert lines[0].startswith("Error: --function ") and message in lines[0], lines[0][:300]
    echoed = re.match(r"Error: --function '(.*?)': ", lines[0])
    assert echoed, lines[0][:300]
    assert len(echoed.group(1)) <= 41  # at most 40 characters of the text, then "…"
    assert echoed.group(1) == (text if len(text) <= 40 else text[:40] + "…")
    assert not out.exists()


@pytest.mark.parametrize(("text", "_"), HOSTILE.values(), ids=HOSTILE.keys())
def test_the_same_text_typed_as_an_answer_is_invalid_too(text: str, _: str) -> None:
    with hang_guard(text):
        verdict = check(text, "x^2 + 1")
    assert verdict.status == "invalid", verdict


def test_the_walkthrough_still_runs(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["make", "--function", "3x^2-4x+5", "--point", "2", "--step", "0.001", "-f", "json", "-o", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(
        main, ["make", "--function", "2w^2 - 3w + 1", "-k", "gradient-step", "-n", "1", "-f", "json", "-o", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
