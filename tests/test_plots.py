"""Pictures: the right curves in the SVG, deterministic bytes, readable in black and white, where asked."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner

from quizgen import plots
from quizgen.cli import main
from quizgen.generate import Options, make_quiz
from quizgen.model import LossPicture, SecantPicture

F = Fraction
WALK = (F(5), F(-4), F(3))  # 3x² − 4x + 5
SECANT = SecantPicture(WALK, F(2), (F(1), F(1, 2), F(1, 10), F(1, 100), F(1, 1000)), "key caption", "given caption")
LOSS = LossPicture(WALK, (F(2), F(6, 5), F(22, 25)), "key caption", "given caption", True, F(2, 3))
# limit-definition's picture of 7x² + 7x + 14 at 1 (seed 11, hard): room for three secants.
PICTURE_KINDS_SECANT = SecantPicture((F(14), F(7), F(7)), F(1), (F(2), F(1), F(1, 2), F(1, 4)), "c", "g")


def gids(svg: bytes) -> list[str]:
    """The ids quizgen gave its artists, in drawing order (an id is on the artist's element, or on a
    group when the artist draws several; the tick groups x-ticks, y-ticks left out)."""
    ids = re.findall(r'<(?:g|path|text) id="([^"]+)"', svg.decode())
    return [i for i in ids if not re.match(r"[xy]-ticks", i)]


def group(svg: bytes, gid: str) -> str:
    """The element (or group of elements) with this id."""
    text = svg.decode()
    start = re.search(f'<(g|path|text) id="{gid}"', text)
    assert start, gid
    end = {"g": "</g>", "path": "/>", "text": "</text>"}[start.group(1)]
    return text[start.start():text.index(end, start.start()) + len(end)]


def numbers(d: str) -> list[float]:
    return [float(v) for v in re.findall(r"-?[\d.]+", d)]


def test_secant_picture_has_curve_secants_tangent_and_labels() -> None:
    svg = plots.svg(SECANT)
    ids = gids(svg)
    shown = [i for i in ids if re.fullmatch(r"secant-\d", i)]
    assert len(shown) >= 2
    for name in ("curve", "tangent", "point", "label-point", "label-tangent"):
        assert name in ids
    for secant in shown:
        assert f"{secant.replace('secant', 'secant-point')}" in ids and f"label-{secant}" in ids
    assert "legend_1" not in svg.decode()  # lines are labelled directly, never by a legend
    # The curve (a quadratic) is one cubic Bézier; each secant and the tangent a single segment.
    curve = re.search(r' d="([^"]*)"', group(svg, "curve")).group(1)  # type: ignore[union-attr]
    assert re.sub(r"[-\d. ]", "", curve) == "MC"
    for gid in ("secant-1", "tangent"):
        d = re.search(r' d="([^"]*)"', group(svg, gid)).group(1)  # type: ignore[union-attr]
        assert group(svg, gid).count("<path") == 1 and re.sub(r"[-\d. ]", "", d) == "ML"


def _segment(svg: bytes, gid: str) -> tuple[float, float, float, float]:
    found = re.search(r'd="M ([-\d.]+) ([-\d.]+) \s*L ([-\d.]+) ([-\d.]+)', group(svg, gid))
    assert found, gid
    x0, y0, x1, y1 = map(float, found.groups())
    return x0, y0, x1, y1


def test_secant_slopes_shrink_onto_the_tangent() -> None:
    """Read the segments back: slopes (in SVG units, y down) approach the tangent's as h shrinks."""
    svg = plots.svg(SECANT)

    def slope(gid: str) -> float:
        x0, y0, x1, y1 = _segment(svg, gid)
        return (y0 - y1) / (x1 - x0)

    tangent = slope("tangent")
    shown = [i for i in gids(svg) if re.fullmatch(r"secant-\d", i)]
    gaps = [abs(slope(s) - tangent) for s in shown]
    assert gaps == sorted(gaps, reverse=True) and gaps[-1] > 0


