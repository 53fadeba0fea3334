"""quiz.json carries the whole problem (issue 10, item 1): the question as text and HTML, every
part, the worked solution and the distractors; quizgen/quiz.schema.json describes all of it.

Every quiz.json the tests make is also validated where it is written (conftest sets
QUIZGEN_CHECK_SCHEMA); here: every kind at every difficulty, a class set, the walkthrough's
words read against the README, and `quizgen check` on new and old files.
"""

from __future__ import annotations

import copy
import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from quizgen import classset
from quizgen.cli import main
from quizgen.exact import plain_forms
from quizgen.generate import Options, make_quiz
from quizgen.kinds import KINDS
from quizgen.render import quiz_data, quiz_schema, validate_quiz

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "quizgen" / "quiz.schema.json"


def test_the_schema_is_a_valid_draft_2020_12_schema_shipped_as_package_data() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    pyproject = (SCHEMA_FILE.parent.parent / "pyproject.toml").read_text(encoding="utf-8")
    import tomllib

    assert "quiz.schema.json" in tomllib.loads(pyproject)["tool"]["setuptools"]["package-data"]["quizgen"]


@pytest.fixture(scope="module")
def every_kind() -> list[dict[str, Any]]:
    """quiz.json of two problems of every kind at every difficulty, degrees 2–4 (as make writes it)."""
    out = []
    for difficulty, degree in (("easy", 2), ("medium", 2), ("hard", 2), ("medium", 3), ("hard", 4)):
        if True:
            quiz = make_quiz(Options(count=2 * len(KINDS), kinds=tuple(KINDS), degree=degree, difficulty=difficulty),
                             seed=degree * 10 + len(difficulty))
            out.append(quiz_data(quiz))
    return out


def test_every_kind_and_difficulty_follows_the_schema(every_kind: list[dict[str, Any]]) -> None:
    kinds = set()
    for data in every_kind:
        validate_quiz(data)
        kinds |= {p["kind"] for p in data["problems"]}
    assert kinds == set(KINDS)


def test_a_class_set_version_follows_the_schema() -> None:
    copt = classset.ClassOptions(Options(count=6))
    versions = classset.make_versions(copt, 4, [None, None])
    for version in versions:
        data = quiz_data(version.quiz)
        validate_quiz(data)
        assert "student" in data and data["version"] == version.code


def test_the_schema_refuses_what_is_not_a_quiz(every_kind: list[dict[str, Any]]) -> None:
    good = every_kind[0]
    for damage in (
        lambda d: d["problems"][0].pop("prompt"),
        lambda d: d["problems"][0]["parts"].append({"label": "x"}),
        lambda d: d["problems"][0].__setitem__("prompt", "Let <i>f</i> be"),
        lambda d: d["problems"][0]["solution"][0].__setitem__("lines", "f(2) = 9"),
        lambda d: d["problems"][0]["distractors"].append({"answer": "1", "why": "x"}),
        lambda d: d.__setitem__("version", "abc"),
    ):
        bad = copy.deepcopy(good)
        damage(bad)
        with pytest.raises(jsonschema.ValidationError):
            validate_quiz(bad)


def test_prompts_are_plain_text_from_the_same_templates(every_kind: list[dict[str, Any]]) -> None:
    for data in every_kind:
        for p in data["problems"]:
            text = p["prompt"]
            assert "<" not in text and "&" not in text, text
            assert "  " not in text and text == text.strip(), text
            # After NFKC (how a reader's search sees it) still one line of single spaces, no markup.
            nfkc = unicodedata.normalize("NFKC", text)
            assert "  " not in nfkc and "<" not in nfkc, nfkc
            # The HTML is the worksheet's: the same words, math as HTML.
            assert p["prompt_html"].startswith(("Let ", "A model", "An expression graph", "A neuron")) and "<span" in p["prompt_html"]
            words = re.sub(r"\W+", " ", re.sub(r"<[^>]*>", " ", p["prompt_html"])).split()
            assert words[0] == text.split()[0]
            assert "\\(" in p["prompt_tex"] and "<" not in p["prompt_tex"]


