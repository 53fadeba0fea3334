"""quizgen check --manifest: a class set made by the real `quizgen make --roster`, graded from long
and wide CSVs; the statistics are recomputed here from what the test chose to answer, not read
from the program's output (issue 9 items 6 and 7)."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from quizgen.cli import main
from quizgen.grading import mask_numbers, mistake_key

STUDENTS = [("Ada Lovelace", "s101"), ("Ben Okri", "s102"), ("Chidi Anagonye", "s103"),
            ("Dana Scully", "s104"), ("Emil Zátopek", "s105"), ("Fay Wray", "s106")]
COUNT = 14  # one problem of every kind


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def class_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("class")
    roster = root / "roster.csv"
    roster.write_text("name,id\n" + "".join(f"{n},{i}\n" for n, i in STUDENTS), encoding="utf-8")
    code, out, err = run("make", "--roster", str(roster), "--seed", "4", "--count", str(COUNT), "--format", "json",
                         "--out", str(root / "set"))
    assert code == 0, err
    return root / "set"


def versions(class_set: Path) -> list[dict]:
    manifest = json.loads((class_set / "manifest.json").read_text(encoding="utf-8"))
    out = []
    for v in manifest["versions"]:
        quiz = json.loads((class_set / v["folder"] / "quiz.json").read_text(encoding="utf-8"))
        assert quiz["version"] == v["code"]
        out.append({**v, "quiz": quiz})
    return out


def right(problem: dict) -> str:
    """The full right answer, written here from the problem's fields (every part of a gradient step)."""
    if problem["kind"] == "gradient-step":
        return "; ".join([problem["weights"][-1], problem["loss_before"], problem["loss_after"],
                          "yes" if problem["overshoot"] else "no"])
    return problem["answer"]


def wrong(problem: dict) -> tuple[str, str]:
    """A wrong answer and the misconception it should be matched to: the problem's first listed mistake."""
    if problem.get("mistakes"):
        answer, says = problem["mistakes"][0]
        return answer, says
    return "12345", ""


def is_wrong(student: int, number: int) -> bool:
    return (student + number) % 3 == 0


def plan(class_set: Path) -> list[tuple[dict, dict[int, str]]]:
    """Per version (one per student, in roster order): its entry and the answer typed to each problem."""
    out = []
    for s, v in enumerate(versions(class_set)):
        typed = {p["number"]: (wrong(p)[0] if is_wrong(s, p["number"]) else right(p)) for p in v["quiz"]["problems"]}
        out.append((v, typed))
    return out


def expected_stats(class_set: Path) -> dict[int, dict]:
    out: dict[int, dict] = {}
    for s, (v, typed) in enumerate(plan(class_set)):
        for p in v["quiz"]["problems"]:
            n = p["number"]
            row = out.setdefault(n, {"kind": p["kind"], "answered": 0, "correct": 0, "wrong": Counter(), "says": {}})
            row["answered"] += 1
            if is_wrong(s, n):
                text, says = wrong(p)
                row["wrong"][" ".join(text.split())] += 1
                row["says"][" ".join(text.split())] = says
            else:
                row["correct"] += 1
    return out


