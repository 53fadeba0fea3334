"""Benchmark `quizgen check` on a class CSV: wall time and peak memory of the real process.

    .venv/bin/python benchmarks/bench_check.py                  # 10k, 100k and 1M rows, 3 runs each
    .venv/bin/python benchmarks/bench_check.py --rows 10000 --runs 5

A real quiz.json is made with `quizgen make --format json --count 20`; each class has
rows/20 students who answer the 20 problems in a shuffled order (2 % of rows answer a problem
again). The answers are what a class types: the key in several spellings (55 %), the typical
mistakes stored in quiz.json (15 %), wrong values from a pool of 300 per problem with a long
tail (25 %) and junk (5 %). The script prints, per size, the median wall time and peak RSS
(ru_maxrss of the child, from os.wait4), the rows per second, how many distinct answers were
checked, and the growth from one size to the next (linear grading: ×10 rows → ×10 time).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COUNT = 20  # problems in the quiz, and rows per student
JUNK = ["", "idk", "((", "x^", "1/0", "?", "6x-", "sin(", "=1+1", "-", "lim h->0", "none", "x x", "2..5"]


def quizgen(*args: str, **kw: object) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen([sys.executable, "-m", "quizgen", *args], env=env, **kw)  # type: ignore[call-overload]


def spellings(answer: str) -> list[str]:
    """The key as students type it: as stored, with ^ and no *, without spaces, with spaces."""
    typed = answer.replace("**", "^").replace("*", "")
    return list(dict.fromkeys([answer, typed, typed.replace(" ", ""), typed.replace(",", ", ").replace("  ", " ")]))


def wrong_pool(answer: str, rng: random.Random) -> list[str]:
    """300 wrong answers near the key: a digit changed, a sign flipped, a term dropped, a number."""
    pool: set[str] = set()
    digits = [i for i, c in enumerate(answer) if c.isdigit()]
    while len(pool) < 300:
        roll = rng.random()
        if digits and roll < 0.5:
            i = rng.choice(digits)
            text = answer[:i] + str(rng.randrange(10)) + answer[i + 1:]
        elif roll < 0.6:
            text = answer.replace("-", "+", 1) if "-" in answer else "-" + answer
        elif roll < 0.7 and " " in answer:
            parts = answer.split(" ")
            del parts[rng.randrange(len(parts))]
            text = " ".join(parts)
        else:
            text = str(rng.randint(-500, 500)) + rng.choice(["", ".5", "/3", "x", "x + 1"])
        if text != answer:
            pool.add(text.replace("**", "^"))
    return sorted(pool)


def make_csv(quiz: dict, rows: int, path: Path, seed: int = 1) -> int:
    """Write a class CSV of `rows` rows; return the number of distinct (problem, answer) pairs."""
    rng = random.Random(seed)
    problems = quiz["problems"]
    pools = []
    for p in problems:
        pools.append((spellings(p["answer"]), [m[0] for m in p.get("mistakes", [])] or [p["answer"] + "+1"],
                      wrong_pool(p["answer"], rng)))
    tail = [1 / (k + 1) for k in range(300)]  # Zipf: a few wrong answers are common, most are rare
    distinct: set[tuple[int, str]] = set()
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write("student,problem,answer\n")
        students = rows // COUNT
        written = 0
        for s in range(students):
            name = f"Student {s:06d}"
            order = list(range(len(problems)))
            rng.shuffle(order)
            for j in range(COUNT):
                if written == rows:
                    break
                k = order[j] if rng.random() >= 0.02 else order[0]
                right, mistakes, wrong = pools[k]
                roll = rng.random()
                if roll < 0.55:
                    answer = rng.choice(right)
                elif roll < 0.70:
                    answer = rng.choice(mistakes)
                elif roll < 0.95:
                    answer = rng.choices(wrong, weights=tail)[0]
                else:
                    answer = rng.choice(JUNK)
                number = problems[k]["number"]
                distinct.add((number, answer))
                quoted = '"' + answer.replace('"', '""') + '"' if any(c in answer for c in ',"\n') else answer
                f.write(f"{name},{number},{quoted}\n")
                written += 1
    return len(distinct)


def run_check(quiz_path: Path, answers: Path, report: Path) -> tuple[float, float, float, int, str]:
    """(wall seconds, CPU seconds, peak RSS in MB, exit code, stderr's last line) of one `quizgen check` process."""
    start = time.perf_counter()
    child = quizgen("check", "--quiz", str(quiz_path), "--answers", str(answers), "--report", str(report),
                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = child.stderr.read().decode("utf-8", "replace") if child.stderr else ""
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    return wall, cpu, usage.ru_maxrss / 1024, child.returncode, (err.strip().splitlines() or [""])[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7, help="seed of the quiz")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-check-") as tmp:
        work = Path(tmp)
        made = quizgen("make", "--count", str(COUNT), "--seed", str(args.seed), "--format", "json", "--out", str(work),
                       stdout=subprocess.DEVNULL)
        assert made.wait() == 0, "quizgen make failed"
        quiz_path = work / "quiz.json"
        quiz = json.loads(quiz_path.read_text(encoding="utf-8"))
        results = []
        print(f"{'rows':>9} {'students':>8} {'MB csv':>7} {'distinct':>8} {'wall s':>7} {'CPU s':>6} {'rows/s':>9} "
              f"{'peak RSS MB':>12}   wall s of each run (medians shown; load {os.getloadavg()[0]:.1f})")
        for rows in args.rows:
            answers = work / f"answers-{rows}.csv"
            distinct = make_csv(quiz, rows, answers)
            runs = []
            for _ in range(args.runs):
                wall, cpu, rss, code, last = run_check(quiz_path, answers, work / "report.csv")
                assert code == 0, last
                runs.append((wall, cpu, rss))
            wall = statistics.median(w for w, _, _ in runs)
            cpu = statistics.median(c for _, c, _ in runs)
            rss = statistics.median(r for _, _, r in runs)
            results.append((rows, wall, cpu, rss))
            size = answers.stat().st_size / 1e6
            spread = ", ".join(f"{w:.1f}" for w, _, _ in runs)
            print(f"{rows:>9,} {rows // COUNT:>8,} {size:>7.1f} {distinct:>8,} {wall:>7.2f} {cpu:>6.2f} {rows / wall:>9,.0f} "
                  f"{rss:>12.0f}   {spread} (load {os.getloadavg()[0]:.1f})", flush=True)
            answers.unlink()
        for (r0, w0, c0, m0), (r1, w1, c1, m1) in zip(results, results[1:]):
            print(f"{r0:,} → {r1:,} rows (×{r1 / r0:g}): wall ×{w1 / w0:.2f}, CPU ×{c1 / c0:.2f}, peak RSS ×{m1 / m0:.2f}")


if __name__ == "__main__":
    main()
