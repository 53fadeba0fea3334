"""Multiple choice: a problem's distractors (wrong answers from named misconceptions) and its options.

A kind lists its typical mistakes as (plain answer, why) pairs (``Solved.mistakes``). Here they
become distractors: each is read by quizgen's own answer parser and compared with the answer
and with every distractor kept so far, exactly (numbers as fractions, expressions by the
checker's exact evaluation at many points), so no option is ever equal to another. When a
coincidence leaves fewer than MIN_DISTRACTORS, general misconceptions that fit any answer
are added (a sign slip, the decimal point slipped one place, the wrong order of the values);
a problem that still has too few is drawn again (generate.build_problem).
"""

from __future__ import annotations

import random
import re
from functools import lru_cache
from collections.abc import Callable, Iterable, Sequence
from fractions import Fraction
from typing import Any

from quizgen.exact import NumberError, Style, parse_number, plain_forms
from quizgen.kinds.shown import MAX_DIGITS, longest
from quizgen.model import Answer, Choice, Distractor

MIN_DISTRACTORS = 3  # every problem has at least this many
MC_DISTRACTORS = 4  # a multiple-choice problem shows the answer and up to this many (options A–E)
LETTERS = "ABCDE"

SIGN_WHY = "Check the sign: your answer is the negative of the correct answer."
PLACE_WHY = "The decimal point has slipped one place."
ORDER_WHY = "The values are in the wrong order: give them in the order the question asks."


@lru_cache(maxsize=8192)
def _numbers(plain: str) -> tuple[Fraction, ...] | None:
    """A number or a comma-separated list of numbers, exactly; None for anything else (cached: one
    problem compares each text with several others)."""
    try:
        return tuple(parse_number(item) for item in plain.split(","))
    except (NumberError, ValueError):
        return None


_FACTORS = r"[a-z]\d?(?:\*\*\d+)?(?:\*[a-z]\d?(?:\*\*\d+)?)*"
_TERM = re.compile(rf"\s*([-+])?\s*(?:(\d+(?:\.\d+)?(?:/\d+)?)(?:\*({_FACTORS}))?|({_FACTORS}))\s*")
_FACTOR = re.compile(r"([a-z]\d?)(?:\*\*(\d+))?")
Monomials = dict[tuple[tuple[str, int], ...], Fraction]


@lru_cache(maxsize=8192)
def _polynomial(plain: str) -> tuple[Monomials, ...] | None:
    """Plain syntax as quizgen writes polynomials (``-4*x**2 - 8*x*h + 5``, ``y = 10*x - 18``, lists of
    numbers) read into exact monomials: one dict per comma-separated item, an equation y = p as p with
    a "y" marker. None for anything else (then the checker's parser decides)."""
    items: list[Monomials] = []
    for item in plain.split(","):
        side = item.strip()
        marker: Monomials = {}
        if side.startswith("y = "):
            side, marker = side[4:], {(("=y", 1),): Fraction(1)}
        terms: Monomials = dict(marker)
        pos = 0
        first = True
        while pos < len(side):
            m = _TERM.match(side, pos)
            if m is None or m.end() == pos or (not first and not m[1]):
                return None
            first = False
            pos = m.end()
            coefficient = parse_number(m[2]) if m[2] else Fraction(1)
            if m[1] == "-":
                coefficient = -coefficient
            powers: dict[str, int] = {}
            for f in _FACTOR.finditer(m[3] or m[4] or ""):
                powers[f[1]] = powers.get(f[1], 0) + int(f[2] or 1)
            key = tuple(sorted(powers.items()))
            terms[key] = terms.get(key, Fraction(0)) + coefficient
        items.append({k: v for k, v in terms.items() if v})
    return tuple(items)


def _form(plain: str, ctx: frozenset[str]) -> Any:
    """plain read by the checker's parser and evaluated at its sample points (cached), or None."""
    from quizgen.answers.checking import _known
    from quizgen.answers.limits import Invalid

    try:
        return _known(plain, ctx)
    except (Invalid, ValueError, TypeError, RecursionError):
        return None


Context = frozenset[str] | Callable[[], frozenset[str]] | None


def _context(ctx: Context, text: str) -> frozenset[str]:
    """The reading context: as given, made by the given function, or read from `text`."""
    from quizgen.answers.tokens import context

    if ctx is None:
        return context(text)
    return ctx() if callable(ctx) else ctx


def same_answer(a: str, b: str, ctx: Context = None) -> bool:
    """True when two answers in plain syntax are equal: exactly as numbers (fractions), else as the
    checker compares them (its parser, exact evaluation at many points, equations up to a factor),
    either way round. A comparison that cannot be made counts as equal: such an option is dropped."""
    if a.strip() == b.strip():
        return True
    na, nb = _numbers(a), _numbers(b)
    if na is not None and nb is not None:
        return na == nb
    pa, pb = _polynomial(a), _polynomial(b)
    if pa is not None and pb is not None:  # two polynomials (or lines y = mx + b): equal term by term
        return pa == pb
    from quizgen.answers.evaluation import Tol, equivalent
    from quizgen.answers.limits import Invalid

    reading = _context(ctx, f"{a} {b}")
    fa, fb = _form(a, reading), _form(b, reading)
    if fa is None or fb is None:
        return True
    exact = Tol(None, None)
    try:
        return bool(equivalent(fa, fb, exact) or equivalent(fb, fa, exact))
    except (Invalid, ValueError, TypeError, ZeroDivisionError, OverflowError):
        return True


