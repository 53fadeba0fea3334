"""Where `quizgen make --count 20 --format html,pdf` spends its time, process by process.

    PYTHONPATH=. python benchmarks/timeline.py [--count 20] [--seed 1]

Runs `make` in this process with a timer around each stage (generation, WeasyPrint and
matplotlib imports, each page's HTML, each picture, each PDF) and prints one line per event:
wall seconds since start, the process id (the parent, the picture worker, the two PDF
workers) and that process's CPU seconds so far. CPU time per stage is what a quiet machine
needs; on a loaded machine the wall column is inflated, the CPU column much less. The
critical path on an idle 2-core machine is estimated from the CPU columns (see README).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

T0 = time.perf_counter()
LOG = Path(tempfile.gettempdir()) / f"quizgen-timeline-{os.getpid()}.txt"


def event(what: str) -> None:
    with open(LOG, "a", encoding="utf-8") as log:
        log.write(f"{time.perf_counter() - T0:8.3f} s  pid {os.getpid():>7}  cpu {time.process_time():6.2f} s  {what}\n")


def timed(module: Any, name: str) -> None:
    """Wrap module.name with events; the wrapper keeps the name, so forked workers can unpickle it."""
    if not hasattr(module, name):
        return
    inner = getattr(module, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        event(f"> {name}")
        try:
            return inner(*args, **kwargs)
        finally:
            event(f"< {name}")

    wrapper.__qualname__ = name
    wrapper.__module__ = module.__name__
    setattr(module, name, wrapper)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    LOG.write_text("")
    event("start")
    import quizgen.cli
    from quizgen import generate, plots, render

    event("quizgen.cli imported")
    for module, name in ((generate, "make_quiz"), (render, "_import_weasyprint"), (plots, "_import_matplotlib"),
                         (render, "render_html"), (render, "html_to_pdf"), (plots, "_uri"), (render, "write_files")):
        timed(module, name)
    with tempfile.TemporaryDirectory() as tmp:
        quizgen.cli.main(["make", "--count", str(args.count), "--format", "html,pdf", "--seed", str(args.seed),
                          "--out", str(Path(tmp) / "out")], standalone_mode=False)
    event("end")
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    sys.stdout.write(LOG.read_text())
    print(f"CPU: this process {own.ru_utime + own.ru_stime:.2f} s, workers {workers.ru_utime + workers.ru_stime:.2f} s; "
          f"load {os.getloadavg()}")
    LOG.unlink()


if __name__ == "__main__":
    main()
