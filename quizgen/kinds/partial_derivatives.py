"""partial-derivatives: ∂L/∂w₁ and ∂L/∂w₂ of a two-weight loss at a point, and one gradient step."""

from __future__ import annotations

import random
from fractions import Fraction
from functools import lru_cache

from sympy import QQ
from sympy.polys.rings import PolyElement, ring

from quizgen.exact import Poly, Style, is_decimal_text, parse_number, poly_forms, poly_terms
from quizgen.kinds.base import blank, part, word_part, Kind, Solved, num, paren_latex, paren_text, poly_math, product
from quizgen.kinds.shown import MAX_DIGITS, longest
from quizgen.levels import Level, draw_point
from quizgen.model import Answer, Line, Math, Pins, Step, Task

LATEX_VARS = ("w_{1}", "w_{2}")
TEXT_VARS = ("w₁", "w₂")
MAX_LOSS = 10_000

_RING, _W1, _W2, _H = ring("w1,w2,h", QQ)


def _q(c: Fraction) -> object:
    return QQ(c.numerator, c.denominator)


def _frac(c: object) -> Fraction:
    return Fraction(int(c.numerator), int(c.denominator))  # type: ignore[attr-defined]


@lru_cache(maxsize=2048)
def _loss(terms: tuple[tuple[tuple[int, int], Fraction], ...]) -> PolyElement:
    return _RING.from_dict({(i, j, 0): _q(c) for (i, j), c in terms})


def _poly2(p: PolyElement) -> Poly:
    """A sympy polynomial in w1, w2 (no h) as {(i, j): c}."""
    return {(int(i), int(j)): _frac(c) for (i, j, _), c in p.terms() if c}


def _poly_h(p: PolyElement) -> Poly:
    """A sympy polynomial in h alone as {(0, k): c}, written in h."""
    return {(0, int(k)): _frac(c) for (_, _, k), c in p.terms() if c}


def wmath(p: Poly, s: Style) -> Math:
    """A polynomial in w₁, w₂ as Math."""
    return Math(poly_forms(p, s, LATEX_VARS)[0], poly_forms(p, s, TEXT_VARS)[1])


def partial_name(n: int) -> Math:
    return Math(rf"\frac{{\partial L}}{{\partial w_{{{n}}}}}", f"∂L/∂w{'₁₂'[n - 1]}")


def point_math(s: Style, at: tuple[Fraction, ...]) -> Math:
    return Math(rf"\left({s.latex(at[0])}, {s.latex(at[1])}\right)", f"({s.text(at[0])}, {s.text(at[1])})")


def substituted(p: Poly, at: tuple[Fraction, ...], s: Style) -> Math:
    """``2(1) + 2(2) − 6 = 0``: each term with the point put in, then the value."""
    parts_l, parts_t = [], []
    total = Fraction(0)
    for n, ((i, j), c) in enumerate(poly_terms(p)):
        total += c * at[0] ** i * at[1] ** j
        mag = abs(c)
        coeff = (s.latex(mag), s.text(mag)) if mag != 1 or (i == 0 and j == 0) else None
        powers = [(v, k) for v, k in ((at[0], i), (at[1], j)) if k]
        # 2(1.5)(0.5)²: a value after a factor goes in parentheses (never 2·1.5, read as 2.1.5).
        bare = coeff is None and len(powers) == 1
        body_l, body_t = coeff if coeff else ("", "")
        for v, k in powers:
            pw_l = f"^{{{k}}}" if k > 1 else ""
            pw_t = str(k).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")) if k > 1 else ""
            base_l, base_t = s.latex_factor(v), s.text_factor(v)
            if not bare:
                base_l, base_t = paren_latex(base_l), paren_text(base_t)
            body_l += base_l + pw_l
            body_t += base_t + pw_t
        if n == 0:
            parts_l.append(("{-" + body_l + "}") if c < 0 else body_l)
            parts_t.append(("−" if c < 0 else "") + body_t)
        else:
            parts_l.append(("- " if c < 0 else "+ ") + body_l)
            parts_t.append(("− " if c < 0 else "+ ") + body_t)
    if not p or list(p) == [(0, 0)]:
        return num_math(s, total)
    return Math(" ".join(parts_l) + f" = {s.latex(total)}", " ".join(parts_t) + f" = {s.text(total)}")


def num_math(s: Style, q: Fraction) -> Math:
    return Math(s.latex(q), s.text(q))


