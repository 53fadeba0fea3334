"""The key's pictures: CPU to draw each one, and WeasyPrint's CPU to draw it into the PDF.

    python benchmarks/bench_pictures.py [--seeds 1 2 3 4 5] [--runs 5]

For the pictures of `make --count 20 --seed S` (five a version), process CPU time
(time.process_time, so other jobs on the machine matter less than for wall time), medians:

- drawing: plots.figure + the lean SVG writer (what quizgen uses), and plots.figure +
  matplotlib's savefig (what it used before; the figure itself is the same), each picture
  drawn three times from a cleared cache;
- SVG bytes, elements (nodes WeasyPrint walks) and path commands;
- WeasyPrint: render.html_to_pdf of a page holding the five pictures with their captions,
  with the lean SVGs, with savefig's, and with empty SVGs of the same size (so the difference
  is what drawing the pictures costs), runs interleaved;
- importing matplotlib and the label fonts, in a fresh process (once per worker).
"""

from __future__ import annotations

import argparse
import base64
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from quizgen import plots  # noqa: E402
from quizgen.generate import Options, make_quiz  # noqa: E402
from quizgen.model import GraphPicture  # noqa: E402
from quizgen.render import html_to_pdf, render_html  # noqa: E402


def pictures(seed: int) -> list[Any]:
    quiz = make_quiz(Options(count=20), seed)
    return [p.plot for p in quiz.problems if p.plot is not None and not isinstance(p.plot, GraphPicture)]


def drawn(picture: Any, lean: bool) -> tuple[float, bytes]:
    times, svg = [], b""
    for _ in range(3):
        start = time.process_time()
        fig = plots.figure(picture)
        svg = plots._svg_bytes(fig) if lean else plots._savefig_svg(fig)
        times.append(time.process_time() - start)
    return statistics.median(times), svg


def shape(svg: bytes) -> tuple[int, int]:
    """(elements, path commands) of an SVG."""
    return len(re.findall(rb"<[a-zA-Z]", svg)), len(re.findall(rb"(?<![a-zA-Z])[MLCQz](?= |\")", svg))


def page(head: str, pictures: list[Any], svgs: list[bytes]) -> str:
    figures = []
    for picture, svg in zip(pictures, svgs):
        html = str(plots.figure_html(picture))
        uri = "data:image/svg+xml;base64," + base64.b64encode(svg).decode()
        figures.append(re.sub(r'src="data:image/svg\+xml;base64,[^"]+"', f'src="{uri}"', html))
    return head + "<body>" + "".join(figures) + "</body></html>"


def empty(svg: bytes) -> bytes:
    size = re.search(rb'width="[^"]+" height="[^"]+" viewBox="[^"]+"', svg)
    assert size is not None
    return b'<svg xmlns="http://www.w3.org/2000/svg" ' + size.group(0) + b"></svg>"


def import_cost() -> float:
    script = ("import time; from quizgen import plots; t = time.process_time(); plots._import_matplotlib(); "
              "print(time.process_time() - t)")
    runs = [float(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                                 cwd=ROOT).stdout) for _ in range(3)]
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with open("/proc/loadavg") as f:
        print(f"load average at start: {f.read().split()[0]}")
    print(f"importing matplotlib + fonts (fresh process, median of 3): {import_cost():.3f} s CPU")
    plots._import_matplotlib()
    head_html = render_html(make_quiz(Options(count=2), 1), "key")
    head = head_html[:head_html.index("<body")]
    html_to_pdf(page(head, [], []))  # WeasyPrint's own first-use costs
    draw: dict[str, list[float]] = {"lean": [], "savefig": []}
    size: dict[str, list[int]] = {"lean": [], "savefig": []}
    nodes: dict[str, list[int]] = {"lean": [], "savefig": []}
    commands: dict[str, list[int]] = {"lean": [], "savefig": []}
    weasy: dict[str, list[float]] = {"lean": [], "savefig": []}
    for seed in args.seeds:
        pics = pictures(seed)
        svgs: dict[str, list[bytes]] = {"lean": [], "savefig": []}
        for picture in pics:
            for name in ("lean", "savefig"):
                cpu, svg = drawn(picture, name == "lean")
                draw[name].append(cpu)
                svgs[name].append(svg)
                size[name].append(len(svg))
                n, c = shape(svg)
                nodes[name].append(n)
                commands[name].append(c)
        pages = {"lean": page(head, pics, svgs["lean"]), "savefig": page(head, pics, svgs["savefig"]),
                 "empty": page(head, pics, [empty(s) for s in svgs["lean"]])}
        cpu: dict[str, list[float]] = {name: [] for name in pages}
        for _ in range(args.runs):  # interleaved: load on the machine hits all three alike
            for name, html in pages.items():
                start = time.process_time()
                html_to_pdf(html)
                cpu[name].append(time.process_time() - start)
        base = statistics.median(cpu["empty"])
        for name in ("lean", "savefig"):
            weasy[name].append((statistics.median(cpu[name]) - base) / len(pics))
        print(f"seed {seed}: {len(pics)} pictures; WeasyPrint page CPU median: empty {base:.3f} s, "
              f"lean {statistics.median(cpu['lean']):.3f} s, savefig {statistics.median(cpu['savefig']):.3f} s")
    print()
    print("per picture (medians)            lean SVG   savefig SVG   ratio")
    for label, data, fmt in (("drawing, CPU ms", draw, 1000.0), ("WeasyPrint drawing it, CPU ms", weasy, 1000.0)):
        lean, old = statistics.median(data["lean"]) * fmt, statistics.median(data["savefig"]) * fmt
        print(f"{label:32} {lean:8.1f}   {old:11.1f}   {lean / old:5.2f}")
    for label, ints in (("SVG bytes", size), ("elements", nodes), ("path commands", commands)):
        lean_i, old_i = statistics.median(ints["lean"]), statistics.median(ints["savefig"])
        print(f"{label:32} {lean_i:8.0f}   {old_i:11.0f}   {lean_i / old_i:5.2f}")
    with open("/proc/loadavg") as f:
        print(f"load average at end: {f.read().split()[0]}")


if __name__ == "__main__":
    main()
