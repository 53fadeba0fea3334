"""Class sets: wall time and peak memory of `quizgen make --versions N --count 20`.

Each run is a real quizgen process writing worksheets, keys (HTML + PDF), quiz.json,
practice.html for every version, then all-worksheets.pdf, all-keys.pdf, answers.pdf and
manifest.json. Memory is the peak, over samples every 50 ms, of the summed RSS of the
quizgen process and all its workers (psutil; pages shared after fork are counted once per
process, so this over-states the machine's real use) and of the summed PSS (proportional
set size: shared pages split between the processes sharing them; the machine's real use). Also prints the machine's
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


def tree_memory(proc: psutil.Process) -> tuple[int, int]:
    """(summed RSS, summed PSS) of `proc` and its children: PSS splits pages shared after fork."""
    rss = pss = 0
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0, 0
    for p in procs:
        try:
            info = p.memory_full_info()
            rss += info.rss
            pss += getattr(info, "pss", info.rss)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return rss, pss


def one_run(versions: int, count: int, seed: int, timeline: bool = False) -> tuple[float, int, int, float]:
    """(wall seconds, peak tree RSS, peak tree PSS (bytes), CPU seconds of the tree) for one class run;
    with `timeline`, each second's peak PSS and process count are printed as the run goes, and
    whether the combined PDFs are being written yet."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        args = [sys.executable, "-m", "quizgen", "make", "--versions", str(versions), "--count", str(count),
                "--seed", str(seed), "--out", str(Path(tmp) / "out"), "--quiet"]
        start = time.perf_counter()
        popen = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        proc = psutil.Process(popen.pid)
        peak = peak_pss = 0
        cpu: dict[int, float] = {}
        second, second_pss = 0, 0
        while popen.poll() is None:
            rss, pss = tree_memory(proc)
            peak, peak_pss = max(peak, rss), max(peak_pss, pss)
            if timeline:
                now = int(time.perf_counter() - start)
                if now != second:
                    combining = any(Path(tmp).glob(".out.quizgen-new-*/a*.pdf"))
                    try:
                        procs = 1 + len(proc.children(recursive=True))
                    except psutil.NoSuchProcess:
                        procs = 0
                    print(f"      t={second:4d} s  PSS {second_pss / 2**20:5.0f} MB  processes {procs}"
                          f"{'  combining' if combining else ''}", flush=True)
                    second, second_pss = now, 0
                second_pss = max(second_pss, pss)
            try:
                for p in [proc, *proc.children(recursive=True)]:
                    t = p.cpu_times()
                    cpu[p.pid] = t.user + t.system
            except psutil.NoSuchProcess:
                pass
            time.sleep(0.05)
        wall = time.perf_counter() - start
        out, err = popen.communicate()
        if popen.returncode != 0:
            raise SystemExit(f"quizgen failed: {err.decode()}")
        pages = out.decode().strip()
        print(f"    {pages}", flush=True)
        return wall, peak, peak_pss, sum(cpu.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 30, 100])
    parser.add_argument("--repeat", type=int, default=3, help="runs per size (median reported)")
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--timeline", action="store_true", help="print each second's peak PSS as the runs go")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}, load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    results = {}
    for size in args.sizes:
        walls, peaks, psss, cpus = [], [], [], []
        for r in range(args.repeat if size <= 30 else 1):
            wall, peak, pss, cpu = one_run(size, args.count, 1000 + r, args.timeline)
            walls.append(wall)
            peaks.append(peak)
            psss.append(pss)
            cpus.append(cpu)
            print(f"  {size:>3} versions run {r + 1}: {wall:6.1f} s wall, {cpu:6.1f} s CPU (at least), "
                  f"peak RSS {peak / 2**20:5.0f} MB, PSS {pss / 2**20:5.0f} MB, load {os.getloadavg()[0]:.1f}",
                  flush=True)
        results[size] = (statistics.median(walls), max(peaks), statistics.median(cpus), max(psss))
    print("\nversions  median wall  per version  CPU (tree)  peak RSS (tree)  peak PSS (tree)")
    for size, (wall, peak, cpu, pss) in results.items():
        print(f"{size:>8}  {wall:9.1f} s  {wall / size:9.2f} s  {cpu:8.1f} s  {peak / 2**20:12.0f} MB"
              f"  {pss / 2**20:12.0f} MB")
    sizes = sorted(results)
    for a, b in zip(sizes, sizes[1:]):
        print(f"growth {a} -> {b} versions: wall x{results[b][0] / results[a][0]:.2f} (linear: x{b / a:.2f}), "
              f"peak x{results[b][1] / results[a][1]:.2f}")
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
