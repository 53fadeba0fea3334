"""The answer checker: the shared table, each feature, the limits, and fuzzing."""

from __future__ import annotations

import dataclasses
import json
import random
import re
import signal
from fractions import Fraction
from pathlib import Path

import pytest
import sympy

from hypothesis import given, settings
from hypothesis import strategies as st

from quizgen import answers
from quizgen.answers import Verdict, check, to_sympy
from quizgen.model import rounded_places

ROOT = Path(__file__).resolve().parent.parent
CASES = json.loads((Path(__file__).parent / "answer_cases.json").read_text(encoding="utf-8"))
STATUSES = {"correct", "incorrect", "invalid"}


def case_id(i: int, case: dict) -> str:
    return f"{i}-{ascii(case['answer'][:24])}-vs-{ascii(case['expected'][:16])}"


def run(case: dict) -> Verdict:
    return check(
        case["answer"],
        case["expected"],
        rtol=case.get("rtol"),
        atol=case.get("atol"),
        mistakes=case.get("mistakes", ()),
        form=case.get("form"),
        labels=case.get("labels", ()),
    )


# ---------------------------------------------------------------- the shared table


def test_table_is_big_and_well_formed():
    assert len(CASES) >= 150
    allowed = {"answer", "expected", "rtol", "atol", "mistakes", "form", "labels", "status", "message_contains"}
    for case in CASES:
        assert set(case) <= allowed, case
        assert case["status"] in STATUSES
    counts = {s: sum(c["status"] == s for c in CASES) for s in STATUSES}
    assert min(counts.values()) >= 40, counts
    assert sum("mistakes" in c for c in CASES) >= 5
    assert sum("rtol" in c or "atol" in c for c in CASES) >= 10
    assert sum("form" in c for c in CASES) >= 10
    assert sum("=" in c["expected"] for c in CASES) >= 10
    assert sum("," in c["expected"] for c in CASES) >= 10


@pytest.mark.parametrize("case", CASES, ids=[case_id(i, c) for i, c in enumerate(CASES)])
def test_table(case):
    tol = answers.Tol(case.get("rtol"), case.get("atol"))
    verdict = answers.check_strict(  # no safety net
        case["answer"], case["expected"], tol, case.get("mistakes", ()), case.get("form"), case.get("labels", ())
    )
    assert verdict.status == case["status"], verdict.message
    assert case.get("message_contains", "") in verdict.message
    assert verdict == run(case)


# A second, symbolic opinion: sympy (on the tree our parser built) evaluates both sides
# at points unrelated to the checker's and must agree with every table verdict it can judge.
SYMPY_POINTS = [Fraction(n, d) for n, d in [(-27, 10), (-13, 10), (2, 5), (9, 10), (17, 10), (31, 10), (23, 5), (-5, 3), (11, 4)]]


def sympy_values(expr: sympy.Expr, i: int) -> complex | None:
    env = {}
    for s in expr.free_symbols:  # each letter walks the points from its own offset
        name = str(s)
        if len(name) == 1:
            q = SYMPY_POINTS[(i + ord(name)) % len(SYMPY_POINTS)]
        else:  # eta, w1: a shift of its own keeps names that share an offset apart
            code = sum(ord(c) * 31**k for k, c in enumerate(name))
            q = SYMPY_POINTS[(i + code) % len(SYMPY_POINTS)] + Fraction(code % 89 + 1, 97)
        env[s] = sympy.Rational(q.numerator, q.denominator)
    value = sympy.N(expr.subs(env), 30)
    if value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo) or not value.is_real:
        return None
    return float(value)


def sympy_agree(a: sympy.Expr, e: sympy.Expr) -> bool | None:
    common, same = 0, True
    for i in range(len(SYMPY_POINTS)):
        x, y = sympy_values(a, i), sympy_values(e, i)
        if x is None or y is None:
            continue
        common += 1
        same = same and abs(x - y) <= 1e-9 * max(abs(x), abs(y), 1.0)
    return same if common else None


SYMBOLIC = [
    c for c in CASES
    if c["status"] != "invalid" and "labels" not in c and "rtol" not in c and "atol" not in c and "=" not in c["answer"] + c["expected"]
    and "not fully expanded" not in c.get("message_contains", "")  # equal values, rejected for their form
    and "not the calculation" not in c.get("message_contains", "")  # likewise: a calculation where a number is asked
]


