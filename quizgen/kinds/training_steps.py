"""training-steps: y = w·x + b on two or three data points, L = Σ(yᵢ − tᵢ)², a few gradient-descent steps in a table.

hard: the learning rate is too large, the loss grows, and the question asks what went wrong.
"""

from __future__ import annotations

import random
from dataclasses import replace
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from sympy import QQ
from sympy.polys.rings import ring

from quizgen.exact import Style, parse_number
from quizgen.kinds.base import Kind, Solved, blank, chain_lines, num, part, word_part
from quizgen.kinds.named import SUBSCRIPT, distinct_mistakes, fill, frac, graded_part, join, plain_list
from quizgen.kinds.shown import MAX_DIGITS, longest
from quizgen.levels import Level
from quizgen.model import Answer, Line, Math, Pins, Step, Task

_RING, _W, _B = ring("w,b", QQ)
# level -> (data points, steps, learning rates, whether the rate is too large)
BY_LEVEL = {
    "easy": (2, 2, ("0.05", "0.1"), False),
    "medium": (3, 3, ("0.05", "0.1"), False),
    "hard": (3, 2, ("0.25", "0.3", "0.5", "0.2"), True),
}
MAX_LOSS = 100_000
WRONG = "learning rate too large"
# How students say what went wrong, read as the canonical answer (and the usual wrong guesses as theirs).
WENT_WRONG = {
    **{w: WRONG for w in (
        "learning rate too large", "learning rate too big", "learning rate too high", "the learning rate is too large",
        "the learning rate is too big", "the learning rate is too high", "rate too large", "rate too big", "rate too high",
        "η too large", "η too big", "eta too large", "eta too big", "too large", "too big", "too high",
        "step too big", "steps too big", "step too large", "steps too large", "overshoot", "overshoots", "overshooting",
        "it overshoots", "diverges", "it diverges", "smaller learning rate", "lower the learning rate",
        "decrease the learning rate", "reduce the learning rate", "use a smaller learning rate",
    )},
    **{w: "learning rate too small" for w in ("learning rate too small", "rate too small", "too small", "η too small",
                                               "eta too small", "the learning rate is too small")},
    **{w: "wrong sign" for w in ("wrong sign", "sign", "stepped up the gradient", "wrong direction")},
}


def sub(n: int) -> str:
    return str(n).translate(SUBSCRIPT)


def loss_poly(data: Sequence[tuple[Fraction, Fraction]]) -> Any:
    """L(w, b) = Σ(w·xᵢ + b − tᵢ)² as a ring polynomial."""
    return sum(((_W * QQ(x.numerator, x.denominator) + _B - QQ(t.numerator, t.denominator)) ** 2 for x, t in data),
               _RING(0))


def _at(p: Any, w: Fraction, b: Fraction) -> Fraction:
    return frac(p(QQ(w.numerator, w.denominator), QQ(b.numerator, b.denominator)))


def start(task: Task) -> tuple[Fraction, Fraction]:
    v = dict(task.values)
    return v["w"], v["b"]


def expression(task: Task) -> str:
    """The loss in plain syntax, data filled in: ``(w*1 + b - 2)^2 + (w*3 + b - 5)^2``."""
    s = Style(True)
    terms = []
    for x, t in task.data:
        tt = f" - {s.plain(t)}" if t > 0 else f" + {s.plain(-t)}" if t < 0 else ""
        terms.append(f"(w*{s.plain(x) if x >= 0 else '(' + s.plain(x) + ')'} + b{tt})^2")
    return " + ".join(terms)


def trajectory(task: Task, sign: int = 1, factor: Fraction = Fraction(1), b_uses_w: bool = False,
               w_without_x: bool = False) -> tuple[list[tuple[Fraction, Fraction]], list[Fraction], list[tuple[Fraction, Fraction]]]:
    """Weights, losses and gradients by hand with Fractions (the independent route); the keyword
    arguments make the named mistakes (stepping up the gradient, no factor 2, ...)."""
    w, b = start(task)
    weights, losses, grads = [(w, b)], [], []
    for k in range(task.iterations + 1):
        residuals = [w * x + b - t for x, t in task.data]
        losses.append(sum((r * r for r in residuals), Fraction(0)))
        if k == task.iterations:
            break
        gw = factor * sum((2 * r * (1 if w_without_x else x) for r, (x, _) in zip(residuals, task.data)), Fraction(0))
        gb = factor * sum((2 * r for r in residuals), Fraction(0))
        grads.append((gw, gb))
        w, b = w - sign * task.eta * gw, b - sign * task.eta * (gw if b_uses_w else gb)
        weights.append((w, b))
    return weights, losses, grads


