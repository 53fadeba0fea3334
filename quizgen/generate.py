"""Build a quiz: draw exact inputs from an explicit random.Random, solve, verify."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from quizgen.errors import InputError
from quizgen.exact import Style, horner, is_decimal_text, parse_number, power_rule
from quizgen.kinds import KINDS, Kind
from quizgen.model import Problem, Quiz, Task
from quizgen.polyparse import PolyError, parse_polynomial
from quizgen.verify import verify

MAX_COUNT = 500
DEFAULT_COUNT = 20
# Steps a student can handle by hand; decimal ones are shown as exact decimals.
STEPS = ("0.1", "0.01", "0.001", "0.2", "0.05", "0.5", "1/2", "1/4")
# Bigger numbers make arithmetic, not the idea, the hard part.
MAX_MAGNITUDE = 10_000
_TRIES = 60


@dataclass(frozen=True)
class Options:
    """Everything that shapes a quiz besides the seed; recorded in quiz.json."""

    count: int | None = None
    kinds: tuple[str, ...] = tuple(KINDS)
    degree: int = 2
    function: str | None = None
    point: str | None = None
    step: str | None = None
    title: str = "Derivatives from first principles"
    extra: dict[str, Any] = field(default_factory=dict)

    def pinned(self) -> dict[str, Any]:
        return {k: v for k, v in (("function", self.function), ("point", self.point), ("step", self.step)) if v}


@dataclass(frozen=True)
class Pins:
    """Parsed --function/--point/--step values."""

    coeffs: tuple[Fraction, ...] | None
    point: Fraction | None
    step: Fraction | None
    decimal: bool


def parse_pins(options: Options) -> Pins:
    """Check and parse the pinned values; InputError names the option."""
    coeffs = point = step = None
    if options.function is not None:
        try:
            coeffs = parse_polynomial(options.function)
        except PolyError as exc:
            raise InputError(f"--function {options.function!r}: {exc}", option="--function") from None
        if len(coeffs) < 3:
            raise InputError(
                f"--function {options.function!r}: needs degree 2 to {4} (a line has a constant slope)",
                option="--function",
            )
    if options.point is not None:
        try:
            point = parse_number(options.point)
        except ValueError as exc:
            raise InputError(f"--point: {exc}", option="--point") from None
        if abs(point) > 100:
            raise InputError(f"--point {options.point}: keep |a| ≤ 100", option="--point")
    if options.step is not None:
        try:
            step = parse_number(options.step)
        except ValueError as exc:
            raise InputError(f"--step: {exc}", option="--step") from None
        if step == 0:
            raise InputError("--step 0: the step h must not be 0 (the quotient would divide by 0)", option="--step")
        if abs(step) > 10:
            raise InputError(f"--step {options.step}: keep |h| ≤ 10", option="--step")
    decimal = bool(options.step and is_decimal_text(options.step)) or bool(options.point and is_decimal_text(options.point))
    return Pins(coeffs, point, step, decimal)


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
        **options.extra,
    }


def _draw_coeffs(rng: random.Random, degree: int) -> tuple[Fraction, ...]:
    lead_max, other_max = {2: (5, 9), 3: (3, 6), 4: (2, 4)}[degree]
    lead = rng.choice([c for c in range(-lead_max, lead_max + 1) if c])
    others = [rng.randint(-other_max, other_max) for _ in range(degree)]
    return tuple(Fraction(c) for c in others) + (Fraction(lead),)


def draw_task(kind: Kind, rng: random.Random, degree: int, pins: Pins) -> Task:
    """One random task for a kind, honouring pinned values."""
    coeffs = pins.coeffs or _draw_coeffs(rng, degree)
    span = {2: 5, 3: 3, 4: 2}.get(len(coeffs) - 1, 2)
    point = pins.point if pins.point is not None else Fraction(rng.randint(-span, span))
    step_text = None
    if pins.step is not None:
        step = pins.step
    else:
        step_text = rng.choice(STEPS)
        step = parse_number(step_text)
    decimal = pins.decimal or (step_text is not None and is_decimal_text(step_text))
    if kind.allow_flat and pins.point is None and rng.random() < 0.2:
        fprime = power_rule(coeffs)
        if len(fprime) == 2:  # quadratic: the vertex
            vertex = -fprime[0] / fprime[1]
            if vertex.denominator in (1, 2):
                point = vertex
    points: tuple[Fraction, ...] = ()
    if "points" in kind.needs:
        if pins.point is not None:
            # The walkthrough's f′(2), f′(0), f′(5): the pinned point, 0 and three further on.
            candidates = [point, Fraction(0), point + 3, point - 3, point + 1]
        else:
            candidates = [Fraction(rng.randint(-span, span)) for _ in range(12)]
        points = tuple(dict.fromkeys(candidates))[:3]
    needs = kind.needs
    return Task(
        coeffs=coeffs,
        style=Style(decimal=decimal),
        point=point if "point" in needs else None,
        points=points,
        step=step if "step" in needs else None,
    )


def _good(kind: Kind, task: Task) -> bool:
    """Nice-number rules: bounded values, no trick f′(a) = 0 except where it is the point."""
    for at in ([task.point] if task.point is not None else []) + list(task.points):
        if abs(horner(task.coeffs, at)) > MAX_MAGNITUDE:
            return False
        if task.step is not None and abs(horner(task.coeffs, at + task.step)) > MAX_MAGNITUDE:
            return False
        if not kind.allow_flat and "point" in kind.needs and horner(power_rule(task.coeffs), at) == 0:
            return False
    return kind.acceptable(task)


def build_problem(kind: Kind, number: int, seed: int, degree: int, pins: Pins) -> Problem | None:
    """Problem `number` from its own seed, solved by sympy and verified; None if no good task."""
    rng = random.Random(seed)
    for _ in range(_TRIES):
        task = draw_task(kind, rng, degree, pins)
        if _good(kind, task):
            break
    else:
        return None
    solved = kind.solve(task)
    verify(kind, task, solved)
    return Problem(
        number=number,
        kind=kind.id,
        seed=seed,
        task=task,
        given=solved.given,
        answer=solved.answer,
        steps=solved.steps,
        meaning=solved.meaning,
        mistakes=solved.mistakes,
        extra=solved.extra or {},
    )


def make_quiz(options: Options, seed: int) -> Quiz:
    """The whole set: kinds in walkthrough order, cycled, no duplicates, every answer verified."""
    unknown = [k for k in options.kinds if k not in KINDS]
    if unknown:
        raise InputError(f"--kind {unknown[0]!r}: unknown kind; choose from {', '.join(KINDS)}", option="--kind")
    if options.degree not in (2, 3, 4):
        raise InputError(f"--degree {options.degree}: choose 2, 3 or 4", option="--degree")
    count = DEFAULT_COUNT if options.count is None else options.count
    if not 1 <= count <= MAX_COUNT:
        raise InputError(f"--count {count}: choose 1 to {MAX_COUNT}", option="--count")
    pins = parse_pins(options)
    order = [KINDS[k] for k in dict.fromkeys(options.kinds)]
    set_rng = random.Random(seed)
    seen: set[tuple[Any, ...]] = set()
    exhausted: set[str] = set()
    problems: list[Problem] = []
    turn = 0
    while len(problems) < count and len(exhausted) < len(order):
        kind = order[turn % len(order)]
        turn += 1
        if kind.id in exhausted:
            continue
        for _ in range(_TRIES):
            problem_seed = set_rng.getrandbits(48)
            problem = build_problem(kind, len(problems) + 1, problem_seed, options.degree, pins)
            if problem is None:
                continue
            t = problem.task
            key = (kind.id, t.coeffs, t.point, t.points, t.step)
            if key not in seen:
                seen.add(key)
                problems.append(problem)
                break
        else:
            exhausted.add(kind.id)
    if len(problems) < count and options.count is not None:
        raise InputError(
            f"--count {count}: the pinned values allow only {len(problems)} different problems of these kinds",
            option="--count",
        )
    return Quiz(
        seed=seed,
        title=options.title,
        options=_options_json(options) | {"count": len(problems)},
        problems=tuple(problems),
        version=version_code(seed, options),
    )


def rebuild_problem(kind_id: str, seed: int, degree: int = 2, pins: Pins | None = None) -> Problem | None:
    """Recreate one problem from its own seed (as recorded in quiz.json)."""
    return build_problem(KINDS[kind_id], 1, seed, degree, pins or Pins(None, None, None, False))


def kinds_examples(seed: int = 2) -> Sequence[Problem]:
    """One example problem per kind for `quizgen kinds`, built on the walkthrough's f."""
    pins = Pins((Fraction(5), Fraction(-4), Fraction(3)), Fraction(2), Fraction(1, 1000), True)
    return [build_problem(kind, i + 1, seed, 2, pins) for i, kind in enumerate(KINDS.values())]
