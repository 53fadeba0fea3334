"""Grading a CSV of typed answers against a quiz.json dict."""

from __future__ import annotations

import csv
import io
import os
import stat

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizgen.grading import (
    MAX_LINE,
    MAX_QUOTED_LINES,
    SHOWN_ERRORS,
    GradeReport,
    QuizFileError,
    Repeat,
    RowError,
    StudentScore,
    decode_csv,
    format_errors,
    format_scores,
    grade_csv,
    grade_file,
    parse_quiz,
    quiz_keys,
    report_csv,
    write_report_csv,
)
from quizgen import grading
from quizgen.grading import _records  # the reader itself, against csv.reader

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
    assert report.errors == () and report.repeat_count == 0
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
    assert sorted(errors) == [3, 4, 5, 6, 8, 9, 13]
    assert errors[3] == "problem number 'one' is not a whole number"
    assert errors[4] == "there is no problem 9 in this quiz (the quiz has problems 1–5)"
    assert errors[5].startswith("expected 3 columns (student, problem, answer), got 5")
    assert "double quotes" in errors[5]
    assert errors[6] == "expected 3 columns (student, problem, answer), got 1"
    assert errors[8] == "the student name is empty"
    assert errors[9].startswith("this row runs on to line 10: a line break inside double quotes joined 1 more line")
    assert report.repeat_count == 1 and report.repeats == (Repeat(12, "Bob", 1, 11),)
    graded = {a.line: (a.student, a.problem, a.status) for a in report.answers}
    assert graded[9] == ("Bob", 2, "invalid")  # "8.\n003" has a line break in it
    assert graded[11] == ("Bob", 1, "invalid")
    assert graded[12] == ("Bob", 1, "correct")
    assert report.scores == (StudentScore("Ann", 1, 1, 5), StudentScore("Bob", 1, 2, 5))


def test_an_unclosed_quote_is_reported_where_it_opens_and_the_rows_after_it_are_graded():
    # Before, the rows after the quote were swallowed into one answer (silently past 131,072 characters).
    report = grade_csv(QUIZ, 'student,problem,answer\nAnn,1,"6x-4\nBob,1,6x-4\nCy,2,8.003\n')
    assert [(a.line, a.student, a.status) for a in report.answers] == [(3, "Bob", "correct"), (4, "Cy", "correct")]
    assert report.errors == (RowError(2, "a double quote opened in this row is never closed: this row is skipped (1 row) "
                                         "and the lines after it are read as rows of their own"),)


def test_an_unclosed_quote_before_13000_rows_skips_one_row_not_13000():
    rows = [f"S{i},{1 + i % 2},{'6x-4' if i % 2 == 0 else '8.003'}" for i in range(13_000)]
    text = "student,problem,answer\n" + 'Ann,1,"6x-4\n' + "\n".join(rows) + "\n"
    report = grade_csv(QUIZ, text)
    assert len(report.answers) == 13_000 and {a.status for a in report.answers} == {"correct"}
    assert [a.line for a in report.answers] == list(range(3, 13_003))
    assert report.errors == (RowError(2, f"a double quote opened in this row is not closed within {MAX_QUOTED_LINES} lines: "
                                         "this row is skipped (1 row) and the lines after it are read as rows of their own"),)
    assert format_errors(report).startswith("line 2: a double quote opened in this row is not closed")


def test_a_quote_closed_by_a_later_row_does_not_swallow_the_rows_between():
    text = 'student,problem,answer\nAnn,1,"6x-4\nBob,1,6x-4\nCy,3,"8, -4, 26"\n'
    report = grade_csv(QUIZ, text)
    assert [(a.line, a.student, a.status) for a in report.answers] == [(3, "Bob", "correct"), (4, "Cy", "correct")]
    assert [e.line for e in report.errors] == [2]
    assert "closed only on line 4, leaving 5 columns" in report.errors[0].message


def test_a_quoted_line_break_is_kept_and_reported():
    report = grade_csv(QUIZ, 'student,problem,answer\nAnn,1,"6x\n-4"\nBob,1,6x-4\n')
    assert [(a.line, a.student, a.answer) for a in report.answers] == [(2, "Ann", "6x\n-4"), (4, "Bob", "6x-4")]
    assert report.errors[0].line == 2 and "runs on to line 3" in report.errors[0].message