def read_csv(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def check_stats(path: Path, class_set: Path) -> None:
    rows = read_csv(path)
    assert rows[0][:5] == ["problem", "kind", "answered", "correct", "percent_correct"]
    expected = expected_stats(class_set)
    assert [int(r[0]) for r in rows[1:]] == sorted(expected)
    for r in rows[1:]:
        e = expected[int(r[0])]
        assert r[1] == e["kind"]
        assert (int(r[2]), int(r[3])) == (e["answered"], e["correct"])
        assert r[4] == f"{100 * e['correct'] / e['answered']:.1f}"
        shown = {(r[5 + 3 * i], int(r[6 + 3 * i]), r[7 + 3 * i]) for i in range(3) if r[5 + 3 * i]}
        want = {(t, c, e["says"][t]) for t, c in e["wrong"].most_common(3)}
        assert want or e["correct"] == e["answered"]
        # a wrong answer starting with - is a formula to a spreadsheet only if not a plain number
        shown = {(t[1:] if t.startswith("'") else t, c, m) for t, c, m in shown}
        assert shown == want, (r[0], shown, want)


def long_csv(class_set: Path) -> str:
    """Long shape, comma: students found by id, by name (other case, extra spaces) or by version code."""
    lines = ["student,problem,answer"]
    for s, (v, typed) in enumerate(plan(class_set)):
        name, sid = STUDENTS[s]
        who = [sid, f"  {name.upper()} ", v["code"].lower()][s % 3]
        for n, answer in typed.items():
            lines.append(f'{who},{n},"{answer}"')
    return "\r\n".join(lines) + "\r\n"


def wide_csv(class_set: Path) -> str:
    """Wide shape, semicolon, q1…qN columns, one row per student found by name."""
    head = "student;" + ";".join(f"q{n}" for n in range(1, COUNT + 1))
    rows = [head]
    for s, (v, typed) in enumerate(plan(class_set)):
        rows.append(STUDENTS[s][0] + ";" + ";".join(f'"{typed[n]}"' for n in range(1, COUNT + 1)))
    return "\n".join(rows) + "\n"


@pytest.mark.parametrize("shape", ["long", "wide"])
def test_a_class_is_graded_against_each_students_own_version(class_set: Path, tmp_path: Path, shape: str) -> None:
    answers = tmp_path / f"{shape}.csv"
    answers.write_text(long_csv(class_set) if shape == "long" else wide_csv(class_set), encoding="utf-8")
    stats, book, report = tmp_path / "stats.csv", tmp_path / "book.csv", tmp_path / "report.csv"
    code, out, err = run("check", "--manifest", str(class_set / "manifest.json"), "--answers", str(answers),
                         "--report", str(report), "--stats", str(stats), "--gradebook", str(book))
    assert code == 0, err
    assert err == ""
    vs = versions(class_set)
    for s, (name, _) in enumerate(STUDENTS):
        correct = sum(not is_wrong(s, n) for n in range(1, COUNT + 1))
        line = next(line for line in out.splitlines() if line.startswith(name))
        assert line.split()[-4:] == [vs[s]["code"], f"{correct}/{COUNT}", str(COUNT), f"{round(100 * correct / COUNT)}%"]
    check_stats(stats, class_set)
    # the report agrees with the stats: recount correct answers per problem from its status column
    rows = read_csv(report)
    assert rows[0] == ["line", "student", "problem", "answer", "status", "message", "version"]
    per_problem = Counter(int(r[2]) for r in rows[1:] if r[4] == "correct")
    expected = expected_stats(class_set)
    assert per_problem == Counter({n: e["correct"] for n, e in expected.items() if e["correct"]})
    # Canvas: header, Points Possible, one row per student with the SIS id and the points
    book_rows = read_csv(book)
    assert book_rows[0] == ["Student", "ID", "SIS User ID", "Section", "Derivatives from first principles"]
    assert book_rows[1] == ["Points Possible", "", "", "", str(COUNT)]
    assert [(r[0], r[2], int(r[4])) for r in book_rows[2:]] == [
        (name, sid, sum(not is_wrong(s, n) for n in range(1, COUNT + 1))) for s, (name, sid) in enumerate(STUDENTS)]


def test_the_moodle_gradebook_has_an_id_number_column(class_set: Path, tmp_path: Path) -> None:
    answers = tmp_path / "a.csv"
    answers.write_text(wide_csv(class_set), encoding="utf-8")
    book = tmp_path / "moodle.csv"
    code, _, err = run("check", "--manifest", str(class_set / "manifest.json"), "--answers", str(answers),
                       "--gradebook", str(book), "--gradebook-format", "moodle")
    assert code == 0, err
    rows = read_csv(book)
    assert rows[0] == ["ID number", "Full name", "Derivatives from first principles"]
    assert [r[0] for r in rows[1:]] == [sid for _, sid in STUDENTS]


def test_unknown_students_are_row_errors_and_the_rest_is_graded(class_set: Path, tmp_path: Path) -> None:
    answers = tmp_path / "a.csv"
    answers.write_text("student,problem,answer\nAda Lovelace,1,5\nNobody Known,1,5\nNobody Known,2,5\n", encoding="utf-8")
    code, out, err = run("check", "--manifest", str(class_set / "manifest.json"), "--answers", str(answers))
    assert code == 0, err
    assert "line 3: no version in the manifest for student 'Nobody Known'" in err
    assert "2 rows of 1 student matching no version of the manifest (e.g. 'Nobody Known')" in err
    assert "Ada Lovelace" in out and "Nobody" not in out


@pytest.mark.parametrize("text, needle", [
    ("student,problem,answer\nZed,1,5\nYves,2,3\n", "the manifest does not match"),
    ("student,problem,answer\n", "nothing to grade"),
    ("student;q1;q99\nAda Lovelace;1;2\n", "column 'q99' is problem 99"),
])
def test_answers_that_do_not_fit_the_manifest_are_one_error_and_nothing_is_written(
        class_set: Path, tmp_path: Path, text: str, needle: str) -> None:
    answers = tmp_path / "a.csv"
    answers.write_text(text, encoding="utf-8")
    code, out, err = run("check", "--manifest", str(class_set / "manifest.json"), "--answers", str(answers),
                         "--stats", str(tmp_path / "s.csv"), "--gradebook", str(tmp_path / "g.csv"))
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and needle in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv"]  # no report, stats, gradebook or temporary file


def test_a_manifest_whose_version_is_missing_is_one_error(class_set: Path, tmp_path: Path) -> None:
    manifest = json.loads((class_set / "manifest.json").read_text(encoding="utf-8"))
    manifest["versions"][1]["folder"] = "no-such-folder"
    broken = class_set / "broken-manifest.json"
    broken.write_text(json.dumps(manifest), encoding="utf-8")
    answers = tmp_path / "a.csv"
    answers.write_text("student,problem,answer\nAda Lovelace,1,5\n", encoding="utf-8")
    try:
        code, _, err = run("check", "--manifest", str(broken), "--answers", str(answers))
    finally:
        broken.unlink()
    assert code == 2 and "--manifest" in err and "no-such-folder" in err and len(err.strip().splitlines()) == 1
    manifest["versions"][0]["folder"] = "../../etc"
    broken.write_text(json.dumps(manifest), encoding="utf-8")
    try:
        code, _, err = run("check", "--manifest", str(broken), "--answers", str(answers))
    finally:
        broken.unlink()
    assert code == 2 and "'folder' must be a folder name inside" in err
    assert not (tmp_path / "a-report.csv").exists()


def test_stats_cells_are_safe_in_a_spreadsheet(class_set: Path, tmp_path: Path) -> None:
    answers = tmp_path / "a.csv"
    answers.write_text('student,problem,answer\nAda Lovelace,1,"=HYPERLINK(""http://x"")"\nBen Okri,1,-3\n',
                       encoding="utf-8")
    stats = tmp_path / "s.csv"
    code, _, err = run("check", "--manifest", str(class_set / "manifest.json"), "--answers", str(answers),
                       "--stats", str(stats))
    assert code == 0, err
    cells = [c for row in read_csv(stats) for c in row]
    assert "'=HYPERLINK(\"http://x\")" in cells and "=HYPERLINK(\"http://x\")" not in cells
    assert "-3" in cells  # a plain number stays a number


def test_outputs_may_not_be_inputs_or_each_other(class_set: Path, tmp_path: Path) -> None:
    answers = tmp_path / "a.csv"
    answers.write_text("student,problem,answer\nAda Lovelace,1,5\n", encoding="utf-8")
    code, _, err = run("check", "--manifest", str(class_set / "manifest.json"), "--answers", str(answers),
                       "--stats", str(answers))
    assert code == 2 and "would overwrite it" in err
    code, _, err = run("check", "--manifest", str(class_set / "manifest.json"), "--answers", str(answers),
                       "--stats", str(tmp_path / "x.csv"), "--gradebook", str(tmp_path / "x.csv"))
    assert code == 2 and "given to both --stats and --gradebook" in err
    code, _, err = run("check", "--manifest", str(class_set / "manifest.json"), "--answers", str(answers),
                       "--quiz", str(class_set / "manifest.json"))
    assert code == 2 and "either --quiz or --manifest" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv"]


def test_wide_and_tab_separated_csvs_work_with_quiz_json_too(class_set: Path, tmp_path: Path) -> None:
    v = versions(class_set)[0]
    quiz = class_set / v["folder"] / "quiz.json"
    typed = {p["number"]: right(p) for p in v["quiz"]["problems"]}
    answers = tmp_path / "a.tsv"
    answers.write_text("student\t1\t2\t3\nAda\t" + "\t".join(typed[n] for n in (1, 2, 3)) + "\nBen\t1\t\t\n",
                       encoding="utf-8")
    code, out, err = run("check", "--quiz", str(quiz), "--answers", str(answers))
    assert code == 0, err
    assert [line.split()[:3] for line in out.splitlines()[2:4]] == [["Ada", f"3/{COUNT}", "3"], ["Ben", f"0/{COUNT}", "1"]]


@pytest.mark.parametrize("text, needle", [
    ("{", "is not valid JSON"),
    ('{"versions": []}', "lists no versions"),
    ('{"title": "x"}', "it needs a list of 'versions'"),
    ('{"versions": [{"code": "A", "folder": "/etc"}]}', "'folder' must be a folder name inside"),
    ('{"versions": [{"code": "A", "folder": "a"}, {"code": "a", "folder": "b"}]}', "the code 'a' appears twice"),
])
def test_a_bad_manifest_is_one_line(tmp_path: Path, text: str, needle: str) -> None:
    manifest = tmp_path / "manifest.json"
    manifest.write_text(text, encoding="utf-8")
    answers = tmp_path / "a.csv"
    answers.write_text("student,problem,answer\nAda,1,5\n", encoding="utf-8")
    code, _, err = run("check", "--manifest", str(manifest), "--answers", str(answers))
    assert code == 2 and needle in err and "--manifest" in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "a-report.csv").exists()


