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
from collections.abc import Iterable, Sequence
from fractions import Fraction

from quizgen.exact import NumberError, Style, parse_number, plain_forms
from quizgen.model import Answer, Choice, Distractor

MIN_DISTRACTORS = 3  # every problem has at least this many
MC_DISTRACTORS = 4  # a multiple-choice problem shows the answer and up to this many (options A–E)
LETTERS = "ABCDE"

SIGN_WHY = "Check the sign: your answer is the negative of the correct answer."
PLACE_WHY = "The decimal point has slipped one place: recheck the multiplication by the step or rate."
ORDER_WHY = "The values are in the wrong order: give them in the order the question asks."


def _numbers(plain: str) -> list[Fraction] | None:
    """A number or a comma-separated list of numbers, exactly; None for anything else."""
    try:
        return [parse_number(item) for item in plain.split(",")]
    except (NumberError, ValueError):
        return None


def same_answer(a: str, b: str) -> bool:
    """True when two answers in plain syntax are equal: exactly as numbers, else by the checker's
    exact comparison (either way round); an answer the checker cannot read equals nothing."""
    if a.strip() == b.strip():
        return True
    na, nb = _numbers(a), _numbers(b)
    if na is not None and nb is not None:
        return na == nb
    from quizgen.answers import check

    return check(a, b).status == "correct" or check(b, a).status == "correct"


def readable(plain: str) -> bool:
    """The checker reads this answer (it is correct against itself)."""
    if _numbers(plain) is not None:
        return True
    from quizgen.answers import check

    return check(plain, plain).status == "correct"


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
    kept: list[Distractor] = []

    def take(pairs: Iterable[tuple[str, str]]) -> None:
        for plain, why in pairs:
            if not readable(plain) or same_answer(plain, answer.plain):
                continue
            if any(same_answer(plain, d.answer) for d in kept):
                continue
            kept.append(Distractor.from_mistake(plain, why))

    take(mistakes)
    if len(kept) < MIN_DISTRACTORS:
        take(fallback_mistakes(answer))
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
