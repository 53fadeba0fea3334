"""What every kind shares: the Kind record, default drawing and nice-number rules, worked-solution pieces.

Kinds sit below generation, rendering and pictures: they import only quizgen.exact,
quizgen.levels, quizgen.model and each other (the import-linter contract in
pyproject.toml checks this).
"""

from __future__ import annotations

import random
import re
from decimal import Decimal, localcontext
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from quizgen.exact import Poly, Style, horner, is_decimal_text, parse_number, poly_forms, poly_plain, power_rule
from quizgen.levels import DEFAULT_LEVEL, LEVELS, Level, draw_coeffs, draw_point, steps_for
from quizgen.model import Answer, Line, Math, Picture, Pins, Step, Task, is_linear

# Bigger numbers make arithmetic, not the idea, the hard part.
MAX_MAGNITUDE = 10_000

# What an answer box takes, by the shape of the answer (never the answer itself); a kind's `hint`.
NUMBER_HINT = "An exact number, e.g. 12, -7/2 or 0.25"
EXPRESSION_HINT = "An expression in x and h, e.g. 2x^2 + 3xh - 1"
DERIVATIVE_HINT = "An expression in x, e.g. 4x - 3"
LIST_HINT = "The values in order, separated by commas"
EQUATION_HINT = "An equation, e.g. y = 3x - 2"


@dataclass(frozen=True)
class Solved:
    """What a kind's sympy route returns for one task."""

    given: dict[str, Math]
    answer: Answer
    steps: tuple[Step, ...]
    meaning: str = ""
    mistakes: tuple[tuple[str, str], ...] = ()
    extra: dict[str, Any] | None = None
    plot: Picture | None = None  # picture data for quizgen.plots, drawn only if a page shows it
    # Every part the question asks for as a whole statement (w₁ = 1.2, overshoot: no); () when `answer` says it all.
    parts: tuple[Math | str, ...] = ()
    # The worksheet's answer lines, one per part, labelled without giving anything away (w₁ =, overshoot?).
    blanks: tuple[Math | str, ...] = ()
    # Multiple choice on a long list of parts offers one main part (an index into `parts` and into the
    # answer's comma-separated values), with wrong values from the mistakes that change it (and mc_mistakes).
    mc_part: int | None = None
    mc_mistakes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Kind:
    """A problem kind: its id, what it needs, the sympy route and the independent route."""

    id: str
    title: str
    needs: tuple[str, ...]  # subset of ("point", "points", "step")
    solve: Callable[[Task], Solved]
    recompute: Callable[[Task], Any]
    blurb: str
    # Rejects tasks that would make a poor problem (e.g. an error of exactly 0).
    acceptable: Callable[[Task], bool] = lambda task: True
    # Only rising-falling may ask about a point where f′(a) = 0 ("flat").
    allow_flat: bool = False
    # Largest |h| the kind draws (a linear approximation is only good for a small Δx).
    max_step: Fraction | None = None
    # Kinds whose data is not just f, a, h draw their own task: draw(rng, degree, pins, level) -> Task.
    draw: Callable[[random.Random, int, Pins, Level], Task] | None = None
    # False for kinds that cannot use a pinned f(x) (a loss of two weights): left out when f is pinned.
    takes_function: bool = True
    # What the answer box takes (shown under it on the practice page): text, or text chosen by the task.
    hint: str | Callable[[Task], str] = NUMBER_HINT
    # Why no task can be drawn with these pinned values at this level (a pinned learning rate the level
    # cannot use), said instead of the nice-number rules when nothing could be made; None: no reason known.
    refusal: Callable[[Pins, Level], str | None] | None = None
    # The pinned values (of "point", "step", "rate") a kind that draws its own data uses; None: every
    # pinned value the options allow (the walkthrough's kinds). A set of kinds none of which uses a
    # pinned value refuses it, rather than silently drawing the same problems without it.
    pinnable: tuple[str, ...] | None = None

    def answer_hint(self, task: Task) -> str:
        """The hint for this task's answer box."""
        return self.hint if isinstance(self.hint, str) else self.hint(task)

    def new_task(self, rng: random.Random, degree: int, pins: Pins, lvl: Level = LEVELS[DEFAULT_LEVEL]) -> Task:
        """One random task for this kind, honouring pinned values: its own draw, else draw_task."""
        if self.draw is not None:
            return self.draw(rng, degree, pins, lvl)
        return draw_task(self, rng, degree, pins, lvl)

    def good(self, task: Task) -> bool:
        """The nice-number rules every kind keeps, then the kind's own `acceptable`."""
        return nice(self, task) and self.acceptable(task)


