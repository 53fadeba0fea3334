"""Data for practice.html and the printed answer bank: what a student checks answers against."""

from __future__ import annotations

import json
import random
from typing import Any

from markupsafe import Markup

from quizgen.keys import generated_key
from quizgen.model import Answer, Problem, Quiz

def answer_hint(problem: Problem) -> str:
    """The input hint shown under a practice answer box: what the problem's kind says its box takes."""
    from quizgen.kinds import KINDS  # the kinds import sympy; `quizgen --help` imports this module

    return KINDS[problem.kind].answer_hint(problem.task)


def checker_data(quiz: Quiz) -> Markup:
    """The expected answers and feedback for the page's checker, as JSON safe inside <script>.

    Each problem's key is read back from its quiz.json entry by quizgen.keys, as `quizgen check` reads it.
    """
    data: list[dict[str, Any]] = [{"number": p.number, "kind": p.kind, **generated_key(p).to_json()} for p in quiz.problems]
    return _script_json(data)


def checker_config() -> Markup:
    """The checker's limits, sample points, names and messages for checker.js (one source: answers/limits.py)."""
    from quizgen.answers.limits import shared  # the parser (lark) is loaded only when a page is made

    return _script_json(shared())


def _script_json(data: Any) -> Markup:
    """JSON safe inside <script>: ASCII only, and "</" (which would end the element early) escaped."""
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"))
    return Markup(text.replace("</", "<\\/"))


def answer_bank(quiz: Quiz) -> list[Answer]:
    """Every answer once, shuffled by the quiz's seed (the same seed gives the same order)."""
    answers = list({p.answer.plain: p.answer for p in quiz.problems}.values())
    random.Random(f"bank-{quiz.seed}").shuffle(answers)
    return answers
