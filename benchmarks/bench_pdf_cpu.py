"""CPU that WeasyPrint spends on key.pdf and worksheet.pdf, before vs after the print flavour.

    PYTHONPATH=. python benchmarks/bench_pdf_cpu.py [--seeds 1,5,7] [--runs 5]

Makes the key and worksheet HTML of `make --count 20` for each seed (the default kinds, then
`--kind backprop,neuron,training-steps`, then `--style mc`), then times `render.html_to_pdf` on
each page in this one warm process (time.process_time), the variants interleaved run by run so
load from other jobs falls on all of them:

* before: the page as written (print_html switched off), as html_to_pdf ran before;
* after: the print flavour (render.print_html), as html_to_pdf runs now;
* fonts (with --fonts): the page as written with one FontConfiguration and @font-face
  stylesheet reused for every PDF of the process, warm (measured: about 2 %, not kept).

Prints, per variant, the median CPU of each page and the sums over the keys and over the
worksheets, with the ratio to before; and checks that every variant gives the same page count.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from typing import Any

from quizgen import render
from quizgen.generate import Options, make_quiz

SETS = {
    "default": {},
    "nn": {"kinds": ("backprop", "neuron", "training-steps")},
    "mc": {"style": "mc"},
}
VARIANTS: tuple[str, ...] = ("before", "after")
PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def pages(seeds: list[int]) -> dict[str, str]:
    html = {}
    for name, extra in SETS.items():
        for seed in seeds:
            quiz = make_quiz(Options(count=20, **extra), seed)
            for which in ("key", "worksheet"):
                html[f"{which} {name} seed {seed}"] = render.render_html(quiz, which)
    return html


ORIGINAL_FONTS = render._pdf_fonts
ORIGINAL_PRINT = render.print_html
_KEPT: list[Any] = []


def kept_fonts() -> Any:
    """One FontConfiguration (and its stylesheets) for every PDF of this process."""
    if not _KEPT:
        _KEPT.append(ORIGINAL_FONTS())
    return _KEPT[0]


def run(variant: str, html: str) -> tuple[float, int]:
    render.print_html = ORIGINAL_PRINT if variant == "after" else (lambda h: h)  # type: ignore[assignment]
    render._pdf_fonts = kept_fonts if variant == "fonts" else ORIGINAL_FONTS  # type: ignore[assignment]
    try:
        start = time.process_time()
        pdf = render.html_to_pdf(html)
        return time.process_time() - start, len(PAGE.findall(pdf))
    finally:
        render.print_html, render._pdf_fonts = ORIGINAL_PRINT, ORIGINAL_FONTS  # type: ignore[assignment]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1,5,7")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--fonts", action="store_true", help="also time a FontConfiguration kept per process")
    args = parser.parse_args()
    global VARIANTS
    if args.fonts:
        VARIANTS = ("before", "after", "fonts")
    seeds = [int(s) for s in args.seeds.split(",")]
    print(f"load before: {os.getloadavg()}", flush=True)
    docs = pages(seeds)
    for html in docs.values():  # warm: imports, the first fonts
        run("after", html)
    times: dict[tuple[str, str], list[float]] = {}
    counts: dict[tuple[str, str], set[int]] = {}
    for r in range(args.runs):
        for doc, html in docs.items():
            order = VARIANTS[r % len(VARIANTS):] + VARIANTS[:r % len(VARIANTS)]  # each variant goes first in turn
            for variant in order:
                cpu, n = run(variant, html)
                times.setdefault((doc, variant), []).append(cpu)
                counts.setdefault((doc, "pages"), set()).add(n)
        print(f"  run {r + 1}/{args.runs} done", file=sys.stderr, flush=True)
    print(f"{'page':34s}" + "".join(f"{v:>9s}" for v in VARIANTS) + "   after/before")
    sums = {(which, v): 0.0 for which in ("key", "worksheet") for v in VARIANTS}
    for doc in docs:
        med = {v: statistics.median(times[(doc, v)]) for v in VARIANTS}
        for v in VARIANTS:
            sums[(doc.split()[0], v)] += med[v]
        same = "" if len(counts[(doc, "pages")]) == 1 else "  PAGE COUNTS DIFFER"
        print(f"{doc:34s}" + "".join(f"{med[v]:9.3f}" for v in VARIANTS) + f"   {med['after'] / med['before']:.2f}{same}")
    for which in ("key", "worksheet"):
        base = sums[(which, "before")]
        print(f"{'sum of ' + which + 's':34s}" + "".join(f"{sums[(which, v)]:9.3f}" for v in VARIANTS)
              + "   " + "  ".join(f"{v} {sums[(which, v)] / base:.2f}" for v in VARIANTS[1:]))
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