# ---------------------------------------------------------------- drawing


def draw_task(kind: Kind, rng: random.Random, degree: int, pins: Pins, lvl: Level = LEVELS[DEFAULT_LEVEL]) -> Task:
    """The default task: f, a, h (and points or several h when the kind needs them), honouring pinned values."""
    coeffs = pins.coeffs or draw_coeffs(rng, degree, lvl)
    span = lvl.span.get(len(coeffs) - 1, 2)
    point = pins.point if pins.point is not None else draw_point(rng, span, lvl)
    step_text = None
    step: Fraction | None = None
    if pins.step is not None:
        step = pins.step
    elif "step" in kind.needs:
        # Only a kind that shows h draws one: its text (0.01 or 1/4) sets how the problem writes
        # numbers. A kind without h writes whole numbers and fractions (3/2; a picture's h = 1/2)
        # unless decimals are pinned: no step drawn and never shown decides its style.
        short = steps_for(lvl, len(coeffs) - 1) or lvl.steps
        small = [t for t in short if kind.max_step is None or abs(parse_number(t)) <= kind.max_step]
        step_text = rng.choice(small or short)
        step = parse_number(step_text)
    decimal = pins.decimal or (step_text is not None and is_decimal_text(step_text))
    steps: tuple[Fraction, ...] = ()
    if "steps" in kind.needs:
        # Shrinking decimal steps (0.1, 0.01, 0.001 for a quadratic), so every quotient is an exact decimal.
        steps = tuple(parse_number(t) for t in lvl.secant.get(len(coeffs) - 1, lvl.secant[2]))
        decimal = True
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
            candidates = [draw_point(rng, span, lvl) for _ in range(12)]
        if not kind.allow_flat:
            # No trick f′(a) = 0 among the points either (only rising-falling asks about a flat point).
            fprime = power_rule(coeffs)
            candidates = [c for c in candidates if horner(fprime, c) != 0]
        points = tuple(dict.fromkeys(candidates))[:3]
    needs = kind.needs
    return Task(
        coeffs=coeffs,
        style=Style(decimal=decimal),
        point=point if "point" in needs else None,
        points=points,
        step=step if "step" in needs else None,
        steps=steps,
    )


def nice(kind: Kind, task: Task) -> bool:
    """Nice-number rules: bounded values, no trick f′(a) = 0 except where it is the point."""
    for at in ([task.point] if task.point is not None else []) + list(task.points):
        if abs(horner(task.coeffs, at)) > MAX_MAGNITUDE:
            return False
        if task.step is not None and abs(horner(task.coeffs, at + task.step)) > MAX_MAGNITUDE:
            return False
        if not kind.allow_flat and horner(power_rule(task.coeffs), at) == 0:
            return False
    return "points" not in kind.needs or len(task.points) >= 3


# ---------------------------------------------------------------- writing


def about(s: Style, q: Fraction) -> str:
    """A rate in words: ``7801/36 ≈ 216.7`` (the exact value, then four significant digits, marked
    as approximate) when the exact value is a fraction a reader cannot size up; ``53/2 = 26.5`` when
    those digits are the value itself; else just the value."""
    exact = s.text(q)
    if "/" not in exact:
        return exact
    with localcontext() as ctx:
        ctx.prec = 4
        approx = Decimal(q.numerator) / Decimal(q.denominator)
    sign = "=" if Fraction(approx) == q else "≈"
    return f"{exact} {sign} {format(approx, 'f')}".replace("-", "\u2212")


def num(task: Task, q: Fraction) -> Math:
    """A number as Math."""
    return Math(task.style.latex(q), task.style.text(q))


def poly_math(p: Poly, style: Style) -> Math:
    """A polynomial in x and h as Math."""
    return Math(*poly_forms(p, style))


def answer_number(task: Task, q: Fraction) -> Answer:
    """An exact number as an Answer."""
    return Answer(q, task.style.plain(q), task.style.latex(q), task.style.text(q))


def answer_poly(task: Task, p: Poly, form: str | None = None) -> Answer:
    """A polynomial in x (and h) as an Answer (form="expanded": it must be typed multiplied out)."""
    return Answer(p, poly_plain(p, task.style), *poly_forms(p, task.style), form=form)


def labeled(name: str, value: Math) -> Math:
    """``a = 2``."""
    return Math(f"{name} = {value.latex}", f"{name} = {value.text}")


