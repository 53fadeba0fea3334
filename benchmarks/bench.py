"""quizgen's performance figures (issue 8 item 2): medians of whole processes, and their ratio.

    python benchmarks/bench.py [--runs 7] [--count 20]

1. `quizgen make --count 20 --format html,pdf` (worksheet + key, HTML + PDF): wall time of
   the whole fresh process (interpreter start and imports included).
2. The floor: WeasyPrint alone, in one fresh process (import included), turning plain
   paragraphs into PDFs of the same page counts as that run's worksheet and key.
3. Their ratio. The two are measured in alternation (floor, make, floor, make, …) so that
   load from other jobs on a shared machine falls on both alike; `uptime` is printed
   before and after.
4. Where the time goes: one in-process run with timers around each stage.
5. Generation + verification throughput, no rendering (problems per second).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Plain paragraphs, same page size and margins as quizgen's pages, body text 11 pt.
FLOOR = r"""
import sys, weasyprint
PARA = ("Derivatives from first principles: the difference quotient of a function over a small step "
        "approaches the slope of the tangent line as the step shrinks to zero. ") * 3
def page(paragraphs):
    body = "".join(f"<p>{PARA}</p>" for _ in range(paragraphs))
    return ("<html><head><style>@page { size: A4; margin: 20mm 17mm 18mm 17mm; } "
            "html { font: 11pt/1.45 serif; } p { margin: 0 0 6pt 0; }</style></head><body>" + body + "</body></html>")
for target, paragraphs in zip(sys.argv[1::2], sys.argv[2::2]):
    weasyprint.HTML(string=page(int(paragraphs))).write_pdf(target)
"""


def paragraphs_for(pages: int) -> int:
    """How many of FLOOR's paragraphs make `pages` pages (found once, in this process, untimed)."""
    import weasyprint

    ns: dict = {}
    exec(FLOOR.split("for target")[0].replace("import sys, weasyprint", ""), ns)
    n = pages * 6
    while len(weasyprint.HTML(string=ns["page"](n)).render().pages) < pages:
        n += 1
    return n


def timed(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """Wall time and CPU time (user + system of the process and every child it reaped, from
    os.wait4) of one fresh process. CPU time is far less inflated by other jobs' load."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, cmd)
    return wall, usage.ru_utime + usage.ru_stime


# The in-process timings below import quizgen from this checkout too.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def quizgen_cmd() -> list[str]:
    """quizgen from this checkout (the tree this script is in), whatever copy the venv has installed:
    `.venv/bin/quizgen` runs the installed copy, which is stale in a working tree until reinstalled
    (until 2026-11-30 this script timed that copy: an older quizgen)."""
    os.environ["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)
    return [sys.executable, "-m", "quizgen"]


def page_count(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


def load() -> str:
    return os.getloadavg().__repr__() if hasattr(os, "getloadavg") else "?"


def where_the_time_goes(count: int) -> list[tuple[str, float]]:
    """One run of make's stages in this process, each timed (imports in a fresh interpreter)."""
    imports = subprocess.run(
        [sys.executable, "-c", "import time; t = time.perf_counter(); import quizgen.cli, quizgen.generate, "
         "quizgen.render, weasyprint, jinja2, sympy; print(time.perf_counter() - t)"],
        check=True, capture_output=True, text=True,
    )
    rows = [("imports (click, sympy, jinja2, WeasyPrint)", float(imports.stdout))]

    import weasyprint

    from quizgen.generate import Options, make_quiz
    from quizgen.render import FONT_FACES, environment, fonts_dir, render_html, templates_dir
    from weasyprint.text.fonts import FontConfiguration

    start = time.perf_counter()
    quiz = make_quiz(Options(count=count), 1)
    rows.append((f"generating + verifying {count} problems", time.perf_counter() - start))
    env = environment()
    pages = {}
    for which in ("worksheet", "key"):
        start = time.perf_counter()
        pages[which] = render_html(quiz, which, env=env)
        rows.append((f"{which}.html (templates, math, pictures)", time.perf_counter() - start))
    for which, html in pages.items():
        fonts = FontConfiguration()
        start = time.perf_counter()
        faces = weasyprint.CSS(string=FONT_FACES, base_url=str(fonts_dir()) + "/", font_config=fonts)
        doc = weasyprint.HTML(string=html, base_url=str(templates_dir())).render(
            stylesheets=[faces], font_config=fonts, pdf_tags=True)
        layout = time.perf_counter() - start
        start = time.perf_counter()
        doc.write_pdf(pdf_tags=True)
        rows.append((f"WeasyPrint {which}.pdf ({len(doc.pages)} pages): parse + style + layout", layout))
        rows.append((f"WeasyPrint {which}.pdf: draw + fonts + write", time.perf_counter() - start))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--count", type=int, default=20)
    args = parser.parse_args()

    print(f"python {platform.python_version()} · {os.cpu_count()} cores · {platform.machine()} · load {load()}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        make = quizgen_cmd() + ["make", "--count", str(args.count), "--format", "html,pdf", "--seed", "1"]
        timed(make + ["--out", "warm"], work)  # warm the OS file cache; gives the page counts
        pages = [page_count(work / "warm" / f) for f in ("worksheet.pdf", "key.pdf")]
        floor_cmd = [sys.executable, "-c", FLOOR, "ws.pdf", str(paragraphs_for(pages[0])),
                     "key.pdf", str(paragraphs_for(pages[1]))]
        timed(floor_cmd, work)
        floor_pages = [page_count(work / f) for f in ("ws.pdf", "key.pdf")]
        make_runs, floor_runs = [], []
        for run in range(args.runs):
            floor_runs.append(timed(floor_cmd, work))
            make_runs.append(timed(make + ["--out", f"run{run}"], work))

    make_times, floor_times = [w for w, _ in make_runs], [w for w, _ in floor_runs]
    make_cpu, floor_cpu = statistics.median(c for _, c in make_runs), statistics.median(c for _, c in floor_runs)
    make_med, floor_med = statistics.median(make_times), statistics.median(floor_times)
    print(f"quizgen make --count {args.count} (HTML+PDF, worksheet {pages[0]} + key {pages[1]} pages): "
          f"median {make_med:.2f} s (runs: {', '.join(f'{t:.2f}' for t in make_times)})")
    print(f"floor: WeasyPrint alone, plain paragraphs, {floor_pages[0]} + {floor_pages[1]} pages, one process: "
          f"median {floor_med:.2f} s (runs: {', '.join(f'{t:.2f}' for t in floor_times)})")
    print(f"ratio make / floor: {make_med / floor_med:.2f}   (targets: make ≤ 1.5 s, ratio ≤ 3)")
    print(f"CPU time (user + sys, whole process tree), medians: make {make_cpu:.2f} s, floor {floor_cpu:.2f} s, "
          f"ratio {make_cpu / floor_cpu:.2f}")
    print(f"load after: {load()}")

    print("\nwhere the time goes (one run, in-process timers; make overlaps the two PDFs in two workers):")
    for what, seconds in where_the_time_goes(args.count):
        print(f"  {what:<62} {seconds:6.2f} s")

    from quizgen.generate import Options, make_quiz

    rates = []
    for run in range(args.runs):
        start = time.perf_counter()
        quiz = make_quiz(Options(count=500), 1000 + run)
        rates.append(len(quiz.problems) / (time.perf_counter() - start))
    print(f"\ngeneration + verification, no rendering: median {statistics.median(rates):,.0f} problems/s "
          f"(500 problems per run, all kinds, degree 2)")


if __name__ == "__main__":
    main()
