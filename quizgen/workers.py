"""Worker processes that end with the process that started them, and the tests' pause points.

quizgen forks short-lived workers (WeasyPrint in render.pdf_workers, matplotlib in
plots.Figures). A forked worker inherits both ends of its task pipe, so it never sees
end-of-file when its parent is killed with SIGKILL and would wait forever. Each worker
therefore asks Linux to kill it when its parent dies (prctl PR_SET_PDEATHSIG), and checks
that the parent did not die before it asked; where prctl is missing, a thread in the
worker polls os.getppid().

pause() is a hook for the kill -9 tests only: with QUIZGEN_TEST_PAUSE=POINT[:SECONDS]
set, reaching the named point writes this process's id to QUIZGEN_TEST_PAUSE_FILE and
waits until a test removes that file (or SECONDS pass, 60 by default). Unset, it costs
one dictionary lookup.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int) -> None:
    """In a forked child: end this process when `parent_pid` (its parent) ends, however it ends."""
    import signal

    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            armed = libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
        except (OSError, AttributeError):
            armed = False
        if armed:
            if os.getppid() != parent_pid:  # the parent died before prctl took effect
                os._exit(1)
            return
    import threading

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(0.2)
        os._exit(1)

    threading.Thread(target=watch, name="quizgen-parent-watch", daemon=True).start()


def _start_worker(parent_pid: int, initializer: Callable[[], None] | None) -> None:
    import signal

    # Ctrl-C reaches the whole process group. A pool worker that died of it would lose its
    # task, and Pool.close() + join() in the parent would then wait for that task forever
    # (make --count 20, Ctrl-C while the pictures were drawn: hung). The parent alone
    # handles Ctrl-C; it terminates the workers, and they die with it anyway.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(parent_pid)
    if initializer is not None:
        initializer()


def fork_pool(processes: int, initializer: Callable[[], None] | None = None) -> Any:
    """A multiprocessing Pool of forked workers that die with this process, or None (no fork, or in a worker).

    The caller must terminate (or close) and join it; the workers also end on their own
    if this process is killed.
    """
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    if multiprocessing.current_process().daemon:
        return None  # already a pool's worker (a class set's version): it may not have children; work inline
    return multiprocessing.get_context("fork").Pool(
        processes, initializer=_start_worker, initargs=(os.getpid(), initializer)
    )


def pause(point: str) -> None:
    """Wait here if QUIZGEN_TEST_PAUSE names this point (tests kill -9 the process meanwhile)."""
    wanted = os.environ.get("QUIZGEN_TEST_PAUSE")
    if not wanted:
        return
    name, _, seconds = wanted.partition(":")
    if name != point:
        return
    deadline = time.monotonic() + (float(seconds) if seconds else 60.0)
    flag = os.environ.get("QUIZGEN_TEST_PAUSE_FILE")
    if flag:
        Path(flag).write_text(f"{os.getpid()}\n")
    while time.monotonic() < deadline and (not flag or os.path.exists(flag)):
        time.sleep(0.02)