def test_black_and_white_styles_differ_by_dash_and_marker() -> None:
    svg = plots.svg(PICTURE_KINDS_SECANT)
    shown = [i for i in gids(svg) if re.fullmatch(r"secant-\d", i)]
    assert len(shown) == 3
    dashes = {re.search(r'stroke-dasharray="([\d.,]+)"', group(svg, s)).group(1) for s in shown}
    assert len(dashes) == 3  # each secant its own dash pattern
    assert "stroke-dasharray" not in group(svg, "curve") and "stroke-dasharray" not in group(svg, "tangent")
    # circle (Bézier arcs), square (four sides), triangle (three): told apart by the path's commands
    markers = {re.sub(r"[-\d. ]", "", re.search(r' d="([^"]*)"', group(svg, f"secant-point-{s[-1]}")).group(1))
               for s in shown}
    assert len(markers) == 3, markers


def test_loss_picture_shows_the_steps_the_slope_and_the_minimum() -> None:
    svg = plots.svg(LOSS)
    ids = gids(svg)
    for name in ("loss", "minimum", "tangent-w0", "step-1", "step-2", "weight-0", "weight-1", "weight-2",
                 "label-weight-0", "label-weight-1", "label-weight-2", "label-slope", "label-minimum"):
        assert name in ids
    assert "𝑤₀" in svg.decode() and "𝑤₂" in svg.decode()


def test_worksheet_pictures_give_nothing_away() -> None:
    assert gids(plots.svg(SECANT, full=False)) == ["curve", "given-a", "label-given", "label-curve"]
    assert gids(plots.svg(LOSS, full=False)) == ["loss", "given-w0", "label-given", "label-curve"]


def test_svg_is_small_deterministic_and_dateless() -> None:
    svg = plots.svg(SECANT)
    assert len(svg) < 40_000
    assert b"<dc:date>" not in svg and b"Created with matplotlib" not in svg
    assert b"<text" in svg  # text kept as text (svg.fonttype none), not glyph paths
    script = (
        "from fractions import Fraction as F; import sys, hashlib; from quizgen import plots; "
        "p = plots.SecantPicture((F(5), F(-4), F(3)), F(2), (F(1), F(1, 2)), 'c', 'g'); "
        "sys.stdout.write(hashlib.sha256(plots.svg(p)).hexdigest())"
    )
    runs = {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
            for _ in range(2)}
    assert len(runs) == 1
    plots.svg.cache_clear()
    again = plots.SecantPicture(SECANT.coeffs, SECANT.a, SECANT.hs, SECANT.caption, SECANT.given_caption)
    assert plots.svg(again) == svg


def test_figures_worker_gives_the_same_bytes_as_drawing_inline() -> None:
    pictures = [(SECANT, True), (LOSS, True), (LOSS, False)]
    plots._READY.clear()
    plots.data_uri.cache_clear()
    with plots.Figures(pictures) as figure:
        page = "".join(figure(p, full) for p, full in pictures)
        assert page.count("<!--quizgen-figure-") == (3 if figure._pending is not None else 0)
        page = figure.fill(page)
    inline = "".join(plots.figure_html(p, full) for p, full in pictures)
    assert page == inline and "quizgen-figure" not in page


def _img_uris(html: str) -> list[bytes]:
    return [base64.b64decode(u) for u in re.findall(r'<figure class="plot[^"]*"><img src="data:image/svg\+xml;base64,([^"]+)"', html)]


@pytest.mark.parametrize(
    ("plots_option", "in_key", "in_worksheet"), [("key", 4, 0), ("worksheet", 4, 4), ("none", 0, 0)]
)
def test_plots_option_places_pictures(tmp_path: Path, plots_option: str, in_key: int, in_worksheet: int) -> None:
    kinds = ["limit-definition", "secant-table", "tangent-line", "gradient-step", "partial-derivatives", "evaluate"]
    args = ["make", "--seed", "4", "-n", "12", "-f", "html", "--plots", plots_option, "-o", str(tmp_path)]
    for kind in kinds:
        args += ["-k", kind]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    key = (tmp_path / "key.html").read_text()
    worksheet = (tmp_path / "worksheet.html").read_text()
    assert len(_img_uris(key)) == in_key * 2  # 12 problems: each picture kind twice
    assert len(_img_uris(worksheet)) == in_worksheet * 2
    for svg in _img_uris(worksheet):
        assert "tangent" not in gids(svg) and "step-1" not in gids(svg)
    if in_key:
        assert "the secants tilt onto the tangent of slope" in key


