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
    data: list[dict[str, Any]] = [_key(p) for p in quiz.problems]
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

# The markup every fragment repeats, each written as one private-use character in the pools
# (about a third of their size); the page reads this table (abbreviations()) and writes them back.
# Longest first: a short one ('">') replaced early would break the longer ones holding it.
ABBREVIATIONS = (
    '</p><table class="lines"><tr><td class="lhs">', '<span class="m" role="math" aria-label="',
    '</td></tr><tr><td class="lhs">', "</td></tr></table></div>", '<div class="sol-step"><p>',
    '<span class="fr"><span>', "<p><b>Answer:</b> ", '<span class="h">', "</td><td>", "</span>", '">',
)
_CODES = [chr(0xE000 + i) for i in range(len(ABBREVIATIONS))]


def abbreviations() -> Markup:
    """The table for the page's script: [[character, markup], …]."""
    return _script_json([[code, text] for code, text in zip(_CODES, ABBREVIATIONS)], ascii=False)


def abbreviate(html: str) -> str:
    """`html` with each of ABBREVIATIONS written as its character (expand() undoes it exactly)."""
    if any(code in html for code in _CODES):
        raise ValueError("a practice fragment holds a private-use character the pools use as abbreviations")
    for code, text in zip(_CODES, ABBREVIATIONS):
        html = html.replace(text, code)
    return html


def expand(short: str) -> str:
    """abbreviate's inverse, as the page's script does it."""
    for code, text in zip(_CODES, ABBREVIATIONS):
        short = short.replace(code, text)
    return short


def _key_diff(key: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """A variant's key without what its problem's key already says (the page merges them back):
    equal fields are left out, and of each part only what differs from the same part of `base`."""
    out: dict[str, Any] = {}
    for name, value in key.items():
        if name in base and base[name] == value:
            continue
        if name == "parts" and isinstance(base.get("parts"), list) and len(base["parts"]) == len(value):
            value = [{**{k: v for k, v in part.items() if k == "answer" or k not in base_part or base_part[k] != v},
                      **{k: None for k in base_part if k not in part}}
                     for part, base_part in zip(value, base["parts"])]
        out[name] = value
    # Fields the base has and this key does not: null, so the merge drops them.
    out.update({name: None for name in base if name not in key})
    return out


def deal(problem: Problem, pool: Sequence[Problem | Variant] | None, question: Callable[[Problem], str],
         solution: Callable[[Problem], str]) -> Deal:
    """The Deal of `problem` whose other numbers are `pool` (None: the page deals none).

    Each variant is stored once, compactly: the HTML of its question (with its given values)
    and worked solution, abbreviated, its box's hint, and its key as the checker reads it
    (checker_data), less what the problem's own key already says. A pool's Variants were
    rendered before (render.render_variants): the same bytes as its problems rendered here.
    """
    if pool is None:
        return Deal(Markup(""), 1, "")
    if not pool:
        fixed = problem.draw is not None and problem.draw.fixed
        return Deal(Markup(""), 1, FIXED if fixed else NONE_FOUND)
    base = _key(problem)
    hint = answer_hint(problem)
    data = []
    for item in pool:
        v = item if isinstance(item, Variant) else variant(item, question, solution)
        entry = {"question": v.question, "solution": v.solution, "key": _key_diff(v.key, base)}
        if v.hint != hint:
            entry["hint"] = v.hint
        data.append(entry)
    return Deal(_script_json(data, ascii=False), len(pool) + 1, "")


@dataclass(frozen=True)
class Variant:
    """One of a pool's problems as deal stores it: rendered once (the abbreviated HTML of its question
    and worked solution, its key, its box's hint), so a pool that many pages share is rendered once
    (a class set's practice pools, classset.class_pools)."""

    problem: Problem
    question: str
    solution: str
    key: dict[str, Any]
    hint: str


def variant(problem: Problem, question: Callable[[Problem], str], solution: Callable[[Problem], str]) -> Variant:
    return Variant(problem, abbreviate(str(question(problem)).strip()), abbreviate(str(solution(problem)).strip()),
                   _key(problem), answer_hint(problem))


def _key(problem: Problem) -> dict[str, Any]:
    """One problem's key as the page's checker reads it."""
    return {"number": problem.number, "kind": problem.kind, **generated_key(problem).to_json()}


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
