"""Class sets: memory and CPU of joining N answer keys into one PDF (quizgen.pdfjoin.join_pdfs).

Makes one 20-problem key.pdf (`quizgen make --count 20 --format pdf`, WeasyPrint; or takes
--pdf FILE), copies it N times, and joins the copies in a fresh process for each N,
printing that process's peak RSS (resource.getrusage: ru_maxrss), its CPU time, the
joined file's size against the parts' and its pages. A join that streams keeps the peak
flat in N; "floor" is a process that only imports pikepdf and quizgen.pdfjoin.

    python benchmarks/bench_join.py                     # 1, 10, 30, 100 keys
    python benchmarks/bench_join.py --sizes 30 100 --repeat 3 --pdf some/key.pdf
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import resource, sys, time
from pathlib import Path
import pikepdf
from quizgen.pdfjoin import join_pdfs
paths = [Path(p) for p in sys.argv[2:]]
start = time.process_time()
pages = join_pdfs(paths, Path(sys.argv[1]), title="bench", labels=[f"v{i}" for i in range(len(paths))]) if paths else 0
cpu = time.process_time() - start
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, cpu, pages)
"""


def one(target: Path, parts: list[Path]) -> tuple[int, float, int]:
    """(peak RSS in kB, CPU s, pages) of a fresh process joining `parts` into `target`."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", CHILD, str(target), *map(str, parts)], env=env, check=True,
                         capture_output=True, text=True).stdout.split()
    return int(out[0]), float(out[1]), int(out[2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 30, 100])
    parser.add_argument("--repeat", type=int, default=1, help="runs per size (median CPU, largest peak)")
    parser.add_argument("--pdf", type=Path, help="the PDF to join copies of (default: a fresh 20-problem key)")
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        pdf = args.pdf
        if pdf is None:
            subprocess.run([sys.executable, "-m", "quizgen", "make", "--count", "20", "--format", "pdf", "--seed", "5",
                            "--out", str(work / "one"), "--quiet"], env={**os.environ, "PYTHONPATH": str(ROOT)},
                           check=True)
            pdf = work / "one" / "key.pdf"
        copies = [work / f"key-{i:03d}.pdf" for i in range(max(args.sizes))]
        for copy in copies:
            shutil.copyfile(pdf, copy)
        floor, _, _ = one(work / "floor.pdf", [])
        print(f"source: {pdf.stat().st_size / 1024:.0f} kB; floor (imports only): peak RSS {floor / 1024:.0f} MB")
        print("keys  pages  CPU (median)  peak RSS  above floor  joined / parts")
        for size in args.sizes:
            peaks, cpus = [], []
            for r in range(args.repeat):
                target = work / f"joined-{size}-{r}.pdf"
                peak, cpu, pages = one(target, copies[:size])
                peaks.append(peak)
                cpus.append(cpu)
                ratio = target.stat().st_size / (size * pdf.stat().st_size)
                target.unlink()
            print(f"{size:>4}  {pages:>5}  {statistics.median(cpus):10.2f} s  {max(peaks) / 1024:5.0f} MB"
                  f"  {(max(peaks) - floor) / 1024:8.0f} MB  {ratio:13.3f}", flush=True)
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