@pytest.mark.parametrize("case", SYMBOLIC, ids=[case_id(i, c) for i, c in enumerate(SYMBOLIC)])
def test_table_agrees_with_sympy(case):
    a = to_sympy(case["answer"], case["expected"])
    e = to_sympy(case["expected"])
    if len(a) != len(e):
        assert case["status"] == "incorrect"
        return
    places = rounded_places(case.get("form"))
    if places is not None:  # "rounded:N": within half a unit of the key's N-th place, ends included
        half = sympy.Rational(1, 2) / 10**places
        close = all(not x.free_symbols and bool(sympy.Abs(x - y) <= half) for x, y in zip(a, e))
        if case["status"] == "correct":
            assert close
        elif "write that decimal" in case.get("message_contains", ""):  # right value, not written as the decimal
            assert close
        else:
            assert not close
        return
    verdicts = [sympy_agree(x, y) for x, y in zip(a, e)]
    if case["status"] == "correct":
        assert all(v is not False for v in verdicts)
        assert all(sympy.simplify(x - y) == 0 or v for x, y, v in zip(a, e, verdicts))
    else:
        assert any(v is False for v in verdicts)


# ---------------------------------------------------------------- features


def test_verdict_is_a_frozen_dataclass():
    v = check("6x-4", "6*x - 4")
    assert v == Verdict("correct", "Correct.")
    with pytest.raises(dataclasses.FrozenInstanceError):
        v.status = "incorrect"  # type: ignore[misc]


@pytest.mark.parametrize(
    "answer",
    ["6x-4", "6*x - 4", "2(3x-2)", "-4+6x", "6 x-4", "6·x − 4", "(6x - 4)", "3*2*x - 4", "x(6) - 4", "-(-6x+4)"],
)
def test_equivalent_forms_of_the_derivative(answer):
    assert check(answer, "6*x - 4") == Verdict("correct", "Correct.")


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("2x", "2*x"), ("3(x+1)", "3*x + 3"), ("x(x+1)", "x**2 + x"), ("(x+1)(x-1)", "x**2 - 1"), ("2 x", "2*x"),
        ("xh", "x*h"), ("2|x|", "2*abs(x)"), ("|x||h|", "abs(x*h)"), ("2sin(x)", "2*sin(x)"), ("x e^x", "x*exp(x)"),
        ("2pi", "2*pi"), ("(x)(h)(2)", "2*x*h"), ("x^2h", "x**2*h"), ("2x²h", "2*x**2*h"),
    ],
)
def test_implicit_multiplication(answer, expected):
    assert check(answer, expected).status == "correct"


def test_unary_minus_binds_looser_than_powers():
    assert check("-x^2", "-(x**2)").status == "correct"
    assert check("-x^2", "x**2").message == answers.SIGN
    assert check("-2^2", "-4").status == "correct"
    assert check("2^-1", "1/2").status == "correct"
    assert check("2^3^2", "512").status == "correct"  # powers group to the right


def test_e_is_eulers_number_and_scientific_notation_still_works():
    assert check("e", "2.718281828459045").status == "correct"
    assert check("2e", "2*exp(1)").status == "correct"
    assert check("2e3", "2000").status == "correct"
    assert check("2e-3", "0.002").status == "correct"
    assert check("2e-x", "2*exp(1) - x").status == "correct"


def test_exact_without_tolerance():
    assert check("0.5", "1/2").status == "correct"
    assert check("0.33", "1/3").status == "incorrect"
    assert check("0.333333333333", "1/3").status == "incorrect"
    assert check("8.003", "8003/1000").status == "correct"


@given(
    st.fractions(min_value=-1000, max_value=1000, max_denominator=1000),
    st.fractions(min_value=-1000, max_value=1000, max_denominator=1000),
    st.sampled_from([None, 0.0, 1e-3, 0.01, 0.1]),
    st.sampled_from([None, 0.0, 1e-3, 0.5]),
)
@settings(max_examples=200, deadline=None)
def test_tolerance_is_math_isclose_on_exact_values(a, b, rtol, atol):
    verdict = check(f"{a.numerator}/{a.denominator}", f"{b.numerator}/{b.denominator}", rtol=rtol, atol=atol)
    if rtol is None and atol is None:
        close = a == b
    else:
        close = abs(a - b) <= max(Fraction(rtol or 0.0) * max(abs(a), abs(b)), Fraction(atol or 0.0))
    assert (verdict.status == "correct") == close