def answer_list(weights: Sequence[tuple[Fraction, Fraction]], losses: Sequence[Fraction]) -> list[Fraction]:
    """L₀, then w, b and L after each step."""
    out = [losses[0]]
    for (w, b), L in zip(weights[1:], losses[1:]):
        out += [w, b, L]
    return out


def smaller_rate(task: Task) -> str:
    """`` With η = 0.05 the same steps take the loss 86 → 30.2 → 12.9.``: the largest nice rate that works, if any."""
    for text in ("0.1", "0.05", "0.02", "0.01"):
        rate = parse_number(text)
        if rate >= task.eta:
            continue
        _, losses, _ = trajectory(replace(task, rate=rate))
        if all(b < a for a, b in zip(losses, losses[1:])) and longest(task.style.plain(q) for q in losses) <= MAX_DIGITS:
            return (f" With η = {text} instead, the same {task.iterations} steps take the loss "
                    + " → ".join(task.style.text(q) for q in losses) + ".")
    return " A smaller η makes the steps go downhill."


def mistake_candidates(task: Task) -> list[tuple[str, str]]:
    """The whole table as it comes out under each named misconception."""
    out = []
    for ws, ls, why in (
        (*trajectory(task, sign=-1)[:2], "Gradient descent steps against the slope: w − η·∂L/∂w, not plus (that climbs the loss)."),
        (*trajectory(task, factor=Fraction(1, 2))[:2],
         "The slope of (yᵢ − tᵢ)² is 2(yᵢ − tᵢ) times the slope of yᵢ: the factor 2 is missing."),
        (*trajectory(task, w_without_x=True)[:2], "∂L/∂w needs the factor xᵢ (how yᵢ moves with w): that was ∂L/∂b."),
        (*trajectory(task, b_uses_w=True)[:2], "b steps against its own slope ∂L/∂b, not ∂L/∂w."),
    ):
        out.append((plain_list(task.style, answer_list(ws, ls)), why))
    return out


