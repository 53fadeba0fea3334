"""Pictures read at 100 % and in black and white: labels clear of each other and of the lines,
secants visibly apart, alt text on every picture, worksheets drawing only what is given.

Label boxes are measured with matplotlib's own renderer on the drawn figure; line positions
are read back from the SVG. Pictures come from real quizzes over seeds, difficulties and degrees.
"""

from __future__ import annotations

import base64
import html
import itertools
import re
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from quizgen import plots
from quizgen.cli import main
from quizgen.exact import Style, horner
from quizgen.generate import Options, make_quiz
from quizgen.model import LossPicture, SecantPicture

F = Fraction
PICTURE_KINDS = ("limit-definition", "secant-table", "tangent-line", "gradient-step")
LINES = re.compile(r"(curve|loss|loss-zoom|zoom-box|tangent|tangent-w0|minimum|secant-\d)$")
# The key shows the 3.1-inch figure 74 mm wide (style.css); screen pixels at 100 % are 96 an inch.
PX_PER_SVG_UNIT = 74 / 25.4 * 96 / 223.2


def _pictures() -> list[Any]:
    found = []
    for seed, difficulty, degree in itertools.product((3, 7, 11), ("easy", "medium", "hard"), (2, 3, 4)):
        quiz = make_quiz(Options(kinds=PICTURE_KINDS, count=4, difficulty=difficulty, degree=degree), seed)
        found += [p.plot for p in quiz.problems if p.plot is not None]
    # The reproductions of issue 8: seed 7 key p. 3 (steep secants), seed 11 hard p. 7 and p. 9.
    for seed, difficulty in ((7, "medium"), (11, "hard")):
        quiz = make_quiz(Options(count=20, difficulty=difficulty), seed)
        found += [p.plot for p in quiz.problems if p.plot is not None]
    return list(dict.fromkeys(found))


PICTURES = _pictures()


def _labels_and_lines(fig: Any) -> tuple[list[tuple[str, Any]], list[tuple[str, Any]]]:
    """(gid, display bbox) of every label and (gid, display path) of every drawn line."""
    renderer = fig.canvas.get_renderer()
    labels = [(t.get_gid(), t.get_window_extent(renderer)) for t in fig.findobj()
              if hasattr(t, "get_text") and (t.get_gid() or "").startswith("label-") and t.get_text()]
    lines = [(a.get_gid(), a.get_transform().transform_path(a.get_path())) for a in fig.findobj()
             if LINES.match(a.get_gid() or "") and hasattr(a, "get_path") and hasattr(a, "get_xydata")]
    return labels, lines


@pytest.mark.parametrize("full", [True, False], ids=["key", "worksheet"])
def test_labels_overlap_neither_each_other_nor_the_lines(full: bool) -> None:
    assert len(PICTURES) > 30
    for picture in PICTURES:
        fig = plots.figure(picture, full)
        labels, lines = _labels_and_lines(fig)
        assert labels and lines
        assert not fig.findobj(lambda a: type(a).__name__ == "Legend")
        for (g1, b1), (g2, b2) in itertools.combinations(labels, 2):
            assert not b1.overlaps(b2), (picture, g1, g2)
        for (label, box), (line, path) in itertools.product(labels, lines):
            assert not path.intersects_bbox(box, filled=False), (picture, label, line)


def _separations(svg: bytes) -> list[float]:
    """Screen-pixel distance, at the plot edge where it is largest, of every pair of the tangent
    and the secants (straight segments across the plot, read from the SVG)."""
    text = svg.decode()
    names = ["tangent"] + re.findall(r'id="(secant-\d)"', text)
    ends = {}
    for name in names:
        start = text.index(f'id="{name}"')
        x0, y0, x1, y1 = map(float, re.search(r'd="M ([-\d.]+) ([-\d.]+) \s*L ([-\d.]+) ([-\d.]+)',
                                               text[start:]).groups())
        ends[name] = (y0, y1)
    return [max(abs(ends[p][0] - ends[q][0]), abs(ends[p][1] - ends[q][1])) * PX_PER_SVG_UNIT
            for p, q in itertools.combinations(names, 2)]


def test_secants_stand_visibly_apart_where_they_leave_the_plot() -> None:
    """Each pair of drawn lines through (a, f(a)) is ≥ 4 screen pixels apart at the plot's edge
    (small steps near a, as a textbook draws them, are preferred to a wider fan of large ones)."""
    checked = 0
    for picture in PICTURES:
        if isinstance(picture, SecantPicture):
            apart = _separations(plots.svg(picture))
            assert apart and min(apart) >= 4, (picture, apart)
            checked += len(apart)
    assert checked > 40


def test_the_steep_secants_of_seed_7_use_small_steps_near_a() -> None:
    """f(x) = −x² − 8x + 9 at 1 (seed 7, key p. 3) drew h = 4, 8, 16 over x from −2 to 22: the
    caption's "as h shrinks" wants small steps in a window a few units wide around a."""
    picture = SecantPicture((F(9), F(-8), F(-1)), F(1), (), "c", "g")
    plan = plots.secant_plan(picture)
    assert len(plan.shown) >= 2 and max(plan.shown) <= 1, plan.shown
    lo, hi = plan.xlim
    assert hi - lo <= 4 and min(1 - lo, hi - 1) >= 0.25 * (hi - lo), plan.xlim
    apart = _separations(plots.svg(picture))
    assert len(apart) == len(plan.shown) * (len(plan.shown) + 1) // 2 and min(apart) >= 4, apart


