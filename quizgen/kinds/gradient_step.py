"""gradient-step: w₁ = w₀ − η·L′(w₀) on a polynomial loss, the loss before and after, overshoot or not."""

from __future__ import annotations

import math
import random
from dataclasses import replace
from collections.abc import Callable
from fractions import Fraction

from quizgen.exact import Poly, Style, horner, is_decimal_text, parse_number, poly_latex, poly_text, power_rule
from quizgen.kinds.base import Kind, Solved, blank, chain_lines, num, part, product, substitution_lines, word_part
from quizgen.kinds.shown import MAX_DIGITS, longest
from quizgen.kinds.calculus import Symbolic, sympy_derivative_at, sympy_symbolic, sympy_value
from quizgen.levels import Level, draw_coeffs, draw_point
from quizgen.model import Answer, Line, LossPicture, Math, Pins, Step, Task

W = ("w", "h")
# Answers stay something a student can write down: weights and losses of bounded size and length.
MAX_WEIGHT = 50
MAX_LOSS = 10_000
# Candidate losses drawn per task before giving up (each costs a bisection and a few Horner steps).
DRAWS = 300


def sub(n: int) -> str:
    """Subscript digits for w₀, w₁, …."""
    return str(n).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def wpoly(p: Poly, s: Style) -> Math:
    """A polynomial in w (and h) as Math."""
    return Math(poly_latex(p, s, W), poly_text(p, s, W))


def loss_math(task: Task) -> Math:
    """``L(w) = 3w² − 4w + 5``."""
    m = wpoly(task.f, task.style)
    return Math(f"L(w) = {m.latex}", f"L(w) = {m.text}")


def weight(n: int) -> Math:
    return Math(f"w_{{{n}}}", f"w{sub(n)}")


def derivation(task: Task, sym: Symbolic) -> Step:
    """L′(w) from the limit definition in two lines, written in w."""
    q, d = wpoly(sym.quotient, task.style), wpoly(sym.derivative, task.style)
    return Step(
        "The slope of the loss from the limit definition: expand L(w + h), subtract L(w), divide by h, let h → 0.",
        (
            Line(Math(r"\frac{L(w + h) - L(w)}{h}", "(L(w + h) − L(w))/h"), q),
            Line(Math("L'(w)", "L′(w)"), Math(rf"\lim_{{h \to 0}} ({q.latex})", f"lim h→0 ({q.text})")),
            Line(None, d),
        ),
    )


def minimiser(coeffs: tuple[Fraction, ...]) -> Fraction | None:
    """The minimiser −b/(2a) of a quadratic loss with a > 0 (None otherwise)."""
    if len(coeffs) == 3 and coeffs[2] > 0:
        return -coeffs[1] / (2 * coeffs[2])
    return None


def overshot(w0: Fraction, w1: Fraction, g0: Fraction, g1: Fraction, best: Fraction | None) -> bool:
    """True when the step jumped past a minimum: past the minimiser, or L′ changed sign."""
    if best is not None:
        return (w0 - best) * (w1 - best) < 0
    return g0 * g1 < 0