def solve(task: Task) -> Solved:
    s, eta, n = task.style, task.eta, task.iterations
    L = loss_poly(task.data)
    dw, db = L.diff(_W), L.diff(_B)
    w, b = start(task)
    weights, losses, grads = [(w, b)], [_at(L, w, b)], []
    steps: list[Step] = []
    data = dict(task.data)
    points = ", ".join(f"({s.text(x)}, {s.text(t)})" for x, t in task.data)
    for k in range(n):
        gw, gb = _at(dw, w, b), _at(db, w, b)
        grads.append((gw, gb))
        ys = [w * x + b for x in data]
        rs = [y - t for y, t in zip(ys, data.values())]
        lines = [Line(Math(f"y_{{{i}}}", f"y{sub(i)}"), join([fill("[w][x] + {b}", {"w": w, "x": x, "b": b}, s), num(task, y)]))
                 for i, (x, y) in enumerate(zip(data, ys), start=1)]
        lines.extend(chain_lines(Math(r"\partial L/\partial w", "∂L/∂w"),
                          (Math(" + ".join(f"2(y_{{{i}}} - t_{{{i}}})x_{{{i}}}" for i in range(1, len(rs) + 1)),
                                     " + ".join(f"2(y{sub(i)} − t{sub(i)})x{sub(i)}" for i in range(1, len(rs) + 1))),
                                Math(" + ".join(fill("2[r][x]", {"r": r, "x": x}, s).latex for r, x in zip(rs, data)),
                                     " + ".join(fill("2[r][x]", {"r": r, "x": x}, s).text for r, x in zip(rs, data))),
                                num(task, gw))))
        lines.extend(chain_lines(Math(r"\partial L/\partial b", "∂L/∂b"),
                          (Math(" + ".join(f"2(y_{{{i}}} - t_{{{i}}})" for i in range(1, len(rs) + 1)),
                                     " + ".join(f"2(y{sub(i)} − t{sub(i)})" for i in range(1, len(rs) + 1))),
                                Math(" + ".join(fill("2[r]", {"r": r}, s).latex for r in rs),
                                     " + ".join(fill("2[r]", {"r": r}, s).text for r in rs)),
                                num(task, gb))))
        nw, nb = w - eta * gw, b - eta * gb
        lines.append(Line(Math(f"w_{{{k + 1}}}", f"w{sub(k + 1)}"),
                          join([fill("{w} − [e][g]", {"w": w, "e": eta, "g": gw}, s), num(task, nw)])))
        lines.append(Line(Math(f"b_{{{k + 1}}}", f"b{sub(k + 1)}"),
                          join([fill("{b} − [e][g]", {"b": b, "e": eta, "g": gb}, s), num(task, nb)])))
        steps.append(Step(
            f"Step {k + 1}: the model's outputs at w{sub(k)} = {s.text(w)}, b{sub(k)} = {s.text(b)}, the slopes of the loss "
            "(each point adds 2(yᵢ − tᵢ) times how yᵢ moves: xᵢ for w, 1 for b), then a step against them.", tuple(lines)))
        w, b = nw, nb
        weights.append((w, b))
        losses.append(_at(L, w, b))
    header = (Math("k", "k"), Math("w_{k}", "wₖ"), Math("b_{k}", "bₖ"), Math("L_{k}", "Lₖ"))
    table = tuple((Math(str(k), str(k)), num(task, wk), num(task, bk), num(task, Lk))
                  for k, ((wk, bk), Lk) in enumerate(zip(weights, losses)))
    down = all(b2 < a2 for a2, b2 in zip(losses, losses[1:]))
    too_large = not down
    if too_large:
        verdict = (f"The loss grows, {' → '.join(s.text(q) for q in losses)}: each step jumps past the bottom of the "
                   f"loss and lands higher on the other side. The learning rate η = {s.text(eta)} is too large."
                   + smaller_rate(task))
    else:
        verdict = f"The loss falls at every step: {' → '.join(s.text(q) for q in losses)}."
    steps.append(Step("The table of weights and loss, step by step. " + verdict, (), header, table))
    change = "falls" if down else "grows"
    meaning = (f"∂L/∂w = {s.text(grads[0][0])} and ∂L/∂b = {s.text(grads[0][1])} at the start say how nudging each weight moves "
               f"the loss; stepping both against their slopes, the loss {change} from {s.text(losses[0])} to {s.text(losses[-1])}"
               + (" — the steps are too big for this loss." if too_large else "."))
    values = answer_list(weights, losses)
    plain = plain_list(s, values)
    mistakes = distinct_mistakes(plain, mistake_candidates(task))
    names: list[tuple[str, str, Fraction, list[str]]] = [("L0", "L₀", losses[0], ["l0", "l(0)", "start loss"])]
    for k in range(1, n + 1):
        wk, bk = weights[k]
        names += [(f"w{k}", f"w{sub(k)}", wk, [f"w{k}"]), (f"b{k}", f"b{sub(k)}", bk, [f"b{k}"]),
                  (f"L{k}", f"L{sub(k)}", losses[k], [f"l{k}", f"l({k})"])]
    graded = [graded_part(t, s.plain(v), [name, t, *labels]) for name, t, v, labels in names]
    graded.append(graded_part("loss goes down (yes/no)", "yes" if down else "no", ["down", "goes down", "decreases"],
                              {"yes": "yes", "y": "yes", "true": "yes", "no": "no", "n": "no", "false": "no"}))
    if task.shape == "too-large":
        graded.append(graded_part("what went wrong", WRONG if too_large else "nothing", ["wrong", "what went wrong", "why"],
                                  WENT_WRONG))
    return Solved(
        given={
            "model": Math(r"y = w \cdot x + b", "y = w·x + b"),
            "data": Math(", ".join(f"({s.latex(x)}, {s.latex(t)})" for x, t in task.data), points),
            "L": Math("L = " + " + ".join(f"(y_{{{i}}} - t_{{{i}}})^{{2}}" for i in range(1, len(task.data) + 1)),
                      "L = " + " + ".join(f"(y{sub(i)} − t{sub(i)})²" for i in range(1, len(task.data) + 1))),
            "start": Math(f"w_{{0}} = {s.latex(weights[0][0])}, b_{{0}} = {s.latex(weights[0][1])}",
                          f"w₀ = {s.text(weights[0][0])}, b₀ = {s.text(weights[0][1])}"),
            "eta": Math(rf"\eta = {s.latex(eta)}", f"η = {s.text(eta)}"),
            "n": Math(str(n), str(n)),
            "rule": Math(r"w \leftarrow w - \eta \cdot \partial L/\partial w", "w ← w − η·∂L/∂w"),
            "brule": Math(r"b \leftarrow b - \eta \cdot \partial L/\partial b", "b ← b − η·∂L/∂b"),
            **({"too_large": Math("", "")} if task.shape == "too-large" else {}),
        },
        answer=Answer(tuple(values), plain, ", ".join(s.latex(v) for v in values), ", ".join(s.text(v) for v in values)),
        steps=tuple(steps),
        meaning=meaning,
        mistakes=mistakes,
        mc_part=len(names) - 1,  # the loss after the last step
        parts=tuple(part(Math(t.replace("₀", "_{0}").replace("₁", "_{1}").replace("₂", "_{2}").replace("₃", "_{3}"), t),
                         num(task, v)) for _, t, v, _ in names)
        + (word_part("loss goes down", "yes" if down else "no"),)
        + ((word_part("what went wrong", WRONG),) if task.shape == "too-large" else ()),
        blanks=tuple(blank(Math(t.replace("₀", "_{0}").replace("₁", "_{1}").replace("₂", "_{2}").replace("₃", "_{3}"), t))
                     for _, t, _, _ in names)
        + ("does the loss go down? (yes/no)",)
        + (("what went wrong?",) if task.shape == "too-large" else ()),
        extra={
            "expression": expression(task),
            "model": "w*x + b",
            "weights": [{"w": s.plain(wk), "b": s.plain(bk)} for wk, bk in weights],
            "losses": [s.plain(q) for q in losses],
            "gradient": [{"w": s.plain(gw), "b": s.plain(gb)} for gw, gb in grads],
            "loss_goes_down": down,
            "graded_parts": graded,
        },
    )