@pytest.mark.parametrize("text", [
    "student;problem;answer\nAda;3;8, -4, 26\n",  # semicolon: the comma in the answer is not a delimiter
    "student\tproblem\tanswer\nAda\t3\t8, -4, 26\n",
    'student,problem,answer\nAda,3,"8, -4, 26"\n',
    "Student;Q3\nAda;8, -4, 26\n",
    "name,3\r\nAda,\"8, -4, 26\"\r\n",
])
def test_delimiters_and_shapes_give_the_same_verdict(text: str) -> None:
    from quizgen.grading import grade_csv

    quiz = {"problems": [{"number": 3, "kind": "derivative-at", "answer": "8, -4, 26"}]}
    report = grade_csv(quiz, text)
    assert [(a.student, a.problem, a.answer.strip(), a.status) for a in report.answers] == [("Ada", 3, "8, -4, 26", "correct")]
    assert report.errors == ()


def test_stats_and_gradebook_follow_the_umask(class_set: Path, tmp_path: Path) -> None:
    import os

    answers = tmp_path / "a.csv"
    answers.write_text("student,problem,answer\nAda Lovelace,1,5\n", encoding="utf-8")
    old = os.umask(0o027)
    try:
        code, _, err = run("check", "--manifest", str(class_set / "manifest.json"), "--answers", str(answers),
                           "--stats", str(tmp_path / "s.csv"), "--gradebook", str(tmp_path / "g.csv"))
    finally:
        os.umask(old)
    assert code == 0, err
    for name in ("s.csv", "g.csv", "a-report.csv"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o640, name
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-report.csv", "a.csv", "g.csv", "s.csv"]  # no temporary files


# ------------------------------------------------- make --versions N: versions without a student

@pytest.fixture(scope="module")
def numbered_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`make --versions 2` (no roster): the versions name no student, so students share them."""
    root = tmp_path_factory.mktemp("numbered")
    code, out, err = run("make", "--versions", "2", "--count", "3", "--seed", "9", "--format", "json",
                         "--out", str(root / "set"))
    assert code == 0, err
    return root / "set"


def one_line_manifest_error(code: int, err: str, *needles: str) -> None:
    assert code == 2, err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    assert "--manifest" in err, err
    for needle in needles:
        assert needle in err, err


def test_check_manifest_keeps_two_students_sharing_a_version_apart(numbered_set: Path, tmp_path: Path) -> None:
    """Ada and Ben typed the same version code: they are two students (they used to be merged into
    one, Ben's row reported as Ada's and 'answered before')."""
    v = versions(numbered_set)[0]
    problem = next(p for p in v["quiz"]["problems"] if p["number"] == 1)
    bad, _ = wrong(problem)
    answers = tmp_path / "two.csv"
    answers.write_text(f"student,version,problem,answer\nAda,{v['code']},1,\"{right(problem)}\"\n"
                       f"Ben,{v['code']},1,\"{bad}\"\n", encoding="utf-8")
    report, book = tmp_path / "r.csv", tmp_path / "g.csv"
    code, out, err = run("check", "--manifest", str(numbered_set / "manifest.json"), "--answers", str(answers),
                         "--report", str(report), "--gradebook", str(book))
    assert code == 0, err
    assert "answered before" not in err
    rows = read_csv(report)
    assert [(r[0], r[1], r[2], r[4]) for r in rows[1:]] == [("2", "Ada", "1", "correct"), ("3", "Ben", "1", "incorrect")], rows
    assert "Ada" in out and "Ben" in out
    grades = {r[0]: r[-1] for r in read_csv(book)[1:] if r[0] != "Points Possible"}
    assert grades == {"Ada": "1", "Ben": "0"}, grades  # Ada right on 1 of 3 problems, Ben on none


def test_check_manifest_refuses_a_quiz_json_of_another_version(numbered_set: Path, tmp_path: Path) -> None:
    """A version folder holding another version's quiz.json was graded silently against the wrong answers."""
    import shutil
    copy = tmp_path / "set"
    shutil.copytree(numbered_set, copy)
    v1, v2 = versions(copy)[:2]
    (copy / v1["folder"] / "quiz.json").write_bytes((copy / v2["folder"] / "quiz.json").read_bytes())
    answers = tmp_path / "a.csv"
    answers.write_text(f"student,problem,answer\n{v1['code']},1,5\n", encoding="utf-8")
    code, _, err = run("check", "--manifest", str(copy / "manifest.json"), "--answers", str(answers),
                       "--report", str(tmp_path / "r.csv"))
    one_line_manifest_error(code, err, v1["code"], v2["code"])
    assert not (tmp_path / "r.csv").exists()


def test_check_manifest_refuses_two_versions_in_one_folder(numbered_set: Path, tmp_path: Path) -> None:
    import shutil
    copy = tmp_path / "set"
    shutil.copytree(numbered_set, copy)
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["versions"][1]["folder"] = "./" + manifest["versions"][0]["folder"]
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    answers = tmp_path / "a.csv"
    answers.write_text("student,problem,answer\nA,1,5\n", encoding="utf-8")
    code, _, err = run("check", "--manifest", str(copy / "manifest.json"), "--answers", str(answers),
                       "--report", str(tmp_path / "r.csv"))
    one_line_manifest_error(code, err, "share the folder")
    assert not (tmp_path / "r.csv").exists()


def test_check_manifest_too_deep_is_worded_for_a_manifest(tmp_path: Path) -> None:
    (tmp_path / "m.json").write_text('{"versions":' + "[" * 100000 + "]" * 100000 + "}", encoding="utf-8")
    (tmp_path / "a.csv").write_text("student,problem,answer\nA,1,5\n", encoding="utf-8")
    code, _, err = run("check", "--manifest", str(tmp_path / "m.json"), "--answers", str(tmp_path / "a.csv"))
    one_line_manifest_error(code, err, "manifest.json")
    assert "quiz.json" not in err


# ------------------------------------------------- --stats: misconceptions grouped across versions


QUOTIENT = "That is the quotient itself; subtract the true slope"  # estimate-error's mistake, numbers after
TRUE_SLOPE = "That is the true slope f′(a); the error is"  # another of its mistakes


@pytest.fixture(scope="module")
def shared_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`make --versions 4`: each version's numbers differ, so do its misconceptions' texts."""
    root = tmp_path_factory.mktemp("shared")
    code, out, err = run("make", "--versions", "4", "--count", "8", "--seed", "11", "--format", "json",
                         "--out", str(root / "set"))
    assert code == 0, err
    return root / "set"


def mistake(problem: dict, prefix: str) -> tuple[str, str]:
    return next((a, says) for a, says in problem["mistakes"] if says.startswith(prefix))


def test_stats_group_one_misconception_across_versions(shared_set: Path, tmp_path: Path) -> None:
    """Students of four versions make the same slip on problem 8, each with their version's numbers
    (taken from its quiz.json): one grouped row counting them all, the example from the version
    where most made it; wrong answers matching no misconception are counted too, the last answer
    counts. Expected counts are kept here as the rows are written, not read from the program."""
    vs = versions(shared_set)
    problems = [next(p for p in v["quiz"]["problems"] if p["number"] == 8) for v in vs]
    assert {p["kind"] for p in problems} == {"estimate-error"}
    slips = [mistake(p, QUOTIENT) for p in problems]
    assert len({says for _, says in slips}) == 4  # four versions, four texts with their own numbers
    rows = ["student,version,problem,answer"]
    count = Counter()  # what the last answer of each student was, as chosen here
    plan_ = {0: ["q"], 1: ["q", "t"], 2: ["q", "q", "q", "n"], 3: ["q", "t", "ok", "n"]}
    for v, (entry, problem) in enumerate(zip(vs, problems)):
        for s, what in enumerate(plan_[v]):
            name = f"S{v}{s}"
            answer = {"q": slips[v][0], "t": mistake(problem, TRUE_SLOPE)[0], "n": "12345", "ok": problem["answer"]}[what]
            rows.append(f'{name},{entry["code"]},8,"{answer}"')
            count[what] += 1
    # a slip corrected later is not counted; a right answer replaced by a slip is
    rows.append(f'Late,{vs[0]["code"]},8,"{slips[0][0]}"')
    rows.append(f'Late,{vs[0]["code"]},8,"{problems[0]["answer"]}"')
    count["ok"] += 1
    rows.append(f'Again,{vs[1]["code"]},8,"{problems[1]["answer"]}"')
    rows.append(f'Again,{vs[1]["code"]},8,"{slips[1][0]}"')
    count["q"] += 1
    assert count == {"q": 7, "t": 2, "n": 2, "ok": 2}
    answers = tmp_path / "a.csv"
    answers.write_text("\n".join(rows) + "\n", encoding="utf-8")
    stats = tmp_path / "s.csv"
    code, out, err = run("check", "--manifest", str(shared_set / "manifest.json"), "--answers", str(answers),
                         "--report", str(tmp_path / "r.csv"), "--stats", str(stats))
    assert code == 0, err
    table = read_csv(stats)
    head = table[0]
    assert head[:14] == ["problem", "kind", "answered", "correct", "percent_correct",
                         "wrong_answer_1", "count_1", "misconception_1", "wrong_answer_2", "count_2", "misconception_2",
                         "wrong_answer_3", "count_3", "misconception_3"]
    assert head[14:] == [f"misconception_group_{i}{w}" for i in (1, 2, 3) for w in ("", "_students", "_example")]
    row = dict(zip(head, next(r for r in table[1:] if r[0] == "8")))
    assert (int(row["answered"]), int(row["correct"])) == (13, 2)
    # version 2 (third) made the slip three times: its text is the example
    assert row["misconception_group_1"] == "That is the quotient itself; subtract the true slope f′(…) = … to get the error."
    assert (int(row["misconception_group_1_students"]), row["misconception_group_1_example"]) == (count["q"], slips[2][1])
    rest = {(row[f"misconception_group_{i}"], int(row[f"misconception_group_{i}_students"])) for i in (2, 3)}
    assert rest == {("That is the true slope f′(a); the error is the quotient minus it.", count["t"]),
                    ("no known misconception", count["n"])}
    assert count["q"] + count["t"] + count["n"] == int(row["answered"]) - int(row["correct"])
    # the ungrouped columns still list the answers as typed: each slip's text is its version's
    assert max(int(row[f"count_{i}"]) for i in (1, 2, 3)) <= 4


@pytest.mark.parametrize("text, masked", [
    ("Substitute x = −1 with its sign: that is f(1).", "Substitute x = … with its sign: that is f(…)."),
    ("Substitute x = 3 with its sign: that is f(−3).", "Substitute x = … with its sign: that is f(…)."),
    ("h = 0.05, h = -0.001, .5 and 12.", "h = …, h = …, … and …."),  # a full stop is no decimal point
    ("3/4 and −1/2 and 1/-2, ½", "… and … and …, …"),
    ("x−1 and a − 1 and (x + 1)", "x−… and a − … and (x + …)"),  # operators stay
    ("x² + 2xh + h², xⁿ⁻¹, w₁ − η·L′(w₀)", "x² + …xh + h², xⁿ⁻¹, w₁ − η·L′(w₀)"),  # superscripts, subscripts
    ("f′(−3) = 26, f″(2), w1, x2, 1e-3, 1,000", "f′(…) = …, f″(…), w1, x2, …, …"),
    ("no  numbers\there", "no numbers here"),
])
def test_mask_numbers(text: str, masked: str) -> None:
    assert mask_numbers(text) == masked


def test_mistake_key_groups_a_parenthesised_number_with_a_bare_one() -> None:
    a = "The power applies to x only: 5(3)² = 5(9), not (15)²."
    b = "The power applies to x only: (−3)(−1)² = (−3)(1), not (3)²."
    assert mask_numbers(a) != mask_numbers(b)
    assert mistake_key(a) == mistake_key(b)
    assert mistake_key("Keep the constant term 8: it is part of f(x) too.") == \
        mistake_key("Keep the constant term −4: it is part of f(x) too.")
    assert mistake_key("That is the slope f′(a)") != mistake_key("That is the slope f′(3)")


def test_stats_group_misconceptions_for_one_quiz_too(shared_set: Path, tmp_path: Path) -> None:
    """--quiz (no manifest): one version, the same columns; students counted once, last answer."""
    v = versions(shared_set)[0]
    problem = next(p for p in v["quiz"]["problems"] if p["number"] == 8)
    slip, says = mistake(problem, QUOTIENT)
    answers = tmp_path / "a.csv"
    answers.write_text(f"student,problem,answer\nA,8,{slip}\nA,8,{slip}\nB,8,{slip}\nC,8,xyz\nD,8,{problem['answer']}\n",
                       encoding="utf-8")
    stats = tmp_path / "s.csv"
    code, _, err = run("check", "--quiz", str(shared_set / v["folder"] / "quiz.json"), "--answers", str(answers),
                       "--report", str(tmp_path / "r.csv"), "--stats", str(stats))
    assert code == 0, err
    table = read_csv(stats)
    row = dict(zip(table[0], next(r for r in table[1:] if r[0] == "8")))
    assert (row["misconception_group_1_students"], row["misconception_group_1_example"]) == ("2", says)
    assert (row["misconception_group_2"], row["misconception_group_2_students"]) == ("no known misconception", "1")
    assert row["misconception_group_3"] == row["misconception_group_3_students"] == ""
    assert row["count_1"] == "3"  # the ungrouped column counts every wrong row, as before