def loss_at(terms: tuple[tuple[tuple[int, int], Fraction], ...], at: tuple[Fraction, ...]) -> Fraction:
    """L(w₁, w₂) with exact fractions."""
    if all(c.denominator == 1 for _, c in terms):
        # Whole coefficients (every drawn loss): over the common denominator q₁^d₁·q₂^d₂, in integers.
        (p1, q1), (p2, q2) = (at[0].numerator, at[0].denominator), (at[1].numerator, at[1].denominator)
        d1 = max((i for (i, _), _ in terms), default=0)
        d2 = max((j for (_, j), _ in terms), default=0)
        total = sum(c.numerator * p1**i * q1 ** (d1 - i) * p2**j * q2 ** (d2 - j) for (i, j), c in terms)
        return Fraction(total, q1**d1 * q2**d2)
    return sum((c * at[0] ** i * at[1] ** j for (i, j), c in terms), Fraction(0))


def solve(task: Task) -> Solved:
    s, at, eta = task.style, task.at, task.eta
    L = _loss(task.terms)
    d1, d2 = L.diff(_W1), L.diff(_W2)
    p1, p2 = _q(at[0]), _q(at[1])
    g = (_frac(d1(p1, p2, QQ(0))), _frac(d2(p1, p2, QQ(0))))
    new = (at[0] - eta * g[0], at[1] - eta * g[1])
    before, after = _frac(L(p1, p2, QQ(0))), _frac(L(_q(new[0]), _q(new[1]), QQ(0)))
    # The definition at the point: nudge one weight by h, hold the other, divide by h.
    base = L(p1, p2, QQ(0))
    q1 = (L.compose([(_W1, _RING(p1) + _H), (_W2, _RING(p2))]) - base).exquo(_H)
    q2 = (L.compose([(_W1, _RING(p1)), (_W2, _RING(p2) + _H)]) - base).exquo(_H)
    sa = [s.text(v) for v in at]
    la = [s.latex(v) for v in at]
    steps = []
    for n, (d, q, other) in enumerate(((d1, q1, 2), (d2, q2, 1)), start=1):
        dq = poly_math(_poly_h(q), s)
        moved_l = [la[0], la[1]]
        moved_t = [sa[0], sa[1]]
        moved_l[n - 1] += " + h"
        moved_t[n - 1] += " + h"
        steps.append(
            Step(
                f"For ∂L/∂w{'₁₂'[n - 1]} hold w{'₁₂'[other - 1]} fixed: terms without w{'₁₂'[n - 1]} are constants, "
                f"and each power of w{'₁₂'[n - 1]} follows the power rule the limit definition gives.",
                (
                    Line(partial_name(n), wmath(_poly2(d), s)),
                    Line(Math(rf"{partial_name(n).latex}\,{point_math(s, at).latex}", f"{partial_name(n).text} at {point_math(s, at).text}"),
                         substituted(_poly2(d), at, s)),
                ),
            )
        )
        steps.append(
            Step(
                f"Check from the definition: nudge w{'₁₂'[n - 1]} by h at the point, divide by h, let h → 0.",
                (
                    Line(
                        Math(rf"\frac{{L({moved_l[0]}, {moved_l[1]}) - L({la[0]}, {la[1]})}}{{h}}",
                             f"(L({moved_t[0]}, {moved_t[1]}) − L({sa[0]}, {sa[1]}))/h"),
                        dq,
                    ),
                    Line(
                        Math(rf"{partial_name(n).latex}\,{point_math(s, at).latex}", f"{partial_name(n).text} at {point_math(s, at).text}"),
                        Math(rf"\lim_{{h \to 0}} ({dq.latex})", f"lim h→0 ({dq.text})"),
                    ),
                    Line(None, num(task, g[n - 1])),
                ),
            )
        )
    steps.append(
        Step(
            "One gradient step moves each weight against its own partial derivative: the new weights are",
            tuple(
                Line(
                    Math(rf"w_{{{n}}} - \eta \cdot {partial_name(n).latex}", f"w{'₁₂'[n - 1]} − η·{partial_name(n).text}"),
                    Math(rf"{la[n - 1]} - {product(task, eta, g[n - 1]).latex} = {s.latex(new[n - 1])}",
                         f"{sa[n - 1]} − {product(task, eta, g[n - 1]).text} = {s.text(new[n - 1])}"),
                )
                for n in (1, 2)
            ),
        )
    )
    steps.append(
        Step(
            "The loss before and after the step:",
            (
                Line(Math(f"L{point_math(s, at).latex}", f"L{point_math(s, at).text}"), substituted(task.f, at, s)),
                Line(Math(f"L{point_math(s, new).latex}", f"L{point_math(s, new).text}"), substituted(task.f, new, s)),
            ),
        )
    )
    nudge = Style(True)
    change = "falls" if after < before else "rises" if after > before else "stays"
    meaning = (
        f"∂L/∂w₁ = {s.text(g[0])}: nudging w₁ up by 0.01 (w₂ fixed) changes the loss by about {nudge.text(g[0] / 100)}; "
        f"∂L/∂w₂ = {s.text(g[1])}: nudging w₂ up by 0.01 changes it by about {nudge.text(g[1] / 100)}. "
        f"Stepping against both slopes, the loss {change} from {s.text(before)} to {s.text(after)}"
        + ("." if change == "falls" else " — the learning rate is too big for this loss.")
    )
    mistakes = [(f"{s.plain(g[1])}, {s.plain(g[0])}", "The order is ∂L/∂w₁ first, then ∂L/∂w₂.")] * (g[0] != g[1])
    for slipped, why in (
        (slipped_gradient(task.terms, at, cross=False),
         "A term with both weights, such as w₁w₂, changes with each of them: its ∂/∂w₁ is w₂, not 0."),
        (slipped_gradient(task.terms, at, factor=False),
         "The power rule brings the power down as a factor: ∂/∂w₁ of c·w₁ⁿ is n·c·w₁ⁿ⁻¹, not c·w₁ⁿ⁻¹."),
        (slipped_gradient(task.terms, at, other_as_zero=True),
         "Hold the other weight fixed at its value, not at 0: ∂/∂w₁ of w₁w₂ at the point is the value of w₂."),
    ):
        mistakes.append((f"{s.plain(slipped[0])}, {s.plain(slipped[1])}", why))
    mistakes.append((f"{s.plain(-g[0])}, {s.plain(-g[1])}", "Check the signs: the gradient points uphill, each ∂L/∂wᵢ as computed."))
    return Solved(
        given={
            "L": Math(f"L(w_{{1}}, w_{{2}}) = {wmath(task.f, s).latex}", f"L(w₁, w₂) = {wmath(task.f, s).text}"),
            "at": Math(rf"(w_{{1}}, w_{{2}}) = {point_math(s, at).latex}", f"(w₁, w₂) = {point_math(s, at).text}"),
            "eta": Math(rf"\eta = {s.latex(eta)}", f"η = {s.text(eta)}"),
            # Slash forms in the prompt keep the line height of running text.
            "d1": Math(r"\partial L/\partial w_{1}", "∂L/∂w₁"),
            "d2": Math(r"\partial L/\partial w_{2}", "∂L/∂w₂"),
            "rule": Math(r"w_{i} \leftarrow w_{i} - \eta \cdot \partial L/\partial w_{i}", "wᵢ ← wᵢ − η·∂L/∂wᵢ"),
        },
        answer=Answer(
            (g, new, (before, after)),
            f"{s.plain(g[0])}, {s.plain(g[1])}",
            f"{s.latex(g[0])}, {s.latex(g[1])}",
            f"{s.text(g[0])}, {s.text(g[1])}",
        ),
        steps=tuple(steps),
        meaning=meaning,
        mistakes=tuple(mistakes),
        blanks=(
            blank(Math(r"\partial L/\partial w_{1}", "∂L/∂w₁")),
            blank(Math(r"\partial L/\partial w_{2}", "∂L/∂w₂")),
            blank(Math(r"\text{new weights} (w_{1}, w_{2})", "new weights (w₁, w₂)")),
            blank(Math(f"L{point_math(s, at).latex}", f"L{point_math(s, at).text}")),
            "loss after the step =",
            "does the loss go down? (yes/no)",
        ),
        parts=(
            part(Math(r"\partial L/\partial w_{1}", "∂L/∂w₁"), num(task, g[0])),
            part(Math(r"\partial L/\partial w_{2}", "∂L/∂w₂"), num(task, g[1])),
            Math(rf"\text{{new}} (w_{{1}}, w_{{2}}) = {point_math(s, new).latex}", f"new (w₁, w₂) = {point_math(s, new).text}"),
            part(Math(f"L{point_math(s, at).latex}", f"L{point_math(s, at).text}"), num(task, before)),
            part(Math(f"L{point_math(s, new).latex}", f"L{point_math(s, new).text}"), num(task, after)),
            word_part("loss goes down", "yes" if after < before else "no"),
        ),
        extra={
            "gradient": [s.plain(v) for v in g],
            "new_point": [s.plain(v) for v in new],
            "loss_before": s.plain(before),
            "loss_after": s.plain(after),
        },
    )


