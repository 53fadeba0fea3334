"""The data quizgen passes around: what a problem gives, its answer, its worked solution.

Everything here is plain frozen data; every other module may import it (it imports only
quizgen.exact), so kinds, generation, pictures and rendering share these records
without importing one another.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, ClassVar

from quizgen.exact import Poly, Style, plain_forms, poly_forms, poly_from_coeffs, poly_plain

# Problems in one set (--count and a spec's sections); here, not in generate.py, so the
# command line can show them without importing sympy.
MAX_COUNT = 500
DEFAULT_COUNT = 20
# The practice page's "New numbers" (--variants): other numbers each problem carries.
DEFAULT_VARIANTS = 10
MAX_VARIANTS = 50
MAX_PAGE_VARIANTS = 1000  # in one practice page: a large set gets fewer per problem


@dataclass(frozen=True)
class Math:
    """One formula: LaTeX for the typeset picture, Unicode text for the searchable layer."""

    latex: str
    text: str


# Constructs that need real math layout; everything else is a line of symbols.
_NEEDS_LAYOUT = re.compile(r"\\(frac|lim|sqrt|sum|int|begin|over)")


def is_linear(latex: str) -> bool:
    """True for formulas that are one line of symbols (no fractions, limits, roots)."""
    return not _NEEDS_LAYOUT.search(latex)


@dataclass(frozen=True)
class Line:
    """One line of an aligned derivation: ``lhs = rhs`` (lhs empty on continuation lines)."""

    lhs: Math | None
    rhs: Math
    rel: str = "="


@dataclass(frozen=True)
class Step:
    """One step of a worked solution: a sentence, then aligned lines of math."""

    words: str
    lines: tuple[Line, ...] = ()
    # An optional table after the lines: a header row, then rows of cells (e.g. the secant table).
    header: tuple[Math, ...] = ()
    table: tuple[tuple[Math, ...], ...] = ()


@dataclass(frozen=True)
class Task:
    """The given data of one problem: f (constant-first coefficients), a, points, h."""

    coeffs: tuple[Fraction, ...]
    style: Style
    point: Fraction | None = None
    points: tuple[Fraction, ...] = ()
    step: Fraction | None = None
    # The later kinds' data; the defaults leave the first ten kinds unchanged.
    variables: tuple[str, ...] = ("x",)  # ("w",) for a loss L(w), ("w1", "w2") for L(w1, w2)
    terms: tuple[tuple[tuple[int, int], Fraction], ...] = ()  # L(w1, w2): ((i, j), c) for c·w1^i·w2^j
    at: tuple[Fraction, ...] = ()  # a point (w1, w2) of a function of two variables
    start: Fraction | None = None  # w0 of a gradient step
    rate: Fraction | None = None  # the learning rate η
    iterations: int = 1  # gradient steps taken
    steps: tuple[Fraction, ...] = ()  # several h at once (secant-table)
    # The neural-network kinds' data (issue 11): named inputs in order, e.g. (("a", 2), ("b", -3)),
    # and which expression/graph/model the kind draws, an id only that kind reads ("a*b+c").
    values: tuple[tuple[str, Fraction], ...] = ()
    shape: str = ""
    # Data points (x, t) of a model trained on them (training-steps).
    data: tuple[tuple[Fraction, Fraction], ...] = ()

    @property
    def degree(self) -> int:
        if self.terms:
            return max(i + j for (i, j), _ in self.terms)
        return len(self.coeffs) - 1

    @property
    def f(self) -> Poly:
        if self.terms:
            return dict(self.terms)
        return poly_from_coeffs(self.coeffs)

    def f_plain(self) -> str:
        if len(self.variables) == 2:
            return poly_plain(self.f, self.style, var=(self.variables[0], self.variables[1]))
        return poly_plain(self.f, self.style, var=(self.variables[0], "h"))

    def f_math(self, name: str = "f(x)") -> Math:
        latex, text = poly_forms(self.f, self.style)
        return Math(f"{name} = {latex}", f"{name} = {text}")

    # The given numbers a kind relies on, typed as present: a kind that needs "point" always
    # gets one (Kind.needs), so reading it where it is missing is a bug, not bad input.
    @property
    def a(self) -> Fraction:
        """The point a."""
        return _present(self.point, "point")

    @property
    def h(self) -> Fraction:
        """The step h (or Δx)."""
        return _present(self.step, "step")

    @property
    def w0(self) -> Fraction:
        """The starting weight w₀ of a gradient step."""
        return _present(self.start, "start")

    @property
    def eta(self) -> Fraction:
        """The learning rate η."""
        return _present(self.rate, "rate")


def _present(value: Fraction | None, name: str) -> Fraction:
    if value is None:
        raise ValueError(f"this task has no {name}")
    return value


@dataclass(frozen=True)
class Pins:
    """Parsed --function/--point/--step/rate values: what every drawn task must keep."""

    coeffs: tuple[Fraction, ...] | None
    point: Fraction | None
    step: Fraction | None
    decimal: bool
    rate: Fraction | None = None


NO_PINS = Pins(None, None, None, False)


@dataclass(frozen=True)
class Draw:
    """How a problem was drawn: what generate needs to draw more of the same kind and options
    (the practice page's "New numbers"). Never in quiz.json."""

    degree: int
    difficulty: str
    pins: Pins

    @property
    def fixed(self) -> bool:
        """True when f, a and h were all pinned: a problem drawn so has no other numbers."""
        return self.pins.coeffs is not None and self.pins.point is not None and self.pins.step is not None


@dataclass(frozen=True)
class SecantPicture:
    """f with secant lines through (a, f(a)) for each h, shrinking onto the tangent at a.

    hs are the problem's own steps (secant-table's, else none); quizgen.plots adds a ladder
    of wider steps and draws the secants that stand visibly apart.
    """

    coeffs: tuple[Fraction, ...]
    a: Fraction
    hs: tuple[Fraction, ...]
    caption: str  # for the key: what the picture means (plots adds which secants it leaves out)
    given_caption: str  # for the worksheet: gives nothing away
    decimal: bool = True
    # Drawn on the worksheet only with --plots worksheet (the key's picture is the answer's).
    given: ClassVar[bool] = False


@dataclass(frozen=True)
class LossPicture:
    """A loss curve L(w) with the gradient steps w₀ → w₁ → … drawn on it."""

    coeffs: tuple[Fraction, ...]
    weights: tuple[Fraction, ...]
    caption: str
    given_caption: str
    decimal: bool = True
    minimiser: Fraction | None = None
    given: ClassVar[bool] = False


@dataclass(frozen=True)
class GraphNode:
    """One value of an expression graph: an input (op "") or the result of op on earlier nodes.

    value and grad are the numbers as the problem writes them (exact, or rounded as its
    question says); formula is how the node is computed, in text (``c = a·b``; ``a`` for an input).
    """

    name: str
    op: str  # "" for an input, else the operation's symbol: "+", "×", "−", "²", "×3", "tanh", "ReLU"
    inputs: tuple[str, ...]
    formula: str
    value: str
    grad: str


@dataclass(frozen=True)
class GraphPicture:
    """An expression graph (backprop): a box per value with its operation, value and gradient.

    The graph is the problem's own data, so the worksheet shows it too (given), with only the
    inputs' values filled in: every other value and every gradient is a blank to fill.
    """

    nodes: tuple[GraphNode, ...]
    caption: str
    given_caption: str
    given: ClassVar[bool] = True


# Picture data a kind returns (exact numbers, no floats); quizgen.plots draws it.
Picture = SecantPicture | LossPicture | GraphPicture


@dataclass(frozen=True)
class Tolerance:
    """How far a typed number may be from the key and still count (math.isclose's rtol and atol)."""

    rtol: float | None = None
    atol: float | None = None

    def to_json(self) -> dict[str, float]:
        """As quiz.json and the practice page store it: only the bounds that are set."""
        return {name: value for name, value in (("rtol", self.rtol), ("atol", self.atol)) if value is not None}


# The answer forms quizgen.answers.check knows: "expanded" = an equal answer must also be multiplied out;
# "value" = the question asks for a number, so an equal calculation (3*25+30+1) is not accepted;
# "rounded:N" (N = 0 … MAX_PLACES) = the question says "round to N decimal places": the answer is
# that decimal, with exactly N places, and a typed number that rounds to it is correct.
FORMS = ("expanded", "value", "rounded:N")
MAX_PLACES = 12  # = quizgen.answers.limits.MAX_PLACES (tests/test_rounded.py checks they agree)
_ROUNDED = re.compile(r"rounded:([0-9]{1,2})")


def rounded_places(form: Any) -> int | None:
    """N of a form "rounded:N" (0 ≤ N ≤ MAX_PLACES), else None."""
    m = _ROUNDED.fullmatch(form) if isinstance(form, str) else None
    return int(m[1]) if m and int(m[1]) <= MAX_PLACES else None


def known_form(form: Any) -> bool:
    """True for a form quizgen.answers.check knows ("expanded", "value", "rounded:N")."""
    return form in FORMS[:2] or rounded_places(form) is not None


def rounded_text(value: Fraction, places: int) -> str:
    """value rounded to `places` decimal places (half away from zero), written with exactly that many:
    the key of a "rounded:N" answer (tanh(1) = 0.761594… → "0.7616" at 4)."""
    scaled = abs(value) * 10**places
    digits = str(int(scaled + Fraction(1, 2)))  # floor(|v|·10ᴺ + ½)
    if places:
        digits = digits.rjust(places + 1, "0")
        digits = digits[:-places] + "." + digits[-places:]
    return "-" + digits if value < 0 and digits.strip("0.") else digits
NUMBER_TEXT = re.compile(r"\s*[-+\u2212]?\s*(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:\s*/\s*[0-9]+)?\s*")


def is_number_text(text: str) -> bool:
    """True for a number written out (8.003, −7/2)."""
    return NUMBER_TEXT.fullmatch(text) is not None


def graded_form(form: str | None, answer: str) -> str | None:
    """The form an answer is graded in: its own, else "value" when the answer is a number or a
    list of numbers (the question asks for numbers, so a calculation is not an answer)."""
    if form is None and all(is_number_text(v) for v in answer.split(",")):
        return "value"
    return form


@dataclass(frozen=True)
class Answer:
    """An exact answer in the three forms quizgen writes, the value it was made from, and how it is graded."""

    value: Any
    plain: str
    latex: str
    text: str
    form: str | None = None  # one of FORMS, or None: any equal answer counts
    tolerance: Tolerance | None = None  # None: only an exactly equal number counts


@dataclass(frozen=True)
class Distractor:
    """A wrong answer from a named misconception, for multiple choice: never equal to the answer
    or to another distractor of the same problem (generate.py checks this exactly)."""

    answer: str  # plain syntax, as the checker reads it
    text: str  # Unicode, as printed
    latex: str
    why: str  # what the misconception is, said to the student who picks it

    @classmethod
    def from_mistake(cls, plain: str, why: str) -> Distractor:
        text, latex = plain_forms(plain)
        return cls(plain, text, latex, why)

    @property
    def math(self) -> Math:
        return Math(self.latex, self.text)

    def to_json(self) -> dict[str, str]:
        return {"answer": self.answer, "answer_text": self.text, "answer_latex": self.latex, "why": self.why}


@dataclass(frozen=True)
class Choice:
    """One option of a multiple-choice problem: its letter, what it says, and why it is wrong (or "")."""

    letter: str
    answer: str
    math: Math
    correct: bool
    why: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"letter": self.letter, "answer": self.answer, "answer_text": self.math.text,
                "answer_latex": self.math.latex, "correct": self.correct,
                **({"why": self.why} if self.why else {})}


