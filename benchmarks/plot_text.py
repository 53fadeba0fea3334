"""Picture labels as SVG text or as glyph paths: WeasyPrint time and searchability.

    python benchmarks/plot_text.py [--runs 5]

Builds the key of `quizgen make --count 20 --seed 7` (five pictures) twice: with matplotlib's
svg.fonttype 'none' (labels stay <text> in STIX Two Math, WeasyPrint lays them out) and
'path' (labels drawn as outlines). Prints the median time html_to_pdf takes for each, the
SVG sizes, and whether a picture label ("tangent") can be found in the PDF's text.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from quizgen import plots  # noqa: E402
from quizgen.generate import Options, make_quiz  # noqa: E402
from quizgen.render import html_to_pdf, render_html  # noqa: E402

# svg.fonttype is matplotlib's savefig setting: since plots writes its own lean SVG (always text;
# benchmarks/bench_pictures.py), this comparison is of savefig's output, plots' fallback.
plots._svg_bytes = plots._savefig_svg


def key_html(fonttype: str, alone: bool) -> tuple[str, int]:
    """The whole key, or (alone) a page of just its pictures, with the labels drawn as fonttype says."""
    plots._RC["svg.fonttype"] = fonttype
    plots.svg.cache_clear()
    plots.data_uri.cache_clear()
    plots._READY.clear()
    quiz = make_quiz(Options(count=20), 7)
    pictures = [p.plot for p in quiz.problems if p.plot is not None]
    size = sum(len(plots.svg(p)) for p in pictures)
    if alone:
        key = render_html(quiz, "key")
        head = key[:key.index("<body")]
        return head + "<body>" + "".join(plots.figure_html(p) for p in pictures) + "</body></html>", size
    return render_html(quiz, "key"), size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    for alone in (True, False):
        print("A page of the key's five pictures alone:" if alone else "The whole key (12 pages):")
        table(runs, alone)


def table(runs: int, alone: bool) -> None:
    pages = {fonttype: key_html(fonttype, alone) for fonttype in ("none", "path")}
    times: dict[str, list[float]] = {"none": [], "path": []}
    for _ in range(runs):  # interleaved, so load on the machine hits both alike
        for fonttype, (html, _size) in pages.items():
            start = time.perf_counter()
            html_to_pdf(html)
            times[fonttype].append(time.perf_counter() - start)
    rows = []
    for fonttype, (html, size) in pages.items():
        pdf = html_to_pdf(html)
        with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
            f.write(pdf)
            f.flush()
            text = subprocess.run(["pdftotext", f.name, "-"], capture_output=True, text=True, check=True).stdout
        found = "𝑦 = 𝑓(𝑥)" in text or "y = f(x)" in text
        t = times[fonttype]
        rows.append((fonttype, statistics.median(t), min(t), max(t), size, len(pdf), found))
    print("svg.fonttype  median s  (min–max)      SVG bytes  PDF bytes  'y = f(x)' label found in pdftotext")
    for fonttype, med, lo, hi, size, pdf_size, found in rows:
        print(f"{fonttype:12}  {med:8.3f}  ({lo:.3f}–{hi:.3f})  {size:9,}  {pdf_size:9,}  {found}")
    print(f"ratio path/none: {rows[1][1] / rows[0][1]:.2f}")


if __name__ == "__main__":
    main()
