"""Build a quiz: draw exact inputs from an explicit random.Random, solve, verify.

Difficulty (``--difficulty``, or ``difficulty`` in a worksheet spec) sets the ranges
random problems are drawn from (quizgen/levels.py holds the numbers). Degree 2/3/4
is ``--degree``; ranges that depend on it are written deg 2 / deg 3 / deg 4:

==========================  ===================  ========================  ================================
                            easy                 medium (default)          hard
==========================  ===================  ========================  ================================
leading coefficient |c|     1–3 / 1–2 / 1        1–5 / 1–3 / 1–2           1–9 / 1–5 / 1–3
other coefficients |c|      ≤ 5 / ≤ 3 / ≤ 2      ≤ 9 / ≤ 6 / ≤ 4           ≤ 15 / ≤ 9 / ≤ 6
point |a| (and w₀)          ≤ 3 / ≤ 2 / ≤ 1      ≤ 5 / ≤ 3 / ≤ 2           ≤ 6 / ≤ 4 / ≤ 3, halves too
step h (and Δx)             0.1 0.01 0.2 0.5     0.1 0.01 0.001 0.2 0.05   0.001 0.002 0.05 0.25 1/4 1/3
                                                 0.5 1/2 1/4               −0.1 −0.01
secant-table h (deg 2)      0.1 0.01 0.001       0.1 0.01 0.001            0.5 0.1 0.01 0.001
  (deg 3 / deg 4)           0.5 0.1 0.01 / 0.5 0.2 0.1 on easy and medium;  hard adds 0.2 / 1
learning rate η             0.1 1/4 0.05         0.1 0.05 0.01 1/4         0.01 0.02 0.05 0.1 1/8 1/4
gradient steps              1                    1                         2
two-weight loss             a ≤ 2, |c|, |b| ≤ 2  a ≤ 3, |c|, |b| ≤ 3       a ≤ 5, |c|, |b| ≤ 5
==========================  ===================  ========================  ================================

Two-weight losses are a₁(w₁ − c₁)² + b·w₁w₂ + a₂(w₂ − c₂)² (plus one term of degree 3
or 4 when asked: w₁⁴ or w₂⁴, never a cubic), at a point with |w₁|, |w₂| ≤ 3. Drawn losses
have one low point and no negative values (docs/difficulty.md).

Nice-number rules on every level: the leading coefficient is never 0; no two
problems in one set are the same; |f| ≤ 10,000 at every point used; f′(a) ≠ 0 except
for rising-falling's "flat"; no error of exactly 0; gradient steps keep |w| ≤ 50 and
|L| ≤ 10,000; partial derivatives are both non-zero; every number shown has at most
8 significant digits (kinds/shown.py).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from quizgen.answers.polynomial import PolyError, parse_polynomial
from quizgen.choices import MIN_DISTRACTORS, choices, distractors, part_answer, part_mistakes
from quizgen.errors import InputError, VerificationError
from quizgen.exact import NumberError, Style, horner, is_decimal_text, parse_number, power_rule
from quizgen.kinds import DEFAULT_KINDS, KINDS, Kind
from quizgen.kinds.base import MAX_MAGNITUDE
from quizgen.kinds.shown import MAX_DIGITS, longest, texts
from quizgen.levels import DEFAULT_LEVEL, LEVELS, Level
from quizgen.model import DEFAULT_COUNT, MAX_COUNT, MAX_PAGE_VARIANTS, Draw, Pins, Problem, Quiz
from quizgen.usertext import MAX_INSTRUCTIONS, page_text
from quizgen.verify import verify

# Steps a student can handle by hand; decimal ones are shown as exact decimals.
STEPS = LEVELS[DEFAULT_LEVEL].steps
_TRIES = 60


@dataclass(frozen=True)
class Options:
    """Everything that shapes a quiz besides the seed; recorded in quiz.json."""

    count: int | None = None
    kinds: tuple[str, ...] = DEFAULT_KINDS
    degree: int = 2
    function: str | None = None
    point: str | None = None
    step: str | None = None
    title: str = "Derivatives from first principles"
    extra: dict[str, Any] = field(default_factory=dict)
    difficulty: str = DEFAULT_LEVEL
    rate: str | None = None  # pins the learning rate η (worksheet specs)
    style: str = "open"  # "mc": multiple choice (options A–E from each problem's distractors)

    def pinned(self) -> dict[str, Any]:
        pins = (("function", self.function), ("point", self.point), ("step", self.step), ("rate", self.rate))
        return {k: v for k, v in pins if v}


# Pinned values stay hand-sized: 1e-300 would give 900-digit answers.
MIN_STEP = Fraction(1, 10**6)
MAX_DENOMINATOR = 10**6


# What each pinned number may be: said when it is out of range, or too large or fine to read at all.
_TOO_LARGE = {"point": "keep |a| ≤ 100", "step": "keep |h| ≤ 10", "rate": "the learning rate must be above 0 and at most 1"}
_TOO_FINE = {
    "point": f"keep its denominator ≤ {MAX_DENOMINATOR:,}",
    "step": f"keep |h| ≥ 0.000001 and its denominator ≤ {MAX_DENOMINATOR:,} (answers must stay short enough to work by hand)",
    "rate": f"keep its denominator ≤ {MAX_DENOMINATOR:,}",
}


def _pinned_number(field: str, text: str) -> Fraction:
    """An exact number pinned for `field`; InputError (field, value) when it is no number or out of reach.

    parse_number bounds the size from the text, so 1e100000000 is refused at once ("too large")."""
    try:
        return parse_number(text)
    except NumberError as exc:
        if exc.reason == "syntax":
            raise InputError(str(exc), field=field) from None
        if exc.reason == "large":
            raise InputError(f"too large: {_TOO_LARGE[field]}", field=field, value=text.strip()) from None
        raise InputError(_TOO_FINE[field], field=field, value=text.strip()) from None


def parse_pins(options: Options) -> Pins:
    """Check and parse the pinned values; InputError names the field (point, step, …) in library words."""
    coeffs = point = step = rate = None
    if options.function is not None:
        shown = _clipped(options.function)
        try:
            coeffs = parse_polynomial(options.function, variables="xw")  # a loss may be written in w
        except PolyError as exc:
            raise InputError(str(exc), field="function", value=shown) from None
        if len(coeffs) < 3:
            raise InputError(
                f"needs degree 2 to {4} (a line has a constant slope)", field="function", value=shown
            )
    if options.point is not None:
        point = _pinned_number("point", options.point)
        if abs(point) > 100:
            raise InputError("keep |a| ≤ 100", field="point", value=options.point)
        if point.denominator > MAX_DENOMINATOR:
            raise InputError(f"keep its denominator ≤ {MAX_DENOMINATOR:,}", field="point", value=options.point)
    if options.step is not None:
        step = _pinned_number("step", options.step)
        if step == 0:
            raise InputError("the step h must not be 0 (the quotient would divide by 0)", field="step", value=options.step)
        if abs(step) > 10:
            raise InputError("keep |h| ≤ 10", field="step", value=options.step)
        if abs(step) < MIN_STEP or step.denominator > MAX_DENOMINATOR:
            raise InputError(
                f"keep |h| ≥ 0.000001 and its denominator ≤ {MAX_DENOMINATOR:,} "
                "(answers must stay short enough to work by hand)",
                field="step",
                value=options.step,
            )
    if options.rate is not None:
        rate = _pinned_number("rate", options.rate)
        if not 0 < rate <= 1:
            raise InputError(_TOO_LARGE["rate"], field="rate", value=options.rate)
        if rate.denominator > MAX_DENOMINATOR:
            raise InputError(_TOO_FINE["rate"], field="rate", value=options.rate)
    decimal = any(bool(text and is_decimal_text(text)) for text in (options.step, options.point, options.rate))
    return Pins(coeffs, point, step, decimal, rate)


def pinned_function_refused(kinds: Sequence[str]) -> str:
    """Why a pinned f(x) fits none of the asked kinds, naming them (make and class sets alike)."""
    asked = list(dict.fromkeys(kinds))
    one = len(asked) == 1
    return (f"{' and '.join(asked)} draw{'s its' if one else ' their'} own data (a loss of two weights w1, w2, or "
            f"named inputs), not a polynomial f(x), so {'it cannot' if one else 'they cannot'} take a pinned f(x)")


def pinned_unused(order: Sequence[Kind], pins: Pins) -> InputError | None:
    """A pinned point, step or rate that none of the asked kinds uses (make and class sets alike):
    `--kind neuron --point 5` drew the same neurons as without it and said nothing."""
    for name, value in (("point", pins.point), ("step", pins.step), ("rate", pins.rate)):
        if value is None:
            continue
        if all(kind.pinnable is not None and name not in kind.pinnable for kind in order):
            ids = [kind.id for kind in order]
            one = len(ids) == 1
            return InputError(f"{' and '.join(ids)} draw{'s its' if one else ' their'} own values and "
                              f"{'does' if one else 'do'} not use a pinned {name}", field=name)
    return None


def _clipped(text: str, keep: int = 40) -> str:
    """A value echoed in an error: quoted, escaped, and cut after `keep` characters."""
    return repr(text[:keep] + "…" if len(text) > keep else text)


def level(name: str) -> Level:
    """The named difficulty; InputError names the choices."""
    try:
        return LEVELS[name]
    except KeyError:
        raise InputError(f"choose {', '.join(LEVELS)}", field="difficulty", value=repr(name)) from None


def version_code(seed: int, options: Options) -> str:
    """A short code printed on every page that identifies the seed and options."""
    digest = hashlib.sha256(repr((seed, sorted(_options_json(options).items()))).encode()).hexdigest()
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    n = int(digest[:10], 16)
    return "".join(alphabet[(n >> (5 * i)) & 31] for i in range(5))


def _options_json(options: Options) -> dict[str, Any]:
    return {
        "count": options.count,
        "kinds": list(options.kinds),
        "degree": options.degree,
        **options.pinned(),
        "title": options.title,
        # Recorded only when not the default, so existing sets keep their version codes.
        **({"difficulty": options.difficulty} if options.difficulty != DEFAULT_LEVEL else {}),
        **({"style": options.style} if options.style != "open" else {}),
        **options.extra,
    }


def build_problem(
    kind: Kind, number: int, seed: int, degree: int, pins: Pins, difficulty: str = DEFAULT_LEVEL, section: str = ""
) -> Problem | None:
    """Problem `number` from its own seed, solved by sympy and verified; None if no good task."""
    rng = random.Random(seed)
    lvl = level(difficulty)
    fallback = None
    for _ in range(_TRIES):
        task = kind.new_task(rng, degree, pins, lvl)
        if not kind.good(task):
            continue
        solved = kind.solve(task)
        # Every number shown stays short enough to work by hand (at most MAX_DIGITS significant digits),
        # and multiple choice has at least MIN_DISTRACTORS different wrong answers (a coincidence: redraw).
        if longest(texts(solved.given, solved.answer.text, solved.steps, solved.meaning)) <= MAX_DIGITS:
            wrong = distractors(solved.answer, solved.mistakes)
            if len(wrong) >= MIN_DISTRACTORS:
                break
        fallback = fallback or (task, solved)
    else:
        # Values the user pinned (--step 0.000001) may need longer numbers: they are the user's choice.
        pinned = (pins.coeffs, pins.point, pins.step, pins.rate) != (None, None, None, None)
        if fallback is None or not pinned:
            return None
        task, solved = fallback
        wrong = distractors(solved.answer, solved.mistakes)
    verify(kind, task, solved)
    offered, offered_wrong, mc_label = solved.answer, wrong, ""
    if solved.mc_part is not None and 0 <= solved.mc_part < len(solved.parts):
        # A long list of parts: the options give one main part, with wrong values from its own slips.
        main = solved.parts[solved.mc_part]
        one = part_answer(solved.answer, solved.mc_part, not isinstance(main, str) and "≈" in main.text)
        if one is not None:
            own = distractors(one, list(solved.mc_mistakes) + part_mistakes(solved.answer, solved.mistakes, solved.mc_part))
            if len(own) >= MIN_DISTRACTORS:
                label = main if isinstance(main, str) else main.text
                offered, offered_wrong = one, own
                mc_label = label.partition(" = ")[0].partition(" ≈ ")[0] if " = " in label or " ≈ " in label else ""
    return Problem(
        number=number,
        kind=kind.id,
        seed=seed,
        task=task,
        given=solved.given,
        answer=solved.answer,
        steps=solved.steps,
        meaning=solved.meaning,
        # The checker's feedback names the same misconception as the multiple-choice key: the kind's
        # mistakes that are wrong and all different (a slip that gives the right answer is no mistake).
        mistakes=tuple((d.answer, d.why) for d in wrong),
        extra=solved.extra or {},
        plot=solved.plot,
        section=section,
        parts=solved.parts,
        blanks=solved.blanks,
        draw=Draw(degree, difficulty, pins),
        distractors=wrong,
        choices=choices(seed, offered, offered_wrong),
        mc_label=mc_label,
    )


def variant_seed(problem_seed: int, index: int) -> int:
    """Variant `index`'s own seed: a hash of the problem's seed (the same seed, the same page)."""
    digest = hashlib.sha256(f"quizgen-variant:{problem_seed}:{index}".encode()).digest()
    return int.from_bytes(digest[:6], "big")


def _shown_key(problem: Problem) -> tuple[Any, ...]:
    """What a student sees of a problem: its given values and its answer."""
    return (tuple(sorted((name, getattr(m, "text", repr(m))) for name, m in problem.given.items())), problem.answer.plain)


def variants(problem: Problem, n: int) -> tuple[Problem, ...]:
    """Up to `n` other problems like `problem`: same kind, number, degree, difficulty and pinned
    values, each drawn from its own seed (variant_seed) and verified like every problem, none
    showing the same numbers as the problem or an earlier variant. Empty when nothing can vary
    (Draw.fixed, or a problem not drawn by build_problem) or no different problem turns up in
    2n + 8 draws."""
    draw = problem.draw
    if n <= 0 or draw is None or draw.fixed:
        return ()
    kind = KINDS[problem.kind]
    seen = {_shown_key(problem)}
    found: list[Problem] = []
    for index in range(1, 2 * n + 9):
        variant = build_problem(kind, problem.number, variant_seed(problem.seed, index), draw.degree, draw.pins,
                                draw.difficulty, problem.section)
        if variant is None or _shown_key(variant) in seen:
            continue
        seen.add(_shown_key(variant))
        found.append(variant)
        if len(found) == n:
            break
    return tuple(found)


def practice_pools(quiz: Quiz, n: int) -> list[tuple[Problem, ...]]:
    """Each problem's variants (see variants), in the quiz's order: `n` each, or fewer when
    that would put more than MAX_PAGE_VARIANTS on the page (a 500-problem set gets 2 each)."""
    each = min(n, MAX_PAGE_VARIANTS // max(1, len(quiz.problems)))
    return [variants(problem, each) for problem in quiz.problems]


def _add_problems(
    options: Options, set_rng: random.Random, seen: set[tuple[Any, ...]], problems: list[Problem], section: str = ""
) -> int:
    """Append one section's problems (numbered on from `problems`); returns how many were added."""
    unknown = [k for k in options.kinds if k not in KINDS]
    if unknown:
        raise InputError(f"unknown kind; choose from {', '.join(KINDS)}", field="kinds", value=repr(unknown[0]))
    if options.degree not in (2, 3, 4):
        raise InputError("choose 2, 3 or 4", field="degree", value=str(options.degree))
    count = DEFAULT_COUNT if options.count is None else options.count
    if not 1 <= count <= MAX_COUNT:
        raise InputError(f"choose 1 to {MAX_COUNT}", field="count", value=str(count))
    level(options.difficulty)
    pins = parse_pins(options)
    order = [KINDS[k] for k in dict.fromkeys(options.kinds)]
    if pins.coeffs is not None:
        # A pinned f(x) is the subject of the whole set: kinds that cannot use it are left out.
        asked = order
        order = [kind for kind in order if kind.takes_function]
        if not order:
            raise InputError(pinned_function_refused([kind.id for kind in asked]), field="function")
    if (unused := pinned_unused(order, pins)) is not None:
        raise unused
    exhausted: set[str] = set()
    start = len(problems)
    turn = 0
    while len(problems) - start < count and len(exhausted) < len(order):
        kind = order[turn % len(order)]
        turn += 1
        if kind.id in exhausted:
            continue
        for _ in range(_TRIES):
            problem_seed = set_rng.getrandbits(48)
            problem = build_problem(
                kind, len(problems) + 1, problem_seed, options.degree, pins, options.difficulty, section
            )
            if problem is None:
                continue
            t = problem.task
            key = (kind.id, t.coeffs, t.point, t.points, t.step, t.terms, t.at, t.start, t.rate, t.steps,
                   t.values, t.shape, t.data, t.iterations)
            if key not in seen:
                seen.add(key)
                problems.append(problem)
                break
        else:
            exhausted.add(kind.id)
    added = len(problems) - start
    if added == 0:
        raise _why_none(order, pins, options)
    if added < count and options.count is not None:
        raise InputError(
            f"the pinned values allow only {added} different problem{'' if added == 1 else 's'} of these kinds", field="count", value=str(count)
        )
    return added