def recompute(task: Task) -> tuple[Fraction, ...]:
    weights, losses, _ = trajectory(task)
    return tuple(answer_list(weights, losses))


def _direction_ok(task: Task) -> bool:
    """The loss falls at every step (easy, medium) or rises at every step (hard)."""
    _, losses, _ = trajectory(task)
    pairs = list(zip(losses, losses[1:]))
    return all(b > a for a, b in pairs) if task.shape == "too-large" else all(b < a for a, b in pairs)


def acceptable(task: Task) -> bool:
    """Short exact numbers; on easy/medium the loss falls at every step, on hard it rises at every step."""
    weights, losses, grads = trajectory(task)
    if losses[0] == 0 or any(abs(q) > MAX_LOSS for q in losses) or any(g[0] == 0 or g[1] == 0 for g in grads):
        return False
    falling = all(b < a for a, b in zip(losses, losses[1:]))
    rising = all(b > a for a, b in zip(losses, losses[1:]))
    if (task.shape == "too-large" and not rising) or (task.shape != "too-large" and not falling):
        return False
    shown = [q for wb in weights for q in wb] + losses + [q for g in grads for q in g]
    shown += [task.eta * q for g in grads for q in g]
    if longest(task.style.plain(q) for q in shown) > MAX_DIGITS:
        return False
    return len(distinct_mistakes(plain_list(task.style, answer_list(weights, losses)), mistake_candidates(task))) >= 3


def draw(rng: random.Random, degree: int, pins: Pins, level: Level) -> Task:
    count, iterations, rates, too_large = BY_LEVEL.get(level.name, BY_LEVEL["medium"])
    xs = sorted(rng.sample(range(-2, 4), count))
    data = tuple((Fraction(x), Fraction(rng.randint(-5, 6))) for x in xs)
    values = (("w", Fraction(rng.choice((0, 1, -1, 2)))), ("b", Fraction(rng.choice((0, 1, -1)))))
    rate = pins.rate if pins.rate is not None else parse_number(rng.choice(rates))
    return Task(coeffs=(), style=Style(decimal=True), rate=rate, iterations=iterations, values=values, data=data,
                shape="too-large" if too_large else "descent")


def hint(task: Task) -> str:
    n = task.iterations
    names = ["L₀"] + [f"{v}{sub(k)}" for k in range(1, n + 1) for v in ("w", "b", "L")]
    return ", ".join(names) + " in order, then yes/no: does the loss go down?" + (
        " And what went wrong?" if task.shape == "too-large" else "")


def refusal(pins: Pins, level: Level) -> str | None:
    """A pinned learning rate the level cannot use: easy and medium need one that works, hard one too large."""
    if pins.rate is None:
        return None
    eta = Style(True).text(pins.rate)
    rng = random.Random(0)
    tasks = [draw(rng, 2, pins, level) for _ in range(200)]
    if any(_direction_ok(task) for task in tasks):
        return (f"with η = {eta}, training-steps' weights and losses after {tasks[0].iterations} steps run past "
                f"{MAX_DIGITS} significant digits on every data set drawn: pin a rate such as 0.05, 0.1 or 0.25")
    if BY_LEVEL.get(level.name, BY_LEVEL["medium"])[3]:
        return (f"training-steps at hard asks what a too-large learning rate does, and with η = {eta} the loss grew "
                "at every step on none of the data sets drawn: pin a larger rate (0.2 or more), or choose easy or medium")
    return (f"training-steps at {level.name} needs a learning rate under which the loss falls at every step, and "
            f"with η = {eta} it did so on none of the data sets drawn: pin a smaller rate (0.1 or less), or choose hard")


KIND = Kind(
    "training-steps",
    "Training a linear model, step by step",
    ("rate",),
    solve,
    recompute,
    "y = w·x + b on a few points: weights and loss after each step",
    acceptable=acceptable,
    draw=draw,
    takes_function=False,
    pinnable=("rate",),
    hint=hint,
    refusal=refusal,
)
