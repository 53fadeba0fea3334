"""`quizgen --help` start-up time (SPEC §10: ≤ 0.15 s): medians of fresh processes.

    python benchmarks/startup.py [--runs 21]

Runs `python -m quizgen --help` (and `make --help`) from this checkout, plus `python -c
pass` as the interpreter's own floor, each in a fresh process, after one warm-up run so
the bytecode caches exist (PYTHONDONTWRITEBYTECODE is removed from the environment: an
installed quizgen has its .pyc files). Prints wall-time medians and best runs, CPU-time
medians (user + system, which a busy machine inflates less) and the slowest imports.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def median_time(cmd: list[str], runs: int, env: dict[str, str]) -> tuple[float, float, float]:
    """Median and best wall time, and median CPU time (user + system: less sensitive to load)."""
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)  # warm-up: writes .pyc
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), min(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(ROOT)
    py = sys.executable
    rows = [
        ("python -c pass (floor)", [py, "-c", "pass"]),
        ("python -c 'import click'", [py, "-c", "import click"]),
        ("quizgen --help", [py, "-m", "quizgen", "--help"]),
        ("quizgen make --help", [py, "-m", "quizgen", "make", "--help"]),
    ]
    print(f"python {sys.version.split()[0]} · {os.cpu_count()} cores · load {os.getloadavg()[0]:.2f} · {args.runs} runs")
    for label, cmd in rows:
        med, best, cpu = median_time(cmd, args.runs, env)
        print(f"{label:<28} wall median {med * 1000:5.0f} ms, best {best * 1000:5.0f} ms · CPU median {cpu * 1000:5.0f} ms")
    done = subprocess.run([py, "-X", "importtime", "-m", "quizgen", "--help"], env=env, capture_output=True, text=True)
    imports = []
    for line in done.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            imports.append((int(parts[1]), parts[2].rstrip()))
    print("slowest imports (cumulative µs, one run):")
    for micros, name in sorted(imports, reverse=True)[:8]:
        print(f"  {micros:>8}  {name}")


if __name__ == "__main__":
    main()
