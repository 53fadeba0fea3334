"""Class sets (issue 9): quizgen make --versions N | --roster CSV, fair versions, combined PDFs, rebuild, Ctrl-C."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import unicodedata
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from conftest import one_line_exit_2, tampered
from conftest import quizgen_run as run
from quizgen import classset
from quizgen.errors import InputError
from quizgen.exact import is_decimal_text
from quizgen.generate import Options
from quizgen.roster import read_roster

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
CODE_ALPHABET = set("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")



# ---------------------------------------------------------------- fairness (no rendering)


@pytest.mark.parametrize("difficulty", ["easy", "medium", "hard"])
def test_versions_are_fair_and_all_different(difficulty: str) -> None:
    copt = classset.ClassOptions(Options(count=28, difficulty=difficulty))
    versions = classset.make_versions(copt, 11, [None] * 60)
    slots = classset.plan_slots(copt.options, 11)
    assert len({v.code for v in versions}) == 60
    assert all(set(v.code) <= CODE_ALPHABET and len(v.code) == 5 for v in versions)
    assert len({tuple((p.task.coeffs, p.task.point, p.task.start, p.task.at) for p in v.quiz.problems)
                for v in versions}) == 60
    for n, slot in enumerate(slots):
        problems = [v.quiz.problems[n] for v in versions]
        assert {p.kind for p in problems} == {slot.kind}
        # The same h and η in every version (so all decimal or all fractional)
        assert len({p.task.step for p in problems}) == 1
        assert len({p.task.rate for p in problems}) == 1
        assert len({p.task.style.decimal for p in problems}) == 1
        if slot.step is not None:
            assert problems[0].task.step == Fraction(slot.step) if "/" in slot.step else True
        # Answers of similar size: digit counts within the band, counted here independently.
        sizes = [sum(ch.isdigit() for ch in p.answer.plain) for p in problems]
        assert max(sizes) - min(sizes) <= 2 * classset.SIZE_SLACK, (slot, sizes)
        # Different numbers in most versions: a slot is not one problem copied 60 times.
        assert len({str(p.task) for p in problems}) > 20


@pytest.mark.parametrize("difficulty,degree,seed", [("easy", 2, 1), ("medium", 2, 1), ("hard", 2, 1), ("hard", 3, 6),
                                                 ("medium", 4, 5)])
def test_versions_work_with_the_same_kind_of_numbers(difficulty: str, degree: int, seed: int) -> None:
    """Was (seed 1, 30 versions, 119 of 180 slots over 9 runs): one version evaluated f(0) where the others
    evaluated f(3); whole-number answers beside fractions (medium gradient-step: 24 fractions, 2 whole),
    decimals beside whole numbers (hard evaluate: 8 and 19)."""
    copt = classset.ClassOptions(Options(count=20, difficulty=difficulty, degree=degree))
    versions = classset.make_versions(copt, seed, [None] * 30)
    for n in range(20):
        problems = [v.quiz.problems[n] for v in versions]
        fraction = {"/" in p.answer.plain for p in problems}
        decimal = {"." in p.answer.plain for p in problems}
        zero = {any(x == 0 for x in [p.task.point, p.task.start, *p.task.points, *p.task.at] if x is not None)
                for p in problems}
        assert len(fraction) == len(decimal) == 1, (n + 1, problems[0].kind, [p.answer.plain for p in problems])
        assert zero == {False}, (n + 1, problems[0].kind)


def test_slot_shapes_follow_the_run_seed_not_the_version() -> None:
    copt = classset.ClassOptions(Options(count=14))
    a = classset.make_versions(copt, 3, [None] * 5)
    b = classset.make_versions(copt, 3, [None] * 8)
    assert [v.quiz.problems for v in a] == [v.quiz.problems for v in b[:5]]  # growing the class changes no version
    steps = {p.task.step for v in a for p in v.quiz.problems if p.kind == "difference-quotient"}
    assert len(steps) == 1 and is_decimal_text(str(float(next(iter(steps))))) is not None


def test_pinned_everything_allows_one_version_only() -> None:
    copt = classset.ClassOptions(Options(function="3x^2-4x+5", point="2", step="0.001", kinds=("evaluate",)))
    with pytest.raises(InputError, match="different"):
        classset.make_versions(copt, 1, [None] * 2)


# ---------------------------------------------------------------- rosters


def roster(tmp_path: Path, data: bytes, name: str = "class.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_roster_as_spreadsheets_export_it(tmp_path: Path) -> None:
    bom_semicolon_crlf = roster(tmp_path, "\ufeffName;ID\r\nAda Lovelace;s1\r\n\r\nZoë Ñúñez;s2\r\n".encode())
    students, notes = read_roster(bom_semicolon_crlf)
    assert [(s.name, s.id) for s in students] == [("Ada Lovelace", "s1"), ("Zoë Ñúñez", "s2")] and notes == []
    first_last = roster(tmp_path, b"first,last\nAda,Lovelace\nBen,Okafor\n")
    assert [s.name for s in read_roster(first_last)[0]] == ["Ada Lovelace", "Ben Okafor"]
    cp1252 = roster(tmp_path, "name\r\nZoë Ñúñez\r\nRené\r\n".encode("cp1252"))
    students, notes = read_roster(cp1252)
    assert [s.name for s in students] == ["Zoë Ñúñez", "René"]
    assert len(notes) == 1 and "Windows-1252" in notes[0]


def test_duplicate_names_numbered_or_kept_apart_by_id(tmp_path: Path) -> None:
    students, notes = read_roster(roster(tmp_path, b"name\nAda\nBen\nAda\nAda\n"))
    assert [s.name for s in students] == ["Ada", "Ben", "Ada (2)", "Ada (3)"]
    assert "lines 2, 4, 5" in notes[0]
    students, notes = read_roster(roster(tmp_path, b"name,id\nAda,1\nAda,2\n"))
    assert [(s.name, s.id) for s in students] == [("Ada", "1"), ("Ada", "2")] and "ids" in notes[0]


@pytest.mark.parametrize("data, message", [
    (b"", "is empty"),
    (b"name\n\n", "no students"),
    (b"email,id\nada@x,1\n", ":1: no name column"),
    (b"name,id\nAda,1\nBen,1\n", ":3: id '1' is also on line 2"),
    (b"name\nAda\n\x81\x8d\x90\n", ":3: neither UTF-8 nor Windows-1252"),
    (b"name\nAda\x1b[31m\n", ":2: the name: character 4 is U+001B"),
    ("name\nAda\u202eevil\n".encode(), ":2: the name: character 4 is U+202E"),
    (b"name\nA\x00da\n", "NUL bytes"),
    # A byte-order mark inside the file (two exports joined with cat): was kept in the name, invisible on the
    # sheet, and `check` then matched no student "Bob".
    ("name\nAda\n\ufeffBob\n".encode(), ":3: the name: character 1 is U+FEFF"),
    (b"name,id\n,5\n", ":2: no name"),
])
def test_bad_rosters(tmp_path: Path, data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)):
        read_roster(roster(tmp_path, data))


def test_too_many_students(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=":202: more than 200"):
        read_roster(roster(tmp_path, b"name\n" + b"".join(b"S%d\n" % i for i in range(250))))


@pytest.mark.parametrize("args, message", [
    (["--versions", "0"], "--versions"),
    (["--versions", "201"], "--versions"),
    (["--versions", "2", "--roster", "class.csv"], "--versions N or --roster FILE"),
    (["--roster", "/dev/zero"], "/dev/zero: is not a regular file"),
    (["--roster", "."], ".: is a folder"),
    (["--roster", "empty.csv"], "empty.csv: is empty"),
    (["--roster", "noname.csv"], "noname.csv:1: no name column"),
    (["--rebuild", "ABCDE"], "--rebuild CODE and --manifest FILE go together"),
    (["--rebuild", "ABCDE", "--manifest", "class.csv"], "class.csv: cannot read it as JSON"),
])
def test_bad_class_options_one_line_exit_2_nothing_written(tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "class.csv").write_text("name\nAda\n")
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "noname.csv").write_text("mail\nada@x\n")
    before = sorted(os.listdir(tmp_path))
    result = run("make", *args, "--out", "out", cwd=tmp_path, timeout=120)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and message in result.stderr and "Traceback" not in result.stderr
    assert sorted(os.listdir(tmp_path)) == before


# ---------------------------------------------------------------- one real class run, read back


@pytest.fixture(scope="module")
def class_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("class")
    # Rows as Excel on Windows saves them: semicolons, CRLF, Windows-1252; a name that is HTML.
    (tmp / "class.csv").write_bytes("Last;First;ID\r\nLovelace;Ada;s1\r\nOkafor;<b>Ben</b> & co;s2\r\nNúñez;Zoë;s3\r\n"
                                    .encode("cp1252"))
    result = run("make", "--roster", "class.csv", "--count", "5", "--seed", "9", "--out", "friday", cwd=tmp)
    assert result.returncode == 0, result.stderr
    assert "Windows-1252" in result.stderr
    return tmp


def test_manifest_matches_the_contract(class_run: Path) -> None:
    data = json.loads((class_run / "friday" / "manifest.json").read_text())
    assert set(data) == {"quizgen", "format", "seed", "title", "options", "versions"} and data["seed"] == 9
    assert [v["student"] for v in data["versions"]] == [
        {"name": "Ada Lovelace", "id": "s1"}, {"name": "<b>Ben</b> & co Okafor", "id": "s2"},
        {"name": "Zoë Núñez", "id": "s3"}]
    for v in data["versions"]:
        assert v["folder"] == f"{data['versions'].index(v) + 1:02d}-{v['code']}"
        quiz = json.loads((class_run / "friday" / v["folder"] / "quiz.json").read_text())
        assert quiz["version"] == v["code"] and quiz["student"] == v["student"] and quiz["seed"] == v["seed"]
    assert sorted(os.listdir(class_run / "friday")) == sorted(
        [v["folder"] for v in data["versions"]] + ["manifest.json", "all-worksheets.pdf", "all-keys.pdf",
                                                   "answers.pdf"])


def test_names_escaped_in_html(class_run: Path) -> None:
    data = json.loads((class_run / "friday" / "manifest.json").read_text())
    html = (class_run / "friday" / data["versions"][1]["folder"] / "worksheet.html").read_text()
    assert "&lt;b&gt;Ben&lt;/b&gt; &amp; co Okafor" in html and "<b>Ben</b>" not in html


def page_texts(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [unicodedata.normalize("NFKC", page.extract_text() or "") for page in PdfReader(path).pages]


@pytest.mark.parametrize("combined, single", [("all-worksheets.pdf", "worksheet.pdf"), ("all-keys.pdf", "key.pdf")])
def test_combined_pdf_each_student_starts_on_an_odd_page(class_run: Path, combined: str, single: str) -> None:
    folder = class_run / "friday"
    data = json.loads((folder / "manifest.json").read_text())
    pages = page_texts(folder / combined)
    starts = [i for i, text in enumerate(pages) if "Page 1 of" in text]
    assert len(starts) == 3
    for n, (start, v) in enumerate(zip(starts, data["versions"])):
        assert start % 2 == 0  # 0-based even = printed page 1, 3, 5 …: a right-hand page
        own = len(page_texts(folder / v["folder"] / single))
        end = starts[n + 1] if n + 1 < len(starts) else len(pages)
        assert end - start == own + (own % 2 if n + 1 < len(starts) else 0)
        assert all(t.strip() == "" for t in pages[start + own:end])  # the added pages are blank
        for text in pages[start:start + own]:
            assert f"version {v['code']}" in text  # the code on every page
        assert v["student"]["name"].split()[0].replace("<b>", "") in pages[start].replace("<b>", "")
    sub = subprocess.run(["pdfinfo", str(folder / combined)], capture_output=True, text=True)
    assert "Tagged:          yes" in sub.stdout
    # Page objects copied, not re-rendered, and stored compactly: about the size of the parts together.
    parts = sum((folder / v["folder"] / single).stat().st_size for v in data["versions"])
    assert (folder / combined).stat().st_size < 1.2 * parts


def test_names_read_back_from_the_worksheets(class_run: Path) -> None:
    text = subprocess.run(["pdftotext", str(class_run / "friday" / "all-worksheets.pdf"), "-"], capture_output=True,
                          text=True).stdout
    for name in ("Ada Lovelace", "<b>Ben</b> & co Okafor", "Zoë Núñez"):
        assert name in text
    answers = subprocess.run(["pdftotext", "-layout", str(class_run / "friday" / "answers.pdf"), "-"],
                             capture_output=True, text=True).stdout
    data = json.loads((class_run / "friday" / "manifest.json").read_text())
    for v in data["versions"]:
        assert v["code"] in answers
        quiz = json.loads((class_run / "friday" / v["folder"] / "quiz.json").read_text())
        first = quiz["problems"][0]["answer_text"]
        assert first.replace("-", "−") in answers or first in answers


def test_rebuild_is_byte_identical(class_run: Path) -> None:
    data = json.loads((class_run / "friday" / "manifest.json").read_text())
    v = data["versions"][2]
    result = run("make", "--rebuild", v["code"].lower(), "--manifest", "friday/manifest.json", "--out", "again",
                 cwd=class_run)
    assert result.returncode == 0, result.stderr
    for name in ("worksheet.html", "key.html", "quiz.json", "practice.html"):
        assert (class_run / "again" / name).read_bytes() == (class_run / "friday" / v["folder"] / name).read_bytes()


def test_rebuild_unknown_code(class_run: Path) -> None:
    result = run("make", "--rebuild", "ZZZZZ", "--manifest", "friday/manifest.json", "--out", "x", cwd=class_run)
    assert result.returncode == 2 and "no version with that code" in result.stderr
    assert not (class_run / "x").exists()


# ---------------------------------------------------------------- Ctrl-C


def test_ctrl_c_leaves_the_folder_as_it_was_and_a_rerun_finishes(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "manifest.json").write_text("{}\n")  # an earlier run's file
    args = [sys.executable, "-m", "quizgen", "make", "--versions", "6", "--count", "4", "--seed", "1", "--out", "out"]
    proc = subprocess.Popen(args, cwd=tmp_path, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    staging = None
    while time.monotonic() < deadline:  # wait until the first version's folder is in the staging folder
        found = [p for p in tmp_path.glob(".out.quizgen-new-*/*") if p.is_dir() and not p.name.endswith(".tmp")]
        if found:
            staging = found[0].parent
            break
        time.sleep(0.05)
    assert staging is not None, proc.communicate()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    kept = [name for name in os.listdir(tmp_path) if name.startswith(".out.quizgen-part-")]
    assert sorted(os.listdir(tmp_path)) == sorted([".out.quizgen-lock", "out", *kept]) and len(kept) == 1
    assert os.listdir(tmp_path / "out") == ["manifest.json"]  # --out as it was
    assert (tmp_path / "out" / "manifest.json").read_text() == "{}\n"
    # What the interrupted run kept: whole version folders only, no PDF of the combined set.
    for entry in os.listdir(tmp_path / kept[0]):
        assert classset.FOLDER.match(entry) or entry.endswith(".tmp"), entry
    again = subprocess.run(args, cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert "resuming: " in again.stderr
    assert sorted(os.listdir(tmp_path)) == [".out.quizgen-lock", "out"]
    data = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert len(data["versions"]) == 6
    for v in data["versions"]:
        assert sorted(os.listdir(tmp_path / "out" / v["folder"])) == [
            "key.html", "key.pdf", "practice.html", "quiz.json", "worksheet.html", "worksheet.pdf"]
    texts = page_texts(tmp_path / "out" / "all-worksheets.pdf")
    assert sum("Page 1 of" in t for t in texts) == 6


def test_an_interrupted_run_with_other_options_is_not_resumed(tmp_path: Path) -> None:
    part = tmp_path / ".out.quizgen-part-0123456789abcdef"
    (part / "01-AAAAA").mkdir(parents=True)
    result = run("make", "--versions", "2", "--count", "2", "--format", "json", "--seed", "3", "--out", "out",
                 cwd=tmp_path)
    assert result.returncode == 0 and "resuming" not in result.stderr
    assert sorted(os.listdir(tmp_path)) == [".out.quizgen-lock", "out"]


# ---------------------------------------------------------------- progress bar


def _stderr_of(tmp_path: Path, extra: list[str], tty: bool) -> str:
    import pty

    args = [sys.executable, "-m", "quizgen", "make", "--versions", "3", "--count", "2", "--format", "json",
            "--seed", "1", "--out", "o", *extra]
    if not tty:
        return subprocess.run(args, cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=300).stderr
    master, slave = pty.openpty()
    proc = subprocess.Popen(args, cwd=tmp_path, env=ENV, stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=300)
    os.close(master)
    assert proc.returncode == 0
    return b"".join(chunks).decode(errors="replace")


def test_progress_bar_only_on_a_terminal_and_not_with_quiet(tmp_path: Path) -> None:
    shown = _stderr_of(tmp_path, [], tty=True)
    assert "drawing" in shown and "rendering" in shown and "/3 [" in shown
    assert "rendering" not in _stderr_of(tmp_path, ["--quiet"], tty=True)
    assert _stderr_of(tmp_path, [], tty=False) == ""


def test_out_may_hold_a_single_run_but_not_other_files(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "quiz.json").write_text("{}\n")  # a single run's file: replaced
    result = run("make", "--versions", "2", "--count", "2", "--format", "json", "--seed", "3", "--out", "out",
                 cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "quiz.json" not in os.listdir(tmp_path / "out") and "manifest.json" in os.listdir(tmp_path / "out")
    (tmp_path / "out" / "notes.txt").write_text("mine\n")
    result = run("make", "--versions", "2", "--count", "2", "--format", "json", "--seed", "4", "--out", "out",
                 cwd=tmp_path)
    assert result.returncode == 2 and "notes.txt" in result.stderr
    assert (tmp_path / "out" / "notes.txt").read_text() == "mine\n"


# ---------------------------------------------------------------- a tampered manifest, an unclosed quote
# (attacker's reproductions: tracebacks, empty --out folders, ESC into the terminal, a flag never typed)


@pytest.mark.parametrize("key,value", [
    ("count", "5"),            # was: TypeError: '<=' not supported between 'int' and 'str'
    ("degree", [2]),           # was: TypeError from int()
    ("paper", "a0"),           # was: KeyError: 'a0' (with formats ["pdf"])
    ("formats", "json"),       # was: exit 0, an empty --out folder
    ("formats", ["../../x"]),  # was: exit 0, an empty --out folder
    ("layout", {"a": 1}),      # was: accepted
    ("answer_bank", "yes"),    # was: accepted
])
def test_rebuild_refuses_a_manifest_option_of_the_wrong_type(json_set: Path, key: str, value: object) -> None:
    def change(m: dict[str, Any]) -> None:
        m["options"][key] = value
        if key == "paper":
            m["options"]["formats"] = ["pdf"]
    code = json.loads((json_set / "cs" / "manifest.json").read_text())["versions"][0]["code"]
    done = run("make", "--rebuild", code, "--manifest", tampered(json_set, f"m-{key}.json", change),
               "--out", f"rb-{key}", cwd=json_set)
    one_line_exit_2(done, "--manifest", f"m-{key}.json: options.{key}: ")
    assert not (json_set / f"rb-{key}").exists()


@pytest.mark.parametrize("name", ["A\x1b[2JB", "Ada\u202eecalvoL", ["x"]])
def test_rebuild_refuses_a_student_name_the_roster_would_refuse(json_set: Path, name: object) -> None:
    """The roster refuses ESC and bidi overrides; a tampered manifest got them onto the sheets and, raw, into
    the terminal ("version D69E4 (A\\x1b[2JB) of class seed 9": ESC[2J clears the screen)."""
    def change(m: dict[str, Any]) -> None:
        m["versions"][0]["student"] = {"name": name, "id": "1"}
    code = json.loads((json_set / "cs" / "manifest.json").read_text())["versions"][0]["code"]
    done = run("make", "--rebuild", code, "--manifest", tampered(json_set, "m-student.json", change),
               "--out", "rb-student", cwd=json_set)
    one_line_exit_2(done, "--manifest", "versions[0].student.name")
    assert "\x1b" not in done.stdout + done.stderr
    assert not (json_set / "rb-student").exists()


def test_rebuild_errors_name_the_manifest_not_a_flag_never_given(json_set: Path) -> None:
    """Was: 'Error: --count 1000000000: choose 1 to 500' although no --count was typed."""
    code = json.loads((json_set / "cs" / "manifest.json").read_text())["versions"][0]["code"]
    done = run("make", "--rebuild", code, "--manifest",
               tampered(json_set, "m-count.json", lambda m: m["options"].update(count=10**9)),
               "--out", "rb-count", cwd=json_set)
    one_line_exit_2(done, "--manifest cs/m-count.json: options.count: 1000000000: choose 1 to ")
    assert "--count" not in done.stderr


def test_rebuild_mismatch_error_shows_the_manifests_quizgen_clipped_and_escaped(json_set: Path) -> None:
    """Was: the manifest's "quizgen" value printed raw in the "comes out differently" error: a 2 MB line,
    escape sequences passed to the terminal."""
    def change(m: dict[str, Any]) -> None:
        m["quizgen"] = "\x1b[2J" + "A" * 100_000
        m["versions"][0]["seed"] = 1  # so the version comes out differently
    code = json.loads((json_set / "cs" / "manifest.json").read_text())["versions"][0]["code"]
    done = run("make", "--rebuild", code, "--manifest", tampered(json_set, "m-quizgen.json", change),
               "--out", "rb-quizgen", cwd=json_set)
    one_line_exit_2(done, "--manifest", f"version {code} comes out differently", "manifest made by \"\\u001b[2JAAA")
    assert len(done.stderr) < 400, len(done.stderr)
    assert not (json_set / "rb-quizgen").exists()


def test_rebuild_of_an_untampered_manifest_still_works(json_set: Path) -> None:
    v = json.loads((json_set / "cs" / "manifest.json").read_text())["versions"][1]
    done = run("make", "--rebuild", v["code"], "--manifest", "cs/manifest.json", "--out", "rb-ok", cwd=json_set)
    assert done.returncode == 0, done.stderr
    assert (json_set / "rb-ok" / "quiz.json").read_bytes() == (json_set / "cs" / v["folder"] / "quiz.json").read_bytes()


def test_an_unclosed_quote_in_a_roster_is_reported_as_such(tmp_path: Path) -> None:
    """Was: 'r.csv:2: the name has 290 characters; at most 100' (the quote swallowed the next lines)."""
    (tmp_path / "r.csv").write_text("name,id\n\"Ada,1\nBen,2\n" + "".join(f"S{i},{i}\n" for i in range(50)))
    done = run("make", "--roster", "r.csv", "--count", "1", "--format", "json", "--out", "o", cwd=tmp_path)
    one_line_exit_2(done, "r.csv:2", "quote")
    assert not (tmp_path / "o").exists()


def test_roster_line_numbers_count_blank_lines_and_quoted_cells(tmp_path: Path) -> None:
    path = roster(tmp_path, b'name,id\n"Lovelace, Ada",1\n\nBen,2\nA\x07B,3\n')
    with pytest.raises(InputError, match=r"class.csv:5: the name: character 2 is U\+0007"):
        read_roster(path)


def test_one_version_summary_uses_singular_forms(tmp_path: Path) -> None:
    done = run("make", "--versions", "1", "--count", "1", "--seed", "3", "--format", "json", "--out", "one",
               cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "· 1 version · 1 problem each →" in done.stdout and "(manifest.json, 1 folder)" in done.stdout, done.stdout


@pytest.mark.parametrize("proc", ["/proc/self/pagemap", "/proc/kmsg"])
@pytest.mark.parametrize("args", [
    ["make", "--rebuild", "X", "--manifest", "{}", "--out", "rb"],
    ["check", "--manifest", "{}", "--answers", "a.csv"],
    ["check", "--quiz", "{}", "--answers", "a.csv"],
    ["make", "--roster", "{}", "--out", "rb"],
])
def test_proc_files_are_refused_in_one_line_never_waited_on(tmp_path: Path, proc: str, args: list[str]) -> None:
    """Files that stat calls regular: /proc/self/pagemap's read fails with EINVAL (check --manifest gave an
    OSError traceback) and /proc/kmsg's read waits for the kernel (make --rebuild --manifest, check --manifest
    and make --roster hung)."""
    if not os.access(proc, os.R_OK):
        pytest.skip(f"{proc} is not readable here")
    (tmp_path / "a.csv").write_text("student,1\nAnn,3\n")
    try:
        done = run(*[a.replace("{}", proc) for a in args], cwd=tmp_path, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("waited on " + proc)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert proc in done.stderr
    assert not (tmp_path / "rb").exists()


def test_a_rendering_worker_forgets_its_memos_after_each_version() -> None:
    """The memo caches a version fills (written numbers, parsed formulas, secant plans, …) are
    emptied after it, so a worker does not grow over a class; the one-entry caches (fonts,
    the measuring renderer) are kept. The output does not depend on them:
    test_rebuild_is_byte_identical rebuilds in one process a version a worker made after others."""
    from quizgen import choices, exact, graphs, mathtex, plots
    from quizgen.generate import make_quiz
    from quizgen.render import build_files

    quiz = make_quiz(Options(count=6), 11)
    build_files(quiz, ["html", "json"])
    modules = (choices, exact, graphs, mathtex, plots)

    def memos() -> dict[str, int]:
        sizes = {f"{m.__name__}.{name}": value.cache_info().currsize for m in modules
                 for name, value in vars(m).items()
                 if hasattr(value, "cache_info") and getattr(value, "__module__", None) == m.__name__
                 and (value.cache_info().maxsize or 2) > 1}
        sizes.update({"exact._FORMS": len(exact._FORMS), "exact._POLY_FORMS": len(exact._POLY_FORMS),
                      "plots._READY": len(plots._READY)})
        return sizes

    assert sum(memos().values()) > 0  # the version filled some
    kept = {name: value.cache_info().currsize for name, value in vars(plots).items()
            if hasattr(value, "cache_info") and value.cache_info().maxsize == 1}
    classset._forget_memos()
    assert memos() == dict.fromkeys(memos(), 0)
    assert {name: value.cache_info().currsize for name, value in vars(plots).items()
            if hasattr(value, "cache_info") and value.cache_info().maxsize == 1} == kept