@pytest.mark.parametrize("seed", [1, 7, 11])
@pytest.mark.parametrize("difficulty", ["medium", "hard"])
def test_limit_pictures_use_small_steps(seed: int, difficulty: str) -> None:
    """Every secant picture of a 20-problem set draws at least two secants with steps ≤ 2, in a
    window at most 6 wide with a in its middle half, the lines ≥ 4 px apart."""
    quiz = make_quiz(Options(count=20, difficulty=difficulty), seed)
    pictures = [p.plot for p in quiz.problems if isinstance(p.plot, SecantPicture)]
    assert pictures
    for picture in pictures:
        plan = plots.secant_plan(picture)
        a = float(picture.a)
        assert len(plan.shown) >= 2 and max(abs(h) for h in plan.shown) <= 2, (picture, plan.shown)
        lo, hi = plan.xlim
        assert hi - lo <= 6 and min(a - lo, hi - a) >= 0.25 * (hi - lo), (picture, plan.xlim)
        assert min(_separations(plots.svg(picture))) >= 4, picture


def test_close_gradient_steps_get_labels_apart() -> None:
    """Seed 11 hard, key p. 9: w₀ = −0.5, w₁ = −0.47, w₂ = −0.4418 on 3w² − 8 had w₀, w₁, w₂ on top of each other."""
    picture = LossPicture((F(-8), F(0), F(3)), (F(-1, 2), F(-47, 100), F(-2209, 5000)), "c", "g", True, F(0))
    fig = plots.figure(picture)
    labels, _ = _labels_and_lines(fig)
    weights = [box for gid, box in labels if gid.startswith("label-weight")]
    assert len(weights) == 3
    for b1, b2 in itertools.combinations(weights, 2):
        assert not b1.overlaps(b2)
    markers = [a.get_transform().transform(a.get_xydata())[0] for a in fig.findobj()
               if (a.get_gid() or "").startswith("weight-")]
    for p, q in itertools.combinations(markers, 2):
        assert max(abs(p - q)) * PX_PER_SVG_UNIT >= 8  # markers not on top of each other either
    # The whole bowl with its minimum stays in view beside the enlarged steps.
    assert len(fig.axes) == 2
    gids = {a.get_gid() for a in fig.findobj()}
    assert {"loss", "minimum", "zoom-box", "loss-zoom", "label-minimum"} <= gids


def label_words(svg: str) -> str:
    """The text of every label quizgen placed (tick labels left out)."""
    return " ".join(re.findall(r'<text id="label-[^"]*"[^>]*>([^<]*)</text>', svg))


def test_a_picture_of_whole_numbers_writes_steps_as_fractions() -> None:
    """Seed 11 hard: one limit-definition picture said h = 0.5 and another h = 1/2, as the tasks
    had drawn (and not used) a decimal or a fractional step. Problems showing only whole numbers
    now get fractions in their pictures, whatever their task's style."""
    for decimal in (True, False):
        picture = SecantPicture((F(-4), F(-1), F(6)), F(1), (), "c", "g", decimal)  # 6x² − x − 4 at 1
        words = label_words(plots.svg(picture).decode())
        assert "ℎ = 1/2" in words and "0.5" not in words, words
        assert "h = 1, 1/2 and 1/4" in plots.describe(picture)


def test_numbers_in_a_picture_follow_the_problem_style() -> None:
    for decimal, half in ((True, "0.5"), (False, "1/2")):
        picture = SecantPicture((F(14), F(7), F(7)), F(1), (F(2), F(1), F(1, 2)), "c", "g", decimal)
        svg = plots.svg(picture).decode()
        assert f"ℎ = {half}<" in svg and f"h = 2, 1 and {half}" in plots.describe(picture)
        other = "1/2" if decimal else "0.5"
        texts = label_words(svg)
        assert other not in texts and other not in plots.describe(picture)


def _imgs(page: str) -> list[tuple[bytes, str]]:
    found = re.findall(r'<figure class="plot[^"]*"><img src="data:image/svg\+xml;base64,([^"]+)" alt="([^"]*)"', page)
    assert len(found) == page.count('<figure class="plot')
    return [(base64.b64decode(uri), html.unescape(alt)) for uri, alt in found]


@pytest.fixture(scope="module")
def worksheet_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("plots-worksheet")
    args = ["make", "--seed", "7", "-n", "8", "-f", "html,pdf", "--plots", "worksheet", "-o", str(out)]
    for kind in PICTURE_KINDS:
        args += ["-k", kind]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


