"""Class sets: wall time and peak memory of `quizgen make --versions N --count 20`.

Each run is a real quizgen process writing worksheets, keys (HTML + PDF), quiz.json,
practice.html for every version, then all-worksheets.pdf, all-keys.pdf, answers.pdf and
manifest.json. Memory is the peak, over samples every 20 ms, of the summed RSS of the
quizgen process and all its workers (psutil; pages shared after fork are counted once per
process, so this over-states the machine's real use a little). Also prints the machine's
load average, because other work on the machine changes wall time a lot.

    python benchmarks/bench_classset.py                 # 30 versions x3, growth 10 -> 30 -> 100
    python benchmarks/bench_classset.py --sizes 30 --repeat 5
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

import psutil

ROOT = Path(__file__).resolve().parent.parent


def tree_rss(proc: psutil.Process) -> int:
    total = 0
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def one_run(versions: int, count: int, seed: int) -> tuple[float, int, float]:
    """(wall seconds, peak tree RSS bytes, CPU seconds of the tree) for one class run."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        args = [sys.executable, "-m", "quizgen", "make", "--versions", str(versions), "--count", str(count),
                "--seed", str(seed), "--out", str(Path(tmp) / "out"), "--quiet"]
        start = time.perf_counter()
        popen = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        proc = psutil.Process(popen.pid)
        peak = 0
        cpu: dict[int, float] = {}
        while popen.poll() is None:
            peak = max(peak, tree_rss(proc))
            try:
                for p in [proc, *proc.children(recursive=True)]:
                    t = p.cpu_times()
                    cpu[p.pid] = t.user + t.system
            except psutil.NoSuchProcess:
                pass
            time.sleep(0.02)
        wall = time.perf_counter() - start
        out, err = popen.communicate()
        if popen.returncode != 0:
            raise SystemExit(f"quizgen failed: {err.decode()}")
        pages = out.decode().strip()
        print(f"    {pages}", flush=True)
        return wall, peak, sum(cpu.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 30, 100])
    parser.add_argument("--repeat", type=int, default=3, help="runs per size (median reported)")
    parser.add_argument("--count", type=int, default=20)
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}, load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    results = {}
    for size in args.sizes:
        walls, peaks, cpus = [], [], []
        for r in range(args.repeat if size <= 30 else 1):
            wall, peak, cpu = one_run(size, args.count, 1000 + r)
            walls.append(wall)
            peaks.append(peak)
            cpus.append(cpu)
            print(f"  {size:>3} versions run {r + 1}: {wall:6.1f} s wall, {cpu:6.1f} s CPU (at least), "
                  f"peak {peak / 2**20:5.0f} MB, load {os.getloadavg()[0]:.1f}", flush=True)
        results[size] = (statistics.median(walls), max(peaks), statistics.median(cpus))
    print("\nversions  median wall  per version  CPU (tree)  peak RSS (tree)")
    for size, (wall, peak, cpu) in results.items():
        print(f"{size:>8}  {wall:9.1f} s  {wall / size:9.2f} s  {cpu:8.1f} s  {peak / 2**20:11.0f} MB")
    sizes = sorted(results)
    for a, b in zip(sizes, sizes[1:]):
        print(f"growth {a} -> {b} versions: wall x{results[b][0] / results[a][0]:.2f} (linear: x{b / a:.2f}), "
              f"peak x{results[b][1] / results[a][1]:.2f}")
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
