"""check(): one answer against the key, with the most specific message (section "check" of checker.js)."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from fractions import Fraction

from quizgen.answers.evaluation import Expr, Form, Tol, equivalent, explicit, exprs, same, wrap
from quizgen.answers.feedback import and_list, count_message, expanded, explain, literal
from quizgen.answers.grammar import parse
from quizgen.answers.grammar import Node
from quizgen.answers.limits import (
    MAX_LENGTH,
    MAX_PLACES,
    SIGN,
    WRONG,
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
from quizgen.answers.tokens import WHITESPACE, context


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


def _wrong_case(a: Form, e: Form) -> str | None:
    """X typed where the key has x (and no X): refused with a hint, never marked wrong."""
    want = frozenset().union(*(x.vars for x in exprs(e)))
    got = frozenset().union(*(x.vars for x in exprs(a)))
    for name in sorted(got - want):
        twin = name[0].swapcase() + name[1:]
        if twin in want:
            return message("case", got=name, want=twin)
    return None


# ---------------------------------------------------------------- the asked quantity on the left
# "f′(2) = 9", "w₁: 1.2", "dL/da = -6": a left side that names a quantity (a name with primes
# and an argument in brackets, or a derivative d…/d…) is compared with the names the key gives
# for what the question asks (labels). The same name: the right side is the answer. Another
# name: incorrect, saying so. No names known: the student is asked to write the answer alone.
# A single plain letter (y = 3x − 2) keeps the older rule (an explicit equation), and an answer
# to a question whose answer is an equation is never cut. checker.js does the same.

_NAME = r"[A-Za-zα-ω]+(?:_\{[0-9]+\}|_?[0-9]+|[₀-₉]+)?"
_LABEL = re.compile(
    rf"(?:{_NAME}['′’″]*(?:\([A-Za-z0-9α-ω₀-₉+\-−.,/ '′]*\))?|[d∂] *{_NAME} */ *[d∂] *{_NAME})"
)
_LETTER = re.compile(r"[A-Za-z]")
_LABEL_CHARS = {"′": "'", "’": "'", "″": "''", "∂": "d", "−": "-"}


def label_norm(text: str) -> str:
    """A label as compared: lower case, no spaces, _, braces or *, primes as ', ∂ as d, subscripts as digits."""
    out = []
    for ch in text.lower():
        if ch in " _{}*·":
            continue
        if "₀" <= ch <= "₉":
            ch = str(ord(ch) - ord("₀"))
        out.append(_LABEL_CHARS.get(ch, ch))
    return "".join(out)


def _strip(text: str) -> str:
    return text.strip(WHITESPACE)


def _label(answer: str, labels: Sequence[str]) -> tuple[str, Verdict | None]:
    """The answer with a left side that names the asked quantity blanked out (positions kept),
    or a verdict when the left side names something else."""
    cuts = [i for i in (answer.find("="), answer.find(":")) if i >= 0]
    if not cuts or len(answer) > MAX_LENGTH:
        return answer, None
    cut = min(cuts)
    lhs = _strip(answer[:cut])
    if not _LABEL.fullmatch(lhs):
        return answer, None
    if label_norm(lhs) in {label_norm(x) for x in labels}:
        return " " * (cut + 1) + answer[cut + 1:], None
    if _LETTER.fullmatch(lhs) and (lhs == "y" or not labels):  # y = 3x − 2, y: 5 — an explicit equation, as before
        return answer[:cut] + "=" + answer[cut + 1:], None
    if labels:
        return answer, Verdict("incorrect", message("label_wrong", lhs=lhs[:30], label=labels[0]))
    return answer, Verdict("invalid", message("label_unknown", lhs=lhs[:30]))


def check_strict(
    answer: Any,
    expected: str,
    tol: Tol,
    mistakes: Sequence[tuple[str, str]],
    form: str | None = None,
    labels: Sequence[str] = (),
) -> Verdict:
    """check() without its safety net, so tests see any bug as an exception."""
    if not isinstance(expected, str):
        return Verdict("invalid", BAD_EXPECTED)
    ctx = context(expected)
    try:
        e = _known(expected, ctx)
    except Invalid:
        return Verdict("invalid", BAD_EXPECTED)
    if isinstance(answer, str) and e[0] != "eq":
        answer, said = _label(answer, [x for x in labels if isinstance(x, str)])
        if said is not None:
            return said
    try:
        a = wrap(parse(answer, ctx))
        for x in exprs(a):
            x.validate()
    except Invalid as why:
        return Verdict("invalid", str(why))
    case = _wrong_case(a, e)
    if case:
        return Verdict("invalid", case)

    count = count_message(a, e)
    if count:
        return Verdict("incorrect", count)
    places = rounded_places(form)
    if places is not None:
        return _rounded(a, e, places, tol, mistakes, ctx)
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


# ---------------------------------------------------------------- form "rounded:N"
# The question says "round to N decimal places" and the key holds that decimal (N places
# exactly). A typed number counts when it lies within half a unit of the key's last place,
# ends included: it rounds to the key (a typed half such as 0.76165 rounds to 0.7616 or
# 0.7617 by one of the usual rules, so it counts for both). Compared exactly (Fractions).

_ROUNDED = re.compile(r"rounded:([0-9]{1,2})")


