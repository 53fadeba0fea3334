"""The registry of problem kinds, in walkthrough order; one module per kind."""

from __future__ import annotations

from quizgen.kinds import (
    derivative_at,
    difference,
    difference_quotient,
    estimate_error,
    evaluate,
    expand,
    gradient_step,
    limit_definition,
    linear_approximation,
    partial_derivatives,
    rising_falling,
    secant_table,
    simplify_quotient,
    tangent_line,
)
from quizgen.kinds.base import Kind

KINDS: dict[str, Kind] = {
    module.KIND.id: module.KIND
    for module in (
        evaluate,
        difference,
        difference_quotient,
        expand,
        simplify_quotient,
        limit_definition,
        derivative_at,
        estimate_error,
        linear_approximation,
        rising_falling,
        secant_table,
        tangent_line,
        gradient_step,
        partial_derivatives,
    )
}

__all__ = ["KINDS", "Kind"]
