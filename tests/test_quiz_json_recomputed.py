"""quiz.json alone is enough to recompute, with sympy, every answer and key field (errors, slope,
weights, losses, overshoot) of secant-table, tangent-line, gradient-step and partial-derivatives."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import sympy
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sympy.parsing.sympy_parser import parse_expr

from quizgen.generate import build_problem
from quizgen.kinds import KINDS
from quizgen.levels import LEVELS
from quizgen.model import NO_PINS

# The kinds after the walkthrough's first ten.
LATER = ("secant-table", "tangent-line", "gradient-step", "partial-derivatives")
# An exact decimal or fraction as quiz.json writes it: no exponent, no float noise.
NUMBER = re.compile(r"^-?\d+(\.\d+)?(/\d+)?$")
x, w, w1, w2 = sympy.symbols("x w w1 w2")


def read(text: str) -> sympy.Expr:
    """One of quizgen's own exact strings as an exact sympy value (test oracle only, never user text)."""
    # Decimals become exact Rationals before parsing (nsimplify would round 15.999999 to 16).
    exact = re.sub(r"\d+\.\d+", lambda m: f"Rational('{m.group()}')", text)
    return parse_expr(exact, local_dict={"x": x, "w": w, "w1": w1, "w2": w2, "Rational": sympy.Rational})


def numbers(text: str) -> list[sympy.Expr]:
    return [read(part) for part in text.split(", ")]


def recomputed(p: dict[str, Any]) -> dict[str, Any]:
    """Every answer and key field of a new kind, from quiz.json's strings with sympy's diff."""
    f, kind = read(p["function"]), p["kind"]
    if kind == "secant-table":
        a = read(p["point"])
        quotients = [(f.subs(x, a + h) - f.subs(x, a)) / h for h in map(read, p["steps"])]
        slope = sympy.diff(f, x).subs(x, a)
        return {"answer": quotients, "errors": [q - slope for q in quotients], "slope": slope}
    if kind == "tangent-line":
        a = read(p["point"])
        slope = sympy.diff(f, x).subs(x, a)
        return {"answer": sympy.expand(slope * (x - a) + f.subs(x, a)), "slope": slope,
                "intercept": f.subs(x, a) - slope * a}
    if kind == "gradient-step":
        weights = [read(p["start"])]
        for _ in range(p["iterations"]):
            weights.append(weights[-1] - read(p["rate"]) * sympy.diff(f, w).subs(w, weights[-1]))
        before, after = f.subs(w, weights[0]), f.subs(w, weights[-1])
        d = sympy.diff(f, w)
        g_prev, g_last = d.subs(w, weights[-2]), d.subs(w, weights[-1])
        if sympy.degree(f, w) == 2:
            best = sympy.solve(d, w)[0]
            over = bool((weights[-2] - best) * (weights[-1] - best) < 0)
        else:
            over = bool(g_prev * g_last < 0)
        return {"answer": weights[1:], "weights": weights, "loss_before": before, "loss_after": after, "overshoot": over}
    at = {w1: read(p["point"][0]), w2: read(p["point"][1])}
    g = [sympy.diff(f, v).subs(at) for v in (w1, w2)]
    new = [at[w1] - read(p["rate"]) * g[0], at[w2] - read(p["rate"]) * g[1]]
    return {"answer": g, "new_point": new, "loss_before": f.subs(at), "loss_after": f.subs({w1: new[0], w2: new[1]})}


def check(p: dict[str, Any]) -> None:
    """quiz.json's answer and extra fields equal the sympy recomputation exactly."""
    want = recomputed(p)
    if p["kind"] == "tangent-line":
        lhs, rhs = p["answer"].split(" = ")
        assert lhs == "y" and sympy.expand(read(rhs) - want["answer"]) == 0, p
        assert read(p["slope"]) == want["slope"] and read(p["intercept"]) == want["intercept"]
        return
    assert numbers(p["answer"]) == want["answer"], (p, want)
    for key in ("errors", "weights", "new_point"):
        if key in want:
            assert [read(v) for v in p[key]] == want[key], (key, p)
    for key in ("slope", "loss_before", "loss_after"):
        if key in want:
            assert read(p[key]) == want[key], (key, p)
    if "overshoot" in want:
        assert p["overshoot"] is want["overshoot"], p


@pytest.mark.parametrize("kind_id", LATER)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**48), degree=st.sampled_from([2, 3, 4]), difficulty=st.sampled_from(list(LEVELS)))
@example(seed=4421, degree=3, difficulty="medium")  # secant quotient −15.999999: the oracle must not round it
def test_answers_match_sympy_recomputed_from_quiz_json(kind_id: str, seed: int, degree: int, difficulty: str) -> None:
    problem = build_problem(KINDS[kind_id], 1, seed, degree, NO_PINS, difficulty)
    assert problem is not None
    # A cubic has no minimum: losses drawn for degree 3 are quartics (w⁴ over a cubic).
    losses = kind_id in ("gradient-step", "partial-derivatives")
    assert problem.task.degree == (4 if losses and degree == 3 else degree)
    check(json.loads(json.dumps(problem.to_json())))


def _no_floats(value: Any) -> bool:
    if isinstance(value, float):
        return False
    if isinstance(value, dict):
        return all(_no_floats(v) for v in value.values())
    if isinstance(value, list):
        return all(_no_floats(v) for v in value)
    return True


def test_seed_sweep_every_level_and_degree() -> None:
    """4 kinds × 3 levels × 3 degrees × 60 seeds: all built and verified, exact numbers only, bounded."""
    made = 0
    for kind_id in LATER:
        for difficulty in LEVELS:
            for degree in (2, 3, 4):
                for seed in range(60):
                    problem = build_problem(KINDS[kind_id], 1, seed, degree, NO_PINS, difficulty)
                    assert problem is not None, (kind_id, difficulty, degree, seed)
                    data = problem.to_json()
                    assert _no_floats(data)
                    answer = data["answer"].removeprefix("y = ")
                    for part in answer.split(", "):
                        if "x" not in part:
                            assert NUMBER.match(part) and len(part) <= 20, (kind_id, seed, part)
                    made += 1
    assert made == 4 * 3 * 3 * 60