def call(name: str, arg: Math) -> Math:
    """``f(arg)``."""
    return Math(rf"{name}({arg.latex})", name.replace("'", "′") + f"({arg.text})")


def sum_point(task: Task, a: Fraction, h: Fraction) -> Math:
    """``2 + 0.001`` (or ``2 − 0.1`` for a negative step)."""
    s = task.style
    sign_l, sign_t = ("-", "\u2212") if h < 0 else ("+", "+")
    return Math(f"{s.latex(a)} {sign_l} {s.latex(abs(h))}", f"{s.text(a)} {sign_t} {s.text(abs(h))}")


def paren_latex(body: str) -> str:
    """``\\left(2.001\\right)``; a body already in parentheses is left as it is."""
    return body if body.startswith(r"\left(") else rf"\left({body}\right)"


def paren_text(body: str) -> str:
    """``(2.001)``; ``(−2)`` stays ``(−2)``."""
    return body if body.startswith("(") and body.endswith(")") and body.count("(") == 1 else f"({body})"


def product(task: Task, x: Fraction, y: Fraction) -> Math:
    """``0.1(8)``, ``(1/4)(−3)``: two numbers multiplied, the second in parentheses (never ``0.1·8``)."""
    s = task.style
    return Math(f"{s.latex_factor(x)}{paren_latex(s.latex_factor(y))}", f"{s.text_factor(x)}{paren_text(s.text_factor(y))}")


# Widest chain ``f(a) = substitution = values = total`` set on one line, in characters of its
# text (about 105 fit the key's column); longer ones are broken at their = signs.
MAX_CHAIN = 100
_FRACTION = re.compile(r"(\d+)/(\d+)")


def _width(math: Math | Sequence[Math]) -> float:
    """About how many characters of text wide formulas are set.

    A fraction p/q is stacked, as wide as p or q; a formula drawn as a picture (fractions,
    limits) is set with wider spacing than one typeset as text, about 5/4 as wide.
    """
    parts = [math] if isinstance(math, Math) else list(math)
    text = " = ".join(m.text for m in parts)
    chars = len(_FRACTION.sub(lambda m: "0" * max(len(m.group(1)), len(m.group(2))), text))
    return chars * 1.25 if any(not is_linear(m.latex) for m in parts) else chars


_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _signed(n: int, negative: bool, latex: str, text: str) -> tuple[str, str]:
    """The n-th term of a sum with its sign: a leading minus tight (grouped in LaTeX), later ones spaced."""
    if n == 0:
        return ("{-" + latex + "}", "\u2212" + text) if negative else (latex, text)
    return ("- " + latex, "\u2212 " + text) if negative else ("+ " + latex, "+ " + text)


def substitution_lines(
    task: Task, at: Fraction, name: str = "f", coeffs: tuple[Fraction, ...] | None = None
) -> tuple[Line, ...]:
    """``f(2) = 3(2)² − 4(2) + 5 = 12 − 8 + 5 = 9``, each part exact (coeffs default to f's)."""
    s = task.style
    coeffs = task.coeffs if coeffs is None else coeffs
    lhs = call(name, num(task, at))
    sub_l, sub_t, val_l, val_t = [], [], [], []
    terms = [(i, c) for i, c in reversed(list(enumerate(coeffs))) if c]
    base_l, base_t = s.latex_factor(at), s.text_factor(at)
    p, q = at.numerator, at.denominator
    for n, (i, c) in enumerate(terms):
        if i == 0:
            body_l, body_t = s.magnitude(c)
        else:
            pw_l = f"^{{{i}}}" if i > 1 else ""
            pw_t = str(i).translate(_SUPERSCRIPT) if i > 1 else ""
            if c.denominator == 1 and c.numerator in (1, -1):
                body_l, body_t = base_l + pw_l, base_t + pw_t
            else:
                # 3(2.001)², as textbooks substitute: a dot beside a decimal point reads 3·2.001 as 3.2.001.
                mag = abs(c)
                body_l = f"{s.latex_factor(mag)}{paren_latex(base_l)}{pw_l}"
                body_t = f"{s.text_factor(mag)}{paren_text(base_t)}{pw_t}"
        signed_l, signed_t = _signed(n, c.numerator < 0, body_l, body_t)
        sub_l.append(signed_l)
        sub_t.append(signed_t)
        value = Fraction(c.numerator * p**i, c.denominator * q**i)  # c · at^i
        signed_l, signed_t = _signed(n, value.numerator < 0, *s.magnitude(value))
        val_l.append(signed_l)
        val_t.append(signed_t)
    if not terms:
        return (Line(lhs, num(task, Fraction(0))),)
    total = horner(coeffs, at)
    chain_l, chain_t = [" ".join(sub_l)], [" ".join(sub_t)]
    if len(terms) > 1:
        chain_l.append(" ".join(val_l))
        chain_t.append(" ".join(val_t))
    # The total, unless the chain already reads it (E(0.05) = 0.05, not 0.05 = 0.05).
    if (len(terms) > 1 or terms[0][0] > 0) and chain_t[-1] != s.text(total):
        chain_l.append(s.latex(total))
        chain_t.append(s.text(total))
    return chain_lines(lhs, [Math(part_l, part_t) for part_l, part_t in zip(chain_l, chain_t)])