def test_walkthrough_prompts_and_solution_read_as_the_readme(walkthrough_dir: Path) -> None:
    data = json.loads((walkthrough_dir / "quiz.json").read_text(encoding="utf-8"))
    validate_quiz(data)
    by_kind = {p["kind"]: p for p in data["problems"]}
    # README "quizgen kinds" (typed there by hand, not copied from this run).
    assert by_kind["evaluate"]["prompt"] == "Let f(x) = 3x² − 4x + 5. Find f(2)."
    assert by_kind["expand"]["prompt"] == "Let f(x) = 3x² − 4x + 5. Expand f(x + h) and collect like terms."
    assert by_kind["difference-quotient"]["prompt"] == (
        "Let f(x) = 3x² − 4x + 5, a = 2 and h = 0.001. Find the difference quotient (f(a + h) − f(a))/h exactly. "
        "What does it tell you about f near x = a?")
    assert by_kind["gradient-step"]["prompt"] == (
        "A model's loss is L(w) = 3w² − 4w + 5. Start at w₀ = 2 with learning rate η = 0.1 and take one "
        "gradient-descent step, w₁ = w₀ − η·L′(w₀). Find the new weight and the loss before and after. "
        "Did the step overshoot the minimum?")
    # README walkthrough lines, in the worked solutions.
    lines = [line for p in data["problems"] for step in p["solution"] for line in step["lines"]]
    for expected in ("f(2) = 3(2)² − 4(2) + 5 = 12 − 8 + 5 = 9", "f(x + h) − f(x) = 6xh + 3h² − 4h",
                     "(f(x + h) − f(x))/h = 6x + 3h − 4", "E(h) = 3h"):
        assert expected in lines, expected
    assert by_kind["tangent-line"]["parts"] == [{"label": "", "answer": "y = 8*x - 7", "answer_text": "y = 8x − 7"}]
    gradient = {p["label"]: p["answer"] for p in by_kind["gradient-step"]["parts"]}
    assert gradient == {"w₁": "1.2", "L(w₀)": "9", "L(w₁)": "4.52", "overshoot": "no"}


def test_parts_answers_are_read_by_the_checker(every_kind: list[dict[str, Any]]) -> None:
    from quizgen.answers import check

    for data in every_kind:
        for p in data["problems"]:
            if len(p["parts"]) == 1:
                assert p["parts"][0]["answer"] == p["answer"] and p["parts"][0]["answer_text"] == p["answer_text"]
            # Parts answered in words: the fixed ones, and those a kind lists with their words (training-steps).
            words = {g["answer"] for g in p.get("graded_parts", []) if "words" in g}
            for part in p["parts"]:
                if part["answer"] in ("yes", "no", "rising", "falling", "flat") or part["answer"] in words:
                    continue
                assert check(part["answer"], part["answer"]).status == "correct", (p["kind"], part)


def test_plain_answers_written_back_as_text_match_the_kinds_own_writer(every_kind: list[dict[str, Any]]) -> None:
    """plain_forms (which writes distractors) gives the same text as each kind's writer, for every answer."""
    for data in every_kind:
        for p in data["problems"]:
            text, latex = plain_forms(p["answer"])
            assert text == p["answer_text"], (p["kind"], p["answer"])


def test_check_reads_new_and_old_quiz_json(walkthrough_dir: Path, tmp_path: Path) -> None:
    new = walkthrough_dir / "quiz.json"
    old_data = json.loads(new.read_text(encoding="utf-8"))
    for p in old_data["problems"]:
        for field in ("prompt", "prompt_html", "prompt_tex", "parts", "solution", "distractors", "choices"):
            p.pop(field, None)
    old = tmp_path / "old.json"
    old.write_text(json.dumps(old_data), encoding="utf-8")
    number = next(p["number"] for p in old_data["problems"] if p["kind"] == "limit-definition")
    for quiz in (new, old):
        result = CliRunner().invoke(main, ["check", "--quiz", str(quiz), "--problem", str(number), "--answer", "2(3x-2)"])
        assert result.exit_code == 0 and result.output.startswith("correct"), result.output
