"""Adding a problem kind takes one module, one prompt template and one line in the registry.

The kind below is what a newcomer would write in quizgen/kinds/next_value.py (and
quizgen/templates/kinds/next-value.html, and a line in quizgen/kinds/__init__.py): nothing
in generation, rendering, the practice page or `quizgen check` has to learn its id.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

from quizgen.exact import horner
from quizgen.generate import Options, make_quiz
from quizgen.keys import quiz_keys
from quizgen.kinds import KINDS
from quizgen.kinds.base import NUMBER_HINT, Kind, Solved, answer_number, call, num, substitution_lines
from quizgen.model import Math, Step, Task
from quizgen.practice import answer_hint
from quizgen.render import environment, render_html, render_practice

PROMPT = "Let {{ m(g.f) }}. Find {{ m(g.target) }}, the output one step to the right of a."


def solve(task: Task) -> Solved:
    """f(a + 1), worked as a substitution."""
    at = task.a + 1
    value = horner(task.coeffs, at)
    return Solved(
        given={"f": task.f_math(), "target": call("f", num(task, at))},
        answer=answer_number(task, value),
        steps=(Step("Substitute and work each term out exactly.", substitution_lines(task, at)),),
        meaning=f"The graph passes through ({task.style.text(at)}, {task.style.text(value)}).",
    )


def recompute(task: Task) -> Fraction:
    """The second route: the sum of c·(a + 1)ⁱ term by term."""
    return sum((c * (task.a + 1) ** i for i, c in enumerate(task.coeffs)), Fraction(0))


NEXT_VALUE = Kind("next-value", "The output at a + 1", ("point",), solve, recompute, "f(a + 1)")


@pytest.fixture()
def templates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setitem(KINDS, NEXT_VALUE.id, NEXT_VALUE)
    (tmp_path / "kinds").mkdir()
    (tmp_path / "kinds" / "next-value.html").write_text(PROMPT, encoding="utf-8")
    return tmp_path


def test_a_new_kind_is_generated_rendered_and_graded(templates: Path) -> None:
    quiz = make_quiz(Options(count=4, kinds=(NEXT_VALUE.id,)), 11)
    assert [p.kind for p in quiz.problems] == [NEXT_VALUE.id] * 4
    for p in quiz.problems:
        assert p.answer.value == recompute(p.task)  # verified by quizgen, and again here

    env = environment(templates)
    worksheet = render_html(quiz, "worksheet", env=env, plots="none")
    key = render_html(quiz, "key", env=env, plots="none")
    page = render_practice(quiz, env)
    assert worksheet.count("one step to the right of a") == 4
    assert "Substitute and work each term out exactly." in key and "Substitute and work" not in worksheet
    assert answer_hint(quiz.problems[0]) == NUMBER_HINT and NUMBER_HINT in page

    keys = quiz_keys(json.loads(json.dumps(quiz.to_json())))
    p = quiz.problems[0]
    assert keys[p.number].grade(p.answer.plain).status == "correct"
    assert keys[p.number].grade(p.answer.plain + "+1").status == "incorrect"


def test_its_prompt_is_the_only_file_besides_the_module(templates: Path) -> None:
    """Without its template the kind cannot be rendered: the template is the one other file it needs."""
    import jinja2

    quiz = make_quiz(Options(count=1, kinds=(NEXT_VALUE.id,)), 3)
    with pytest.raises(jinja2.TemplateNotFound, match="next-value"):
        render_html(quiz, "worksheet", plots="none")
    assert "one step to the right" in render_html(quiz, "worksheet", env=environment(templates), plots="none")
    assert isinstance(quiz.problems[0].given["target"], Math)