def _measure(math: Math) -> tuple[int, bool]:
    """_width's two ingredients for one formula: characters (a fraction as wide as its longer part), set as a picture."""
    chars = len(_FRACTION.sub(lambda m: "0" * max(len(m.group(1)), len(m.group(2))), math.text))
    return chars, not is_linear(math.latex)


def chain_lines(lhs: Math, parts: Sequence[Math]) -> tuple[Line, ...]:
    """``lhs = part = part = …`` on one line when it fits the page, else broken at = signs onto aligned lines.

    A line of math cannot wrap, so a chain wider than the key's column would run off the page.
    """
    budget = MAX_CHAIN - _width(lhs) - 3
    # _width of a row, kept as running sums: " = " between parts adds 3 characters and no fraction.
    rows: list[list[Math]] = [[parts[0]]]
    chars, wide = _measure(parts[0])
    for part in parts[1:]:
        more, more_wide = _measure(part)
        joined = chars + 3 + more
        if (joined * 1.25 if wide or more_wide else joined) <= budget:
            rows[-1].append(part)
            chars, wide = joined, wide or more_wide
        else:
            rows.append([part])
            chars, wide = more, more_wide
    return tuple(
        Line(lhs if k == 0 else None, Math(" = ".join(m.latex for m in row), " = ".join(m.text for m in row)))
        for k, row in enumerate(rows)
    )


def shifted_form(task: Task) -> Math:
    """``3(x + h)² − 4(x + h) + 5``: f with x replaced by (x + h), before expanding."""
    s = task.style
    parts_l, parts_t = [], []
    terms = sorted(((i, c) for i, c in enumerate(task.coeffs) if c), reverse=True)
    for n, (i, c) in enumerate(terms):
        mag = abs(c)
        if i == 0:
            bl, bt = s.latex(mag), s.text(mag)
        else:
            pl = f"^{{{i}}}" if i > 1 else ""
            pt = str(i).translate(_SUPERSCRIPT) if i > 1 else ""
            cl = "" if mag == 1 else s.latex_factor(mag) if mag.denominator != 1 else s.latex(mag)
            ct = "" if mag == 1 else s.text_factor(mag)
            bl = rf"{cl}(x + h){pl}"
            bt = f"{ct}(x + h){pt}"
        if n == 0:
            parts_l.append(f"{{-{bl}}}" if c < 0 else bl)
            parts_t.append(("\u2212" if c < 0 else "") + bt)
        else:
            parts_l.append(("- " if c < 0 else "+ ") + bl)
            parts_t.append(("\u2212 " if c < 0 else "+ ") + bt)
    return Math(" ".join(parts_l), " ".join(parts_t))


def f_shift_name() -> Math:
    return Math(r"f(x + h)", "f(x + h)")


def difference_name() -> Math:
    return Math(r"f(x + h) - f(x)", "f(x + h) − f(x)")


def quotient_name() -> Math:
    return Math(r"\frac{f(x + h) - f(x)}{h}", "(f(x + h) − f(x))/h")


def limit_name() -> Math:
    return Math(
        r"f'(x) = \lim_{h \to 0} \frac{f(x + h) - f(x)}{h}",
        "f′(x) = lim h→0 (f(x + h) − f(x))/h",
    )


def limit_rhs() -> Math:
    return Math(r"\lim_{h \to 0} \frac{f(x + h) - f(x)}{h}", "lim h→0 (f(x + h) − f(x))/h")


