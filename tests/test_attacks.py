"""Hostile inputs found by attacking the session's new input paths (issue 10's LMS exports,
issue 11's kinds in class sets and make): each test failed before its fix."""

from __future__ import annotations

import pytest

from quizgen import classset
from quizgen.generate import Options
from quizgen.kinds import DEFAULT_KINDS, KINDS

NEW_KINDS = tuple(k for k in KINDS if k not in DEFAULT_KINDS)


# ---------------------------------------------------------------- class sets of the neural-network kinds


@pytest.mark.parametrize("kind", NEW_KINDS)
def test_class_set_of_a_new_kind_draws_different_problems(kind: str) -> None:
    """Two slots of one new kind in three versions: the problems differ by their values/shape/data
    (the class set compared only f, a, h, …, so every problem of these kinds looked the same to it and
    make --kind backprop --versions 3 -n 2 said 'the pinned values allow too few different problems')."""
    copt = classset.ClassOptions(Options(count=2, kinds=(kind,)))
    versions = classset.make_versions(copt, 4, [None] * 3)
    problems = [p for v in versions for p in v.quiz.problems]
    assert len(problems) == 6
    assert len({(p.task.values, p.task.shape, p.task.data, str(p.task)) for p in problems}) >= 4


# ---------------------------------------------------------------- LMS exports of an edited quiz.json

import json  # noqa: E402
import re  # noqa: E402
from pathlib import Path  # noqa: E402

from click.testing import CliRunner  # noqa: E402
import sympy  # noqa: E402
from lxml import etree  # noqa: E402

from quizgen import lms  # noqa: E402
from quizgen.cli import main  # noqa: E402
from quizgen.generate import make_quiz  # noqa: E402
from quizgen.render import quiz_json  # noqa: E402


def _quiz(kinds: tuple[str, ...], seed: int = 3) -> dict:
    data: dict = json.loads(quiz_json(make_quiz(Options(count=len(kinds), kinds=kinds), seed)))
    return data


def test_a_distractor_equal_to_the_answer_is_never_a_wrong_option() -> None:
    """A quiz.json whose distractor is the answer written another way (terms reordered, 37.0 for 37):
    the exports offered it as a wrong option, so a student who picked a right answer was marked wrong."""
    data = _quiz(("expand", "evaluate"))
    expand, evaluate = data["problems"]
    first, *rest = re.split(r" (?=[+-] )", expand["answer"])  # -x**2, - 2*x*h, …, - 9
    last = rest.pop().replace("- ", "-").replace("+ ", "")
    reordered = f"{last} {' '.join(rest)} " + (f"- {first[1:]}" if first.startswith("-") else f"+ {first}")
    assert reordered != expand["answer"] and sympy.expand(sympy.sympify(reordered) - sympy.sympify(expand["answer"])) == 0
    expand["distractors"].insert(0, {"answer": reordered, "answer_text": reordered, "why": "REORDERED"})
    evaluate["distractors"].insert(0, {"answer": evaluate["answer"] + ".0", "answer_text": "SAME VALUE", "why": "SAME"})
    for fmt in ("moodle", "gift"):
        blob = lms.export_bytes(fmt, [data]).decode()
        assert "REORDERED" not in blob and "SAME VALUE" not in blob, fmt
    root = etree.fromstring(lms.export_bytes("moodle", [data]))
    for q in root.xpath("question[@type='multichoice']"):
        wrong = [a.findtext("text") for a in q.xpath("answer[@fraction='0']")]
        assert all("REORDERED" not in w for w in wrong)


def test_an_answer_text_that_is_not_the_answer_is_refused(tmp_path: Path) -> None:
    """answer_text edited to another value: the multiple-choice question showed it as the right option
    while the numerical one graded the stored answer (Moodle and Canvas disagreed, silently)."""
    data = _quiz(("evaluate",))
    p = data["problems"][0]
    p["answer_text"] = str(int(p["answer"]) + 1)
    path = tmp_path / "quiz.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = CliRunner().invoke(main, ["export", str(path), "--to", "qti"])
    assert result.exit_code == 2
    assert "'answer_text'" in result.output and "is not the answer" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert sorted(f.name for f in tmp_path.iterdir()) == ["quiz.json"]
    p["answer_text"] = p["answer"]
    p["parts"][0]["answer"] = str(int(p["answer"]) - 1)
    with pytest.raises(lms.ExportError, match="part 1's answer"):
        lms.export_bytes("moodle", [data])