def _why_none(order: Sequence[Kind], pins: Pins, options: Options) -> InputError:
    """Why not one problem of these kinds could be made: the nice-number rule the pinned values break."""
    names = " or ".join(kind.id for kind in order)
    for kind in order:
        why = kind.refusal(pins, level(options.difficulty)) if kind.refusal is not None else None
        if why:
            return InputError(why, field="rate" if pins.rate is not None else "step" if pins.step is not None else "kinds")
    if pins.coeffs is not None and pins.point is not None:
        text = Style().text
        at = [(pins.point, "point", options.point)]
        if pins.step is not None:
            at.append((pins.point + pins.step, "step", options.step))
        for x, field_, value in at:
            fx = horner(pins.coeffs, x)
            if abs(fx) > MAX_MAGNITUDE:
                return InputError(
                    f"f({text(x)}) = {text(fx)} is beyond ±{MAX_MAGNITUDE:,}, so no {names} problem "
                    "keeps its numbers hand-sized: no problems to write",
                    field=field_,
                    value=value,
                )
        if horner(power_rule(pins.coeffs), pins.point) == 0 and not any(kind.allow_flat for kind in order):
            return InputError(
                f"f′({text(pins.point)}) = 0 there, and only rising-falling asks about a flat point: "
                f"no {names} problem to write",
                field="point",
                value=options.point,
            )
    field_ = "function" if pins.coeffs is not None else "point" if pins.point is not None else "kinds"
    return InputError(
        f"no {names} problem keeps to the nice-number rules with these values (|f| ≤ {MAX_MAGNITUDE:,} at "
        "the points used, f′(a) ≠ 0, no error of exactly 0): no problems to write",
        field=field_,
    )


