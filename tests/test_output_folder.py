"""The output folder is one unit (issue 7 item 3): whatever a reader finds in --out is one run's
complete set, interrupted runs leave nothing a rerun does not clear, concurrent runs take
turns, full disks and odd folders give one-line errors with nothing changed, files get the
user's umask, and worker processes end when quizgen is killed.

Real processes throughout: `python -m quizgen make` in a subprocess, paused at a named step
by the QUIZGEN_TEST_PAUSE hook (quizgen/workers.py) and killed there with SIGKILL.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Quick sets (no PDF, no pictures): the folder logic does not care what the bytes are.
QUICK = ["--count", "2", "--kind", "evaluate", "--format", "html,json,practice"]


def env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("QUIZGEN_TEST_")}
    return {**base, "PYTHONPATH": str(ROOT), **extra}


def make(out: Path, seed: int, *args: str, cwd: Path | None = None, preexec=None,
         **extra: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "quizgen", "make", "--seed", str(seed), *(args or QUICK), "--out", str(out)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env(**extra), cwd=cwd or ROOT,
                          preexec_fn=preexec)


def start(out: Path, seed: int, *args: str, stderr: Path | None = None, **extra: str) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "quizgen", "make", "--seed", str(seed), *(args or QUICK), "--out", str(out)]
    if stderr is None:
        return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env(**extra), cwd=ROOT)
    with open(stderr, "w") as err:  # the child keeps its own copy
        return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=env(**extra), cwd=ROOT)


def wait_for(check, what: str, proc: subprocess.Popen[bytes] | None = None, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"quizgen exited ({proc.returncode}) before {what}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


def paused(flag: Path, proc: subprocess.Popen[bytes]) -> None:
    """Wait until the process has reached its pause point (it wrote its pid into `flag`)."""
    wait_for(lambda: flag.exists() and flag.read_text().strip() == str(proc.pid), "the pause point", proc)


@pytest.fixture(scope="module")
def sets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, bytes]]:
    """Reference sets A (seed 1) and B (seed 2), each made once; the same seed gives the same bytes."""
    refs = {}
    for label, seed in (("A", 1), ("B", 2)):
        out = tmp_path_factory.mktemp("refs") / label
        done = make(out, seed)
        assert done.returncode == 0, done.stderr
        refs[label] = {p.name: p.read_bytes() for p in out.iterdir()}
    assert refs["A"].keys() == refs["B"].keys() == {"worksheet.html", "key.html", "quiz.json", "practice.html"}
    assert all(refs["A"][n] != refs["B"][n] for n in refs["A"])
    return refs


def state(out: Path, sets: dict[str, dict[str, bytes]]) -> str:
    """What a reader of `out` finds: "A", "B" or "missing" — anything else fails the test."""
    if not out.exists():
        return "missing"
    found = {p.name: p.read_bytes() for p in out.iterdir()}
    for label, files in sets.items():
        if found == files:
            return label
    pytest.fail(f"{out} holds a mix or a partial set: {sorted(found)}; "
                + ", ".join(f"{n}: " + "/".join(lb for lb, fs in sets.items() if fs.get(n) == b) for n, b in found.items()))


def beside(out: Path) -> list[str]:
    return sorted(os.listdir(out.parent))


def put(out: Path, files: dict[str, bytes]) -> None:
    out.mkdir()
    for name, data in files.items():
        (out / name).write_bytes(data)


# -- kill -9 at each step -------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("point", "no_exchange", "while_paused"),
    [
        ("writing", False, "A"),  # one file of the new set written into the staging folder
        ("staged", False, "A"),  # every new file on disk, not yet swapped in
        ("swapped", False, "B"),  # swapped in; the old set not yet removed
        ("moved-away", True, "missing"),  # no RENAME_EXCHANGE: between the two renames
    ],
)
def test_kill_9_at_each_step_leaves_one_complete_set_and_a_rerun_clears_the_rest(
    tmp_path: Path, sets: dict[str, dict[str, bytes]], point: str, no_exchange: bool, while_paused: str
) -> None:
    out = tmp_path / "out"
    put(out, sets["A"])
    flag = tmp_path / "paused"
    extra = {"QUIZGEN_TEST_NO_EXCHANGE": "1"} if no_exchange else {}
    proc = start(out, 2, QUIZGEN_TEST_PAUSE=point, QUIZGEN_TEST_PAUSE_FILE=str(flag), **extra)
    try:
        paused(flag, proc)
        assert state(out, sets) == while_paused
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    finally:
        proc.kill()
    assert state(out, sets) == while_paused
    left = [name for name in beside(out) if name not in ("out", "paused", ".out.quizgen-lock")]
    assert left, "the kill should have left a staging or old folder behind"

    rerun = make(out, 2)
    assert rerun.returncode == 0, rerun.stderr
    assert state(out, sets) == "B"
    assert beside(out) == [".out.quizgen-lock", "out", "paused"]


def test_old_versions_temp_files_are_removed_by_a_run(tmp_path: Path, sets: dict[str, dict[str, bytes]]) -> None:
    """write_files used to leave .NAME.XXXXXXXX.tmp in --out when killed; the next run clears them."""
    out = tmp_path / "out"
    put(out, {**sets["A"], ".key.pdf.k2j_9x0q.tmp": b"%PDF-1.7 half", ".quiz.json.abcdefgh.tmp": b"{"})
    done = make(out, 2)
    assert done.returncode == 0, done.stderr
    assert state(out, sets) == "B"
    assert beside(out) == [".out.quizgen-lock", "out"]


# -- concurrent runs ------------------------------------------------------------------------------

def test_two_runs_into_one_out_take_turns(tmp_path: Path, sets: dict[str, dict[str, bytes]]) -> None:
    out = tmp_path / "out"
    flag = tmp_path / "paused"
    first = start(out, 1, QUIZGEN_TEST_PAUSE="staged", QUIZGEN_TEST_PAUSE_FILE=str(flag))
    second_err = tmp_path / "second.err"
    second = None
    try:
        paused(flag, first)  # the first run holds the lock, its files staged
        second = start(out, 2, stderr=second_err)
        wait_for(lambda: "waiting for another run" in second_err.read_text(), "the second run to wait", second)
        assert state(out, sets) == "missing"  # neither run has swapped anything in yet
        flag.unlink()  # let the first run go on
        assert first.wait(timeout=120) == 0
        assert second.wait(timeout=120) == 0, second_err.read_text()
    finally:
        first.kill()
        if second is not None:
            second.kill()
    assert state(out, sets) == "B"  # the later run's complete set, nothing of the first
    assert beside(out) == [".out.quizgen-lock", "out", "second.err"]


def test_a_run_gives_up_on_a_lock_held_too_long_and_changes_nothing(
    tmp_path: Path, sets: dict[str, dict[str, bytes]]
) -> None:
    out = tmp_path / "out"
    put(out, sets["A"])
    flag = tmp_path / "paused"
    first = start(out, 1, QUIZGEN_TEST_PAUSE="staged", QUIZGEN_TEST_PAUSE_FILE=str(flag))
    try:
        paused(flag, first)
        second = make(out, 2, QUIZGEN_TEST_LOCK_WAIT="0.5")
    finally:
        first.kill()
        first.wait(timeout=60)
    assert second.returncode == 1
    last = second.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: ") and "another quizgen run" in last and "nothing was changed" in last, last
    assert state(out, sets) == "A"


# -- odd folders, full disks, modes ---------------------------------------------------------------

def test_a_folder_named_quiz_json_in_out_is_an_error_and_nothing_changes(
    tmp_path: Path, sets: dict[str, dict[str, bytes]]
) -> None:
    out = tmp_path / "out"
    put(out, {n: b for n, b in sets["A"].items() if n != "quiz.json"})
    (out / "quiz.json").mkdir()
    before = {p.name: (p.is_dir(), p.read_bytes() if p.is_file() else b"") for p in out.iterdir()}
    done = make(out, 2)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: --out ") and "quiz.json/" in lines[0], done.stderr
    assert {p.name: (p.is_dir(), p.read_bytes() if p.is_file() else b"") for p in out.iterdir()} == before
    assert beside(out) == ["out"]


def test_a_folder_with_files_quizgen_did_not_write_is_not_replaced(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    (out / "quiz.json").write_text("an old quiz")
    done = make(out, 2)
    assert done.returncode == 2
    assert "notes.txt" in done.stderr and "Traceback" not in done.stderr
    assert sorted(os.listdir(out)) == ["notes.txt", "quiz.json"]
    assert (out / "quiz.json").read_text() == "an old quiz"


def test_format_json_into_an_old_folder_leaves_only_the_new_quiz_json(
    tmp_path: Path, sets: dict[str, dict[str, bytes]]
) -> None:
    out = tmp_path / "out"
    put(out, sets["A"])
    done = make(out, 2, "--count", "2", "--kind", "evaluate", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == {"quiz.json": sets["B"]["quiz.json"]}


def test_out_that_holds_the_current_folder_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    done = make(Path("."), 2, cwd=out)
    assert done.returncode == 2 and "current folder" in done.stderr
    assert os.listdir(out) == []


def _fsize_limit() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))


def test_a_write_that_fails_part_way_leaves_the_old_set_and_no_temporary_files(
    tmp_path: Path, sets: dict[str, dict[str, bytes]]
) -> None:
    """A file-size limit makes the kernel refuse the big files (EFBIG) after the small ones."""
    out = tmp_path / "out"
    put(out, sets["A"])
    done = make(out, 2, preexec=_fsize_limit)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"Error: --out {out}: cannot write (File too large); the folder was not changed (see: quizgen make --help)"
    ]
    assert state(out, sets) == "A"
    assert beside(out) == [".out.quizgen-lock", "out"]


@pytest.fixture
def tiny_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 64 kB tmpfs (root only; skipped where it cannot be mounted)."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=0755", "tmpfs", str(mnt)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_a_full_disk_leaves_the_old_set_and_no_temporary_files(
    tiny_tmpfs: Path, sets: dict[str, dict[str, bytes]]
) -> None:
    out = tiny_tmpfs / "out"
    small = {"quiz.json": sets["A"]["quiz.json"]}
    put(out, small)
    free = shutil.disk_usage(tiny_tmpfs).free
    assert sum(map(len, sets["B"].values())) > free  # the full set B cannot fit
    done = make(out, 2)
    assert done.returncode == 2
    assert "No space left on device" in done.stderr and "the folder was not changed" in done.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == small
    assert beside(out) == [".out.quizgen-lock", "out"]
    assert shutil.disk_usage(tiny_tmpfs).free == free  # nothing half-written anywhere

    mounted = make(tiny_tmpfs, 2)  # the mount point itself cannot be swapped out
    assert mounted.returncode == 2 and "mount point" in mounted.stderr


def test_files_and_new_folders_get_the_users_umask(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = make(out, 2, preexec=lambda: os.umask(0o027))
    assert done.returncode == 0, done.stderr
    assert oct(out.stat().st_mode & 0o777) == oct(0o750)
    assert {p.name: oct(p.stat().st_mode & 0o777) for p in out.iterdir()} == {
        n: oct(0o640) for n in ("worksheet.html", "key.html", "quiz.json", "practice.html")}

    out.chmod(0o775)  # a folder the user opened up keeps its mode when replaced
    again = make(out, 1, preexec=lambda: os.umask(0o022))
    assert again.returncode == 0, again.stderr
    assert oct(out.stat().st_mode & 0o777) == oct(0o775)
    assert {oct(p.stat().st_mode & 0o777) for p in out.iterdir()} == {oct(0o644)}


# -- workers end with the main process ------------------------------------------------------------

def children(pid: int) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry))
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has ended; only its exit status is left


def _kill_and_check_workers(proc: subprocess.Popen[bytes], workers: set[int]) -> None:
    try:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        deadline = time.monotonic() + 5  # they die with the parent; a busy orphan works on far longer
        while any(alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        still = sorted(w for w in workers if alive(w))
        assert not still, f"workers {still} outlived their parent"
    finally:
        for w in workers:
            try:
                os.kill(w, signal.SIGKILL)
            except OSError:
                pass


def forked_workers(pid: int) -> set[int]:
    """The children of `pid` that are forks of it (its worker processes), not programs it ran:
    importing WeasyPrint runs ldconfig and the like, short-lived children that are no workers."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return set()
    found = set()
    for child in children(pid):
        try:
            if Path(f"/proc/{child}/cmdline").read_bytes() == command:
                found.add(child)
        except OSError:
            continue
    return found


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_busy_pdf_workers_end_when_quizgen_is_killed(tmp_path: Path) -> None:
    """No hook: kill -9 quizgen while both WeasyPrint workers are typesetting.

    The workers are forked after quizgen imported WeasyPrint (they inherit it), so every
    second of CPU they use is typesetting: once both have used 1.5 s, one is on the
    120-problem worksheet and the other on the 120-problem key (over 10 s of CPU left).
    Only forks of quizgen count (importing WeasyPrint also runs short-lived programs such as
    ldconfig). Before the fix the busy ones worked on, orphaned, until done (idle ones end at
    once: their task pipe reaches end-of-file); now the kernel kills them with the parent.
    """
    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core: PDFs are made without workers")
    proc = start(tmp_path / "out", 3, "--count", "120", "--format", "pdf", "--plots", "none")
    workers: set[int] = set()
    try:
        def both_busy() -> bool:
            # The forks alive now (a fork that runs a program, e.g. ldconfig, is a fork only for an instant).
            now = {w for w in forked_workers(proc.pid) if alive(w)}
            workers.update(now)
            return len(now) >= 2 and all(cpu_seconds(w) > 1.5 for w in now)

        wait_for(both_busy, "two busy PDF workers", proc, timeout=300)
    finally:
        _kill_and_check_workers(proc, workers)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
