"""check(): one answer against the key, with the most specific message (section "check" of checker.js)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from quizgen.answers.evaluation import Form, Tol, equivalent, explicit, exprs, same, wrap
from quizgen.answers.feedback import and_list, count_message, expanded, explain, literal
from quizgen.answers.grammar import parse
from quizgen.answers.limits import (
    BAD_EXPECTED,
    CORRECT,
    NEED_EQUATION,
    NOT_EQUATION,
    NOT_EXPANDED,
    NOT_VALUE,
    UNCHECKED,
    WRONG_EQUATION,
    Invalid,
    message,
)
from quizgen.answers.tokens import context


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking one answer: a status and one sentence for the student."""

    status: str  # "correct" | "incorrect" | "invalid"
    message: str


@lru_cache(maxsize=512)
def _known(text: str, ctx: frozenset[str]) -> Form:
    """A key or a listed mistake, parsed and evaluated once: a class's answers share them."""
    form = wrap(parse(text, ctx))
    for x in exprs(form):
        x.validate()
    return form


def check_strict(
    answer: Any, expected: str, tol: Tol, mistakes: Sequence[tuple[str, str]], form: str | None = None
) -> Verdict:
    """check() without its safety net, so tests see any bug as an exception."""
    if not isinstance(expected, str):
        return Verdict("invalid", BAD_EXPECTED)
    ctx = context(expected)
    try:
        e = _known(expected, ctx)
    except Invalid:
        return Verdict("invalid", BAD_EXPECTED)
    try:
        a = wrap(parse(answer, ctx))
        for x in exprs(a):
            x.validate()
    except Invalid as why:
        return Verdict("invalid", str(why))

    count = count_message(a, e)
    if count:
        return Verdict("incorrect", count)
    try:
        if equivalent(a, e, tol):
            if form == "expanded" and not all(expanded(x.node) for x in exprs(a)):
                return Verdict("incorrect", NOT_EXPANDED)
            if form == "value" and not all(literal(x.node) for x in exprs(a)):
                return Verdict("incorrect", NOT_VALUE)
            return Verdict("correct", CORRECT)
    except Invalid as why:  # e.g. numbers too large only once compared in another mode
        return Verdict("invalid", str(why))
    for item in mistakes:
        try:
            wrong, says = item
            m = _known(wrong, ctx)
            if equivalent(a, m, tol):
                return Verdict("incorrect", str(says))
        except (Invalid, TypeError, ValueError):
            continue  # a malformed mistake from the generator is skipped, not blamed on the student

    # Which single expression to explain: the value, or the right-hand side of y = ….
    ex = explicit(e)
    if e[0] == "eq":
        if a[0] == "parts":
            if ex is None:
                return Verdict("incorrect", NEED_EQUATION)
            return Verdict("incorrect", explain(a[1][0], ex[1], tol))
        ax = explicit(a)
        if ex is not None and ax is not None and ax[0] == ex[0]:
            return Verdict("incorrect", explain(ax[1], ex[1], tol))
        return Verdict("incorrect", WRONG_EQUATION)
    if a[0] == "eq":
        ax = explicit(a)
        if ax is None or ax[0] in e[1][0].vars:
            return Verdict("incorrect", NOT_EQUATION)
        return Verdict("incorrect", explain(ax[1], e[1][0], tol))
    if len(e[1]) == 1:
        return Verdict("incorrect", explain(a[1][0], e[1][0], tol))
    wrong_parts = [str(i + 1) for i, (x, y) in enumerate(zip(a[1], e[1])) if not same(x, y, tol)]
    if len(wrong_parts) == 1:
        return Verdict("incorrect", message("value_wrong", i=wrong_parts[0]))
    return Verdict("incorrect", message("values_wrong", values=and_list(wrong_parts)))


def _tolerance(value: Any) -> float | None:
    """A usable tolerance or None (negative, infinite or non-numbers are ignored)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        value = float(value)
    except OverflowError:
        return None
    return value if math.isfinite(value) and value >= 0 else None


def check(
    answer: str,
    expected: str,
    *,
    rtol: float | None = None,
    atol: float | None = None,
    mistakes: Sequence[tuple[str, str]] = (),
    form: str | None = None,
) -> Verdict:
    """Compare a typed answer with the key: correct, incorrect or invalid, with one sentence why.

    ``form="expanded"``: an equal answer must also be multiplied out (a sum of products of
    numbers and powers of single variables), else it is "incorrect" with NOT_EXPANDED.
    ``form="value"``: the question asks for a number, so an equal answer must be written as one
    (8.003, −7/2), not as a calculation (3*25+30+1): else "incorrect" with NOT_VALUE.
    """
    try:
        return check_strict(answer, expected, Tol(_tolerance(rtol), _tolerance(atol)), mistakes, form)
    except Exception:  # noqa: BLE001 - a student's input must never crash grading or the page
        return Verdict("invalid", UNCHECKED)