def test_an_overlong_row_is_skipped_and_not_echoed():
    text = "student,problem,answer\nAnn,1," + "x" * (3 * MAX_LINE) + "\nBob,1,6x-4\n"
    report = grade_csv(QUIZ, text)
    assert [(a.line, a.student) for a in report.answers] == [(3, "Bob")]
    assert report.errors == (RowError(2, f"this row is {3 * MAX_LINE + 7:,} characters long (at most {MAX_LINE:,}): skipped"),)
    # \r\n line ends and an overlong row cut just before its \r\n keep the line numbers right
    text = "student,problem,answer\r\nAnn,1," + "x" * (MAX_LINE - 6) + "\r\nBob,1,6x-4\r\n"
    assert [a.line for a in grade_csv(QUIZ, text).answers] == [3]


def test_echoed_text_is_clipped():
    digits = "9" * 5000  # past Python's 4,300-digit int() limit, echoed whole before
    report = grade_csv(QUIZ, f"student,problem,answer\nAnn,{digits},1\n{'N' * 150},1,6x-4\n")
    text = format_errors(report) + format_scores(report)
    assert max(len(line) for line in text.splitlines()) < 150
    assert "…" in format_errors(report) and "…" in format_scores(report)
    assert report.errors[0].message == f"problem number '{'9' * 59}…' is not a whole number"


def test_student_names_longer_than_the_limit_are_row_errors():
    report = grade_csv(QUIZ, f"student,problem,answer\n{'N' * 201},1,6x-4\n")
    assert report.errors == (RowError(2, "the student name is 201 characters long (at most 200)"),)


def test_repeated_answers_are_counted_with_a_few_examples_not_listed_one_by_one():
    text = "student,problem,answer\n" + "Ann,1,6x-4\n" * 5000
    report = grade_csv(QUIZ, text)
    assert report.repeat_count == 4999 and report.errors == ()
    assert report.repeats == (Repeat(3, "Ann", 1, 2), Repeat(4, "Ann", 1, 3), Repeat(5, "Ann", 1, 4))
    assert format_errors(report) == (
        "4,999 answers to a problem the same student answered before (the last answer counts), e.g. "
        "line 3: Ann, problem 1, before on line 2; line 4: Ann, problem 1, before on line 3; "
        "line 5: Ann, problem 1, before on line 4\n"
    )
    assert report.scores == (StudentScore("Ann", 1, 1, 5),)


def test_the_last_answer_counts():
    report = grade_csv(QUIZ, "student,problem,answer\nAnn,1,6x-4\nAnn,2,8.003\nAnn,1,0\n")
    assert report.scores == (StudentScore("Ann", 1, 2, 5),)


def test_only_the_first_row_errors_are_printed_all_are_counted():
    text = "student,problem,answer\n" + "Ann,x,1\n" * 1000
    report = grade_csv(QUIZ, text)
    lines = format_errors(report).splitlines()
    assert len(lines) == SHOWN_ERRORS + 1
    assert lines[-1] == f"… and {1000 - SHOWN_ERRORS:,} more rows that could not be graded (status 'error' in the report)"
    assert len(list(csv.reader(io.StringIO(report_csv(report))))) == 1001


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


GOOD_PROBLEM = {"number": 1, "kind": "limit-definition", "answer": "6*x - 4"}