def test_every_picture_has_alt_text_saying_what_it_shows(worksheet_run: Path) -> None:
    quiz = make_quiz(Options(kinds=PICTURE_KINDS, count=8), 7)
    for page, full in (("key.html", True), ("worksheet.html", False)):
        imgs = _imgs((worksheet_run / page).read_text())
        assert len(imgs) == 8
        for (_, alt), problem in zip(imgs, quiz.problems):
            assert alt.startswith("Graph of "), alt
            assert alt == plots.describe(problem.plot, full)
            # The formula in the alt text is the one the problem states (f, or the loss L).
            given = (problem.given.get("f") or problem.given["L"]).text
            assert given.split(" = ", 1)[-1] in alt, (given, alt)


def test_worksheet_pictures_contain_no_f_of_a(worksheet_run: Path) -> None:
    """--plots worksheet labelled (2, 31): the point's height is an answer. Only given data is drawn."""
    quiz = make_quiz(Options(kinds=PICTURE_KINDS, count=8), 7)
    imgs = _imgs((worksheet_run / "worksheet.html").read_text())
    for (svg, alt), problem in zip(imgs, quiz.problems):
        picture = problem.plot
        text = svg.decode()
        words = label_words(text)
        assert "𝑓(𝑥)" in words or "𝐿(𝑤)" in words or "=" in words
        style = Style(picture.decimal)
        at = picture.a if isinstance(picture, SecantPicture) else picture.weights[0]
        height = horner(picture.coeffs, at)
        assert "(" not in words.replace("𝑓(𝑥)", "").replace("𝐿(𝑤)", ""), words
        assert style.text(height) not in words.split(), (words, height)
        assert 'id="point"' not in text and 'id="weight-0"' not in text
        assert f"{style.text(at)}, {style.text(height)})" not in alt and f"f({style.text(at)})" not in alt and "L(w₀)" not in alt


def test_tagged_key_pdf_carries_the_alt_text(worksheet_run: Path) -> None:
    """The key.pdf quizgen writes is tagged; each picture is a /Figure whose /Alt is its alt text."""
    from pypdf import PdfReader

    alts = [alt for _, alt in _imgs((worksheet_run / "key.html").read_text())]
    found: list[str] = []
    seen: set[int] = set()

    def walk(node: Any) -> None:
        node = node.get_object()
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, dict):
            if node.get("/S") == "/Figure" and "/Alt" in node:
                found.append(str(node["/Alt"]))
            kids = node.get("/K")
            if kids is not None:
                for kid in kids if isinstance(kids, list) else [kids]:
                    if hasattr(kid, "get_object"):
                        walk(kid)

    walk(PdfReader(worksheet_run / "key.pdf").trailer["/Root"]["/StructTreeRoot"])
    assert alts and all(alt in found for alt in alts), (alts, found)


def _work_boxes(html_text: str) -> list[tuple[float, float]]:
    """(width, height) in CSS px of every working-space box, from WeasyPrint's layout of the page."""
    import weasyprint

    document = weasyprint.HTML(string=html_text, base_url=str(Path(plots.__file__).parent / "templates")).render()
    sizes = []

    def walk(box: Any) -> None:
        element = getattr(box, "element", None)
        if element is not None and "work" in (element.get("class") or "").split() and box.element_tag == "div":
            sizes.append((round(box.width, 1), round(box.height, 1)))
            return
        for child in getattr(box, "children", []):
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    return sizes


def test_worksheet_pictures_leave_the_working_space_whole(tmp_path: Path) -> None:
    """--plots worksheet drew the graph inside the working space; it now sits above it, and each
    problem's working space is as wide and as tall as without pictures."""
    sheets = {}
    for option in ("key", "worksheet"):
        out = tmp_path / option
        args = ["make", "--seed", "7", "-n", "4", "-f", "html", "--plots", option, "-o", str(out)]
        for kind in PICTURE_KINDS:
            args += ["-k", kind]
        assert CliRunner().invoke(main, args, catch_exceptions=False).exit_code == 0
        sheets[option] = (out / "worksheet.html").read_text()
    assert sheets["worksheet"].count('<figure class="plot given">') == 4
    assert _work_boxes(sheets["worksheet"]) == _work_boxes(sheets["key"])
    assert len(_work_boxes(sheets["key"])) == 4


def test_chromium_draws_every_picture_and_names_it(worksheet_run: Path) -> None:
    """In a real browser, each picture of key.html and worksheet.html loads, and its accessible
    name (what a screen reader announces) is the alt text."""
    from playwright.sync_api import sync_playwright

    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        try:
            page = browser.new_page()
            for name in ("key.html", "worksheet.html"):
                page.goto((worksheet_run / name).as_uri())
                found = page.evaluate(
                    "[...document.querySelectorAll('figure.plot img')].map(i => [i.alt, i.complete, i.naturalWidth])")
                assert len(found) == 8
                for alt, complete, width in found:
                    assert alt.startswith("Graph of ") and complete and width > 200
                names = [page.locator("figure.plot img").nth(i).get_attribute("alt") for i in range(8)]
                for i, alt in enumerate(names):
                    assert page.get_by_role("img", name=alt, exact=True).count() >= 1, (name, i)
        finally:
            browser.close()
