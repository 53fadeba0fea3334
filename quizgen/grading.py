"""Grade a CSV of typed answers (student, problem, answer) against a loaded quiz.json.

Nothing in the CSV can make grading fail: every malformed row becomes a row error with
its 1-based line number, and every answer gets a verdict from ``quizgen.answers.check``.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quizgen.answers import Verdict, check

HEADER = ("student", "problem", "answer")
REPORT_HEADER = ("line", "student", "problem", "answer", "status", "message")


@dataclass(frozen=True)
class GradedAnswer:
    """One graded row of the CSV."""

    line: int
    student: str
    problem: int
    answer: str
    status: str
    message: str


@dataclass(frozen=True)
class RowError:
    """A row that could not be graded, and why."""

    line: int
    message: str


@dataclass(frozen=True)
class StudentScore:
    """How many of the quiz's problems a student answered correctly."""

    student: str
    correct: int
    answered: int
    total: int

    @property
    def score(self) -> float:
        """Correct answers over the number of problems in the quiz (0 when there are none)."""
        return self.correct / self.total if self.total else 0.0


@dataclass(frozen=True)
class GradeReport:
    """Every graded answer, every row error, and a score per student."""

    answers: tuple[GradedAnswer, ...]
    errors: tuple[RowError, ...]
    scores: tuple[StudentScore, ...]
    problem_count: int
    quiz_errors: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Key:
    """What a problem is graded against."""

    answer: str
    rtol: float | None
    atol: float | None
    mistakes: tuple[tuple[str, str], ...]
    form: str | None = None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _keys(quiz: Mapping[str, Any]) -> tuple[dict[int, _Key], list[str]]:
    """The gradable problems of a quiz.json dict, and what is wrong with the others."""
    keys: dict[int, _Key] = {}
    problems: list[str] = []
    items = quiz.get("problems") if isinstance(quiz, Mapping) else None
    if not isinstance(items, list):
        return keys, ["quiz.json has no list of problems"]
    for index, p in enumerate(items, start=1):
        if not isinstance(p, Mapping):
            problems.append(f"problem entry {index} is not an object")
            continue
        number, answer = p.get("number"), p.get("answer")
        if isinstance(number, bool) or not isinstance(number, int) or not isinstance(answer, str):
            problems.append(f"problem entry {index} has no whole 'number' or no 'answer' text")
            continue
        tol = p.get("tolerance") if isinstance(p.get("tolerance"), Mapping) else {}
        mistakes = tuple(
            (str(m[0]), str(m[1])) for m in p.get("mistakes") or () if isinstance(m, (list, tuple)) and len(m) == 2
        )
        form = p.get("form") if isinstance(p.get("form"), str) else None
        key = _Key(answer, _number(tol.get("rtol")), _number(tol.get("atol")), mistakes, form)
        if number in keys:
            problems.append(f"problem number {number} appears twice; the first one is used")
            continue
        if check(answer, answer).status != "correct":
            problems.append(f"problem {number}: the stored answer {answer!r} cannot be read")
        keys[number] = key
    return keys, problems