def line_text(line: Line) -> str:
    """One line of a derivation as text: ``f(2) = 9``, or ``= 9`` for a continuation line."""
    return f"{line.lhs.text} {line.rel} {line.rhs.text}" if line.lhs is not None else f"{line.rel} {line.rhs.text}"


def step_json(step: Step) -> dict[str, Any]:
    """A worked step as quiz.json stores it: its sentence and its lines as text (and its table)."""
    out: dict[str, Any] = {"words": step.words, "lines": [line_text(line) for line in step.lines]}
    if step.table:
        out["table"] = {"header": [m.text for m in step.header], "rows": [[m.text for m in row] for row in step.table]}
    return out


def _label(text: str) -> str:
    """An answer line's label without its ``=``, ``:`` or ``?`` (``w₁ =`` → ``w₁``)."""
    return re.sub(r"\s*(\(yes/no\))?\s*[=:?]*\s*$", "", text).strip()


def _checker_text(text: str) -> str:
    """A part's printed value in the checker's syntax: real minus signs, subscripts, · and powers made ASCII."""
    out = text.replace("\u2212", "-").replace("·", "*").replace("\u2032", "'")
    out = out.translate(str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789"))
    return re.sub("[⁰¹²³⁴⁵⁶⁷⁸⁹]+", lambda m: "^" + m[0].translate(str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")), out)


@dataclass(frozen=True)
class Problem:
    """One generated, verified problem ready for the templates and quiz.json."""

    number: int
    kind: str
    seed: int
    task: Task
    given: dict[str, Math]
    answer: Answer
    steps: tuple[Step, ...]
    meaning: str = ""
    mistakes: tuple[tuple[str, str], ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)
    # Picture data for quizgen.plots (drawn only when rendering asks for it); never in quiz.json.
    plot: Picture | None = None
    section: str = ""
    # Every part of the answer the question asks for, each a whole statement ("w₁ = 1.2",
    # "overshoot: no"), for the key's summary page and Answer box; empty when `answer` says it all.
    parts: tuple[Math | str, ...] = ()  # a str is a part in words
    # The worksheet's answer lines, one per part (labels only); empty: one line, "Answer:".
    blanks: tuple[Math | str, ...] = ()
    # How it was drawn (generate.build_problem); None for a problem built by hand.
    draw: Draw | None = field(default=None, compare=False, repr=False)
    # Wrong answers from named misconceptions (at least 3), for multiple choice and LMS export.
    distractors: tuple[Distractor, ...] = ()
    # The multiple-choice options in their shuffled order (--style mc); () otherwise.
    choices: tuple[Choice, ...] = ()
    # The label of the one part the options give (a neural-network kind's ∂o/∂w₁); "": as asked() finds it.
    mc_label: str = ""

    def parts_json(self) -> list[dict[str, str]]:
        """Every part the question asks for: its label (w₁, f′(2), or "" for a one-part answer),
        its answer in the checker's syntax and its text as printed."""
        if not self.parts:
            label = self.blanks[0] if len(self.blanks) == 1 else ""
            name = "" if "=" in self.answer.plain else _label(label if isinstance(label, str) else label.text)
            return [{"label": name, "answer": self.answer.plain, "answer_text": self.answer.text}]
        labels = [_label(b if isinstance(b, str) else b.text) for b in self.blanks]
        out = []
        for i, part in enumerate(self.parts):
            given = labels[i] if len(labels) == len(self.parts) else ""
            if isinstance(part, str):
                name, _, value = part.rpartition(": ") if ": " in part else ("", "", part)
                out.append({"label": name or given, "answer": value, "answer_text": value})
                continue
            name, sep, value = part.text.partition(" = ")
            if not sep:  # a rounded part: o ≈ 0.7616
                name, sep, value = part.text.partition(" ≈ ")
            if not sep:
                name, value = given, part.text
            # The whole answer when this part is it (the checker's own syntax, not read back from text).
            plain = self.answer.plain if value == self.answer.text else _checker_text(value)
            out.append({"label": name, "answer": plain, "answer_text": value})
        return out

    def to_json(self) -> dict[str, Any]:
        """The problem as quiz.json stores it: exact values as strings."""
        t = self.task
        out: dict[str, Any] = {"number": self.number, "kind": self.kind, "seed": self.seed}
        if t.shape:
            # A neural-network kind: its expression (in extra) replaces f; its named inputs and data points.
            out["shape"] = t.shape
            if t.values:
                out["values"] = {name: t.style.plain(v) for name, v in t.values}
            if t.data:
                out["data"] = [[t.style.plain(x), t.style.plain(y)] for x, y in t.data]
        else:
            out["function"] = t.f_plain()
            out["degree"] = t.degree
        if t.point is not None:
            out["point"] = t.style.plain(t.point)
        if t.points:
            out["points"] = [t.style.plain(p) for p in t.points]
        if t.step is not None:
            out["step"] = t.style.plain(t.step)
        if t.steps:
            out["steps"] = [t.style.plain(q) for q in t.steps]
        if t.at:
            out["point"] = [t.style.plain(q) for q in t.at]
        if t.start is not None:
            out["start"] = t.style.plain(t.start)
        if t.rate is not None:
            out["rate"] = t.style.plain(t.rate)
            out["iterations"] = t.iterations
        if self.section:
            out["section"] = self.section
        out["answer"] = self.answer.plain
        out["answer_latex"] = self.answer.latex
        out["answer_text"] = self.answer.text
        if self.meaning:
            out["meaning"] = self.meaning
        if self.parts:
            out["answer_parts"] = [m if isinstance(m, str) else m.text for m in self.parts]
        if self.mistakes:
            out["mistakes"] = [list(m) for m in self.mistakes]
        form = graded_form(self.answer.form, self.answer.plain)
        if form:
            out["form"] = form
        if self.answer.tolerance:
            out["tolerance"] = self.answer.tolerance.to_json()
        out.update(self.extra)
        out["parts"] = self.parts_json()
        out["solution"] = [step_json(step) for step in self.steps]
        out["distractors"] = [d.to_json() for d in self.distractors]
        return out

    @property
    def letter(self) -> str:
        """The letter of the right option of a multiple-choice problem."""
        return next(c.letter for c in self.choices if c.correct)

    def asked(self) -> str:
        """What the multiple-choice options give, by the labels of the parts the answer is made of:
        "w₁", "f′(5), f′(−3), f′(−1)"; "" when the answer is the whole of what is asked."""
        if self.mc_label:
            return self.mc_label
        if not self.parts:
            return ""
        items = [item.strip() for item in self.answer.text.split(",")]
        labels: list[str] = []
        rest = items
        for part in self.parts_json():
            value = [v.strip() for v in part["answer_text"].split(",")]
            if rest[: len(value)] == value and part["label"]:
                labels.append(part["label"])
                rest = rest[len(value):]
            if not rest:
                break
        return ", ".join(labels) if not rest else ""


@dataclass(frozen=True)
class Quiz:
    """A whole set: the options it was made with and its problems in order."""

    seed: int
    title: str
    options: dict[str, Any]
    problems: tuple[Problem, ...]
    version: str = ""
    instructions: str = ""
    # A version of a class set (quizgen make --versions/--roster): quiz.json then carries
    # "student" ({"name", "id"} or null); single runs leave it out.
    in_class: bool = False
    student: dict[str, str | None] | None = None

    @property
    def mc(self) -> bool:
        """A multiple-choice set (quizgen make --style mc)."""
        return bool(self.options.get("style") == "mc")

    def to_json(self) -> dict[str, Any]:
        from quizgen import __version__

        return {
            "quizgen": __version__,
            "seed": self.seed,
            "version": self.version,
            **({"student": self.student} if self.in_class else {}),
            "title": self.title,
            **({"instructions": self.instructions} if self.instructions else {}),
            "options": self.options,
            "problems": [p.to_json() | ({"choices": [c.to_json() for c in p.choices]} if self.mc else {})
                         for p in self.problems],
        }
