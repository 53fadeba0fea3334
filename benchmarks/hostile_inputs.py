"""Issue 7's hostile --function values and answers: how long each takes to be refused (in-process).

    .venv/bin/python benchmarks/hostile_inputs.py [--runs 7]

Prints the median time of ``parse_polynomial`` (what ``--function`` runs) and of the
answer checker's ``check`` on each text, after one warm-up call. Before this commit the
first five never returned from polyparse (or ran 30 s, or ended in a traceback).
"""

from __future__ import annotations

import argparse
import statistics
import time

from quizgen.answers import check
from quizgen.answers.polynomial import PolyError, parse_polynomial

CASES = {
    "x^2+1^99999999": "x^2+1^99999999",
    "x^2+9^9^9": "x^2+9^9^9",
    "x^2+0^99999999": "x^2+0^99999999",
    "x^2+(1/2)^999999": "x^2+(1/2)^999999",
    "x^2+2^2^2^2^2": "x^2+2^2^2^2^2",
    "1000 nested brackets": "(" * 1000 + "x^2" + ")" * 1000,
    "100 kB formula": "x^2+" * 25_000,
    "3x^2-4x+5 (accepted)": "3x^2-4x+5",
}


def median_ms(fn, runs: int) -> float:
    fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs

    def poly(text: str):
        def run() -> None:
            try:
                parse_polynomial(text, variables="xw")
            except PolyError:
                pass
        return run

    print(f"{'input':<24} {'--function (ms)':>16} {'check (ms)':>11}")
    for name, text in CASES.items():
        p = median_ms(poly(text), runs)
        c = median_ms(lambda: check(text, "x^2 + 1"), runs)
        print(f"{name:<24} {p:>16.3f} {c:>11.3f}")


if __name__ == "__main__":
    main()
