"""Self-checking outside the browser: quizgen check (one answer, a class CSV) and the printed answer bank."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from conftest import WALKTHROUGH, normalise
from quizgen.cli import main


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def quiz_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("check")
    code, _, _ = run("make", *WALKTHROUGH, "--format", "json", "--out", str(out))
    assert code == 0
    return out / "quiz.json"


def number_of(quiz_path: Path, kind: str) -> int:
    return next(p["number"] for p in json.loads(quiz_path.read_text())["problems"] if p["kind"] == kind)


@pytest.mark.parametrize(
    ("kind", "typed", "expected"),
    [
        ("limit-definition", "6x-4", "correct: Correct."),
        ("limit-definition", "6*x - 4", "correct: Correct."),
        ("limit-definition", "6x+3h-4", "incorrect: Your answer still contains h: take the limit as h → 0."),
        ("difference-quotient", "0.008003", "incorrect: It looks like you forgot to divide by h."),
        ("derivative-at", "8,-4,26", "correct: Correct."),
        ("evaluate", "9)", "invalid: "),
        ("expand", "3x^2+6xh+3h^2-4x-4h+5", "correct: Correct."),
        ("expand", "3(x+h)^2-4(x+h)+5", "incorrect: That is equal to the answer, but not fully expanded"),
        ("simplify-quotient", "(6xh+3h^2-4h)/h", "incorrect: That is equal to the answer, but not fully expanded"),
    ],
)
def test_check_one_answer(quiz_path: Path, kind: str, typed: str, expected: str) -> None:
    code, out, _ = run("check", "--quiz", str(quiz_path), "--problem", str(number_of(quiz_path, kind)), "--answer", typed)
    assert code == 0
    assert out.startswith(expected), out


def test_check_a_class_csv_with_good_and_broken_rows(quiz_path: Path, tmp_path: Path) -> None:
    n = number_of(quiz_path, "limit-definition")
    e = number_of(quiz_path, "evaluate")
    answers = tmp_path / "answers.csv"
    answers.write_text(
        "student,problem,answer\n"
        f"Ada,{n},6x-4\n"
        f"Ada,{e},9\n"
        f"Bob,{n},6x+3h-4\n"
        f"Bob,{e},\"9\"\n"
        "Cy,seven,1\n"  # line 6: not a number
        "Cy,99,1\n"  # line 7: no such problem
        "just one column\n"  # line 8
        f"Cy,{e},1,extra\n",  # line 9
        encoding="utf-8",
    )
    code, out, err = run("check", "--quiz", str(quiz_path), "--answers", str(answers))
    assert code == 0, err
    total = len(json.loads(quiz_path.read_text())["problems"])
    assert re.search(rf"^Ada\s+2/{total}\s+2\s+\d+%$", out, flags=re.M), out
    assert re.search(rf"^Bob\s+1/{total}\s+2\s+\d+%$", out, flags=re.M), out
    for line in (6, 7, 8, 9):
        assert f"line {line}" in err, err
    with (tmp_path / "answers-report.csv").open(encoding="utf-8", newline="") as fh:
        report = list(csv.DictReader(fh))
    verdicts = {(r["student"], r["answer"]): r["status"] for r in report}
    assert verdicts[("Ada", "6x-4")] == "correct" and verdicts[("Bob", "6x+3h-4")] == "incorrect"
    assert "take the limit" in next(r["message"] for r in report if r["answer"] == "6x+3h-4")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--problem", "1"], "--problem and --answer go together"),
        ([], "give --answers FILE"),
        (["--problem", "99", "--answer", "1"], "there is no problem 99"),
        (["--answers", "missing.csv"], "cannot read missing.csv"),
    ],
)
def test_check_usage_errors(quiz_path: Path, args: list[str], message: str) -> None:
    code, _, err = run("check", "--quiz", str(quiz_path), *args)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1, err


def test_check_rejects_a_broken_quiz_json(tmp_path: Path) -> None:
    bad = tmp_path / "quiz.json"
    bad.write_text('{"problems": [\n  {"number": 1,,}\n]}')
    code, _, err = run("check", "--quiz", str(bad), "--problem", "1", "--answer", "2")
    assert code == 2 and "not valid JSON at line 2" in err


def test_answer_bank_holds_every_answer_once_shuffled(tmp_path: Path) -> None:
    code, _, _ = run("make", "--seed", "31", "-n", "10", "--answer-bank", "-f", "html,pdf,json", "-o", str(tmp_path))
    assert code == 0
    html = (tmp_path / "worksheet.html").read_text()
    bank = html[html.index('<section class="bank">'):]
    quiz = json.loads((tmp_path / "quiz.json").read_text())
    texts = [p["answer_text"] for p in quiz["problems"]]
    visible = [re.sub(r"<[^>]+>", "", item) for item in re.findall(r"<li>(.*?)</li>", bank)]
    assert sorted(map(normalise, visible)) == sorted({normalise(t) for t in texts})  # math-italic letters: NFKC
    assert visible != list(dict.fromkeys(texts)), "the bank must not follow the problem order"
    assert "Answer bank" not in (tmp_path / "key.html").read_text()
    pdf = normalise("".join(page.extract_text() for page in PdfReader(tmp_path / "worksheet.pdf").pages))
    assert "Answerbank" in pdf
    for text in texts:
        assert normalise(text) in pdf


def test_no_answer_bank_unless_asked(tmp_path: Path) -> None:
    assert run("make", "--seed", "31", "-n", "4", "-f", "html", "-o", str(tmp_path))[0] == 0
    assert 'class="bank"' not in (tmp_path / "worksheet.html").read_text()