def slipped_gradient(terms: tuple[tuple[tuple[int, int], Fraction], ...], at: tuple[Fraction, ...], *,
                     cross: bool = True, factor: bool = True, other_as_zero: bool = False) -> tuple[Fraction, Fraction]:
    """(∂L/∂w₁, ∂L/∂w₂) at the point with a slip: cross terms taken as constants (cross=False), the
    power's factor forgotten (factor=False), or the other weight taken as 0 (other_as_zero)."""
    out = []
    for axis in (0, 1):
        total = Fraction(0)
        for (i, j), c in terms:
            n, m = (i, j) if axis == 0 else (j, i)
            w, v = (at[0], at[1]) if axis == 0 else (at[1], at[0])
            if n == 0 or (m and not cross):
                continue
            other = (Fraction(0) if other_as_zero else v) ** m
            total += c * (n if factor else 1) * w ** (n - 1) * other
        out.append(total)
    return out[0], out[1]


def _lagrange_at_zero(xs: list[Fraction], ys: list[Fraction]) -> Fraction:
    """The value at 0 of the polynomial through (xs, ys)."""
    total = Fraction(0)
    for k, (xk, yk) in enumerate(zip(xs, ys)):
        weight = Fraction(1)
        for m, xm in enumerate(xs):
            if m != k:
                weight *= (0 - xm) / (xk - xm)
        total += yk * weight
    return total


