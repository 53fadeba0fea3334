"""Data for practice.html and the printed answer bank: what a student checks answers against."""

from __future__ import annotations

import json
import random
from typing import Any

from markupsafe import Markup

from quizgen.model import Answer, Problem, Quiz

# What to type, per kind of answer (never the answer itself).
HINTS = {
    "number": "An exact number, e.g. 12, -7/2 or 0.25",
    "expression": "An expression in x and h, e.g. 2x^2 + 3xh - 1",
    "derivative": "An expression in x, e.g. 4x - 3",
    "list": "The values in order, separated by commas",
}
_EXPRESSION_KINDS = {"expand", "simplify-quotient"}
_DERIVATIVE_KINDS = {"limit-definition"}
# Prompts that ask several things say which of them the box takes.
_KIND_HINTS = {
    "tangent-line": "An equation, e.g. y = 3x - 2",
    "partial-derivatives": "∂L/∂w₁ and ∂L/∂w₂ in that order, separated by commas",
}


def answer_hint(problem: Problem) -> str:
    """The input hint shown under a practice answer box."""
    if problem.kind in _EXPRESSION_KINDS:
        return HINTS["expression"]
    if problem.kind in _DERIVATIVE_KINDS:
        return HINTS["derivative"]
    if problem.kind in _KIND_HINTS:
        return _KIND_HINTS[problem.kind]
    if problem.kind == "gradient-step":
        if "," in problem.answer.plain:
            return "The new weights w₁, w₂, … in order, separated by commas"
        return "The new weight w₁, an exact number such as 0.25 or -7/2"
    if "=" in problem.answer.plain:
        return "An equation, e.g. y = 3x - 2"
    if "," in problem.answer.plain:
        return HINTS["list"]
    return problem.extra.get("answer_hint") or HINTS["number"]


def checker_data(quiz: Quiz) -> Markup:
    """The expected answers and feedback for the page's checker, as JSON safe inside <script>."""
    data: list[dict[str, Any]] = []
    for p in quiz.problems:
        item: dict[str, Any] = {"number": p.number, "kind": p.kind, "answer": p.answer.plain}
        if p.mistakes:
            item["mistakes"] = [list(m) for m in p.mistakes]
        tolerance = p.extra.get("tolerance")
        if tolerance:
            item["tolerance"] = tolerance
        form = p.extra.get("form")
        if form:
            item["form"] = form
        data.append(item)
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"))
    # "</" would end the <script> element early; JSON allows the escaped form.
    return Markup(text.replace("</", "<\\/"))


def answer_bank(quiz: Quiz) -> list[Answer]:
    """Every answer once, shuffled by the quiz's seed (the same seed gives the same order)."""
    answers = list({p.answer.plain: p.answer for p in quiz.problems}.values())
    random.Random(f"bank-{quiz.seed}").shuffle(answers)
    return answers