@given(st.integers(-9, 9).filter(bool), st.integers(-9, 9), st.integers(-9, 9), st.integers(1, 9))
@settings(max_examples=100, deadline=None)
def test_polynomial_rewrites_and_one_term_slips(a, b, c, slip):
    expected = f"{a}*x**2 + {b}*x + {c}"
    assert check(f"x({a}x + {b}) + {c}", expected).status == "correct"
    assert check(f"{c} + {b}x + {a}x²", expected).status == "correct"
    wrong = check(f"{a}x^2 + {b + slip}x + {c}", expected)
    assert wrong == Verdict("incorrect", "Recheck the x term: the rest of your answer matches.")
    assert check(f"{a + slip}x^2 + {b}x + {c}", expected).message == "Recheck the x² term: the rest of your answer matches."


def test_points_are_spread_over_both_signs():
    values = [Fraction(*p) for p in answers.POINTS]
    assert len(set(values)) == answers.N_POINTS == len(values)
    assert sum(v < 0 for v in values) >= 6 and sum(v > 0 for v in values) >= 6
    assert not set(values) & {Fraction(0), Fraction(1), Fraction(-1)}
    for letter in answers.LETTER_ORDER:  # every variable visits every point once
        assert sorted(answers.sample_point(letter, i) for i in range(answers.N_POINTS)) == sorted(answers.POINTS)
    xs = [answers.sample_point("x", i) for i in range(answers.N_POINTS)]
    hs = [answers.sample_point("h", i) for i in range(answers.N_POINTS)]
    assert all(x != h for x, h in zip(xs, hs))


def test_functions_are_compared_on_many_points_not_symbolically_guessed():
    assert check("sqrt(x^2)", "x").status == "incorrect"
    assert check("sqrt(x^2)", "abs(x)").status == "correct"
    assert check("|x|", "abs(x)").status == "correct"
    assert check("e^x", "exp(x)").status == "correct"
    assert check("ln(x)", "log(x)").status == "correct"
    assert check("sin(x)^2+cos(x)^2", "1").status == "correct"
    assert check("sin(x)", "sin(x) + 1e-6").status == "incorrect"


def test_lists_are_compared_in_order_with_count_messages():
    assert check("8, -4, 26", "8, -4, 26").status == "correct"
    assert check("8, -4", "8, -4, 26") == Verdict("incorrect", "Expected 3 values separated by commas, got 2.")
    assert check("8, -4, 25", "8, -4, 26") == Verdict("incorrect", "Value 3 is not right.")
    assert check("-4, 8, 26", "8, -4, 26") == Verdict("incorrect", "Values 1 and 2 are not right.")
    assert check("1, 2", "3") == Verdict("incorrect", "Expected a single answer, got 2 values separated by commas.")


def test_equations_accept_y_equals_or_just_the_right_side():
    for answer in ["y = 8(x-2) + 9", "8x - 7", "y - 9 = 8(x - 2)", "8x - y - 7 = 0", "8*x - 7 = y"]:
        assert check(answer, "y = 8*x - 7").status == "correct", answer
    assert check("y = 8x + 9", "y = 8*x - 7").message == "Recheck the constant term: the rest of your answer matches."
    assert check("x = 8y - 7", "y = 8*x - 7").message == answers.WRONG_EQUATION
    assert check("y = 6x - 4", "6*x - 4").status == "correct"


def test_mistakes_give_the_generators_message_and_never_beat_correct():
    mistakes = [("6*x*h + 3*h**2 - 4*h", "You found f(x+h) − f(x); now divide by h."), ("((", "broken, skipped")]
    assert check("h(6x + 3h - 4)", "6*x + 3*h - 4", mistakes=mistakes).message == mistakes[0][1]
    assert check("6x + 3h - 4", "6*x + 3*h - 4", mistakes=[("6*x + 3*h - 4", "no")]).status == "correct"
    assert check("1", "2", mistakes=mistakes).message == answers.WRONG


