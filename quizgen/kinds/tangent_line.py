"""tangent-line: the line y = f′(a)(x − a) + f(a) that touches the graph at a."""

from __future__ import annotations

from fractions import Fraction

from quizgen.exact import Poly, Style, poly_latex, poly_plain, poly_text, terminates
from quizgen.kinds.base import blank, EQUATION_HINT, Kind, Solved, labeled, num, substitution_lines
from quizgen.kinds.calculus import exact_derivative_at, exact_value, sympy_derivative_at, sympy_symbolic, sympy_value
from quizgen.kinds.limit_definition import short_derivation
from quizgen.kinds.slips import secant_slope
from quizgen.model import Answer, Line, Math, SecantPicture, Step, Task


Y = Math("y", "y")


def line_poly(slope: Fraction, intercept: Fraction) -> Poly:
    """m·x + b as a polynomial."""
    return {k: v for k, v in (((1, 0), slope), ((0, 0), intercept)) if v}


def line_answer(style: Style, slope: Fraction, intercept: Fraction) -> Answer:
    """``y = 8*x - 7`` in the three forms."""
    p = line_poly(slope, intercept)
    return Answer(
        (slope, intercept),
        f"y = {poly_plain(p, style)}",
        f"y = {poly_latex(p, style)}",
        f"y = {poly_text(p, style)}",
    )


def point_slope(task: Task, slope: Fraction, fa: Fraction) -> Math:
    """``8(x − 2) + 9``: the slope times the run from a, plus the height at a."""
    s, a = task.style, task.a
    if a == 0:
        run_l, run_t = "x", "x"
    else:
        sign_l, sign_t = ("+", "+") if a < 0 else ("-", "−")
        run_l = rf"\left(x {sign_l} {s.latex(abs(a))}\right)"
        run_t = f"(x {sign_t} {s.text(abs(a))})"
    if slope == 1:
        head_l, head_t = run_l, run_t
    elif slope == -1:
        head_l, head_t = "{-" + run_l + "}", "−" + run_t
    elif slope.denominator == 1 or (s.decimal and terminates(slope)):
        head_l, head_t = s.latex(slope) + run_l, s.text(slope) + run_t
    else:
        head_l, head_t = s.latex_factor(slope) + run_l, s.text_factor(slope) + run_t
    if fa:
        head_l += (" - " if fa < 0 else " + ") + s.latex(abs(fa))
        head_t += (" − " if fa < 0 else " + ") + s.text(abs(fa))
    return Math(head_l, head_t)


def expanded(task: Task, slope: Fraction, fa: Fraction) -> Math:
    """``8x − 16 + 9``: the product multiplied out, before the constants are added."""
    s, a = task.style, task.a
    mx = poly_latex({(1, 0): slope}, s), poly_text({(1, 0): slope}, s)
    shift = -slope * a
    parts_l, parts_t = [mx[0]], [mx[1]]
    for c in (shift, fa):
        if c:
            parts_l.append(("- " if c < 0 else "+ ") + s.latex(abs(c)))
            parts_t.append(("− " if c < 0 else "+ ") + s.text(abs(c)))
    return Math(" ".join(parts_l), " ".join(parts_t))


def solve(task: Task) -> Solved:
    s, a = task.style, task.a
    sym = sympy_symbolic(task)
    fa = sympy_value(task, a)
    slope = sympy_derivative_at(task, a)
    intercept = fa - slope * a
    fprime = tuple(sym.derivative.get((i, 0), Fraction(0)) for i in range(task.degree))
    answer = line_answer(s, slope, intercept)
    secant = secant_slope(task.coeffs, a)
    nudge = Style(True).text(slope / 100)
    mistakes: list[tuple[str, str]] = []
    for wrong, why in (
        (line_answer(s, slope, fa).plain, "That line has the right slope but passes through (0, f(a)); use y = f′(a)(x − a) + f(a)."),
        (line_answer(s, slope, fa + slope * a).plain, "Check the sign inside (x − a): at x = a the line must give f(a)."),
        (line_answer(s, secant, fa - secant * a).plain,
         "That is the secant through x = a and x = a + 1; the tangent's slope is the limit f′(a), not a secant's slope."),
        (line_answer(s, fa, slope - fa * a).plain, "f(a) and f′(a) are swapped: the slope is f′(a), the point is (a, f(a))."),
        (line_answer(s, slope, Fraction(0)).plain, "The line must pass through (a, f(a)): add the intercept f(a) − f′(a)·a."),
    ):
        if wrong != answer.plain and wrong not in (m[0] for m in mistakes):
            mistakes.append((wrong, why))
    final = poly_latex(line_poly(slope, intercept), s), poly_text(line_poly(slope, intercept), s)
    return Solved(
        given={"f": task.f_math(), "a": labeled("a", num(task, a))},
        answer=answer,
        steps=(
            Step(f"The point of contact: the height of the graph at x = {s.text(a)}.", substitution_lines(task, a)),
            short_derivation(task, sym),
            Step(f"The slope of the tangent is f′({s.text(a)}):", substitution_lines(task, a, "f'", fprime)),
            Step(
                "The line through (a, f(a)) with slope f′(a), then multiplied out into slope-intercept form.",
                (
                    Line(Y, Math(r"f'(a)(x - a) + f(a)", "f′(a)(x − a) + f(a)")),
                    Line(None, point_slope(task, slope, fa)),
                    Line(None, expanded(task, slope, fa)),
                    Line(None, Math(final[0], final[1])),
                ),
            ),
        ),
        meaning=(
            f"Near x = {s.text(a)} the graph of f is almost the line {answer.text}: nudging x up by 0.01 "
            f"changes f by about {s.text_factor(slope)}(0.01) = {nudge}, just as it changes y on the line."
        ),
        mistakes=tuple(mistakes),
        extra={"slope": s.plain(slope), "intercept": s.plain(intercept)},
        blanks=(blank(Y),),
        plot=SecantPicture(
            task.coeffs, a, (),
            f"The tangent {answer.text} touches the graph at ({s.text(a)}, {s.text(fa)}); as h shrinks the secants tilt onto it.",
            f"The graph of f near x = {s.text(a)}.", s.decimal,
        ),
    )


def recompute(task: Task) -> tuple[Fraction, Fraction]:
    a = task.a
    slope = exact_derivative_at(task, a)
    return (slope, exact_value(task, a) - slope * a)


KIND = Kind(
    "tangent-line", "Tangent line", ("point",), solve, recompute, "y = f′(a)(x − a) + f(a)", hint=EQUATION_HINT
)