def recompute(task: Task) -> tuple[tuple[Fraction, Fraction], tuple[Fraction, Fraction], tuple[Fraction, Fraction]]:
    """No differentiation rules: exact difference quotients at h = 1 … d, extrapolated to h = 0."""
    at, d = task.at, task.degree
    base = loss_at(task.terms, at)
    hs = [Fraction(k) for k in range(1, d + 1)]  # the quotient has degree d − 1 in h
    grads = []
    for axis in (0, 1):
        qs = []
        for h in hs:
            moved = (at[0] + h, at[1]) if axis == 0 else (at[0], at[1] + h)
            qs.append((loss_at(task.terms, moved) - base) / h)
        grads.append(_lagrange_at_zero(hs, qs))
    g = (grads[0], grads[1])
    new = (at[0] - task.eta * g[0], at[1] - task.eta * g[1])
    return g, new, (base, loss_at(task.terms, new))


def acceptable(task: Task) -> bool:
    """Both slopes non-zero, bounded losses, short numbers after the step."""
    g, new, (before, after) = recompute(task)
    if 0 in g or abs(before) > MAX_LOSS or abs(after) > MAX_LOSS:
        return False
    shown = (*new, after, task.eta * g[0], task.eta * g[1])
    return longest(task.style.plain(v) for v in shown) <= MAX_DIGITS


def draw(rng: random.Random, degree: int, pins: Pins, level: Level) -> Task:
    """a₁(w₁ − c₁)² + b·w₁w₂ + a₂(w₂ − c₂)² + m, plus w₁⁴ or w₂⁴ for degree 3 and 4.

    A loss has one minimum and never goes negative: b² < 4a₁a₂ (a bowl, not the saddle
    w₁² + 5w₁w₂ + w₂²), a quartic term that only adds (a cubic term would fall forever), and
    the constant m ≥ 0 just large enough that the bowl's lowest value is not below 0.
    """
    k = level.weights
    amax = (level.lead[2] + 1) // 2
    a1, a2 = rng.randint(1, amax), rng.randint(1, amax)
    c1, c2 = rng.randint(-k, k), rng.randint(-k, k)
    b = rng.choice([v for v in range(-k, k + 1) if v and v * v < 4 * a1 * a2])
    terms: dict[tuple[int, int], Fraction] = {}

    def add(key: tuple[int, int], c: int | Fraction) -> None:
        terms[key] = terms.get(key, Fraction(0)) + c

    add((2, 0), a1)
    add((1, 0), -2 * a1 * c1)
    add((0, 0), a1 * c1 * c1 + a2 * c2 * c2)
    add((1, 1), b)
    add((0, 2), a2)
    add((0, 1), -2 * a2 * c2)
    # The bowl's lowest value, exactly: L = wᵀAw + g·w + c has minimum c − gᵀA⁻¹g/4.
    g1, g2, c0 = terms[(1, 0)], terms[(0, 1)], terms[(0, 0)]
    det = 4 * a1 * a2 - b * b
    bottom = c0 - (a2 * g1 * g1 - b * g1 * g2 + a1 * g2 * g2) / det
    if bottom < 0:
        add((0, 0), -(bottom.numerator // bottom.denominator))  # raise it to a whole number ≥ 0
    if degree > 2:
        add(rng.choice([(4, 0), (0, 4)]), 1)
    span = min(level.span.get(2, 3), 3)
    at = (draw_point(rng, span, level), draw_point(rng, span, level))
    if pins.rate is not None:
        rate, decimal = pins.rate, pins.decimal
    else:
        text = rng.choice(level.rates)
        rate, decimal = parse_number(text), is_decimal_text(text)
    return Task(
        coeffs=(),
        style=Style(decimal=decimal),
        variables=("w1", "w2"),
        terms=tuple(sorted((key, c) for key, c in terms.items() if c)),
        at=at,
        rate=rate,
    )


KIND = Kind(
    "partial-derivatives",
    "Partial derivatives and a gradient step",
    ("at", "rate"),
    solve,
    recompute,
    "∂L/∂w₁, ∂L/∂w₂ at a point, then one step",
    acceptable=acceptable,
    draw=draw,
    hint="∂L/∂w₁ and ∂L/∂w₂ in that order, separated by commas",
    takes_function=False,
)