def rounded_places(form: Any) -> int | None:
    """N of a form "rounded:N" (0 ≤ N ≤ MAX_PLACES), else None."""
    m = _ROUNDED.fullmatch(form) if isinstance(form, str) else None
    return int(m[1]) if m and int(m[1]) <= MAX_PLACES else None


def _places(n: int) -> str:
    return message("places_one") if n == 1 else message("places_many", n=n)


def _decimal(node: Node) -> tuple[Fraction, int | None] | None:
    """A number as typed (−0.7616, 3/4): its exact value and decimal places (None for a fraction)."""
    sign = 1
    if node.op == "neg":
        sign, node = -1, node.args[0]
    if node.op == "num":
        return sign * node.value[0], node.value[2]
    if node.op == "mul" and len(node.args) == 2 and node.args[1].op == "inv":
        top, bottom = _decimal(node.args[0]), _decimal(node.args[1].args[0])
        if top is not None and bottom is not None and bottom[0] != 0 and node.args[0].op != "mul":
            return sign * top[0] / bottom[0], None
    return None


def _within(q: Fraction, key: Fraction, units: Fraction, n: int) -> bool:
    """|q − key| ≤ units · 10⁻ⁿ."""
    return bool(abs(q - key) * 10**n <= units)


_HALF = Fraction(1, 2)


def _rounded_one(x: Expr, y: Expr, n: int, tol: Tol) -> str | None:
    """None if x is the key y (a number as typed) rounded to n places, else the message why not."""
    exact = _decimal(y.node)
    assert exact is not None
    key = exact[0]
    typed = _decimal(x.node)
    if typed is not None:
        q, k = typed
        if _within(q, key, _HALF, n):
            return None
        if _within(-q, key, _HALF, n):
            return SIGN
        if k is not None and k < n and abs(q - key) * 2 * 10**k <= 1 + Fraction(1, 10 ** (n - k)):
            return message("rounded_short", places=_places(n), given=_places(k))
        if k is not None and k >= n and _within(q, key, Fraction(3, 2), n):
            return message("rounded_digit", places=_places(n))
        return WRONG
    if x.vars:
        return explain(x, y, tol)
    value = x.values(x.exact)[0]
    if value is not None:
        if x.exact:
            close = _within(value, key, _HALF, n)
        else:  # the float's rounding noise is far below half a unit at MAX_PLACES
            close = abs(value - y.values(False)[0]) <= 0.5 * 10.0**-n + x.noise()[0] + 1e-15 * abs(value)
        if close:
            return message("rounded_not_value", places=_places(n))
    return WRONG


def _rounded(a: Form, e: Form, n: int, tol: Tol, mistakes: Sequence[tuple[str, str]], ctx: frozenset[str]) -> Verdict:
    """An answer to a question that says how to round (form "rounded:N")."""
    keys = e[1] if e[0] == "parts" else []
    if not keys or any(_decimal(y.node) is None for y in keys):
        return Verdict("invalid", BAD_EXPECTED)
    if a[0] == "eq":
        ax = explicit(a)
        if ax is None or len(keys) != 1:
            return Verdict("incorrect", NOT_EQUATION)
        typed = [ax[1]]
    else:
        typed = a[1]
    says = [_rounded_one(x, y, n, tol) for x, y in zip(typed, keys)]
    if all(s is None for s in says):
        return Verdict("correct", CORRECT)
    for item in mistakes:  # a listed mistake, itself rounded to n places (or an expression)
        try:
            wrong, why = item
            m = _known(wrong, ctx)
            if m[0] == "parts" and len(m[1]) == len(typed) and all(_decimal(y.node) is not None for y in m[1]):
                if all(_rounded_one(x, y, n, tol) is None for x, y in zip(typed, m[1])):
                    return Verdict("incorrect", str(why))
                continue
            if equivalent(a, m, tol):
                return Verdict("incorrect", str(why))
        except (Invalid, TypeError, ValueError):
            continue
    if len(says) == 1:
        return Verdict("incorrect", str(says[0]))
    wrong_parts = [str(i + 1) for i, s in enumerate(says) if s is not None]
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
    labels: Sequence[str] = (),
) -> Verdict:
    """Compare a typed answer with the key: correct, incorrect or invalid, with one sentence why.

    ``labels``: the names of what the question asks for (``f′(2)``, ``w₁``, ``dL/da``): an answer
    may name it on the left (``f′(2) = 9``, ``w₁: 1.2``); a left side naming anything else is
    incorrect, saying so (see _label).

    ``form="expanded"``: an equal answer must also be multiplied out (a sum of products of
    numbers and powers of single variables), else it is "incorrect" with NOT_EXPANDED.
    ``form="rounded:N"``: the question says "round to N decimal places" and the key is that
    decimal: a typed number within half a unit of the key's last place is correct; a shorter
    rounding, a wrong last digit or an unrounded formula (tanh(1)) each get their own message.
    ``form="value"``: the question asks for a number, so an equal answer must be written as one
    (8.003, −7/2), not as a calculation (3*25+30+1): else "incorrect" with NOT_VALUE.
    """
    try:
        return check_strict(answer, expected, Tol(_tolerance(rtol), _tolerance(atol)), mistakes, form, labels)
    except Exception:  # noqa: BLE001 - a student's input must never crash grading or the page
        return Verdict("invalid", UNCHECKED)


