"""What practice.html's "New numbers" pools cost (issue 10 item 5): `quizgen make --count 20`
(all formats: HTML, PDF, quiz.json, practice.html) with --variants 0, 10 (the default) and 20.

    python benchmarks/bench_variants.py [--runs 5] [--seed 7]

Runs alternate (0, 10, 20, 0, 10, 20, …) so load from other jobs falls on all alike; medians of
wall time and CPU time (user + system of the process and its reaped children: the PDF workers),
`uptime` before and after. Then, in one process: the time to draw and verify the pools alone
(generate.practice_pools) and to render practice.html with them, and the page's size.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(cmd: list[str]) -> tuple[float, float]:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return wall, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print("uptime:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    sizes = (0, 10, 20)
    walls: dict[int, list[float]] = {n: [] for n in sizes}
    cpus: dict[int, list[float]] = {n: [] for n in sizes}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.runs):
            for n in sizes:
                wall, cpu = timed([sys.executable, "-m", "quizgen", "make", "--count", "20", "--seed", str(args.seed),
                                   "--variants", str(n), "--out", f"{tmp}/v{n}"])
                walls[n].append(wall)
                cpus[n].append(cpu)
        page = {n: (Path(tmp) / f"v{n}" / "practice.html").stat().st_size for n in sizes}
    print("uptime:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    base_wall, base_cpu = statistics.median(walls[0]), statistics.median(cpus[0])
    print(f"make --count 20 (all formats), median of {args.runs}:")
    for n in sizes:
        wall, cpu = statistics.median(walls[n]), statistics.median(cpus[n])
        print(f"  --variants {n:>2}: wall {wall:5.2f} s (+{wall - base_wall:4.2f}), CPU {cpu:5.2f} s "
              f"(+{cpu - base_cpu:4.2f}), practice.html {page[n] / 1e6:.2f} MB")

    sys.path.insert(0, str(ROOT))
    from quizgen.generate import Options, make_quiz, practice_pools
    from quizgen.render import environment, render_practice

    quiz = make_quiz(Options(count=20), args.seed)
    env = environment()
    render_practice(quiz, env)  # warm: templates compiled, fonts read
    for n in (10, 20):
        start = time.process_time()
        pools = practice_pools(quiz, n)
        drawn = time.process_time() - start
        start = time.process_time()
        render_practice(quiz, env, pools)
        rendered = time.process_time() - start
        print(f"  in process (CPU), 20 x {n}: pools drawn and verified {drawn:.2f} s, page rendered {rendered:.2f} s")


if __name__ == "__main__":
    main()
