"""Difficulty levels: the ranges random problems are drawn from (the table is in generate.py)."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class Level:
    """One difficulty: coefficient, point and step ranges, per polynomial degree where it matters."""

    name: str
    lead: Mapping[int, int]  # |leading coefficient| ≤ lead[degree] (never 0)
    other: Mapping[int, int]  # |other coefficients| ≤ other[degree]
    span: Mapping[int, int]  # |a| ≤ span[degree]
    halves: bool  # points may be halves such as 3/2, not only whole numbers
    steps: tuple[str, ...]  # h (and Δx) drawn from these, written as the teacher would
    secant: Mapping[int, tuple[str, ...]]  # secant-table's steps h, per degree (shrinking)
    rates: tuple[str, ...]  # learning rates η
    iterations: int  # gradient steps in gradient-step
    weights: int  # two-weight losses: |centre| and |cross coefficient| ≤ weights


LEVELS: dict[str, Level] = {
    "easy": Level(
        "easy",
        lead={2: 3, 3: 2, 4: 1},
        other={2: 5, 3: 3, 4: 2},
        span={2: 3, 3: 2, 4: 1},
        halves=False,
        steps=("0.1", "0.01", "0.2", "0.5"),
        secant={2: ("0.1", "0.01", "0.001"), 3: ("0.5", "0.1", "0.01"), 4: ("0.5", "0.2", "0.1")},
        rates=("0.1", "1/4", "0.05"),
        iterations=1,
        weights=2,
    ),
    # medium is what quizgen always drew before levels existed: same ranges, same random draws.
    "medium": Level(
        "medium",
        lead={2: 5, 3: 3, 4: 2},
        other={2: 9, 3: 6, 4: 4},
        span={2: 5, 3: 3, 4: 2},
        halves=False,
        steps=("0.1", "0.01", "0.001", "0.2", "0.05", "0.5", "1/2", "1/4"),
        secant={2: ("0.1", "0.01", "0.001"), 3: ("0.5", "0.1", "0.01"), 4: ("0.5", "0.2", "0.1")},
        rates=("0.1", "0.05", "0.01", "1/4"),
        iterations=1,
        weights=3,
    ),
    "hard": Level(
        "hard",
        lead={2: 9, 3: 5, 4: 3},
        other={2: 15, 3: 9, 4: 6},
        span={2: 6, 3: 4, 4: 3},
        halves=True,
        steps=("0.001", "0.002", "0.05", "0.25", "1/4", "1/3", "-0.1", "-0.01"),
        # More rows, not longer numbers: f(a + h) has degree × (decimals of h) decimals.
        secant={2: ("0.5", "0.1", "0.01", "0.001"), 3: ("0.5", "0.2", "0.1", "0.01"), 4: ("1", "0.5", "0.2", "0.1")},
        rates=("0.01", "0.02", "0.05", "0.1", "1/8", "1/4"),
        iterations=2,
        weights=5,
    ),
}
DEFAULT_LEVEL = "medium"


def draw_coeffs(rng: random.Random, degree: int, level: Level) -> tuple[Fraction, ...]:
    """Random coefficients, constant first, leading coefficient never 0."""
    lead_max, other_max = level.lead[degree], level.other[degree]
    lead = rng.choice([c for c in range(-lead_max, lead_max + 1) if c])
    others = [rng.randint(-other_max, other_max) for _ in range(degree)]
    return tuple(Fraction(c) for c in others) + (Fraction(lead),)


def draw_point(rng: random.Random, span: int, level: Level) -> Fraction:
    """A point with |a| ≤ span: whole numbers, or halves on the hard level."""
    if level.halves:
        return Fraction(rng.randint(-2 * span, 2 * span), 2)
    return Fraction(rng.randint(-span, span))


# A decimal step with k decimals gives f(a + h) degree·k decimals; with an integer part of up to two
# digits, 6 keeps every number within the 8 significant digits a student works by hand.
MAX_STEP_DECIMALS = 6


def steps_for(level: Level, degree: int) -> tuple[str, ...]:
    """The level's steps h that keep f(a + h) short at this degree (fractions such as 1/3 always qualify)."""
    def decimals(text: str) -> int:
        return len(text.split(".")[1]) if "." in text else 0

    return tuple(t for t in level.steps if decimals(t) * degree <= MAX_STEP_DECIMALS)
