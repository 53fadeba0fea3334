"""Grading a CSV of typed answers against a quiz.json dict."""

from __future__ import annotations

import csv
import io

import pytest

from quizgen.grading import (
    GradeReport,
    RowError,
    StudentScore,
    decode_csv,
    format_errors,
    format_scores,
    grade_csv,
    report_csv,
    write_report_csv,
)

QUIZ = {
    "seed": 1,
    "problems": [
        {"number": 1, "kind": "limit-definition", "answer": "6*x - 4"},
        {
            "number": 2,
            "kind": "difference-quotient",
            "answer": "8.003",
            "mistakes": [["0.008003", "It looks like you forgot to divide by h."]],
        },
        {"number": 3, "kind": "derivative-at", "answer": "8, -4, 26"},
        {"number": 4, "kind": "tangent-line", "answer": "y = 8*x - 7"},
        {"number": 5, "kind": "linear-approximation", "answer": "0.08", "tolerance": {"rtol": 0.01}},
    ],
}

GOOD = """student,problem,answer
Ann,1,6x-4
Ann,2,8.003
Ann,3,"8, -4, 26"
Ann,4,y = 8(x-2) + 9
Ann,5,0.0801
Bob,1,6x + 3h - 4
Bob,2,0.008003
Bob,3,"8, -4"
Bob,4,8x-7
Bob,5,0.09
"""


def test_good_csv_grades_every_answer():
    report = grade_csv(QUIZ, GOOD)
    assert isinstance(report, GradeReport)
    assert report.errors == () and report.quiz_errors == ()
    assert report.problem_count == 5
    assert [(a.line, a.student, a.problem, a.status) for a in report.answers] == [
        (2, "Ann", 1, "correct"),
        (3, "Ann", 2, "correct"),
        (4, "Ann", 3, "correct"),
        (5, "Ann", 4, "correct"),
        (6, "Ann", 5, "correct"),
        (7, "Bob", 1, "incorrect"),
        (8, "Bob", 2, "incorrect"),
        (9, "Bob", 3, "incorrect"),
        (10, "Bob", 4, "correct"),
        (11, "Bob", 5, "incorrect"),
    ]
    messages = {a.line: a.message for a in report.answers}
    assert messages[7] == "Your answer still contains h: take the limit as h → 0."
    assert messages[8] == "It looks like you forgot to divide by h."
    assert messages[9] == "Expected 3 values separated by commas, got 2."
    assert messages[11] == "Your answer is not close enough to the correct value."
    assert report.scores == (StudentScore("Ann", 5, 5, 5), StudentScore("Bob", 1, 5, 5))
    assert report.scores[1].score == pytest.approx(0.2)


def test_a_form_in_the_quiz_is_passed_to_the_checker():
    quiz = {"problems": [
        {"number": 1, "kind": "expand", "answer": "x**2 + 2*x*h + h**2", "form": "expanded"},
        {"number": 2, "kind": "expand", "answer": "x**2 + 2*x*h + h**2"},
    ]}
    report = grade_csv(quiz, "student,problem,answer\nAnn,1,(x+h)^2\nAnn,2,(x+h)^2\nBob,1,x^2+2xh+h^2\n")
    assert [(a.problem, a.status) for a in report.answers] == [(1, "incorrect"), (2, "correct"), (1, "correct")]
    assert "not fully expanded" in report.answers[0].message


def test_score_counts_unanswered_problems_as_not_correct():
    report = grade_csv(QUIZ, "student,problem,answer\nCy,1,2(3x-2)\n")
    assert report.scores == (StudentScore("Cy", 1, 1, 5),)
    assert "1/5" in format_scores(report) and "20%" in format_scores(report)


def test_header_columns_may_come_in_any_order_and_a_bom_is_ignored():
    report = grade_csv(QUIZ, "\ufeffProblem, Answer ,STUDENT\n1,6x-4,Ann\n")
    assert report.errors == ()
    assert [(a.student, a.problem, a.status) for a in report.answers] == [("Ann", 1, "correct")]


BROKEN = (
    "student,problem,answer\n"  # 1
    "Ann,1,6x-4\n"  # 2
    "Ann,one,5\n"  # 3  not a whole number
    "Ann,9,5\n"  # 4  no such problem
    "Ann,3,8,-4,26\n"  # 5  unquoted commas
    "Ann\n"  # 6  one column
    "\n"  # 7  blank lines are skipped
    ",2,8.003\n"  # 8  no student
    'Bob,2,"8.\n003"\n'  # 9-10  a quoted newline: the row starts on line 9
    "Bob,1,foo(\n"  # 11 graded as invalid, not a row error
    "Bob,1,6x-4\n"  # 12 answered again: the last answer counts
    "Bob,2.5,1\n"  # 13 not a whole number
)


def test_broken_rows_are_reported_with_line_numbers_and_never_raise():
    report = grade_csv(QUIZ, BROKEN)
    errors = {e.line: e.message for e in report.errors}
    assert sorted(errors) == [3, 4, 5, 6, 8, 9, 12, 13]
    assert errors[3] == "problem number 'one' is not a whole number"
    assert errors[4] == "there is no problem 9 in this quiz (the quiz has problems 1–5)"
    assert errors[5].startswith("expected 3 columns (student, problem, answer), got 5")
    assert "double quotes" in errors[5]
    assert errors[6] == "expected 3 columns (student, problem, answer), got 1"
    assert errors[8] == "the student name is empty"
    assert errors[9].startswith("this row runs on to line 10: a line break inside double quotes")
    assert "again (first on line 11); the last answer counts" in errors[12]
    graded = {a.line: (a.student, a.problem, a.status) for a in report.answers}
    assert graded[9] == ("Bob", 2, "invalid")  # "8.\n003" has a line break in it
    assert graded[11] == ("Bob", 1, "invalid")
    assert graded[12] == ("Bob", 1, "correct")
    assert report.scores == (StudentScore("Ann", 1, 1, 5), StudentScore("Bob", 1, 2, 5))


