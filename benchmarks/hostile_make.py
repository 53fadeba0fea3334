"""Issue 7's hostile `quizgen make` values and spec files: how long each takes to be refused (in-process).

    .venv/bin/python benchmarks/hostile_make.py [--runs 5]

Part 1: median time of `quizgen make ARGS` through click's CliRunner (imports warmed up
first) until its one-line error. Before issue 7 the first three never returned
(Fraction built 10^100000000 first) and /dev/zero read until memory ran out.

Part 2: tomllib on the worst texts we found that still pass the spec reader's guards,
at its 256 kB cap (at most 1,000 tables, dotted keys of at most 2 parts): what a hostile
spec can cost before its errors are found.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import tomllib
from pathlib import Path

from click.testing import CliRunner

from quizgen.cli import main
from quizgen.spec import MAX_SPEC_BYTES, TomlFloat

SECTION = '[[sections]]\nheading = "A"\nkinds = ["gradient-step"]\n'


def median_ms(fn, runs: int, clock=time.perf_counter) -> float:
    fn()
    times = []
    for _ in range(runs):
        t = clock()
        fn()
        times.append(clock() - t)
    return statistics.median(times) * 1000


def main_(runs: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="hostile-make-"))
    files = {
        "spec: 10^4 nested arrays": "x = " + "[" * 10_000 + "]" * 10_000 + "\n",
        "spec: 10^4 nested inline tables": "x = " + "{a = " * 10_000 + "1" + "}" * 10_000 + "\n",
        "spec: dotted key of 10^5 parts": ".".join(["k"] * 100_000) + " = 1\n",
        "spec: 5000-digit seed": f"seed = {'1' * 5000}\n{SECTION}",
        "spec: point = 1e100000000": f"{SECTION}point = 1e100000000\n",
    }
    paths = {}
    for n, (name, text) in enumerate(files.items()):
        paths[name] = folder / f"s{n}.toml"
        paths[name].write_text(text)
    fifo = folder / "fifo.toml"
    os.mkfifo(fifo)
    cases = {
        "--point 1e100000000": ["--point", "1e100000000"],
        "--step 1e-100000000": ["--step", "1e-100000000"],
        "--rate 1e100000000": ["--rate", "1e100000000"],
        "--point (5000 digits)": ["--point", "1" * 5000],
        "--seed (5000 digits)": ["--seed", "1" * 5000],
        "--title with ESC": ["--title", "Quiz\x1b[2J"],
        "--spec /dev/zero": ["--spec", "/dev/zero"],
        "--spec FIFO": ["--spec", str(fifo)],
        **{name: ["--spec", str(path)] for name, path in paths.items()},
        "zero-problem set (1000x^4 at 100)": ["--function", "1000x^4", "--point", "100", "-k", "evaluate",
                                              "-k", "derivative-at"],
    }
    runner = CliRunner()
    runner.invoke(main, ["make", "--step", "0"])  # import the library once
    print(f"{'make input':<36} {'ms':>8}  exit")
    for name, args in cases.items():
        codes = []

        def run() -> None:
            codes.append(runner.invoke(main, ["make", *args, "-f", "json", "-o", str(folder / "out")]).exit_code)

        print(f"{name:<36} {median_ms(run, runs):8.1f}  {set(codes)}")

    worst = {
        "array of 1s": fit(lambda i: "1,", "a = [", "]\n"),
        "array of inline tables": fit(lambda i: "{b=1},", "a = [", "]\n"),
        "1,000 tables, then keys": fit(lambda i: f"[t{i}]\n" if i < 1000 else f"k{i} = 1\n"),
        "1,000 tables with 2-part keys": fit(lambda i: (f"[t{i}]\n" if i % 20 == 0 and i < 20_000 else "") + f"a{i}.b = 1\n"),
        "one table, 2-part dotted keys": fit(lambda i: f"a{i}.b = 1\n"),
    }
    print(f"\n{'tomllib at the 256 kB cap':<36} {'wall ms':>8} {'CPU ms':>8}")
    for name, text in worst.items():
        tomllib.loads(text, parse_float=TomlFloat)  # all valid TOML: the whole text is read
        wall = median_ms(lambda: tomllib.loads(text, parse_float=TomlFloat), runs)
        cpu = median_ms(lambda: tomllib.loads(text, parse_float=TomlFloat), runs, time.process_time)
        print(f"{name:<36} {wall:8.1f} {cpu:8.1f}")


def fit(unit, head: str = "", tail: str = "") -> str:
    """head + unit(0) + unit(1) + … + tail, as long as it stays within the spec reader's cap."""
    parts, size, i = [head], len(head) + len(tail), 0
    while size + len(piece := unit(i)) <= MAX_SPEC_BYTES:
        parts.append(piece)
        size += len(piece)
        i += 1
    return "".join(parts) + tail


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    main_(parser.parse_args().runs)