def solve(task: Task) -> Solved:
    s, eta = task.style, task.eta
    sym = sympy_symbolic(task)
    lprime = tuple(sym.derivative.get((i, 0), Fraction(0)) for i in range(task.degree))
    weights = [task.w0]
    grads: list[Fraction] = []
    steps: list[Step] = [derivation(task, sym)]
    for n in range(task.iterations):
        w = weights[-1]
        g = sympy_derivative_at(task, w)
        new = w - eta * g
        grads.append(g)
        weights.append(new)
        wn, wn1 = weight(n), weight(n + 1)
        steps.append(Step(f"The slope at w{sub(n)} = {s.text(w)}:", substitution_lines(task, w, "L'", lprime)))
        steps.append(
            Step(
                "Step against the slope: subtract the learning rate times the slope.",
                chain_lines(
                    wn1,
                    (
                        Math(rf"{wn.latex} - \eta \cdot L'({wn.latex})", f"{wn.text} − η·L′({wn.text})"),
                        Math(rf"{s.latex(w)} - {product(task, eta, g).latex}", f"{s.text(w)} − {product(task, eta, g).text}"),
                        Math(f"{s.latex(w)} - {s.latex_subtrahend(eta * g)}", f"{s.text(w)} − {s.text_subtrahend(eta * g)}"),
                        num(task, new),
                    ),
                ),
            )
        )
    grads.append(sympy_derivative_at(task, weights[-1]))
    losses = [sympy_value(task, w) for w in weights]
    best = minimiser(task.coeffs)
    named = has_minimum(task.coeffs)  # a loss with no lowest point: say what the slope did, not "overshoot"
    over = overshot(weights[-2], weights[-1], grads[-2], grads[-1], best)
    steps.append(
        Step(
            "The loss before and after:",
            substitution_lines(task, weights[0], "L") + substitution_lines(task, weights[-1], "L"),
        )
    )
    first, last = weights[0], weights[-1]
    if best is not None:
        minimum = best

        def side(w: Fraction) -> str:
            return "left of" if w < minimum else "right of" if w > minimum else "exactly at"

        verdict = (
            f"The minimum of a quadratic loss aw² + bw + c is at w = −b/(2a) = {s.text(best)}, where L′(w) = 0. "
            f"The last step went from {s.text(weights[-2])} ({side(weights[-2])} it) to {s.text(last)} ({side(last)} it): "
            + ("it jumped past the minimum, an overshoot." if over
               else "it landed exactly on the minimum, no overshoot." if last == best else "no overshoot.")
        )
        steps.append(Step(verdict, chain_lines(Math("w", "w"), (Math(r"-\frac{b}{2a}", "−b/(2a)"), num(task, best)))))
    else:
        verdict = (
            f"The slope after the last step, L′({s.text(last)}) = {s.text(grads[-1])}, "
            + ("" if grads[-1] == 0 and not over else "has ")
            + ("the opposite sign to the slope before it: the step jumped past a low point of the loss"
               + (", an overshoot." if named else ": yes, the slope changed sign.")
               if over else "is 0: the step landed on a flat point" + (", no overshoot." if named else ".")
               if grads[-1] == 0
               else "the same sign as the slope before it: "
               + ("the step has not passed the low point, no overshoot." if named else "no, the slope did not change sign."))
        )
        steps.append(Step(verdict, substitution_lines(task, last, "L'", lprime)))
    g0 = grads[0]
    direction = "raises" if g0 > 0 else "lowers"
    moved = "down" if g0 > 0 else "up"
    change = "falls" if losses[-1] < losses[0] else "rises" if losses[-1] > losses[0] else "stays"
    meaning = (
        f"L′({s.text(first)}) = {s.text(g0)}: nudging w up by 0.01 {direction} the loss by about "
        f"{Style(True).text(abs(g0) / 100)}, so gradient descent moves w {moved}, by η·|L′(w₀)| = {s.text(abs(eta * g0))}. "
        + (
            f"The loss stays at {s.text(losses[0])}: the step jumped over the minimum to the same height on the other side."
            if change == "stays"
            else f"The loss {change} from {s.text(losses[0])} to {s.text(losses[-1])}"
            + ((" — the step was too big and overshot the minimum." if named else " — the step was too big.")
               if over and change != "falls"
               else (", though the step overshot the minimum." if named else ".") if over
               else ", landing exactly on the minimum." if best is not None and last == best else ".")
        )
    )
    answer_values = weights[1:]
    lprime_coeffs = power_rule(task.coeffs)

    def run(step: Callable[[Fraction], Fraction]) -> str:
        """The weights a wrong update rule gives, from w₀ over as many steps as the question takes."""
        ws = [task.w0]
        for _ in range(len(answer_values)):
            ws.append(step(ws[-1]))
        return ", ".join(s.plain(w) for w in ws[1:])

    # Each slip made at every step (a list answer compares the whole list, as the checker does).
    mistakes = [
        (run(lambda w: w + eta * horner(lprime_coeffs, w)),
         "Gradient descent steps against the slope: w₁ = w₀ − η·L′(w₀), not plus."),
        (run(lambda w: w - horner(lprime_coeffs, w)), "Multiply the slope by the learning rate η before subtracting."),
        (run(lambda w: w - eta * horner(task.coeffs, w)), "The step uses the slope L′(w₀), not the loss L(w₀) itself."),
        (run(lambda w: -eta * horner(lprime_coeffs, w)),
         "Start from the old weight: w₁ = w₀ − η·L′(w₀); −η·L′(w₀) alone is only the step."),
    ]
    return Solved(
        given={
            "L": loss_math(task),
            "w0": Math(f"w_{{0}} = {s.latex(task.w0)}", f"w₀ = {s.text(task.w0)}"),
            "eta": Math(rf"\eta = {s.latex(eta)}", f"η = {s.text(eta)}"),
            "rule": Math(r"w_{1} = w_{0} - \eta \cdot L'(w_{0})", "w₁ = w₀ − η·L′(w₀)"),
            **({"n": Math(str(task.iterations), str(task.iterations))} if task.iterations > 1 else {}),
            # A loss with no lowest point (a cubic, or one opening downward) gets a question that presumes none.
            **({"no_minimum": Math("", "")} if not has_minimum(task.coeffs) else {}),
        },
        answer=Answer(
            (tuple(answer_values), tuple(losses), over),
            ", ".join(s.plain(w) for w in answer_values),
            ", ".join(s.latex(w) for w in answer_values),
            ", ".join(s.text(w) for w in answer_values),
        ),
        steps=tuple(steps),
        meaning=meaning,
        mistakes=tuple(mistakes),
        blanks=tuple(blank(weight(n)) for n in range(1, len(weights)))
        + (
            blank(Math(r"L(w_{0})", "L(w₀)")),
            blank(Math(rf"L({weight(len(weights) - 1).latex})", f"L({weight(len(weights) - 1).text})")),
            "overshoot? (yes/no)" if named else "did L′ change sign? (yes/no)",
        ),
        parts=tuple(part(weight(n), num(task, w)) for n, w in enumerate(weights) if n)
        + (
            part(Math(r"L(w_{0})", "L(w₀)"), num(task, losses[0])),
            part(Math(rf"L({weight(len(weights) - 1).latex})", f"L({weight(len(weights) - 1).text})"), num(task, losses[-1])),
            word_part("overshoot" if named else "slope changed sign", "yes" if over else "no"),
        ),
        extra={
            "weights": [s.plain(w) for w in weights],
            "loss_before": s.plain(losses[0]),
            "loss_after": s.plain(losses[-1]),
            "overshoot": over,
            **({"minimiser": s.plain(best)} if best is not None else {}),
        },
        plot=LossPicture(
            task.coeffs, tuple(weights),
            f"The loss curve with the step{'s' if task.iterations > 1 else ''} "
            + " → ".join(f"w{sub(n)} = {s.text(w)}" for n, w in enumerate(weights))
            + (f"; the minimum is at w = {s.text(best)}." if best is not None else "."),
            f"The loss curve and the start w₀ = {s.text(task.w0)}.",
            s.decimal,
            best,
        ),
    )