def test_an_unclosed_quote_is_reported_where_it_opens():
    # Without the warning, the rows it swallows would vanish from the report silently.
    report = grade_csv(QUIZ, 'student,problem,answer\nAnn,1,"6x-4\nBob,1,6x-4\nCy,2,8.003\n')
    assert [(a.line, a.student) for a in report.answers] == [(2, "Ann")]
    assert report.errors == (
        RowError(2, "this row runs on to line 4: a line break inside double quotes (is a closing quote missing?)"),
    )


def test_non_utf8_files_are_read_as_windows_1252_with_a_note():
    text, notes = decode_csv("student,problem,answer\nAnn,1,6x-4\nJosé,2,8.003\n".encode("cp1252"))
    assert "José" in text
    assert notes == (RowError(3, "this line is not UTF-8 text: the file was read as Windows-1252 (save it as 'CSV UTF-8' to be sure)"),)
    report = grade_csv(QUIZ, text, notes)
    assert [(a.student, a.status) for a in report.answers] == [("Ann", "correct"), ("José", "correct")]
    assert report.errors == notes
    assert decode_csv("\ufeffstudent,problem,answer\n".encode("utf-8")) == ("student,problem,answer\n", ())
    assert decode_csv("student,problem,answer\nJosé,1,2\n".encode("utf-16")) == ("student,problem,answer\nJosé,1,2\n", ())


def test_terminal_output_has_no_control_characters():
    report = grade_csv(QUIZ, "student,problem,answer\nA\x1b[2Jnn,1,6x-4\nA\x1b[2Jnn,1,6x-4\nB\u202eob,1,1\n")
    text = format_scores(report) + format_errors(report)
    assert "\x1b" not in text and "\u202e" not in text
    assert "A\ufffd[2Jnn" in text


def test_missing_header_is_a_row_error_and_rows_are_still_graded():
    report = grade_csv(QUIZ, "Ann,1,6x-4\nAnn,2,8.003\n")
    assert report.errors == (RowError(1, "missing header line 'student,problem,answer'; reading columns in that order"),)
    assert [a.status for a in report.answers] == ["correct", "correct"]


@pytest.mark.parametrize(
    "text",
    ["", "\n\n", "student,problem,answer\n", "\x00", '"', "a,b\n" * 3, "student;problem;answer\nAnn;1;6x-4\n", "x" * 200_000],
)
def test_odd_files_never_raise(text):
    report = grade_csv(QUIZ, text)
    assert isinstance(report, GradeReport)
    assert all(e.line >= 1 for e in report.errors)


def test_empty_file_is_one_error():
    assert grade_csv(QUIZ, "").errors == (RowError(1, "the file is empty: expected a header line 'student,problem,answer'"),)


def test_broken_quiz_problems_are_quiz_errors():
    quiz = {"problems": [{"number": 1, "answer": "(("}, {"number": "2", "answer": "1"}, "junk", {"number": 1, "answer": "2"}]}
    report = grade_csv(quiz, "student,problem,answer\nAnn,1,2\n")
    assert report.quiz_errors == (
        "problem 1: the stored answer '((' cannot be read",
        "problem entry 2 has no whole 'number' or no 'answer' text",
        "problem entry 3 is not an object",
        "problem number 1 appears twice; the first one is used",
    )
    assert report.answers[0].status == "invalid"
    assert grade_csv({}, "student,problem,answer\n").quiz_errors == ("quiz.json has no list of problems",)


def test_format_scores_is_an_aligned_table():
    text = format_scores(grade_csv(QUIZ, GOOD))
    lines = text.splitlines()
    assert lines[0].split() == ["student", "correct", "answered", "score"]
    assert lines[2].split() == ["Ann", "5/5", "5", "100%"]
    assert lines[3].split() == ["Bob", "1/5", "5", "20%"]
    assert len({len(line) for line in lines[:4]}) == 1
    assert format_scores(grade_csv(QUIZ, "")).endswith("(no answers graded)\n")


def test_format_errors_lists_quiz_and_row_errors():
    assert format_errors(grade_csv(QUIZ, GOOD)) == ""
    text = format_errors(grade_csv(QUIZ, BROKEN))
    assert text.splitlines()[0] == "line 3: problem number 'one' is not a whole number"


def test_report_csv_round_trips_and_defuses_formulas():
    report = grade_csv(QUIZ, GOOD + 'Eve,1,"=HYPERLINK(""http://x"")"\nEve,2,"@SUM(1)"\n')
    rows = list(csv.reader(io.StringIO(report_csv(report))))
    assert rows[0] == ["line", "student", "problem", "answer", "status", "message"]
    assert rows[1] == ["2", "Ann", "1", "6x-4", "correct", "Correct."]
    assert rows[3][3] == "8, -4, 26"
    assert len(rows) == 1 + len(report.answers)
    assert rows[-2][3] == "'=HYPERLINK(\"http://x\")"
    assert rows[-1][3] == "'@SUM(1)"


def test_write_report_csv_is_atomic(tmp_path):
    report = grade_csv(QUIZ, GOOD)
    target = tmp_path / "report.csv"
    target.write_text("old", encoding="utf-8")
    write_report_csv(report, target)
    assert target.read_text(encoding="utf-8") == report_csv(report)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.csv"]
