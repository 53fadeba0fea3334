"""quizgen's performance figures (SPEC §10): medians of whole processes, and their ratios.

    python benchmarks/bench.py [--runs 5]

1. `quizgen make --count 20` (worksheet + key, HTML + PDF), wall time of the whole process.
2. WeasyPrint alone turning the same final worksheet.html and key.html into PDFs, as one
   fresh process (import included): the floor any HTML→PDF tool built on it can reach.
3. Generation + verification throughput, no rendering (problems per second).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WEASYPRINT_ALONE = """
import sys, weasyprint
for name in sys.argv[1:]:
    weasyprint.HTML(filename=name).write_pdf(name + ".pdf")
"""


def timed(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def quizgen_cmd() -> list[str]:
    exe = shutil.which("quizgen", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "quizgen"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--count", type=int, default=20)
    args = parser.parse_args()

    from quizgen.generate import Options, make_quiz

    print(f"python {platform.python_version()} · {os.cpu_count()} cores · {platform.machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        make = quizgen_cmd() + ["make", "--count", str(args.count), "--format", "html,pdf"]
        timed(make + ["--seed", "0", "--out", "warm"], work)  # warm the OS file cache
        make_times = [timed(make + ["--seed", str(run + 1), "--out", f"run{run}"], work) for run in range(args.runs)]
        floor_times = [
            timed([sys.executable, "-c", WEASYPRINT_ALONE, f"run{run}/worksheet.html", f"run{run}/key.html"], work)
            for run in range(args.runs)
        ]
        pages = sum(len(__import__("pypdf").PdfReader(work / "run0" / f).pages) for f in ("worksheet.pdf", "key.pdf")) if _has_pypdf() else "?"

    make_med, floor_med = statistics.median(make_times), statistics.median(floor_times)
    print(f"quizgen make --count {args.count} (HTML+PDF, worksheet+key; {pages} pages): median {make_med:.2f} s "
          f"(runs: {', '.join(f'{t:.2f}' for t in make_times)})")
    print(f"WeasyPrint alone on the same two HTML files: median {floor_med:.2f} s "
          f"(runs: {', '.join(f'{t:.2f}' for t in floor_times)})")
    print(f"ratio quizgen / WeasyPrint alone: {make_med / floor_med:.2f}")

    rates = []
    for run in range(args.runs):
        start = time.perf_counter()
        quiz = make_quiz(Options(count=500), 1000 + run)
        rates.append(len(quiz.problems) / (time.perf_counter() - start))
    print(f"generation + verification, no rendering: median {statistics.median(rates):,.0f} problems/s "
          f"(500 problems per run, all kinds, degree 2)")


def _has_pypdf() -> bool:
    try:
        import pypdf  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    main()