@pytest.mark.parametrize(
    ("answer", "expected", "message"),
    [
        ("6x + 3h - 4", "6*x - 4", "Your answer still contains h: take the limit as h → 0."),
        ("6xh + 3h^2 - 4h", "6*x + 3*h - 4", "It looks like you forgot to divide by h."),
        ("4 - 6x", "6*x - 4", "Check the sign: your answer is the negative of the correct answer."),
        ("3x - 4", "6*x - 4", "Recheck the x term: the rest of your answer matches."),
        ("3x^2 + 6x", "3*x**2 - 6*x", "Recheck the x term: the rest of your answer matches."),
        ("2x^3 - 4", "6*x**3 - 4", "Recheck the x³ term: the rest of your answer matches."),
        ("6x - 4 + y", "6*x - 4", "Your answer contains y, which should not appear in it."),
        ("8", "6*x - 4", "Your answer should be an expression in x, not a number."),
        ("6x - 4", "8", "Your answer should be a number, but it contains x."),
        ("8, -4", "8, -4, 26", "Expected 3 values separated by commas, got 2."),
        ("x^3", "x**2", "Your answer is not equal to the correct answer."),
        ("9", "8.003", "Your answer is not equal to the correct answer."),
    ],
)
def test_feedback_on_typical_mistakes(answer, expected, message):
    assert check(answer, expected) == Verdict("incorrect", message)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("3x+(x))", "Unexpected ')' at position 7."),
        ("foo", "Unknown name 'foo'."),
        ("x +", answers.INCOMPLETE),
        ("", answers.EMPTY),
        ("1/0", answers.DIV_ZERO),
        ("x @ 2", "Unknown symbol '@' at position 3."),
        ("−−x ^ ^ 2", "Unexpected '^' at position 7."),  # positions count characters, not bytes
        ("cos 2x", "Write the argument of cos in brackets, like cos(x)."),  # cos(2)·x or cos(2x)?
        ("cos", "Write the argument of cos in brackets, like cos(x)."),
        ("x\x07", "Your answer contains a control or invisible character at position 2."),
    ],
)
def test_invalid_messages_say_what_and_where(answer, message):
    assert check(answer, "x") == Verdict("invalid", message)


def test_a_broken_expected_answer_is_reported_not_blamed_on_the_student():
    assert check("x", "((") == Verdict("invalid", answers.BAD_EXPECTED)
    assert check("x", "1/0").message == answers.BAD_EXPECTED


def test_bad_tolerances_are_ignored():
    for bad in [float("nan"), float("inf"), -1.0, "0.1", True, 10**400]:
        assert check("1/3", "1/3", rtol=bad, atol=bad).status == "correct"  # type: ignore[arg-type]
        assert check("0.33", "1/3", rtol=bad).status == "incorrect"  # type: ignore[arg-type]


# ---------------------------------------------------------------- limits


def test_limits_are_documented_constants():
    assert answers.MAX_LENGTH == 500
    assert answers.MAX_DEPTH == 50
    assert answers.MAX_EXPONENT == 100
    assert answers.MAX_DIGITS == 40
    assert answers.MAX_SCI_EXPONENT == 100


def test_limits_are_exact_boundaries():
    assert check("x" + " " * (answers.MAX_LENGTH - 1), "x").status == "correct"
    assert check("x" + " " * answers.MAX_LENGTH, "x").status == "invalid"
    assert check("x^100", "x**100").status == "correct"
    assert check("x^101", "x**101").message == answers.BAD_EXPECTED
    assert check("x^101", "x").message == answers.BIG_EXPONENT
    depth = answers.MAX_DEPTH
    assert check("(" * depth + "x" + ")" * depth, "x").status == "correct"
    assert "nested too deeply" in check("(" * (depth + 1) + "x" + ")" * (depth + 1), "x").message
    assert check("1" + "0" * (answers.MAX_DIGITS - 1), "10**39").status == "correct"
    assert "too many digits" in check("1" + "0" * answers.MAX_DIGITS, "1").message
    assert check("1e100", "10**100").status == "correct"
    assert "too large or too small" in check("1e101", "1").message


HOSTILE = [
    "x^999999999",
    "x" * 100_000,
    "(" * 10_000 + "x" + ")" * 10_000,
    "2**2**2**2**2**2",
    "\x00\x01\x02",
    "",
    "1/0",
    "9" * 10_000,
    "|" * 400,
    "-" * 499 + "x",
    "2^" * 200 + "2",
    "sin(" * 60 + "x" + ")" * 60,
    "(x^100)^100",
    "10^100^100",
    "1e99999999999",
    "e^e^e^e^e^e^e",
    "x" * 499,
    "x/y*" * 124 + "x",
    "((((x" + "+x" * 200,
]


