"""The registry of problem kinds, in walkthrough order; one module per kind."""

from __future__ import annotations

from quizgen.kinds import (
    backprop,
    chain_rule,
    derivative_at,
    difference,
    difference_quotient,
    estimate_error,
    evaluate,
    expand,
    gradient_check,
    gradient_step,
    limit_definition,
    linear_approximation,
    neuron,
    partial_derivatives,
    rising_falling,
    secant_table,
    several_inputs,
    simplify_quotient,
    tangent_line,
    training_steps,
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

# What `quizgen make` draws when no --kind is given: the walkthrough's kinds, in its order.
# Kinds registered later (the neural-network kinds) are asked for by name or in a spec.
DEFAULT_KINDS: tuple[str, ...] = tuple(KINDS)

# The neural-network kinds (issue 11), in the order the walkthrough's last paragraph leads to them.
for module in (several_inputs, chain_rule, backprop, neuron, gradient_check, training_steps):
    KINDS[module.KIND.id] = module.KIND

__all__ = ["DEFAULT_KINDS", "KINDS", "Kind"]
