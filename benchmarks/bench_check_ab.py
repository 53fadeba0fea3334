"""A/B: `quizgen check` on one class CSV with two source trees, run alternately (fair under load).

    .venv/bin/python benchmarks/bench_check_ab.py --old /tmp/old-tree [--new .] [--rows 100000] [--runs 5]

`--old` is another checkout of quizgen (e.g. `git archive <commit> | tar -x -C /tmp/old-tree`). The
quiz is made with the old tree (so both read it), the CSV as in bench_check.py; the two trees
then grade it in turns, old, new, old, new, …, so both see the same load. Prints the median
CPU seconds (user + system of the child) and wall seconds of each, and new/old.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_check import COUNT, make_csv  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def run(tree: Path, *args: str) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one quizgen process run from `tree`."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    t0 = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "quizgen", *args], env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - t0
    assert os.waitstatus_to_exitcode(status) == 0, (tree, args)
    return usage.ru_utime + usage.ru_stime, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=Path, required=True)
    parser.add_argument("--new", type=Path, default=ROOT)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-ab-") as tmp:
        work = Path(tmp)
        run(args.old, "make", "--count", str(COUNT), "--seed", "7", "--format", "json", "--out", str(work))
        quiz = json.loads((work / "quiz.json").read_text(encoding="utf-8"))
        answers = work / "answers.csv"
        distinct = make_csv(quiz, args.rows, answers)
        times: dict[str, list[tuple[float, float]]] = {"old": [], "new": []}
        for _ in range(args.runs):
            for name, tree in (("old", args.old), ("new", args.new)):
                times[name].append(run(tree, "check", "--quiz", str(work / "quiz.json"), "--answers", str(answers),
                                       "--report", str(work / f"report-{name}.csv")))
        same = (work / "report-old.csv").read_bytes() == (work / "report-new.csv").read_bytes()
        cpu = {k: statistics.median(c for c, _ in v) for k, v in times.items()}
        wall = {k: statistics.median(w for _, w in v) for k, v in times.items()}
        print(f"{args.rows:,} rows, {distinct:,} distinct answers, {args.runs} runs each, load {os.getloadavg()[0]:.1f}")
        for k in ("old", "new"):
            print(f"  {k}: CPU {cpu[k]:.2f} s (runs {', '.join(f'{c:.2f}' for c, _ in times[k])}), wall {wall[k]:.2f} s")
        print(f"  new/old CPU {cpu['new'] / cpu['old']:.3f}, wall {wall['new'] / wall['old']:.3f}; reports identical: {same}")


if __name__ == "__main__":
    main()