def test_gift_option_text_cannot_carry_a_weight() -> None:
    """A distractor whose text starts with %100% (or any %N%): GIFT read it as that option's weight, so
    the wrong option gave full marks."""
    from test_lms import _gift, _moodle_gift_read

    data = _quiz(("expand",))
    data["problems"][0]["distractors"][0].update(answer_text="%100%x", answer_latex="")
    data["problems"][0]["distractors"][1].update(answer_text="%50% of x", answer_latex="")
    questions = _gift(lms.export_bytes("gift", [data]))
    answers = _moodle_gift_read(questions[0].source)["answers"]
    assert [w for w, _, _ in answers].count(100) == 1
    assert sorted(w for w, _, _ in answers if w != 100) == [0] * (len(answers) - 1)


def test_cloze_question_text_cannot_add_a_blank() -> None:
    """A prompt or part label holding {1:NUMERICAL:=0} (Moodle's Cloze syntax): the Cloze question grew a
    blank whose key is whatever the text said. Braces outside the blanks are written as entities."""
    data = _quiz(("derivative-at",))
    p = data["problems"][0]
    p["prompt"] = p["prompt_tex"] = "Find {1:NUMERICAL:=0} and {#1}."
    p["parts"][-1]["label"] = p["parts"][-1]["label"] + "{2:SHORTANSWER:=x}"
    root = etree.fromstring(lms.export_bytes("moodle", [data]))
    (q,) = root.xpath("question[@type='cloze']")
    text = q.findtext("questiontext/text")
    blanks = re.findall(r"\{\d*:(?:NUMERICAL|MULTICHOICE|SHORTANSWER)", text)
    assert len(blanks) == 3  # f′ at three points (f′(x) itself is left to the worked solution)
    assert "{1:NUMERICAL:=0}" not in text and "{2:SHORTANSWER" not in text and "{#1}" not in text


# ---------------------------------------------------------------- make: pins that fit none of the asked kinds


@pytest.mark.parametrize("extra", [[], ["--versions", "2"]])
def test_function_with_only_kinds_that_draw_their_own_names_those_kinds(tmp_path: Path, extra: list[str]) -> None:
    """make --kind backprop --function x^2 said 'partial-derivatives uses a loss of two weights …': a kind
    the user never asked for."""
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["make", "--kind", "backprop", "--kind", "neuron", "--function", "x^2",
                                       "--format", "json", "--out", str(out), *extra])
    assert result.exit_code == 2, result.output
    line = result.output.strip()
    assert len(line.splitlines()) == 1 and "--function" in line
    assert "backprop and neuron draw their own data" in line and "cannot take a pinned f(x)" in line and "partial-derivatives" not in line
    assert not out.exists()


# ---------------------------------------------------------------- quizgen check: answers that blow up a report cell


def test_a_report_cell_fits_a_spreadsheet_and_pythons_csv(tmp_path: Path) -> None:
    """One answer of 5,000 labelled pieces to a backprop problem ('a=1;a=1;…', 20 kB, within the CSV's
    limits): its message repeated 'there is no part called a' 5,000 times, a 145 kB cell that Excel cuts
    (32,767 characters) and Python's csv refuses to read (field larger than field limit). The answer
    itself is kept as typed (test_check_cli); the message is clipped."""
    import csv

    quiz = tmp_path / "quiz.json"
    quiz.write_text(json.dumps(_quiz(("backprop",))), encoding="utf-8")
    answers = tmp_path / "answers.csv"
    with answers.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([["student", "problem", "answer"], ["ann", "1", "a=1;" * 5000], ["bob", "1", "1"]])
    report = tmp_path / "report.csv"
    result = CliRunner().invoke(main, ["check", "--quiz", str(quiz), "--answers", str(answers), "--report", str(report)])
    assert result.exit_code == 0, result.output
    with report.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))  # the default field limit
    assert [r[1] for r in rows[1:]] == ["ann", "bob"] and rows[1][4] == "incorrect"
    assert max(len(c) for r in rows for c in r) <= 32_767 and len(rows[1][5]) <= 4_000
    assert rows[1][5].startswith("there is no part called 'a'") and rows[1][5].endswith("…")


