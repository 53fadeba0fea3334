"""Check a student's typed answer against the key, safely, with feedback on typical mistakes.

Answers are read by a small lark grammar fed by a hand-written tokenizer; nothing is ever
handed to Python's or sympy's string evaluators. The tree is compared with the expected
answer by evaluating both at a fixed set of rational points:

* rational expressions (numbers, variables, + − × ÷, integer powers, |·|, ReLU, max, min,
  sgn) are evaluated
  exactly with ``fractions.Fraction``; two rational functions of one variable that agree
  at more points than their degree are identical, so for the small degrees of a
  calculus answer this is a proof, not a guess;
* anything with other functions (tanh, σ, exp, …), π, e or non-integer powers is evaluated in floating point
  and compared with a relative tolerance of ``REL_TOL``; points where either side is
  undefined are skipped (equality on the common domain). Each float carries a bound on
  its rounding error, so points where cancellation swamps the value (cosh²x − sinh²x at
  x = 14.5) are left out when enough others remain.

The package, by concern (``quizgen/templates/checker.js``, the browser twin, has the same
sections in the same order):

* ``limits``     — every limit, the sample points, the names and every message, and
                   ``shared()``: the same as JSON for checker.js (the one source of both);
* ``tokens``     — lexing: text → tokens;
* ``grammar``    — the lark grammar and the answer tree;
* ``evaluation`` — exact and floating-point evaluation, equivalence;
* ``feedback``   — messages about typical mistakes, the expanded-form check;
* ``checking``   — ``check()``: the order in which all of the above is applied;
* ``bridge``     — the same tree as sympy objects (a second opinion for the tests);
* ``polynomial`` — ``--function``: the same tokens and grammar, multiplied out into exact
                   coefficients with every size bounded before it is computed.

``tests/answer_cases.json`` holds the table Python and JavaScript must both pass.
"""

from __future__ import annotations

from quizgen.answers.bridge import to_sympy
from quizgen.answers.checking import Verdict, check, check_strict
from quizgen.answers.evaluation import Tol, sample_point
from quizgen.answers.limits import (
    ABS_TOL,
    BAD_EXPECTED,
    BIG_EXPONENT,
    CORRECT,
    DIV_ZERO,
    EMPTY,
    FORGOT_DIVIDE,
    INCOMPLETE,
    LETTER_ORDER,
    NAME_ORDER,
    MAX_BITS,
    MAX_DEPTH,
    MAX_DIGITS,
    MAX_EXPONENT,
    MAX_LENGTH,
    MAX_SCI_EXPONENT,
    MAX_TREE_DEPTH,
    MESSAGES,
    MIN_COMMON,
    N_POINTS,
    NEED_EQUATION,
    NOT_EQUATION,
    NOT_EXPANDED,
    NOT_VALUE,
    NOT_REAL,
    POINTS,
    REL_TOL,
    SIGN,
    STILL_H,
    TOO_BIG,
    TOO_DEEP,
    WRONG,
    WRONG_EQUATION,
    WRONG_TOL,
    shared,
)
from quizgen.answers.polynomial import PolyError, parse_polynomial

__all__ = [
    "ABS_TOL", "BAD_EXPECTED", "BIG_EXPONENT", "CORRECT", "DIV_ZERO", "EMPTY", "FORGOT_DIVIDE", "INCOMPLETE",
    "LETTER_ORDER", "NAME_ORDER", "MAX_BITS", "MAX_DEPTH", "MAX_DIGITS", "MAX_EXPONENT", "MAX_LENGTH", "MAX_SCI_EXPONENT",
    "MAX_TREE_DEPTH", "MESSAGES", "MIN_COMMON", "N_POINTS", "NEED_EQUATION", "NOT_EQUATION", "NOT_EXPANDED", "NOT_VALUE",
    "NOT_REAL", "POINTS", "REL_TOL", "SIGN", "STILL_H", "TOO_BIG", "TOO_DEEP", "WRONG", "WRONG_EQUATION",
    "WRONG_TOL", "PolyError", "Tol", "Verdict", "check", "check_strict", "parse_polynomial", "sample_point",
    "shared", "to_sympy",
]
