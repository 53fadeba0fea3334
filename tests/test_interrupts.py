"""Ctrl-C ends quizgen at once with one line: no hang, no traceback (issue 7 items 2, 3).

A terminal's Ctrl-C sends SIGINT to the whole foreground process group: quizgen and its
forked workers. Real processes throughout; every wait is guarded by a timeout, so a hang
fails the test instead of stopping the suite.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("QUIZGEN_TEST_")}
    base["PYTHONPATH"] = str(ROOT) + os.pathsep + base.get("PYTHONPATH", "")
    return {**base, **extra}


POOL_AFTER_CTRL_C = r"""
import os, signal, sys, time
from quizgen.workers import fork_pool

def slow(x):
    time.sleep(1.0)
    return x

pool = fork_pool(1)
pending = pool.map_async(slow, [1])
time.sleep(0.5)                      # the worker has the task
for pid in [p.pid for p in pool._pool]:
    os.kill(pid, signal.SIGINT)      # what Ctrl-C does to every process of the group
pool.close()
pool.join()                          # before the fix: the task died with the worker; join waited forever
print("joined")
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forked workers only")
def test_a_pool_worker_survives_ctrl_c_so_close_and_join_return() -> None:
    done = subprocess.run([sys.executable, "-c", POOL_AFTER_CTRL_C], env=env(), capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "joined"
    assert "Traceback" not in done.stderr and "ForkPoolWorker" not in done.stderr, done.stderr


@pytest.mark.skipif(not hasattr(os, "fork") or (os.cpu_count() or 1) < 2, reason="picture worker needs 2 cores")
@pytest.mark.parametrize("point", [
    "figures",  # the picture worker (forked before generating) just got the key's pictures
    "pdf-workers",  # then the two PDF workers were forked: three workers alive beside quizgen
])
def test_ctrl_c_while_pictures_are_drawn_is_one_line_and_leaves_out_alone(tmp_path: Path, point: str) -> None:
    """Paused at each stage while the key's pictures are drawn; Ctrl-C to the process group."""
    out = tmp_path / "out"
    flag = tmp_path / "paused"
    proc = subprocess.Popen(
        [sys.executable, "-m", "quizgen", "make", "--count", "3", "--kind", "secant-table", "--seed", "3",
         "--format", "html,pdf", "--out", str(out)],
        env=env(QUIZGEN_TEST_PAUSE=point, QUIZGEN_TEST_PAUSE_FILE=str(flag)),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not flag.exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, f"never reached the {point} pause"
            time.sleep(0.05)
        time.sleep(0.3)  # the worker is drawing
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, err  # the shell's code for Ctrl-C (was 1, "Aborted!")
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err  # before: "Process ForkPoolWorker-1:" and the worker's traceback too
    assert lines[0].startswith("interrupted: nothing written"), err
    assert not out.exists()
    # No worker outlives quizgen: the process group (quizgen and its forks) empties.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        pytest.fail("a worker of the interrupted run is still running")


PRELUDE = r"""
import builtins, runpy, sys
real = builtins.__import__
def imp(name, *args, **kwargs):
    if name == "click":
        raise KeyboardInterrupt      # Ctrl-C while the command line's imports load
    return real(name, *args, **kwargs)
builtins.__import__ = imp
sys.argv = ["quizgen", "make", "--count", "1"]
runpy.run_module("quizgen", run_name="__main__", alter_sys=True)
"""


def test_ctrl_c_during_start_up_is_one_line_exit_130(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", PRELUDE], env=env(), capture_output=True, text=True,
                          timeout=60, cwd=tmp_path)
    assert done.returncode == 130, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == ["interrupted: nothing written"]
    assert not (tmp_path / "output").exists()