@pytest.mark.parametrize("answer", HOSTILE, ids=[f"{i}-{ascii(h[:12])}" for i, h in enumerate(HOSTILE)])
def test_hostile_input_never_hangs(answer):
    """A hang guard, not a speed test (timings live in benchmarks/): SIGALRM fails a run stuck for 10 s."""

    def stuck(signum, frame):
        raise AssertionError(f"check() still running after 10 s on {answer[:40]!r}")

    previous = signal.signal(signal.SIGALRM, stuck)
    signal.alarm(10)
    try:
        verdict = answers.check_strict(answer, "x^2 + y", answers.Tol(None, None), ())
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert verdict.status in STATUSES


@pytest.mark.parametrize("answer", HOSTILE[:11], ids=[f"{i}-{ascii(h[:12])}" for i, h in enumerate(HOSTILE[:11])])
def test_hostile_input_is_invalid(answer):
    assert check(answer, "x").status == "invalid"


def test_no_string_evaluators_in_the_package():
    pattern = re.compile(r"\b(eval|exec|sympify|parse_expr)\b")
    paths = [*sorted((ROOT / "quizgen" / "answers").glob("*.py")), ROOT / "quizgen" / "grading.py"]
    assert len(paths) >= 8
    for path in paths:
        assert not pattern.search(path.read_text(encoding="utf-8")), path


# ---------------------------------------------------------------- fuzzing

TOKENS = [
    "x", "h", "y", "e", "pi", "π", "2", "0", "10", ".5", "1e-3", "1E+3", "7/3", "sin", "cos", "ln", "log", "sqrt",
    "exp", "abs", "√", "(", ")", "[", "]", "{", "}", "|", "^", "**", "*", "/", "+", "-", "−", "×", "·", "²", "⁻¹",
    ",", "=", " ", "xh", "2x", "foo", "\x00", "'", "😀", "⁰",
]
EXPECTED = ["6*x - 4", "6*x + 3*h - 4", "8, -4, 26", "y = 8*x - 7", "8.003", "-7/2", "sin(x)", "0"]


def assert_verdict(v: object) -> None:
    assert isinstance(v, Verdict)
    assert v.status in STATUSES
    assert isinstance(v.message, str) and v.message.endswith(".") and "\n" not in v.message


@given(st.text(max_size=600), st.sampled_from(EXPECTED))
@settings(max_examples=300, deadline=None)
def test_fuzz_any_text(answer, expected):
    assert_verdict(answers.check_strict(answer, expected, answers.Tol(None, None), ()))
    assert_verdict(check(answer, expected))


@given(st.lists(st.sampled_from(TOKENS), max_size=40).map("".join), st.sampled_from(EXPECTED), st.data())
@settings(max_examples=500, deadline=None)
def test_fuzz_token_soup(answer, expected, data):
    rtol = data.draw(st.sampled_from([None, 1e-3, 0.5]))
    mistakes = data.draw(st.lists(st.tuples(st.sampled_from(EXPECTED + TOKENS), st.just("m.")), max_size=2))
    assert_verdict(answers.check_strict(answer, expected, answers.Tol(rtol, None), mistakes))


@given(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=20).map("".join), st.lists(st.sampled_from(TOKENS), max_size=20).map("".join))
@settings(max_examples=300, deadline=None)
def test_fuzz_both_sides(answer, expected):
    assert_verdict(answers.check_strict(answer, expected, answers.Tol(None, None), ()))


def random_expression(rng: random.Random, depth: int = 0) -> str:
    """A random well-formed answer in the notations students use."""
    if depth > 3 or rng.random() < 0.3:
        return rng.choice(["x", "h", "2", "3", "0.5", "1/2", "7", "e", "pi", "10"])
    a, b = random_expression(rng, depth + 1), random_expression(rng, depth + 1)
    return rng.choice(
        [
            f"{a} + {b}", f"{a} - ({b})", f"({a})*({b})", f"({a})({b})", f"({a})/({b})",
            f"({a})^{rng.choice(['2', '3', '-1', '(1/2)'])}", f"{rng.choice(['sin', 'cos', 'exp', 'ln', 'sqrt', 'abs'])}({a})",
            f"-({a})", f"|{a}|",
        ]
    )


def test_random_rewrites_are_equivalent():
    rng = random.Random(7)
    for _ in range(300):
        e = random_expression(rng)
        verdict = check(e.replace("^", "**"), e)
        assert verdict.status in ("correct", "invalid"), (e, verdict)
        if verdict.status == "correct":
            assert check(f"2*({e}) - ({e})", e).status == "correct", e