def expansion_steps(task: Task, shifted: Poly, difference: Poly, quotient: Poly) -> tuple[Step, ...]:
    """The walkthrough's symbolic steps: expand f(x+h), subtract f(x), divide by h."""
    s = task.style
    return (
        Step(
            "Replace x by x + h and expand every power.",
            (Line(f_shift_name(), shifted_form(task)), Line(None, poly_math(shifted, s))),
        ),
        Step(
            "Subtract f(x): the terms without h cancel.",
            (Line(difference_name(), poly_math(difference, s)),),
        ),
        Step(
            "Every remaining term has a factor h, so divide by h.",
            (Line(quotient_name(), poly_math(quotient, s)),),
        ),
    )


def derivative_math(task: Task, fprime: Poly) -> Math:
    """``f′(x) = 6x − 4``."""
    m = poly_math(fprime, task.style)
    return Math(rf"f'(x) = {m.latex}", f"f′(x) = {m.text}")


def value_line(task: Task, name: str, at: Fraction, value: Fraction) -> Line:
    """``f′(2) = 8`` as an aligned line."""
    return Line(call(name, num(task, at)), num(task, value))


def lead_h(task: Task) -> Math:
    """``3h``, ``−h``, ``h``: the leading coefficient times h (never ``1h`` or ``−1h``)."""
    return poly_math({(0, 1): task.coeffs[-1]}, task.style)


def part(name: Math | str, value: Math) -> Math:
    """``w₁ = 1.2``: one part of an answer, named."""
    if isinstance(name, str):
        name = Math(name, name)
    return Math(f"{name.latex} = {value.latex}", f"{name.text} = {value.text}")


def word_part(name: str, word: str) -> str:
    """``overshoot: no``: a part answered in words (prose, not math)."""
    return f"{name}: {word}"


# Working space on the worksheet, in mm, for a polynomial of degree 2 / 3 / 4: expanding a quartic
# gets more room than evaluating a quadratic. Answer lines come below it, one per part.
SPACE: dict[str, tuple[int, int, int]] = {
    "evaluate": (24, 28, 32),
    "difference": (38, 44, 50),
    "difference-quotient": (40, 46, 52),
    "expand": (28, 38, 50),
    "simplify-quotient": (42, 52, 64),
    # Every step written out (about nine lines in the key): clearly more room than simplify-quotient.
    "limit-definition": (56, 68, 82),
    "derivative-at": (48, 56, 66),
    "estimate-error": (40, 48, 56),
    "linear-approximation": (36, 42, 48),
    "rising-falling": (28, 32, 36),
    "secant-table": (52, 58, 64),
    "tangent-line": (42, 48, 54),
    "gradient-step": (42, 50, 54),
    "partial-derivatives": (48, 52, 52),
}


# --layout compact: less room (two columns), still by kind and degree.
COMPACT: dict[str, tuple[int, int, int]] = {
    "evaluate": (18, 18, 18),
    "rising-falling": (18, 18, 18),
    "expand": (23, 23, 23),
    "difference": (23, 23, 23),
    "limit-definition": (34, 38, 42),
}


# The kinds of named inputs have no degree: their room grows with what a level asks, counted as
# (mm at the fewest, fewest parts, fewest inputs and data points); PER_ITEM mm for each one more.
NAMED_SPACE: dict[str, tuple[int, int, int]] = {
    "several-inputs": (44, 5, 3),
    "chain-rule": (56, 7, 4),
    "gradient-check": (60, 7, 4),
    "training-steps": (76, 8, 4),
    "backprop": (40, 5, 2),
    "neuron": (52, 7, 5),
}
PER_ITEM = 4


def working_space(kind_id: str, task: Task, layout: str = "normal", parts: int = 0) -> int:
    """mm of working space for one problem: by kind and degree, more for each further gradient step;
    for the kinds of named inputs, more for each further part asked and each further input or data point."""
    degree = min(max(task.degree, 2), 4) - 2
    if kind_id in NAMED_SPACE and layout != "compact":
        mm, fewest_parts, fewest_inputs = NAMED_SPACE[kind_id]
        more = max(parts - fewest_parts, 0) + max(len(task.values) + len(task.data) - fewest_inputs, 0)
        return mm + PER_ITEM * more
    if layout == "compact":
        return COMPACT.get(kind_id, (27, 27, 27))[degree]
    sizes = SPACE.get(kind_id, (40, 46, 52))
    return sizes[degree] + 12 * (task.iterations - 1)


def blank(name: Math | str) -> Math | str:
    """The label of one answer line on the worksheet (``w₁ =``); words stay words."""
    return name if isinstance(name, str) else Math(f"{name.latex} =", f"{name.text} =")