def recompute(task: Task) -> tuple[tuple[Fraction, ...], tuple[Fraction, ...], bool]:
    """Exact fractions: the power rule and Horner's rule, step by step."""
    slope = power_rule(task.coeffs)
    ws = [task.w0]
    for _ in range(task.iterations):
        ws.append(ws[-1] - task.eta * horner(slope, ws[-1]))
    losses = tuple(horner(task.coeffs, w) for w in ws)
    return tuple(ws[1:]), losses, overshot(ws[-2], ws[-1], horner(slope, ws[-2]), horner(slope, ws[-1]), minimiser(task.coeffs))


def lowest(coeffs: tuple[Fraction, ...]) -> float | None:
    """The loss's one minimum value, or None when it has no minimum or more than one low point.

    A loss has a minimum when its degree is even and it opens upward; it has exactly one low
    point when L′ changes sign once (for a quartic: the cubic L′ has discriminant ≤ 0). The
    value is found by bisection on L′ in floats: it only decides whether a drawn loss is
    fit to show (never negative), no answer depends on it.
    """
    degree = len(coeffs) - 1
    if degree % 2 or coeffs[-1] <= 0:
        return None
    slope = power_rule(coeffs)
    if degree == 4:
        d, c, b, a = slope
        if 18 * a * b * c * d - 4 * b**3 * d + b * b * c * c - 4 * a * c**3 - 27 * a * a * d * d > 0:
            return None  # three turning points: two low points
    bound = 1 + float(max(abs(c) for c in slope[:-1]) / abs(slope[-1]))
    lo, hi = -bound, bound
    fs = [float(c) for c in slope]
    for _ in range(80):
        mid = (lo + hi) / 2
        if sum(c * mid**i for i, c in enumerate(fs)) < 0:
            lo = mid
        else:
            hi = mid
    return sum(float(c) * lo**i for i, c in enumerate(coeffs))