@pytest.mark.parametrize(
    ("problems", "message"),
    [
        pytest.param([{**GOOD_PROBLEM, "answer": "(("}], "problem 1: the stored answer '((' cannot be read", id="unreadable-answer"),
        pytest.param([{**GOOD_PROBLEM, "number": "2"}], "problem entry 1: 'number' must be a whole number, not a string", id="number-text"),
        pytest.param([{**GOOD_PROBLEM, "number": [1]}], "problem entry 1: 'number' must be a whole number, not a list", id="number-list"),
        pytest.param([{**GOOD_PROBLEM, "number": True}], "'number' must be a whole number, not true/false", id="number-bool"),
        pytest.param([{**GOOD_PROBLEM, "number": 0}], "problem 0 (entry 1): 'number' must be from 1 to 1,000,000", id="number-0"),
        pytest.param(["junk"], "problem entry 1 must be an object, not a string", id="entry-text"),
        pytest.param([GOOD_PROBLEM, {**GOOD_PROBLEM, "answer": "2"}], "problem number 1 appears twice (entries 1 and 2)", id="twice"),
        pytest.param([{"number": 1}], "problem 1 (entry 1) has no 'answer'", id="no-answer"),
        pytest.param([{"answer": "1"}], "problem entry 1 has no 'number'", id="no-number"),
        pytest.param([{**GOOD_PROBLEM, "answer": 6}], "'answer' must be text, not a whole number", id="answer-number"),
        pytest.param([{**GOOD_PROBLEM, "answer": " "}], "'answer' is empty", id="answer-empty"),
        pytest.param([{**GOOD_PROBLEM, "tolerance": "0.01"}], "problem 1 (entry 1): 'tolerance' must be an object such as "
                     '{"rtol": 0.01}, not a string', id="tolerance-text"),
        pytest.param([{**GOOD_PROBLEM, "tolerance": {"rtol": "1"}}], "'tolerance' rtol must be a number from 0 to 1e6, not a string",
                     id="rtol-text"),
        pytest.param([{**GOOD_PROBLEM, "tolerance": {"atol": -1}}], "'tolerance' atol must be a number from 0 to 1e6, not -1",
                     id="atol-negative"),
        pytest.param([{**GOOD_PROBLEM, "tolerance": {"rtl": 1}}], "'tolerance' has an unknown key 'rtl'", id="tolerance-key"),
        pytest.param([{**GOOD_PROBLEM, "mistakes": 5}], "'mistakes' must be a list of [answer, feedback] pairs, not a whole number",
                     id="mistakes-5"),
        pytest.param([{**GOOD_PROBLEM, "mistakes": [["1"]]}], "mistake 1 must be an [answer, feedback] pair, not a list of 1",
                     id="mistake-short"),
        pytest.param([{**GOOD_PROBLEM, "mistakes": [["1", 2]]}], "mistake 1's feedback must be text, not a whole number",
                     id="mistake-number"),
        pytest.param([{**GOOD_PROBLEM, "form": "factored"}], "'form' must be 'expanded', 'value' or 'rounded:N' (N = 0 to 12), not 'factored'", id="form"),
        pytest.param([{**GOOD_PROBLEM, "answer": "1" * 10_001}], "'answer' is 10,001 characters long (at most 10,000)", id="long"),
        pytest.param([], "quiz.json has no problems", id="empty"),
    ],
)
def test_a_tampered_quiz_is_one_error_naming_the_problem(problems, message):
    # Before, these were warnings (grading went on) or tracebacks (a string tolerance, mistakes: 5).
    with pytest.raises(QuizFileError) as info:
        grade_csv({"problems": problems}, "student,problem,answer\nAnn,1,2\n")
    assert message in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize("quiz", [{}, [], {"problems": {}}, {"problems": None}, "x"])
def test_a_quiz_without_a_list_of_problems_is_an_error(quiz):
    with pytest.raises(QuizFileError, match="quiz.json"):
        quiz_keys(quiz)


def test_a_quiz_key_keeps_tolerance_mistakes_and_form():
    keys = quiz_keys(QUIZ)
    assert keys[5].rtol == 0.01 and keys[5].atol is None
    assert keys[2].mistakes == (("0.008003", "It looks like you forgot to divide by h."),)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(b'{"problems": [{"number": 1' + b"0" * 5000 + b"}]}", "quiz.json: line 1: a number with 5,001 digits (at most 30)",
                     id="5000-digits"),
        pytest.param(b"[" * 100_000 + b"]" * 100_000, "quiz.json is nested too deeply", id="nested-1e5"),
        pytest.param(b'{"problems": [{"number": NaN}]}', "quiz.json: line 1: NaN, which is not a JSON number", id="nan"),
        pytest.param(b'{"problems": [\n{"number": 1,,}]}', "quiz.json is not valid JSON at line 2", id="syntax"),
        pytest.param(b'{"problems": "\xff"}', "quiz.json is not UTF-8 text (line 1)", id="not-utf8"),
    ],
)
def test_quiz_json_that_python_cannot_read_is_one_error(data, message):
    with pytest.raises(QuizFileError) as info:
        parse_quiz(data)
    assert str(info.value).startswith(message)


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


@pytest.mark.parametrize(
    ("typed", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-7/2", "'-7/2"),  # a spreadsheet would divide
        ("-x", "'-x"),
        ("-3", "-3"),  # numbers stay numbers
        ("-0.5", "-0.5"),
        ("+2", "+2"),
        ("-.5", "-.5"),
        ("-1e3", "-1e3"),
        ("6x-4", "6x-4"),
        (" =1", " =1"),
        ("a\x1bb", "a\ufffdb"),
    ],
)
def test_report_cells_starting_like_a_formula_are_neutralised_but_numbers_stay_numbers(typed, cell):
    quoted = '"' + typed.replace('"', '""') + '"'
    report = grade_csv(QUIZ, f"student,problem,answer\n{quoted},1,{quoted}\n")
    row = list(csv.reader(io.StringIO(report_csv(report), newline=""), strict=True))[1]
    assert row[3] == cell
    if typed == typed.strip():  # names are stripped
        assert row[1] == cell


