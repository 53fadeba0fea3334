"""quizgen check as a user runs it: bounded, refusing inputs, safe reports (real processes where a
hang or a traceback is the failure)."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import quizgen
from conftest import WALKTHROUGH
from quizgen.cli import main
from quizgen.grading import MAX_ANSWERS_BYTES, MAX_QUIZ_BYTES

ROOT = Path(quizgen.__file__).resolve().parents[1]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def process(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The real command in a fresh interpreter: a hang fails the test instead of stalling it."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-m", "quizgen", *args], capture_output=True, text=True, timeout=timeout, env=env)


def one_line_error(code: int, err: str, *needles: str) -> None:
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err, err


@pytest.fixture(scope="module")
def quiz_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("check-cli")
    code, _, err = run("make", *WALKTHROUGH, "--format", "json", "--out", str(out))
    assert code == 0, err
    return out / "quiz.json"


@pytest.fixture()
def answers(tmp_path: Path) -> Path:
    path = tmp_path / "answers.csv"
    path.write_text("student,problem,answer\nAda,1,9\nBob,1,=1+1\n", encoding="utf-8")
    return path


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


# ---------------------------------------------------------------- refusing inputs


@pytest.mark.parametrize("option", ["--quiz", "--answers"])
@pytest.mark.parametrize("device", ["/dev/zero", "fifo", "folder"])
def test_devices_fifos_and_folders_are_refused_at_once(quiz_path: Path, tmp_path: Path, option: str, device: str) -> None:
    # Before: /dev/zero was read until memory ran out, a FIFO waited forever for a writer.
    if device == "fifo":
        path = tmp_path / "pipe"
        os.mkfifo(path)
    elif device == "folder":
        path = tmp_path / "folder"
        path.mkdir()
    else:
        path = Path(device)
    args = {"--quiz": str(quiz_path), "--answers": str(tmp_path / "answers.csv")}
    (tmp_path / "answers.csv").write_text("student,problem,answer\n")
    args[option] = str(path)
    done = process("check", "--quiz", args["--quiz"], "--answers", args["--answers"], "--report", str(tmp_path / "r.csv"))
    one_line_error(done.returncode, done.stderr, option)
    assert not (tmp_path / "r.csv").exists()


@pytest.mark.parametrize(("option", "limit"), [("--quiz", MAX_QUIZ_BYTES), ("--answers", MAX_ANSWERS_BYTES)])
def test_files_past_the_size_limit_are_refused_before_reading(quiz_path: Path, tmp_path: Path, option: str, limit: int) -> None:
    big = tmp_path / "big"
    with big.open("wb") as f:
        f.truncate(limit + 1)  # sparse: no disk space used
    args = {"--quiz": str(quiz_path), "--answers": str(tmp_path / "answers.csv")}
    (tmp_path / "answers.csv").write_text("student,problem,answer\n")
    args[option] = str(big)
    code, _, err = run("check", "--quiz", args["--quiz"], "--answers", args["--answers"])
    one_line_error(code, err, option, f"more than the limit of {limit:,}")


def test_a_missing_answers_file_is_one_line(quiz_path: Path, tmp_path: Path) -> None:
    code, _, err = run("check", "--quiz", str(quiz_path), "--answers", str(tmp_path / "missing.csv"))
    one_line_error(code, err, "--answers", "cannot read", "missing.csv")


# ---------------------------------------------------------------- tampered quiz.json


def tampered(quiz_path: Path, tmp_path: Path, change: str) -> Path:
    quiz = json.loads(quiz_path.read_text(encoding="utf-8"))
    first = quiz["problems"][0]
    if change == "number-list":
        first["number"] = [1]
    elif change == "tolerance-string":
        first["tolerance"] = "0.01"
    elif change == "mistakes-5":
        first["mistakes"] = 5
    elif change == "no-answer":
        del first["answer"]
    elif change == "problems-object":
        quiz["problems"] = {"1": first}
    text = json.dumps(quiz)
    if change == "5000-digits":
        text = text.replace('"number": 1,', '"number": 1' + "0" * 5000 + ",", 1)
    elif change == "nested-1e5":
        text = "[" * 100_000 + "]" * 100_000
    path = tmp_path / "quiz.json"
    path.write_text(text, encoding="utf-8")
    return path


CHANGES = {
    "number-list": "problem entry 1: 'number' must be a whole number, not a list",
    "tolerance-string": "problem 1 (entry 1): 'tolerance' must be an object",
    "mistakes-5": "problem 1 (entry 1): 'mistakes' must be a list of [answer, feedback] pairs, not a whole number",
    "no-answer": "problem 1 (entry 1) has no 'answer'",
    "problems-object": "'problems' must be a list, not an object",
    "5000-digits": "a number with 5,001 digits (at most 30)",
    "nested-1e5": "nested too deeply",
}


@pytest.mark.parametrize("change", list(CHANGES))
@pytest.mark.parametrize("mode", ["one", "class"])
def test_a_tampered_quiz_json_is_one_line_naming_the_file(quiz_path: Path, tmp_path: Path, answers: Path,
                                                          change: str, mode: str) -> None:
    # Before: tracebacks (a string tolerance, mistakes: 5, 5000 digits, deep nesting) or silent warnings.
    bad = tampered(quiz_path, tmp_path, change)
    before = files(tmp_path)
    if mode == "one":
        code, out, err = run("check", "--quiz", str(bad), "--problem", "1", "--answer", "9")
    else:
        code, out, err = run("check", "--quiz", str(bad), "--answers", str(answers))
    one_line_error(code, err, "--quiz", str(bad), CHANGES[change])
    assert out == "" and files(tmp_path) == before


def test_a_huge_problem_number_on_the_command_line_is_clipped(quiz_path: Path) -> None:
    code, _, err = run("check", "--quiz", str(quiz_path), "--problem", "9" * 5000, "--answer", "1")
    one_line_error(code, err, "--problem", "is not a whole number", "…")
    assert len(err) < 200


def test_one_answer_still_checks(quiz_path: Path) -> None:
    code, out, _ = run("check", "--quiz", str(quiz_path), "--problem", "1", "--answer", "9")
    assert (code, out) == (0, "correct: Correct.\n")


# ---------------------------------------------------------------- the report


def test_the_report_has_the_umask_mode_and_neutralised_cells(quiz_path: Path, answers: Path, tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        code, out, err = run("check", "--quiz", str(quiz_path), "--answers", str(answers))
    finally:
        os.umask(old)
    assert code == 0, err
    report = tmp_path / "answers-report.csv"
    assert stat.S_IMODE(report.stat().st_mode) == 0o640  # mkstemp's 0600 before
    rows = list(csv.reader(io.StringIO(report.read_text(encoding="utf-8"), newline="")))
    assert rows[1][:5] == ["2", "Ada", "1", "9", "correct"]
    assert rows[2][3] == "'=1+1"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answers-report.csv", "answers.csv"]


@pytest.mark.parametrize("how", ["same-path", "symlink", "hard-link", "relative-path"])
@pytest.mark.parametrize("victim", ["answers", "quiz"])
def test_the_report_may_not_overwrite_an_input(quiz_path: Path, answers: Path, tmp_path: Path, how: str,
                                               victim: str, monkeypatch: pytest.MonkeyPatch) -> None:
    quiz = tmp_path / "quiz.json"
    quiz.write_bytes(quiz_path.read_bytes())
    target = answers if victim == "answers" else quiz
    report = tmp_path / "report.csv"
    if how == "same-path":
        report = target
    elif how == "symlink":
        report.symlink_to(target)
    elif how == "hard-link":
        os.link(target, report)
    else:
        monkeypatch.chdir(tmp_path)
        report = Path(".") / ".." / tmp_path.name / target.name
    before = files(tmp_path)
    code, out, err = run("check", "--quiz", str(quiz), "--answers", str(answers), "--report", str(report))
    one_line_error(code, err, "--report", "would overwrite it")
    assert out == "" and files(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(before)  # no temporary file left
    assert report.is_symlink() == (how == "symlink")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("option", ["--report", "--stats", "--gradebook"])
@pytest.mark.parametrize("kind", ["fifo", "socket"])
def test_an_output_that_is_a_pipe_or_socket_is_refused_and_left_alone(quiz_path: Path, answers: Path, tmp_path: Path,
                                                                       option: str, kind: str) -> None:
    """The write renames a new file over the path: `--report /dev/null` run as root replaced the
    device node with a regular file (found by the attacker session; repaired by hand). A FIFO
    or a socket stands in for the device here: before the fix each became a regular file, exit 0."""
    import socket

    special = tmp_path / "special"
    if kind == "fifo":
        os.mkfifo(special)
    else:
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(special))
        sock.close()
    args = ["check", "--quiz", str(quiz_path), "--answers", str(answers)]
    if option != "--report":
        args += ["--report", str(tmp_path / "report.csv")]
    code, out, err = run(*args, option, str(special))
    one_line_error(code, err, option, "not a regular file")
    mode = os.lstat(special).st_mode
    assert stat.S_ISFIFO(mode) if kind == "fifo" else stat.S_ISSOCK(mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answers.csv", "special"]  # nothing written


@pytest.mark.parametrize("option", ["--stats", "--gradebook"])
def test_stats_or_gradebook_onto_an_input_names_its_own_option(quiz_path: Path, answers: Path, tmp_path: Path,
                                                                option: str) -> None:
    before = answers.read_bytes()
    code, _, err = run("check", "--quiz", str(quiz_path), "--answers", str(answers),
                       "--report", str(tmp_path / "r.csv"), option, str(answers))
    one_line_error(code, err, f"'{option}'", "would overwrite it")  # said '--report' before
    assert answers.read_bytes() == before and not (tmp_path / "r.csv").exists()


def test_temporary_files_of_a_killed_run_are_removed_and_a_live_runs_are_kept(quiz_path: Path, answers: Path,
                                                                                tmp_path: Path) -> None:
    """kill -9 during grading left `.report.csv.XXXXXXXX.tmp` (2 MB after 3 s of a 600,000-row file) and
    `.stats.csv.XXXXXXXX.tmp` for good. A dead run's file holds no lock; one a live run is writing
    does (here this test process holds it) and must not be taken."""
    import fcntl

    dead = [tmp_path / ".report.csv.d9zwk2ol.tmp", tmp_path / ".stats.csv.f23o0ljy.tmp"]
    for path in dead:
        path.write_text("line,student\n2,half a ro")
    live = tmp_path / ".report.csv.abcd_123.tmp"
    live.write_text("being written")
    with open(live) as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        code, _, err = run("check", "--quiz", str(quiz_path), "--answers", str(answers),
                           "--report", str(tmp_path / "report.csv"), "--stats", str(tmp_path / "stats.csv"))
        assert code == 0, err
        assert not any(path.exists() for path in dead)
        assert live.read_text() == "being written"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".report.csv.abcd_123.tmp", "answers.csv", "report.csv",
                                                           "stats.csv"]


@pytest.mark.skipif(not Path("/proc").exists(), reason="real kill -9")
def test_kill_9_while_grading_then_a_rerun_leaves_only_the_report(quiz_path: Path, tmp_path: Path) -> None:
    import random
    import signal
    import time

    rng = random.Random(5)
    big = tmp_path / "big.csv"
    big.write_text("student,problem,answer\n" + "".join(f"S{i % 5000},{1 + i % 3},{rng.randint(-500, 500)}\n"
                                                          for i in range(400_000)))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    report = tmp_path / "report.csv"
    proc = subprocess.Popen([sys.executable, "-m", "quizgen", "check", "--quiz", str(quiz_path), "--answers", str(big),
                             "--report", str(report)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".report.csv.*.tmp")) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    small = tmp_path / "small.csv"
    small.write_text("student,problem,answer\nAda,1,9\n")
    done = process("check", "--quiz", str(quiz_path), "--answers", str(small), "--report", str(report))
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.csv", "report.csv", "small.csv"]


def test_an_unwritable_report_folder_is_one_line(quiz_path: Path, answers: Path, tmp_path: Path) -> None:
    code, _, err = run("check", "--quiz", str(quiz_path), "--answers", str(answers), "--report", str(tmp_path / "no" / "r.csv"))
    one_line_error(code, err, "--report", "cannot write")


# ---------------------------------------------------------------- big classes


def test_a_200_kb_answer_and_a_5000_digit_problem_are_not_echoed_whole(quiz_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "answers.csv"
    path.write_text("student,problem,answer\n"
                    f"Ada,1,{'x' * 200_000}\n"
                    f"Bob,{'7' * 5000},1\n"
                    f"{'C' * 199},1,{'y' * 50_000}\n", encoding="utf-8")
    code, out, err = run("check", "--quiz", str(quiz_path), "--answers", str(path))
    assert code == 0, err[:500]
    assert len(out) + len(err) < 2_000, (out[:300], err[:300])
    assert "line 2: this row is 200,007 characters long (at most 100,000): skipped" in err
    assert "line 3: problem number '" + "7" * 59 + "…' is not a whole number" in err
    rows = list(csv.reader(io.StringIO((tmp_path / "answers-report.csv").read_text(encoding="utf-8"), newline="")))
    assert [r[4] for r in rows[1:]] == ["error", "error", "invalid"]
    assert rows[3][3] == "y" * 50_000  # the report keeps what was typed


def test_warnings_are_summarised_not_printed_per_row(quiz_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "answers.csv"
    rows = ["student,problem,answer"] + [f"S{i % 100},1,9" for i in range(5_000)] + ["Ann,x,1"] * 500
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, out, err = run("check", "--quiz", str(quiz_path), "--answers", str(path))
    assert code == 0
    lines = err.splitlines()
    assert len(lines) == 22, err
    assert lines[-2].endswith("… and 480 more rows that could not be graded (status 'error' in the report)")
    assert "4,900 answers to a problem the same student answered before (the last answer counts), e.g. line 102: S0" in lines[-1]
    assert len(out.splitlines()) == 2 + 100 + 1  # table head, students, "report: …"


def test_an_unclosed_quote_in_a_big_class_skips_one_row(quiz_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "answers.csv"
    rows = ["student,problem,answer", 'Ann,1,"9'] + [f"S{i},1,9" for i in range(13_000)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, out, err = run("check", "--quiz", str(quiz_path), "--answers", str(path))
    assert code == 0
    assert err.strip().endswith("line 2: a double quote opened in this row is not closed within 20 lines: this row is "
                                "skipped (1 row) and the lines after it are read as rows of their own")
    assert len(out.splitlines()) == 2 + 13_000 + 1


def test_control_characters_in_file_names_are_not_echoed(tmp_path: Path, answers: Path) -> None:
    bad = tmp_path / "q\x1b]0;owned\x07.json"  # a terminal title escape (click strips only colour codes)
    code, _, err = run("check", "--quiz", str(bad), "--answers", str(answers))
    one_line_error(code, err, "--quiz", "cannot read")
    assert "\x1b" not in err and "\x07" not in err