def decode_csv(data: bytes) -> tuple[str, tuple[RowError, ...]]:
    """The text of a CSV file: UTF-8 (with or without BOM) or UTF-16 with a BOM; otherwise
    Windows-1252, as spreadsheets on Windows save it, with a note naming the first line
    that is not UTF-8."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), ()
    try:
        return data.decode("utf-8-sig"), ()
    except UnicodeDecodeError as exc:
        line = len(re.split(rb"\r\n|\r|\n", data[: exc.start]))
        note = RowError(line, "this line is not UTF-8 text: the file was read as Windows-1252 (save it as 'CSV UTF-8' to be sure)")
        return data.decode("cp1252", errors="replace"), (note,)


def _rows(csv_text: str) -> list[tuple[int, list[str] | None, str, int]]:
    """(first line number, fields or None, csv error, last line number) for every non-blank record."""
    out: list[tuple[int, list[str] | None, str, int]] = []
    reader = csv.reader(io.StringIO(csv_text.removeprefix("\ufeff"), newline=""))
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            out.append((start, None, str(err), start))
            if reader.line_num < start:  # no progress: stop rather than loop
                break
            start = reader.line_num + 1
            continue
        if any(field.strip() for field in row):
            out.append((start, row, "", reader.line_num))
        start = reader.line_num + 1
    return out


def grade_csv(quiz: Mapping[str, Any], csv_text: str, notes: Sequence[RowError] = ()) -> GradeReport:
    """Grade every row of a ``student,problem,answer`` CSV against a quiz.json dict (notes come first)."""
    keys, quiz_errors = _keys(quiz)
    answers: list[GradedAnswer] = []
    errors: list[RowError] = list(notes)
    verdicts: dict[tuple[int, str], Verdict] = {}  # a class types the same answers many times
    order: list[str] = []
    latest: dict[tuple[str, int], tuple[int, str]] = {}  # (student, problem) -> (line, status)
    columns = {name: i for i, name in enumerate(HEADER)}

    rows = _rows(csv_text)
    if not rows:
        errors.append(RowError(1, "the file is empty: expected a header line 'student,problem,answer'"))
    for n, (line, row, problem_text, last) in enumerate(rows):
        if row is None:
            errors.append(RowError(line, f"cannot read this line as CSV ({problem_text})"))
            continue
        if last > line:
            errors.append(
                RowError(line, f"this row runs on to line {last}: a line break inside double quotes (is a closing quote missing?)")
            )
        if n == 0:
            names = [field.strip().lower() for field in row]
            if sorted(names) == sorted(HEADER):
                columns = {name: names.index(name) for name in HEADER}
                continue
            errors.append(RowError(line, "missing header line 'student,problem,answer'; reading columns in that order"))
        if len(row) != len(HEADER):
            hint = " (put answers that contain commas in double quotes)" if len(row) > len(HEADER) else ""
            errors.append(RowError(line, f"expected 3 columns (student, problem, answer), got {len(row)}{hint}"))
            continue
        student = row[columns["student"]].strip()
        number_text = row[columns["problem"]].strip()
        answer = row[columns["answer"]]
        if not student:
            errors.append(RowError(line, "the student name is empty"))
            continue
        try:
            number = int(number_text)
        except ValueError:
            errors.append(RowError(line, f"problem number {number_text!r} is not a whole number"))
            continue
        key = keys.get(number)
        if key is None:
            known = f" (the quiz has problems {min(keys)}–{max(keys)})" if keys else ""
            errors.append(RowError(line, f"there is no problem {number} in this quiz{known}"))
            continue
        verdict = verdicts.get((number, answer))
        if verdict is None:
            verdict = check(answer, key.answer, rtol=key.rtol, atol=key.atol, mistakes=key.mistakes, form=key.form)
            verdicts[(number, answer)] = verdict
        answers.append(GradedAnswer(line, student, number, answer, verdict.status, verdict.message))
        if student not in order:
            order.append(student)
        previous = latest.get((student, number))
        if previous is not None:
            errors.append(
                RowError(line, f"{student} answered problem {number} again (first on line {previous[0]}); the last answer counts")
            )
        latest[(student, number)] = (line, verdict.status)

    scores = []
    for student in order:
        mine = [status for (who, _), (_, status) in latest.items() if who == student]
        correct = sum(status == "correct" for status in mine)
        scores.append(StudentScore(student, correct, len(mine), len(keys)))
    return GradeReport(tuple(answers), tuple(errors), tuple(scores), len(keys), tuple(quiz_errors))


def format_scores(report: GradeReport) -> str:
    """The score table as aligned plain text, one student per line."""
    head = ("student", "correct", "answered", "score")
    lines = [
        (_plain(s.student), f"{s.correct}/{s.total}", str(s.answered), f"{round(100 * s.score)}%") for s in report.scores
    ]
    widths = [max(len(row[i]) for row in [head, *lines]) for i in range(len(head))]

    def fmt(row: tuple[str, ...]) -> str:
        return "  ".join([row[0].ljust(widths[0])] + [cell.rjust(w) for cell, w in zip(row[1:], widths[1:])]).rstrip()

    out = [fmt(head), fmt(tuple("-" * w for w in widths))]
    out += [fmt(row) for row in lines]
    if not lines:
        out.append("(no answers graded)")
    return "\n".join(out) + "\n"


def format_errors(report: GradeReport) -> str:
    """Quiz problems and row errors, one per line (empty when there are none)."""
    lines = [f"quiz: {message}" for message in report.quiz_errors]
    lines += [f"line {e.line}: {e.message}" for e in report.errors]
    return "".join(_plain(line) + "\n" for line in lines)


def _plain(text: str) -> str:
    """Text safe to print on a terminal: control and direction-changing characters become �."""
    return "".join(
        "\ufffd" if ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or 0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069 else c
        for c in text
    )


def _cell(value: object) -> str:
    """A CSV cell a spreadsheet will not run as a formula (=, @ prefixed with '), without control characters."""
    text = "".join("\ufffd" if ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F else c for c in str(value))
    return "'" + text if text[:1] in ("=", "@") else text


def report_csv(report: GradeReport) -> str:
    """The per-answer report as CSV text: line, student, problem, answer, status, message."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(REPORT_HEADER)
    for a in report.answers:
        writer.writerow([a.line, _cell(a.student), a.problem, _cell(a.answer), a.status, a.message])
    return buffer.getvalue()


def write_report_csv(report: GradeReport, path: str | os.PathLike[str]) -> None:
    """Write report_csv to path atomically (a temporary file renamed into place)."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or Path("."))
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(report_csv(report))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