def test_matplotlib_is_imported_only_when_a_picture_is_drawn(tmp_path: Path) -> None:
    # One core: pictures are drawn in this process (with two, a forked worker draws them).
    script = (
        "import os, sys; os.cpu_count = lambda: 1; from quizgen.cli import main; "
        f"main(['make', '--seed', '1', '-n', '12', '-f', 'html,json', '--plots', sys.argv[1], '-o', {str(tmp_path)!r}], "
        "standalone_mode=False); print('matplotlib' in sys.modules)"
    )
    for option, imported in (("none", "False"), ("key", "True")):
        out = subprocess.run([sys.executable, "-c", script, option], capture_output=True, text=True, check=True)
        assert out.stdout.strip().splitlines()[-1] == imported, option


def test_key_pdf_has_the_picture_caption_as_text(tmp_path: Path) -> None:
    from conftest import pdf_text

    args = ["make", "--seed", "2", "-k", "tangent-line", "-n", "1", "-f", "pdf", "-o", str(tmp_path)]
    assert CliRunner().invoke(main, args, catch_exceptions=False).exit_code == 0
    text = pdf_text(tmp_path / "key.pdf")
    assert "touchesthegraphat" in text


def test_pictures_come_from_the_problem_data() -> None:
    quiz = make_quiz(Options(kinds=("secant-table", "gradient-step"), function="3x^2-4x+5", point="2", count=2), 1)
    secant, loss = (p.plot for p in quiz.problems)
    assert secant == SecantPicture(WALK, F(2), (F(1, 10), F(1, 100), F(1, 1000)), secant.caption,
                                   secant.given_caption, True)
    assert loss.weights == (F(2), F(6, 5)) and loss.minimiser == F(2, 3)
    assert all("plot" not in p for p in quiz.to_json()["problems"])  # pictures never reach quiz.json


def _shown_width_mm(selector: str) -> float:
    """The width style.css gives a picture's <img> (read from the stylesheet, not from plots)."""
    css = (Path(plots.__file__).parent / "templates" / "style.css").read_text()
    match = re.search(re.escape(selector) + r"\s*\{[^}]*?width:\s*([\d.]+)mm", css)
    assert match, selector
    return float(match.group(1))


@pytest.mark.parametrize("picture", [SECANT, LOSS, PICTURE_KINDS_SECANT])
@pytest.mark.parametrize(("full", "selector"), [(True, "figure.plot img"), (False, "figure.plot.given img")])
def test_tick_labels_print_at_least_7pt(picture: SecantPicture | LossPicture, full: bool, selector: str) -> None:
    # The worksheet's pictures printed their tick labels at about 5 pt (6.5 figure-pt shown at 62 mm).
    svg = plots.svg(picture, full).decode()
    view_w = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))  # type: ignore[union-attr]
    scale = _shown_width_mm(selector) / 25.4 * 72 / view_w  # printed pt per SVG unit
    sizes = []
    for axis in re.findall(r'<g id="[xy]-ticks">(.*?)</g>', svg, flags=re.S):  # the tick marks and their labels
        labels = re.findall(r'<text [^>]*font-size="([\d.]+)"', axis)
        assert labels, axis
        sizes += [float(size) for size in labels]
    assert sizes, "no tick labels found"
    assert min(sizes) * scale >= 7.0 - 1e-9, (min(sizes), scale, min(sizes) * scale)


def test_picture_kinds_are_the_kinds_that_draw() -> None:
    """`quizgen make` forks the picture worker up front for these kinds (plots.PICTURE_KINDS); a kind
    that draws but is missing from the list would only lose that head start, one listed that never
    draws would start matplotlib for nothing."""
    from quizgen.generate import Options, make_quiz
    from quizgen.kinds import DEFAULT_KINDS, KINDS
    from quizgen.model import GraphPicture

    drawing = set()
    for kind in KINDS:
        quiz = make_quiz(Options(count=6, kinds=(kind,)), 5)
        if any(p.plot is not None and not isinstance(p.plot, GraphPicture) for p in quiz.problems):
            drawing.add(kind)
    assert drawing == plots.PICTURE_KINDS
    assert plots.PICTURE_KINDS & set(DEFAULT_KINDS)  # make without --kind starts the worker up front