@dataclass(frozen=True)
class Section:
    """One headed part of a worksheet: its heading and the options its problems are drawn with."""

    heading: str
    options: Options


def make_sectioned_quiz(title: str, instructions: str, sections: Sequence[Section], seed: int,
                        style: str = "open") -> Quiz:
    """A set in headed sections: one random stream, kinds cycled in walkthrough order, no duplicates, every answer verified.

    The one way a quiz is built: a worksheet spec gives headed sections; `quizgen make`
    without a spec is one section with no heading (make_quiz), recorded in quiz.json
    with its options at the top level, as it always was, and with its errors unprefixed.
    """
    plain = len(sections) == 1 and not sections[0].heading
    page_text(title, "title")
    page_text(instructions, "instructions", limit=MAX_INSTRUCTIONS, multiline=True)
    set_rng = random.Random(seed)
    seen: set[tuple[Any, ...]] = set()
    problems: list[Problem] = []
    recorded = []
    for n, section in enumerate(sections, start=1):
        try:
            if section.heading:
                page_text(section.heading, "heading")
            _add_problems(section.options, set_rng, seen, problems, section.heading)
        except InputError as exc:
            if plain:
                raise
            raise exc.in_section(n, section.heading) from None
        recorded.append({"heading": section.heading, **_options_json(section.options)})
    if plain:
        options = sections[0].options
        return Quiz(
            seed=seed,
            title=title,
            options=_options_json(options) | {"count": len(problems)},
            problems=tuple(problems),
            version=version_code(seed, options),
            instructions=instructions,
        )
    for s in recorded:
        s.pop("title", None)
    # A spec's multiple choice (--spec S --style mc) is recorded beside the sections; open sets as they were.
    mc = {"style": style} if style != "open" else {}
    digest_source = Options(title=title, extra={"sections": recorded, "instructions": instructions, **mc})
    return Quiz(
        seed=seed,
        title=title,
        options={"count": len(problems), "sections": recorded, **mc},
        problems=tuple(problems),
        version=version_code(seed, digest_source),
        instructions=instructions,
    )


def make_quiz(options: Options, seed: int) -> Quiz:
    """The set `quizgen make` builds without a spec: a one-section spec with no heading."""
    return make_sectioned_quiz(options.title, "", [Section("", options)], seed)


def kinds_examples(seed: int = 2) -> Sequence[Problem]:
    """One example problem per kind for `quizgen kinds`, built on the walkthrough's f."""
    pins = Pins((Fraction(5), Fraction(-4), Fraction(3)), Fraction(2), Fraction(1, 1000), True)
    examples = []
    for i, kind in enumerate(KINDS.values()):
        problem = build_problem(kind, i + 1, seed, 2, pins)
        if problem is None:  # every kind has a good task on this f, a and h; a kind without one is a bug
            raise VerificationError(f"{kind.id}: no example on f(x) = 3x² − 4x + 5 at a = 2, h = 0.001")
        examples.append(problem)
    return examples