def has_minimum(coeffs: tuple[Fraction, ...]) -> bool:
    """Even degree, opening upward: the loss has a lowest point (a cubic falls forever one way)."""
    return (len(coeffs) - 1) % 2 == 0 and coeffs[-1] > 0


def acceptable(task: Task) -> bool:
    """A non-zero slope at w₀, bounded weights and losses, and answers of few digits."""
    if task.eta <= 0:
        return False
    slope = power_rule(task.coeffs)
    # Start where the loss curves upward (L″ > 0), so descent heads for a minimum rather than off to −∞.
    if horner(power_rule(slope), task.w0) <= 0:
        return False
    ws = [task.w0]
    for _ in range(task.iterations):
        g = horner(slope, ws[-1])
        if g == 0:
            return False
        ws.append(ws[-1] - task.eta * g)
    for w in ws:
        if abs(w) > MAX_WEIGHT or abs(horner(task.coeffs, w)) > MAX_LOSS:
            return False
        if "/" in task.style.plain(w) and w.denominator > 1000:
            return False
        # Weights, slopes and losses a student can write down: at most MAX_DIGITS significant digits.
        shown = (w, horner(task.coeffs, w), horner(slope, w), task.eta * horner(slope, w))
        if longest(task.style.plain(q) for q in shown) > MAX_DIGITS:
            return False
    return True


def drawn_loss_fits(task: Task) -> bool:
    """A drawn loss is a loss: one minimum, never negative; and the steps are acceptable."""
    low = lowest(task.coeffs)
    return low is not None and low >= 0 and acceptable(task)


def draw(rng: random.Random, degree: int, pins: Pins, level: Level) -> Task:
    """A drawn loss with one minimum and no negative values, a start and a learning rate.

    A cubic has no minimum, so --degree 3 draws a quartic: w⁴ over a cubic of degree 3's ranges.
    A loss whose lowest value is below 0 has its constant raised until it is not.
    Up to DRAWS candidates are drawn here (cheap checks), so two-step hard quartics (about 1 in 40
    fits) are found.
    """
    task = _draw_once(rng, degree, pins, level)
    if pins.coeffs is not None:
        return task
    for _ in range(DRAWS):
        if drawn_loss_fits(task):
            return task
        task = _draw_once(rng, degree, pins, level)
    # None fitted: a learning rate of 0, which `acceptable` rejects, so the generator draws again.
    return replace(task, rate=Fraction(0))


def _draw_once(rng: random.Random, degree: int, pins: Pins, level: Level) -> Task:
    if pins.coeffs is not None:
        coeffs = pins.coeffs
    else:
        coeffs = draw_coeffs(rng, degree, level)
        if degree == 3:
            coeffs = coeffs + (Fraction(1),)
        if coeffs[-1] < 0:
            coeffs = coeffs[:-1] + (-coeffs[-1],)
        low = lowest(coeffs)
        if low is not None and low < 0:
            # A loss is never negative: raise the constant to the next whole number that makes the lowest value ≥ 0.
            coeffs = (coeffs[0] + math.ceil(-low + 1e-9),) + coeffs[1:]
    span = level.span.get(len(coeffs) - 1, 2)
    start = pins.point if pins.point is not None else draw_point(rng, span, level)
    if pins.rate is not None:
        rate, decimal = pins.rate, pins.decimal
    else:
        # With f and the start pinned (a textbook example), the problem is pinned too: the level's first rate.
        text = level.rates[0] if pins.coeffs is not None and pins.point is not None else rng.choice(level.rates)
        rate, decimal = parse_number(text), pins.decimal or is_decimal_text(text)
    return Task(coeffs=coeffs, style=Style(decimal=decimal), variables=("w",), start=start, rate=rate,
                iterations=level.iterations)


def hint(task: Task) -> str:
    """One step asks for w₁; more ask for every new weight in turn."""
    if task.iterations > 1:
        return "The new weights w₁, w₂, … in order, separated by commas"
    return "The new weight w₁, an exact number such as 0.25 or -7/2"


KIND = Kind(
    "gradient-step",
    "One gradient-descent step",
    ("start", "rate"),
    solve,
    recompute,
    "w₁ = w₀ − η·L′(w₀), the loss before and after",
    acceptable=acceptable,
    draw=draw,
    hint=hint,
)
