"""The data quizgen passes around: what a problem gives, its answer, its worked solution."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from quizgen.exact import Poly, Style, poly_from_coeffs, poly_latex, poly_plain, poly_text


@dataclass(frozen=True)
class Math:
    """One formula: LaTeX for the typeset picture, Unicode text for the searchable layer."""

    latex: str
    text: str


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


@dataclass(frozen=True)
class Task:
    """The given data of one problem: f (constant-first coefficients), a, points, h."""

    coeffs: tuple[Fraction, ...]
    style: Style
    point: Fraction | None = None
    points: tuple[Fraction, ...] = ()
    step: Fraction | None = None

    @property
    def degree(self) -> int:
        return len(self.coeffs) - 1

    @property
    def f(self) -> Poly:
        return poly_from_coeffs(self.coeffs)

    def f_plain(self) -> str:
        return poly_plain(self.f, self.style)

    def f_math(self, name: str = "f(x)") -> Math:
        return Math(f"{name} = {poly_latex(self.f, self.style)}", f"{name} = {poly_text(self.f, self.style)}")


@dataclass(frozen=True)
class Answer:
    """An exact answer in the three forms quizgen writes, plus the value it was made from."""

    value: Any
    plain: str
    latex: str
    text: str


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

    def to_json(self) -> dict[str, Any]:
        """The problem as quiz.json stores it: exact values as strings."""
        t = self.task
        out: dict[str, Any] = {
            "number": self.number,
            "kind": self.kind,
            "seed": self.seed,
            "function": t.f_plain(),
            "degree": t.degree,
        }
        if t.point is not None:
            out["point"] = t.style.plain(t.point)
        if t.points:
            out["points"] = [t.style.plain(p) for p in t.points]
        if t.step is not None:
            out["step"] = t.style.plain(t.step)
        out["answer"] = self.answer.plain
        out["answer_latex"] = self.answer.latex
        out["answer_text"] = self.answer.text
        if self.meaning:
            out["meaning"] = self.meaning
        if self.mistakes:
            out["mistakes"] = [list(m) for m in self.mistakes]
        out.update(self.extra)
        return out


@dataclass(frozen=True)
class Quiz:
    """A whole set: the options it was made with and its problems in order."""

    seed: int
    title: str
    options: dict[str, Any]
    problems: tuple[Problem, ...]
    version: str = ""

    def to_json(self) -> dict[str, Any]:
        from quizgen import __version__

        return {
            "quizgen": __version__,
            "seed": self.seed,
            "version": self.version,
            "title": self.title,
            "options": self.options,
            "problems": [p.to_json() for p in self.problems],
        }
