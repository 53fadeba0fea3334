"""Data for practice.html and the printed answer bank: what a student checks answers against."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Deal:
    """A practice problem's "New numbers": its pool as JSON for the page (empty: no button),
    how many numbers it deals in all (the problem's own first), and what the page says instead
    of a button when nothing can vary."""

    pool: Markup
    size: int
    note: str


FIXED = "No new numbers: f, a and h are set for this worksheet."
NONE_FOUND = "No new numbers: the values set for this worksheet allow no other problem like this one."


def deal(problem: Problem, pool: Sequence[Problem] | None, question: Callable[[Problem], str],
         solution: Callable[[Problem], str]) -> Deal:
    """The Deal of `problem` whose other numbers are `pool` (None: the page deals none).

    Each variant is stored once, compactly: the HTML of its question (with its given values)
    and worked solution, its box's hint, and its key as the checker reads it (checker_data).
    """
    if pool is None:
        return Deal(Markup(""), 1, "")
    if not pool:
        fixed = problem.draw is not None and problem.draw.fixed
        return Deal(Markup(""), 1, FIXED if fixed else NONE_FOUND)
    data = [{"question": str(question(v)).strip(), "hint": answer_hint(v), "solution": str(solution(v)).strip(),
             "key": {"number": v.number, "kind": v.kind, **generated_key(v).to_json()}} for v in pool]
    return Deal(_script_json(data, ascii=False), len(pool) + 1, "")


def checker_config() -> Markup:
    """The checker's limits, sample points, names and messages for checker.js (one source: answers/limits.py)."""
    from quizgen.answers.limits import shared  # the parser (lark) is loaded only when a page is made

    return _script_json(shared())


def _script_json(data: Any, ascii: bool = True) -> Markup:
    """JSON safe inside <script>: "</" (which would end the element early) and "<!--" (which would
    change how the browser looks for its end) escaped; ASCII only unless `ascii` is False (the
    page is UTF-8, and a math letter such as 𝑥 takes 4 bytes as itself, 12 as escapes)."""
    text = json.dumps(data, ensure_ascii=ascii, separators=(",", ":"))
    return Markup(text.replace("</", "<\\/").replace("<!--", "\\u003c!--"))


def answer_bank(quiz: Quiz) -> list[Answer]:
    """Every answer once, shuffled by the quiz's seed (the same seed gives the same order)."""
    answers = list({p.answer.plain: p.answer for p in quiz.problems}.values())
    random.Random(f"bank-{quiz.seed}").shuffle(answers)
    return answers