@pytest.mark.parametrize(("point", "expected"), [
    # The key's pictures are handed to the picture worker (forked before the quiz was generated,
    # it imports matplotlib and draws): the first stage of the key's way to its PDF.
    ("figures", 1),
    # Then the two PDF workers are forked, while the picture worker is still alive (drawing, or
    # done and waiting to be ended): all three must end with quizgen.
    ("pdf-workers", 3),
])
def test_picture_and_pdf_workers_end_when_quizgen_is_killed(tmp_path: Path, point: str, expected: int) -> None:
    """kill -9 at each stage that has workers: every worker forked so far ends with quizgen."""
    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core: no workers")
    flag = tmp_path / "paused"
    proc = start(tmp_path / "out", 3, "--count", "3", "--kind", "secant-table", "--format", "pdf",
                 QUIZGEN_TEST_PAUSE=point, QUIZGEN_TEST_PAUSE_FILE=str(flag))
    workers: set[int] = set()
    try:
        paused(flag, proc)
        workers = forked_workers(proc.pid)
        assert len(workers) == expected and all(alive(w) for w in workers), workers
    finally:
        _kill_and_check_workers(proc, workers)
    assert not (tmp_path / "out").exists()  # nothing half-written


@pytest.mark.parametrize("args", [QUICK, ["--versions", "2", "--count", "1", "--kind", "evaluate", "--format", "json"]],
                         ids=["single", "class-set"])
def test_a_symlink_planted_as_the_lock_file_is_refused_and_not_followed(tmp_path: Path, args: list[str]) -> None:
    """The lock `.out.quizgen-lock` was opened with O_CREAT through a symlink: one planted there
    pointing at a missing file made quizgen (as root: any path, e.g. /etc/nologin) create it, exit 0."""
    victim = tmp_path / "victim" / "nologin"
    victim.parent.mkdir()
    (tmp_path / ".out.quizgen-lock").symlink_to(victim)
    done = make(tmp_path / "out", 1, *args)
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "symbolic link" in done.stderr, done.stderr
    assert not victim.exists() and not (tmp_path / "out").exists()