@pytest.mark.parametrize("field", ["loss_before", "loss_after"])
def test_a_loss_of_1_over_0_in_quiz_json_is_no_traceback(tmp_path: Path, field: str) -> None:
    """quizgen check on a quiz.json whose partial-derivatives loss reads 1/0: a 46-line ZeroDivisionError
    traceback (exit 1). Now the problem is graded on its whole answer, as for any part field not well formed."""
    data = _quiz(("partial-derivatives",))
    data["problems"][0][field] = "1/0"
    quiz = tmp_path / "quiz.json"
    quiz.write_text(json.dumps(data), encoding="utf-8")
    answer = data["problems"][0]["answer"]
    result = CliRunner().invoke(main, ["check", "--quiz", str(quiz), "--problem", "1", "--answer", answer])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 0 and result.output.strip().splitlines() == ["correct: Correct."]


@pytest.mark.parametrize("kind", ["derivative-at", "backprop"])
def test_an_answer_edited_apart_from_its_parts_is_refused(kind: str) -> None:
    """answer edited (−16, −18, −2 → 1, 2, 3) but parts not: Moodle's Cloze graded the old parts while
    Canvas and GIFT offered the new answer as the right option."""
    data = _quiz((kind,))
    p = data["problems"][0]
    pieces = p["answer"].split(", ")
    p["answer"] = p["answer_text"] = ", ".join(str(i) for i in range(1, len(pieces) + 1))
    p.pop("answer_latex", None)
    with pytest.raises(lms.ExportError, match="the parts' numbers .* are not the answer"):
        lms.export_bytes("gift", [data])


def test_one_different_problem_is_said_in_the_singular(tmp_path: Path) -> None:
    """make --kind gradient-step --function x^2 --point 1 -n 3 said 'allow only 1 different problems'."""
    result = CliRunner().invoke(main, ["make", "--kind", "gradient-step", "--function", "x^2", "--point", "1",
                                       "-n", "3", "--format", "json", "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "allow only 1 different problem of these kinds" in result.output
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------- pinned values the asked kinds never use

@pytest.mark.parametrize(("args", "option"), [
    (["--kind", "neuron", "--point", "5"], "--point"),
    (["--kind", "backprop", "--point", "5"], "--point"),
    (["--kind", "several-inputs", "--point", "7"], "--point"),
    (["--kind", "chain-rule", "--point", "7"], "--point"),
    (["--kind", "training-steps", "--point", "2"], "--point"),
    (["--kind", "gradient-check", "--point", "2"], "--point"),
    (["--kind", "gradient-check", "--rate", "0.1"], "--rate"),
    (["--kind", "training-steps", "--step", "0.25"], "--step"),
    (["--kind", "neuron", "--kind", "backprop", "--rate", "0.1"], "--rate"),
    (["--kind", "neuron", "--point", "5", "--versions", "2"], "--point"),
])
def test_a_pinned_value_no_asked_kind_uses_is_refused(tmp_path: Path, args: list[str], option: str) -> None:
    """make --kind neuron --point 5 exited 0 with the same neurons as without --point: the pin was
    silently dropped. Now one line naming the option, exit 2, nothing written."""
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["make", "-n", "2", "--format", "json", "--out", str(out), *args])
    assert result.exit_code == 2, result.output
    line = result.output.strip()
    assert len(line.splitlines()) == 1 and line.startswith(f"Error: {option}:")
    assert "does not use" in line or "do not use" in line
    assert not out.exists()


def test_a_pin_some_asked_kind_uses_is_kept(tmp_path: Path) -> None:
    """With a kind that uses the pin beside one that does not, the set is made (the pin applies where it can)."""
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["make", "-n", "2", "--kind", "neuron", "--kind", "evaluate", "--point", "2",
                                       "--format", "json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    problems = json.loads((out / "quiz.json").read_text())["problems"]
    assert [p["point"] for p in problems if p["kind"] == "evaluate"] == ["2"]