def test_feedback_from_quiz_json_is_neutralised_too():
    quiz = {"problems": [{"number": 1, "answer": "8.003", "mistakes": [["0.008003", "=HYPERLINK(\"http://x\")"]]}]}
    rows = list(csv.reader(io.StringIO(report_csv(grade_csv(quiz, "student,problem,answer\n-1,1,0.008003\n")))))
    assert rows[1][1] == "-1" and rows[1][5] == "'=HYPERLINK(\"http://x\")"


def test_rows_that_cannot_be_graded_are_in_the_report():
    report = grade_csv(QUIZ, "student,problem,answer\nAnn,one,=1\nBob,1,6x-4\n")
    rows = list(csv.reader(io.StringIO(report_csv(report))))
    assert rows[1] == ["2", "Ann", "one", "'=1", "error", "problem number 'one' is not a whole number"]
    assert rows[2][:5] == ["3", "Bob", "1", "6x-4", "correct"]


def test_write_report_csv_is_atomic(tmp_path):
    report = grade_csv(QUIZ, GOOD)
    target = tmp_path / "report.csv"
    target.write_text("old", encoding="utf-8")
    write_report_csv(report, target)
    assert target.read_bytes() == report_csv(report).encode("utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.csv"]


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_the_report_is_written_with_the_umask(tmp_path, umask):
    # mkstemp alone gives 0600 whatever the umask.
    old = os.umask(umask)
    try:
        write_report_csv(grade_csv(QUIZ, GOOD), tmp_path / "report.csv")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "report.csv").stat().st_mode) == 0o666 & ~umask


def test_the_first_non_utf8_line_is_found_across_read_chunks_and_crlf():
    # The file is scanned in 1 MB chunks; here a chunk ends between a \r and its \n.
    data = b"x\n" + b"a\r\n" * 400_000 + "Jos\u00e9\n".encode("cp1252")
    assert 2 + 3 * 349_524 + len(b"a\r") == 1 << 20  # the boundary falls just after a \r
    _, notes = decode_csv(data)
    assert [n.line for n in notes] == [400_002]


FIELD = st.text(alphabet=st.sampled_from(list('ab ,"\n\r-=')), max_size=8)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(FIELD, FIELD, FIELD), min_size=1, max_size=6))
def test_rows_read_as_csv_reader_reads_them(rows):
    # The fast path splits lines without quotes itself; it must agree with csv.reader everywhere.
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)  # \r\n: a \r in a cell is quoted
    text = buffer.getvalue()
    expected = [r for r in csv.reader(io.StringIO(text, newline=""))]
    got = [fields for _, _, fields, _ in _records(io.StringIO(text, newline=""), 3)]
    assert got == expected


def test_students_past_the_score_table_limit_are_row_errors(monkeypatch):
    # Memory is bounded whatever the file: at most MAX_CELLS students × problems are kept.
    monkeypatch.setattr(grading, "MAX_CELLS", 10)  # 2 students of the 5-problem quiz
    report = grade_csv(QUIZ, "student,problem,answer\nAnn,1,6x-4\nBob,1,0\nCy,1,6x-4\nAnn,2,8.003\n")
    assert report.scores == (StudentScore("Ann", 2, 2, 5), StudentScore("Bob", 0, 1, 5))
    assert report.errors == (RowError(4, "more than 2 students for a quiz of 5 problems: this student is not graded"),)


def test_memory_does_not_grow_with_the_rows(tmp_path):
    # Streaming: the rows are not kept, only each student's last verdicts (before, every graded
    # answer and every warning stayed in memory, and the per-student scan was quadratic).
    import tracemalloc

    keys = quiz_keys(QUIZ)

    def peak(rows: int) -> int:
        answers = tmp_path / f"a{rows}.csv"
        answers.write_text("student,problem,answer\n" + "".join(f"S{i % 50},{1 + i % 5},{i % 7}\n" for i in range(rows)))
        tracemalloc.start()
        try:
            summary = grade_file(keys, answers, tmp_path / "report.csv")
            used = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert summary.rows == rows and len(summary.scores) == 50
        return used

    small, large = peak(5_000), peak(50_000)
    assert large < 1.5 * small, (small, large)