def readable(plain: str, ctx: Context = None) -> bool:
    """The checker reads this answer (numbers and polynomials in quizgen's own syntax always: the
    tests hold every distractor readable by the checker)."""
    if _numbers(plain) is not None or _polynomial(plain) is not None:
        return True
    return _form(plain, _context(ctx, plain)) is not None


def fallback_mistakes(answer: Answer) -> list[tuple[str, str]]:
    """General misconceptions that fit any numeric answer: the sign slip, the decimal point
    slipped one place either way, a list of values reversed."""
    values = _numbers(answer.plain)
    if values is None:
        return []
    decimal = any("." in item for item in answer.plain.split(","))
    style = Style(decimal=decimal or all(v.denominator == 1 for v in values))

    def written(vs: Iterable[Fraction]) -> str:
        return ", ".join(style.plain(v) for v in vs)

    out = []
    if any(values):
        out.append((written(-v for v in values), SIGN_WHY))
        out.append((written(v * 10 for v in values), PLACE_WHY))
        out.append((written(v / 10 for v in values), PLACE_WHY))
    if len(values) > 1 and values != values[::-1]:
        out.append((written(reversed(values)), ORDER_WHY))
    return out


def distractors(answer: Answer, mistakes: Sequence[tuple[str, str]]) -> tuple[Distractor, ...]:
    """The kind's mistakes that are readable, wrong and all different (exactly), in its order;
    general ones (fallback_mistakes) are added while there are fewer than MIN_DISTRACTORS."""
    from quizgen.answers.tokens import context

    kept: list[Distractor] = []
    fallbacks: list[tuple[str, str]] | None = None
    ctx: frozenset[str] | None = None

    def general() -> list[tuple[str, str]]:
        nonlocal fallbacks
        if fallbacks is None:
            fallbacks = fallback_mistakes(answer)
        return fallbacks

    def reading() -> frozenset[str]:
        # One reading context for all of them, so each text is parsed and evaluated once (cached).
        # Made only when a text is neither numbers nor a polynomial (decided exactly without the
        # parser): most problems never need it.
        nonlocal ctx
        if ctx is None:
            ctx = context(" ".join([answer.plain] + [m[0] for m in mistakes] + [m[0] for m in general()]))
        return ctx

    # No option longer than a student handles (8 significant digits), unless the answer itself is
    # (a pinned h = 0.000001): a wrong option should not give itself away by its length.
    bound = max(MAX_DIGITS, longest([answer.plain]))

    def take(pairs: Iterable[tuple[str, str]]) -> None:
        for plain, why in pairs:
            if longest([plain]) > bound:
                continue
            if not readable(plain, reading) or same_answer(plain, answer.plain, reading):
                continue
            if any(same_answer(plain, d.answer, reading) for d in kept):
                continue
            kept.append(Distractor.from_mistake(plain, why))

    take(mistakes)
    if len(kept) < MIN_DISTRACTORS:
        take(general())
    return tuple(kept)


def choices(seed: int, answer: Answer, found: Sequence[Distractor]) -> tuple[Choice, ...]:
    """The options of a multiple-choice problem: the answer and up to MC_DISTRACTORS distractors
    (the kind's first, most telling ones), shuffled by the problem's seed, lettered A–E."""
    from quizgen.model import Math

    options: list[tuple[str, Math, bool, str]] = [(answer.plain, Math(answer.latex, answer.text), True, "")]
    options += [(d.answer, d.math, False, d.why) for d in found[:MC_DISTRACTORS]]
    random.Random(f"quizgen choices {seed}").shuffle(options)
    return tuple(Choice(LETTERS[i], plain, math, correct, why) for i, (plain, math, correct, why) in enumerate(options))


def option_forms(plain: str) -> tuple[str, str]:
    """An option's text and LaTeX from its plain syntax."""
    return plain_forms(plain)


def part_answer(answer: Answer, k: int, rounded: bool) -> Answer | None:
    """The k-th of a list answer's comma-separated values as an answer of its own (a rounded value
    keeps "rounded:N" with its own places); None when the answer has no k-th value."""
    items = [item.strip() for item in answer.plain.split(",")]
    if not 0 <= k < len(items):
        return None
    plain = items[k]
    text, latex = plain_forms(plain)
    places = len(plain.partition(".")[2])
    form = f"rounded:{places}" if rounded and places else None
    value = answer.value[k] if isinstance(answer.value, tuple) and len(answer.value) == len(items) else plain
    return Answer(value, plain, latex, text, form=form)


def part_mistakes(answer: Answer, mistakes: Sequence[tuple[str, str]], k: int) -> list[tuple[str, str]]:
    """The k-th value of each whole-list mistake that changes it, with its why: the slips of that part."""
    right = [item.strip() for item in answer.plain.split(",")]
    out = []
    for plain, why in mistakes:
        items = [item.strip() for item in plain.split(",")]
        if len(items) == len(right) and items[k] != right[k]:
            out.append((items[k], why))
    return out
