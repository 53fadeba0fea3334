"""Pictures for the key (and, if asked, the worksheet): picture data from the kinds, drawn as SVG.

The kinds return frozen picture records (quizgen.model: exact numbers, no floats); this module
lays them out with matplotlib only when a page asks for a picture, so importing quizgen never
imports matplotlib. The SVG is written by a lean renderer of its own (_LeanSVG: flat, attributes
instead of CSS, the curves as exact cubic Béziers, the axes without matplotlib's Tick objects),
which WeasyPrint draws in about half the time of savefig's SVG; savefig remains the fallback for
anything it does not draw. Output is deterministic: no ids from counters or hashes, no date,
text kept as text (small files, and the same seed gives byte-identical HTML and PDF). Styles
differ in dash pattern and marker shape, not only in colour, so the pictures read in
black-and-white print.
"""

from __future__ import annotations

import base64
import io
import os
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

from markupsafe import Markup, escape

from quizgen.exact import Style, horner, poly_from_coeffs, poly_text, power_rule
from quizgen import graphs
from quizgen.model import GraphPicture, LossPicture, Picture, SecantPicture
from quizgen.workers import fork_pool, pause

# The figure is drawn at 72 dpi, so one display unit is one point; the key shows it 74 mm wide
# (style.css, figure.plot img), which is PX_PER_PT screen pixels a point at 100 % (96 px an inch).
WIDTH_IN = 3.1
HEIGHT_IN = 2.15
KEY_WIDTH_MM = 74
# The worksheet's pictures (figure.plot.given img), drawn at the same size and shown smaller.
GIVEN_WIDTH_MM = 62
# Tick labels at least this size (points) on the printed page, whichever page the picture is on.
TICK_PRINT_PT = 7.0
PX_PER_PT = KEY_WIDTH_MM / 25.4 * 96 / (WIDTH_IN * 72)
# Secants closer than this (screen pixels at 100 %, where they leave the plot) read as one line.
SEPARATION_PX = 8.0
MAX_SECANTS = 3
# Preferred: secants this far apart (a fan, not a bundle), if a window allows it.
NICE_PX = 14.0
# Small steps near a (what a textbook draws) are preferred, closer together if need be.
NEAR_MAX_H = Fraction(2)
NEAR_SEPARATION_PX = 4.0
# Steps the secant pictures may use besides the problem's own (SecantPicture.hs).
LADDER = tuple(Fraction(2) ** k for k in range(5, -3, -1))
# Secant dash patterns, markers and colours: each secant differs from the others and from the
# solid curve and tangent by its dash pattern and marker shape, not only by colour.
_SECANT_STYLES = (
    ((0, (4.5, 1.8)), "o", "#1f5fa8"),
    ((0, (1.1, 1.3)), "s", "#b3541e"),
    ((0, (6, 1.6, 1.3, 1.6)), "^", "#2e7d32"),
)
_CURVE: dict[str, Any] = {"color": "black", "lw": 1.7, "solid_capstyle": "butt"}
_TANGENT_COLOUR = "#c62828"
_TANGENT: dict[str, Any] = {"color": _TANGENT_COLOUR, "lw": 1.0, "linestyle": "solid"}
# Axes rectangles (figure fractions): the secant picture keeps a right margin for the line labels.
_SECANT_AXES = (0.115, 0.125, 0.69, 0.845)
_LOSS_AXES = (0.115, 0.125, 0.865, 0.845)
# Gradient steps too close to tell apart beside the minimum: the whole curve, and the steps enlarged.
_LOSS_WHOLE = (0.105, 0.125, 0.365, 0.845)
_LOSS_ZOOM = (0.605, 0.125, 0.38, 0.845)
LABEL_PT = 7.0
_MATH_FONT = "STIX Two Math"
# Typed Any: rc_context types its keys as literals; matplotlib checks them at run time.
_RC: Any = {
    "svg.hashsalt": "quizgen",
    "svg.fonttype": "none",
    "font.size": LABEL_PT,
    "axes.linewidth": 0.6,
    "xtick.major.width": 0.5,
    "ytick.major.width": 0.5,
    "xtick.major.size": 2.5,
    "ytick.major.size": 2.5,
    "axes.unicode_minus": True,
    "path.simplify": True,
}


# Where pictures go: "worksheet" puts them on both (the worksheet shows only what is given).
PLACES = ("worksheet", "key", "none")


def shows(picture: Picture, full: bool, plots: str) -> bool:
    """Whether a page draws a problem's picture: the key (full) unless --plots none; the worksheet
    with --plots worksheet, or always (unless none) when the picture is the problem's own data,
    as a backprop graph is (picture.given)."""
    if plots == "none":
        return False
    return full or plots == "worksheet" or picture.given

_ITALIC = {**{c: chr(0x1D44E + i) for i, c in enumerate("abcdefghijklmnopqrstuvwxyz")}, "h": "\u210e",
           **{c: chr(0x1D434 + i) for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}}


def number_style(picture: Picture) -> Style:
    """How the picture writes numbers: as its problem does. A secant picture whose problem shows
    only whole numbers (a limit-definition, or a tangent at a whole a) writes its steps as
    fractions, h = 1/2, whatever step its task drew and did not use; one whose problem shows
    decimals (0.1, 2.5) writes 0.5."""
    if isinstance(picture, GraphPicture):
        return Style(True)
    if isinstance(picture, LossPicture) or not picture.decimal:
        return Style(picture.decimal)
    fa = horner(picture.coeffs, picture.a)
    shown = (picture.a, fa, horner(power_rule(picture.coeffs), picture.a)) + picture.hs
    return Style(any(q.denominator != 1 for q in shown))


def _subscript(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def _listing(items: list[str]) -> str:
    """'1', '1 and 1/2', '1, 1/2 and 1/4'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# ---------------------------------------------------------------- fonts


@lru_cache(maxsize=1)
def _fonts() -> tuple[tuple[str, ...], bool]:
    """Font families for the labels (the page's math face first) and whether it has math italics.

    STIX Two Math is the face of the page's formulas; registered with matplotlib so text
    extents are measured in it, and named first in the SVG so WeasyPrint (which lends the
    page's @font-face fonts, embedded by render.html_to_pdf, to SVG images) and browsers with
    the font installed draw it. STIX (Debian
    fonts-stix) and DejaVu Serif are the fallbacks, named only when installed.
    """
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    if _MATH_FONT not in names:
        for path in _math_font_files():
            if path.is_file():
                font_manager.fontManager.addfont(str(path))
                names.add(font_manager.FontProperties(fname=str(path)).get_name())
                break
    families = tuple(f for f in (_MATH_FONT, "STIX", "DejaVu Serif") if f in names) or ("DejaVu Sans",)
    return families, families[0] == _MATH_FONT


def _math_font_files() -> list[Any]:
    """STIX Two Math as shipped in quizgen/fonts (the file html_to_pdf embeds for the page's math)."""
    from importlib import resources
    from pathlib import Path

    return [Path(str(resources.files("quizgen"))) / "fonts" / "STIXTwoMath-Regular.ttf"]


def _it(text: str) -> str:
    """Letters in math italic (𝑥, ℎ, 𝑓), as the page sets variables, when the math face is there."""
    if not _fonts()[1]:
        return text
    return "".join(_ITALIC.get(c, c) for c in text)


# ---------------------------------------------------------------- geometry


def _poly(coeffs: tuple[Fraction, ...], x: float) -> float:
    acc = 0.0
    for c in reversed(coeffs):
        acc = acc * x + float(c)
    return acc


def _curve(coeffs: tuple[Fraction, ...], lo: float, hi: float, n: int = 121) -> tuple[list[float], list[float]]:
    """Sample points of the polynomial on [lo, hi] (floats only for drawing)."""
    xs = [lo + (hi - lo) * i / (n - 1) for i in range(n)]
    return xs, [_poly(coeffs, x) for x in xs]


def tick_pt(full: bool = True) -> float:
    """Tick-label size in the figure's own points, so that shown at its width on the page it
    prints at TICK_PRINT_PT (the worksheet's picture is shown at 62 mm, the key's at 74 mm)."""
    shown_mm = KEY_WIDTH_MM if full else GIVEN_WIDTH_MM
    return math.ceil(TICK_PRINT_PT * WIDTH_IN * 25.4 / shown_mm * 10) / 10


def _axes_height_px(rect: tuple[float, float, float, float]) -> float:
    return HEIGHT_IN * 72 * rect[3] * PX_PER_PT


@dataclass(frozen=True)
class _SecantPlan:
    """What a secant picture shows: the window, the secants kept and the ones left out."""

    xlim: tuple[float, float]
    ylim: tuple[float, float]
    shown: tuple[Fraction, ...]
    left_out: tuple[Fraction, ...]


def _secant_ylim(pic: SecantPicture, hs: tuple[Fraction, ...], xlim: tuple[float, float]) -> tuple[float, float]:
    """The lines' ends and the secant points, and the curve unless it runs far beyond the lines."""
    a, fa = float(pic.a), float(horner(pic.coeffs, pic.a))
    slope = float(horner(power_rule(pic.coeffs), pic.a))
    slopes = [slope] + [float((horner(pic.coeffs, pic.a + h) - horner(pic.coeffs, pic.a)) / h) for h in hs]
    ends = [fa + m * (x - a) for m in slopes for x in xlim] + [_poly(pic.coeffs, float(pic.a + h)) for h in hs] + [fa]
    lo, hi = min(ends), max(ends)
    span = hi - lo or 1.0
    _, ys = _curve(pic.coeffs, *xlim)
    lo, hi = max(min(ys + [lo]), lo - 0.25 * span), min(max(ys + [hi]), hi + 0.25 * span)
    pad = 0.06 * (hi - lo)
    return lo - pad, hi + pad


def _secant_xlim(a: Fraction, hs: tuple[Fraction, ...], centred: bool = False) -> tuple[float, float]:
    """Room for every secant point, with the lines running on past it to where they spread most;
    centred, as much room (at least 0.8 of the widest step) on the other side of a too."""
    right = max([float(h) for h in hs if h > 0], default=0.0)
    left = max([-float(h) for h in hs if h < 0], default=0.0)
    reach = max(right, left)
    other = 0.8 if centred else 0.2
    return float(a) - max(1.3 * left, other * reach), float(a) + max(1.3 * right, other * reach)


def _apart_px(pic: SecantPicture, m1: float, m2: float, xlim: tuple[float, float], ylim: tuple[float, float]) -> float:
    """Vertical distance in screen pixels between two lines through (a, f(a)), at the plot edge where it is largest."""
    a = float(pic.a)
    per_unit = _axes_height_px(_SECANT_AXES) / (ylim[1] - ylim[0])
    return max(abs(m1 - m2) * abs(x - a) for x in xlim) * per_unit


@lru_cache(maxsize=512)  # asked for by the drawing, the caption and the alt text (~1.6 ms of exact arithmetic)
def secant_plan(pic: SecantPicture) -> _SecantPlan:
    """Choose the secants to draw: first as a textbook does, small steps (|h| <= NEAR_MAX_H: 2, 1,
    1/2, 1/4 and the problem's own) in a window centred near a, kept NEAR_SEPARATION_PX apart;
    only when that leaves fewer than two secants, from the whole ladder 32, 16, …, 1/4 and the
    problem's own, SEPARATION_PX apart.

    Kept are as many secants (up to three) as stand apart from each other and from the tangent
    where they leave the plot; then as many of the problem's own steps as can be; then a set
    spread NICE_PX apart; then the smallest window.
    """
    own = tuple(dict.fromkeys(h for h in pic.hs if h != 0))
    near = tuple(h for h in dict.fromkeys(LADDER + own) if abs(h) <= NEAR_MAX_H)
    plan = _search(pic, near, own, NEAR_SEPARATION_PX, centred=True)
    if plan is not None and len(plan.shown) >= 2:
        return plan
    plan = _search(pic, tuple(dict.fromkeys(LADDER + own)), own, SEPARATION_PX, centred=False)
    if plan is None:  # not even the widest secant stands apart: show the graph and the tangent
        xlim = _secant_xlim(pic.a, (Fraction(1),))
        return _SecantPlan(xlim, _secant_ylim(pic, (), xlim), (), own)
    return plan


def _search(pic: SecantPicture, candidates: tuple[Fraction, ...], own: tuple[Fraction, ...], separation: float,
            centred: bool) -> _SecantPlan | None:
    fa = horner(pic.coeffs, pic.a)
    tangent = float(horner(power_rule(pic.coeffs), pic.a))
    slope = {h: float((horner(pic.coeffs, pic.a + h) - fa) / h) for h in candidates}
    best: tuple[tuple[int, int, bool, float], _SecantPlan] | None = None
    for widest in sorted(candidates, key=abs, reverse=True):
        kept: list[Fraction] = []
        xlim = _secant_xlim(pic.a, (widest,), centred)
        ylim = _secant_ylim(pic, (widest,), xlim)
        # The problem's own steps first (the ones its table names), widest first; then the ladder's,
        # so that a ladder step never takes the place of an own step that would stand apart as well.
        for h in sorted((h for h in candidates if abs(h) <= abs(widest)), key=lambda h: (h not in own, -abs(h))):
            others = [tangent] + [slope[k] for k in kept]
            if len(kept) < MAX_SECANTS and all(_apart_px(pic, slope[h], m, xlim, ylim) >= separation for m in others):
                kept.append(h)
        # The final limits include every kept secant; drop from the smallest h until all stay apart.
        spread = 0.0
        while kept:
            xlim = _secant_xlim(pic.a, tuple(kept), centred)
            ylim = _secant_ylim(pic, tuple(kept), xlim)
            ms = [tangent] + [slope[h] for h in kept]
            spread = min(_apart_px(pic, p, q, xlim, ylim) for i, p in enumerate(ms) for q in ms[i + 1:])
            if spread >= separation:
                break
            kept.pop()
        if not kept:
            continue
        score = (len(kept), sum(h in own for h in kept), spread >= NICE_PX, -abs(float(widest)))
        if best is None or score > best[0]:
            shown = tuple(sorted(kept, key=abs, reverse=True))
            best = (score, _SecantPlan(xlim, ylim, shown, tuple(h for h in own if h not in kept)))
    return None if best is None else best[1]


# ---------------------------------------------------------------- drawing and label placement


# Figures kept for reuse, by (first panel, full): the figure and its panels, in the order they were
# added. Making a figure and its axes is about a fifth of a picture's drawing (Axes.clear makes four
# Tick objects it never needs); a picture starts from the kept one with everything drawn before removed.
_BLANKS: dict[tuple[tuple[float, float, float, float], bool], tuple[Any, list[tuple[Any, Any]]]] = {}


def _cleared(fig: Any) -> Any:
    """The figure with every artist a picture added removed (panels, spines, limits stay; each picture
    sets its limits and axis label before drawing)."""
    for ax in fig.axes:
        for artist in [*ax.lines, *ax.texts, *ax.patches, *ax.collections, *ax.images, *ax.artists]:
            artist.remove()
        ax.set_prop_cycle(None)
        ax.set_xlabel("")
    for artist in [*fig.texts, *fig.artists, *fig.lines, *fig.patches]:
        artist.remove()
    return fig


class _Canvas:
    """A figure with one axes and what its labels must avoid: lines, markers and other labels.

    Display units are points (72 dpi). Labels are placed by trying candidate spots in order
    and taking the first whose box stays inside the axes and touches nothing drawn. The figure is
    the process's kept one for this layout (_BLANKS), cleared: a figure() is valid until the next.
    """

    def __init__(self, rect: tuple[float, float, float, float], full: bool = True) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        families, _ = _fonts()
        self.families = list(families)
        kept = _BLANKS.get((rect, full))
        if kept is None:
            fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=72)
            FigureCanvasAgg(fig)
            kept = _BLANKS[(rect, full)] = (fig, [])
        self.fig = _cleared(kept[0])
        self.panels = kept[1]
        for _rect, ax in self.panels:  # shown again as add_axes asks for them
            ax.set_visible(False)
        self.used = 0
        self.renderer = _measurer()
        self.paths: list[Any] = []  # display-coordinate matplotlib Paths
        self.boxes: list[Any] = []  # display-coordinate Bboxes
        self.tick_pt = tick_pt(full)
        # The curves, as exact cubic Béziers (data coordinates) by artist id: the SVG draws these
        # instead of the sampled lines, which stay for placing labels and for tests to measure.
        self.curves: dict[str, Any] = {}
        setattr(self.fig, "quizgen_curves", self.curves)  # read by _svg_bytes
        self.add_axes(rect)

    def add_axes(self, rect: tuple[float, float, float, float]) -> None:
        """A (further) panel; drawing and placing go to the newest one."""
        from matplotlib.ticker import MaxNLocator

        if self.used < len(self.panels):
            kept_rect, self.ax = self.panels[self.used]
            if kept_rect != rect:
                raise ValueError(f"panels of a kept figure come in another order: {kept_rect} then {rect}")
            self.ax.set_visible(True)
        else:
            self.ax = self.fig.add_axes(rect)
            self.ax.patch.set_visible(False)  # white on the figure's white: nothing to draw
            self.ax.spines["top"].set_visible(False)
            self.ax.spines["right"].set_visible(False)
            self.ax.tick_params(labelsize=self.tick_pt, pad=1.5)
            if rect[2] < 0.5:  # a narrow panel: fewer ticks, so their labels do not touch
                self.ax.xaxis.set_major_locator(MaxNLocator(nbins=3))
            self.panels.append((rect, self.ax))
        self.used += 1

    def limits(self, xlim: tuple[float, float], ylim: tuple[float, float], xlabel: str) -> None:
        self.ax.set_xlim(*xlim)
        self.ax.set_ylim(*ylim)
        self.ax.set_xlabel(_it(xlabel), fontsize=LABEL_PT, labelpad=0.5, family=self.families)

    def line(self, xs: list[float], ys: list[float], gid: str, poly: tuple[Fraction, ...] | None = None,
             **style: Any) -> Any:
        """A line through the points; `poly`: they are samples of this polynomial, drawn as its curve."""
        (artist,) = self.ax.plot(xs, ys, **style)
        artist.set_gid(gid)
        self.avoid_line(xs, ys)
        if poly is not None:
            self.curves[gid] = _bezier(poly, xs[0], xs[-1], self.ax.get_ylim())
        return artist

    def avoid_line(self, xs: list[float], ys: list[float]) -> None:
        from matplotlib.path import Path

        self.paths.append(Path(self.ax.transData.transform(list(zip(xs, ys)))))

    def marker(self, x: float, y: float, gid: str, size: float = 3.8, **style: Any) -> None:
        from matplotlib.transforms import Bbox

        (artist,) = self.ax.plot([x], [y], linestyle="none", ms=size, zorder=5, **style)
        artist.set_gid(gid)
        px, py = self.ax.transData.transform((x, y))
        r = size / 2 + 0.8
        self.boxes.append(Bbox.from_extents(px - r, py - r, px + r, py + r))

    def text_box(self, artist: Any) -> Any:
        return artist.get_window_extent(self.renderer)

    def free(self, box: Any, inside: Any) -> bool:
        padded = box.padded(1.0)
        if not (inside.x0 <= box.x0 and box.x1 <= inside.x1 and inside.y0 <= box.y0 and box.y1 <= inside.y1):
            return False
        return not any(padded.overlaps(b) for b in self.boxes) and not any(
            p.intersects_bbox(padded, filled=False) for p in self.paths)

    def place(self, text: str, anchor: tuple[float, float], spots: Sequence[tuple[float, float]], gid: str,
              size: float = LABEL_PT, **style: Any) -> Any:
        """A label centred at anchor (data) + the first free offset (points) of spots."""
        artist = self.ax.annotate(text, anchor, xytext=spots[0], textcoords="offset points", ha="center",
                                  va="center_baseline", fontsize=size, family=self.families, zorder=6, **style)
        artist.set_gid(gid)
        inside = self.ax.bbox.padded(-1.0)
        best = None
        for spot in spots:
            artist.xyann = spot
            box = self.text_box(artist)
            if self.free(box, inside):
                best = spot
                break
        if best is None:  # nothing free: the spot that crosses the fewest things
            def clashes(spot: tuple[float, float]) -> int:
                artist.xyann = spot
                box = self.text_box(artist).padded(1.0)
                return sum(bool(b.overlaps(box)) for b in self.boxes) + sum(
                    bool(p.intersects_bbox(box, filled=False)) for p in self.paths)
            best = min(spots, key=clashes)
        artist.xyann = best
        self.boxes.append(self.text_box(artist))
        return artist

    def margin_labels(self, items: list[tuple[str, float, str, str]]) -> None:
        """Labels in the right margin beside where each line leaves the plot, spread so none
        overlap, each joined to its line by a thin leader: (text, y in data, colour, gid)."""
        if not items:
            return
        x_edge = self.ax.bbox.x1
        x_text = x_edge + 9.0
        probe = self.fig.text(0, 0, "ℎ = 1/2", fontsize=LABEL_PT, family=self.families)
        height = self.text_box(probe).height + 1.2
        probe.remove()
        targets = sorted(((self.ax.transData.transform((0, y))[1], text, colour, gid) for text, y, colour, gid in items),
                         reverse=True)
        ys = [t[0] for t in targets]
        top, bottom = self.fig.bbox.y1 - height / 2, self.fig.bbox.y0 + height / 2
        # Spread: push down from the top, then back up from the bottom, keeping the order.
        for i in range(len(ys)):
            ys[i] = min(ys[i], top) if i == 0 else min(ys[i], ys[i - 1] - height)
        for i in reversed(range(len(ys))):
            ys[i] = max(ys[i], bottom) if i == len(ys) - 1 else max(ys[i], ys[i + 1] + height)
        from matplotlib.lines import Line2D

        to_fig = self.fig.transFigure.inverted()
        for (target, text, colour, gid), y in zip(targets, ys):
            (x0, y0), (x1, y1) = to_fig.transform([(x_edge + 1.0, target), (x_text - 1.5, y)])
            leader = Line2D([x0, x0 + 0.35 * (x1 - x0), x1], [y0, y0, y1], transform=self.fig.transFigure,
                            color=colour, lw=0.6)
            leader.set_gid(f"{gid}-leader")
            self.fig.add_artist(leader)
            label = self.fig.text(x_text, y, text, transform=None, fontsize=LABEL_PT, family=self.families,
                                  va="center_baseline", ha="left", color="black")
            fx, fy = to_fig.transform((x_text, y))
            label.set_position((float(fx), float(fy)))
            label.set_transform(self.fig.transFigure)
            label.set_gid(gid)
            self.boxes.append(self.text_box(label))


def _around(direction: tuple[float, float] | None = None) -> list[tuple[float, float]]:
    """Candidate label offsets (points): across the line direction first, then the compass, further out."""
    import math

    spots: list[tuple[float, float]] = []
    for r in (9, 12, 16, 21, 28, 36):
        dirs = []
        if direction is not None:
            dx, dy = direction
            n = math.hypot(dx, dy) or 1.0
            dirs += [(-dy / n, dx / n), (dy / n, -dx / n)]
        dirs += [(math.cos(math.radians(t)), math.sin(math.radians(t))) for t in (135, 45, 225, 315, 90, 270, 180, 0)]
        spots += [(r * 1.4 * x, r * y) for x, y in dirs]
    return spots


# Spots for a label naming a mark on the x-axis: above it, then further up or to the sides.
_ABOVE_AXIS = [(dx, dy) for dy in (9, 16, 24, 33, 43) for dx in (0, 16, -16, 30, -30)]


def _direction(canvas: _Canvas, x: float, y: float, slope: float) -> tuple[float, float]:
    """The direction (display) of a line of the given data slope through (x, y)."""
    (x0, y0), (x1, y1) = canvas.ax.transData.transform([(x, y), (x + 1e-3, y + 1e-3 * slope)])
    return x1 - x0, y1 - y0


def _secant_figure(pic: SecantPicture, full: bool) -> Any:
    style = number_style(pic)
    plan = secant_plan(pic)
    a, fa_q = pic.a, horner(pic.coeffs, pic.a)
    fa, slope = float(fa_q), float(horner(power_rule(pic.coeffs), pic.a))
    if full:
        xlim = plan.xlim
    else:  # the worksheet: the curve centred on x = a, about as wide as the key's window
        half = max(1.5, 0.5 * (plan.xlim[1] - plan.xlim[0]))
        xlim = (float(a) - half, float(a) + half)
    canvas = _Canvas(_SECANT_AXES if full else _LOSS_AXES, full)
    xs, ys = _curve(pic.coeffs, *xlim)
    if full:
        canvas.limits(xlim, plan.ylim, "x")
    else:  # its own height range, the whole curve in the window
        pad = 0.06 * (max(ys) - min(ys) or 1.0)
        canvas.limits(xlim, (min(ys) - pad, max(ys) + pad), "x")
    canvas.line(xs, ys, "curve", pic.coeffs, **_CURVE)
    margin: list[tuple[str, float, str, str]] = []
    if full:
        for n, h in enumerate(plan.shown):
            dash, marker, colour = _SECANT_STYLES[n]
            fah = horner(pic.coeffs, a + h)
            m = float((fah - fa_q) / h)
            canvas.line(list(xlim), [fa + m * (x - float(a)) for x in xlim], f"secant-{n + 1}",
                        color=colour, lw=1.0, linestyle=dash)
            canvas.marker(float(a + h), float(fah), f"secant-point-{n + 1}", marker=marker, mfc="white", mec=colour,
                          mew=0.9)
            margin.append((f"{_it('h')} = {style.text(h)}", fa + m * (xlim[1] - float(a)), colour, f"label-secant-{n + 1}"))
        canvas.line(list(xlim), [fa + slope * (x - float(a)) for x in xlim], "tangent", **_TANGENT)
        margin.append(("tangent", fa + slope * (xlim[1] - float(a)), _TANGENT_COLOUR, "label-tangent"))
        canvas.marker(float(a), fa, "point", size=4.2, marker="o", color="black")
        if plan.ylim[0] < ys[-1] < plan.ylim[1]:  # the curve leaves on the right too: name it there
            margin.append((CURVE_NAME(), ys[-1], "black", "label-curve"))
        canvas.margin_labels(margin)
        canvas.place(f"({style.text(a)}, {style.text(fa_q)})", (float(a), fa),
                     _around(_direction(canvas, float(a), fa, slope)), "label-point")
    else:
        # Only what the problem gives: x = a marked on the axis; no point, so no f(a).
        ylo = canvas.ax.get_ylim()[0]
        canvas.marker(float(a), ylo, "given-a", size=5, marker="^", color="black", clip_on=False)
        canvas.place(f"{_it('x')} = {style.text(a)}", (float(a), ylo), _ABOVE_AXIS, "label-given")
    if not any(gid == "label-curve" for *_, gid in margin):
        _curve_label(canvas, pic.coeffs, xs, ys, CURVE_NAME())
    return canvas.fig


def CURVE_NAME() -> str:  # noqa: N802 - a constant that needs the fonts looked up first
    return f"{_it('y')} = {_it('f')}({_it('x')})"


def _curve_label(canvas: _Canvas, coeffs: tuple[Fraction, ...], xs: list[float], ys: list[float], text: str) -> None:
    """Name the curve beside itself, at the first free spot from the left end inwards."""
    ylo, yhi = canvas.ax.get_ylim()
    spots: list[tuple[float, float, list[tuple[float, float]]]] = []
    dcoeffs = power_rule(coeffs)
    for i in (8, 20, 100, 112, 32, 88, 44, 76, 60):
        x, y = xs[i], ys[i]
        if ylo < y < yhi:
            spots.append((x, y, _around(_direction(canvas, x, y, _poly(dcoeffs, x)))[:6]))
    if not spots:
        return
    inside = canvas.ax.bbox.padded(-1.0)
    for x, y, offsets in spots:
        probe = canvas.ax.annotate(text, (x, y), xytext=(0, 0), textcoords="offset points", ha="center",
                                   va="center_baseline", fontsize=LABEL_PT, family=canvas.families)
        for spot in offsets:
            probe.xyann = spot
            if canvas.free(canvas.text_box(probe), inside):
                probe.remove()
                canvas.place(text, (x, y), [spot], "label-curve")
                return
        probe.remove()
    # Every spot touches something: leave the curve unnamed rather than strike a label through.


def _loss_window(pic: LossPicture, full: bool = True) -> tuple[tuple[float, float], bool]:
    """The w-range, and whether it shows the minimum: on the key, zoomed onto the steps when
    showing the minimum too would put two weights closer than a marker's width apart (the
    worksheet, with only w₀ marked, always shows the whole bowl)."""
    ws = [float(w) for w in pic.weights]
    low = float(pic.minimiser) if pic.minimiser is not None else None
    if low is None:
        near_x, near_y = _curve(pic.coeffs, min(ws) - 2, max(ws) + 2, 161)
        low = near_x[near_y.index(min(near_y))]
    every = ws + [low]
    span = max(max(every) - min(every), 1e-9)
    wide = (min(every) - 0.3 * span, max(every) + 0.3 * span)
    steps = max(ws) - min(ws)
    if len(ws) < 2 or steps == 0 or not full:
        return wide, True
    width_px = WIDTH_IN * 72 * _LOSS_AXES[2] * PX_PER_PT
    closest = min(abs(p - q) for p, q in zip(ws, ws[1:])) / (wide[1] - wide[0]) * width_px
    if closest >= 14:
        return wide, True
    return (min(ws) - 0.35 * steps, max(ws) + 0.35 * steps), False


def _loss_ylim(coeffs: tuple[Fraction, ...], xlim: tuple[float, float], marks: list[float]) -> tuple[float, float]:
    """A y-range showing the curve near the marked points without letting far-away values flatten it."""
    _, ys = _curve(coeffs, *xlim)
    lo, hi = min(marks), max(marks)
    span = max(hi - lo, (max(ys) - min(ys)) * 0.05, 1e-9)
    lo, hi = max(min(ys), lo - 3 * span), min(max(ys), hi + 3 * span)
    pad = 0.08 * (hi - lo or 1.0)
    return lo - pad, hi + pad


def _low_point(pic: LossPicture) -> float:
    """The minimiser, or where the curve is lowest within 2 of the weights (what the steps head for)."""
    if pic.minimiser is not None:
        return float(pic.minimiser)
    ws = [float(w) for w in pic.weights]
    near_x, near_y = _curve(pic.coeffs, min(ws) - 2, max(ws) + 2, 161)
    return near_x[near_y.index(min(near_y))]


def _minimum_line(canvas: _Canvas, pic: LossPicture) -> None:
    if pic.minimiser is None:
        return
    ylo, yhi = canvas.ax.get_ylim()
    low = float(pic.minimiser)
    canvas.line([low, low], [ylo, yhi], "minimum", color="#555", lw=0.8, linestyle=(0, (1, 1.5)))
    canvas.place("minimum", (low, yhi), [(0, -6), (20, -6), (-20, -6), (20, -14), (-20, -14), (0, -22)],
                 "label-minimum", color="#333")


def _steps(canvas: _Canvas, pic: LossPicture, xlim: tuple[float, float], style: Style) -> None:
    """The slope at w₀, the steps as arrows, the weights as markers, each named beside itself."""
    losses = [horner(pic.coeffs, w) for w in pic.weights]
    slope = power_rule(pic.coeffs)
    w0, g = pic.weights[0], horner(slope, pic.weights[0])
    half = 0.16 * (xlim[1] - xlim[0])
    seg_x = [float(w0) - half, float(w0) + half]
    canvas.line(seg_x, [float(losses[0]) + float(g) * (x - float(w0)) for x in seg_x], "tangent-w0",
                color=_TANGENT_COLOUR, lw=1.0, linestyle=(0, (4.5, 1.8)))
    for n in range(len(pic.weights) - 1):
        p, q = (float(pic.weights[n]), float(losses[n])), (float(pic.weights[n + 1]), float(losses[n + 1]))
        arrow = canvas.ax.annotate("", xy=q, xytext=p, arrowprops={
            "arrowstyle": "-|>", "color": "#1f5fa8", "lw": 1.0, "shrinkA": 3, "shrinkB": 3,
            "linestyle": "solid", "mutation_scale": 7})
        if arrow.arrow_patch is not None:
            arrow.arrow_patch.set_gid(f"step-{n + 1}")
        canvas.avoid_line([p[0], q[0]], [p[1], q[1]])
    for n, (w, loss) in enumerate(zip(pic.weights, losses)):
        canvas.marker(float(w), float(loss), f"weight-{n}", size=4.2, marker="o" if n == 0 else "s",
                      mfc="black" if n == 0 else "white", mec="black", mew=1.0)
    for n, (w, loss) in enumerate(zip(pic.weights, losses)):
        direction = _direction(canvas, float(w), float(loss), float(horner(slope, w)))
        canvas.place(f"{_it('w')}{_subscript(n)}", (float(w), float(loss)), _around(direction), f"label-weight-{n}")
    end = (seg_x[1], float(losses[0]) + float(g) * half)
    canvas.place(f"{_it('L')}′({_it('w')}₀) = {style.text(g)}", end,
                 _around(_direction(canvas, *end, float(g))), "label-slope", color=_TANGENT_COLOUR)


def _loss_figure(pic: LossPicture, full: bool) -> Any:
    style = number_style(pic)
    xlim, shows_minimum = _loss_window(pic, full)
    losses = [float(horner(pic.coeffs, w)) for w in pic.weights]
    low = _low_point(pic)
    name = f"{_it('L')}({_it('w')})"
    if full and not shows_minimum:
        # Two panels: the whole curve with a box where the steps are, and the box enlarged.
        wide, _ = _loss_window(pic, False)
        canvas = _Canvas(_LOSS_WHOLE, full)
        canvas.limits(wide, _loss_ylim(pic.coeffs, wide, losses + [_poly(pic.coeffs, low)]), "w")
        xs, ys = _curve(pic.coeffs, *wide)
        canvas.line(xs, ys, "loss", pic.coeffs, **_CURVE)
        _minimum_line(canvas, pic)
        zoom_y = _loss_ylim(pic.coeffs, xlim, losses)
        # The box, at least 7 pt each way so it shows.
        (x0, y0), (x1, y1) = canvas.ax.transData.transform([(xlim[0], zoom_y[0]), (xlim[1], zoom_y[1])])
        cx, cy, rx, ry = (x0 + x1) / 2, (y0 + y1) / 2, max((x1 - x0) / 2, 3.5), max((y1 - y0) / 2, 3.5)
        corners = canvas.ax.transData.inverted().transform(
            [(cx - rx, cy - ry), (cx + rx, cy - ry), (cx + rx, cy + ry), (cx - rx, cy + ry), (cx - rx, cy - ry)])
        canvas.line(list(corners[:, 0]), list(corners[:, 1]), "zoom-box", color="#555", lw=0.7)
        _curve_label(canvas, pic.coeffs, xs, ys, name)
        canvas.add_axes(_LOSS_ZOOM)
        canvas.limits(xlim, zoom_y, "w")
        for side in ("top", "right"):
            canvas.ax.spines[side].set_visible(True)
        for spine in canvas.ax.spines.values():
            spine.set_edgecolor("#555")
        zs, zys = _curve(pic.coeffs, *xlim)
        canvas.line(zs, zys, "loss-zoom", pic.coeffs, **_CURVE)
        _steps(canvas, pic, xlim, style)
        return canvas.fig
    canvas = _Canvas(_LOSS_AXES, full)
    canvas.limits(xlim, _loss_ylim(pic.coeffs, xlim, losses + [_poly(pic.coeffs, low)]), "w")
    xs, ys = _curve(pic.coeffs, *xlim)
    canvas.line(xs, ys, "loss", pic.coeffs, **_CURVE)
    if full:
        _minimum_line(canvas, pic)
        _steps(canvas, pic, xlim, style)
    else:
        # Only what the problem gives: the start w₀ on the axis; no point, so no loss value.
        w0 = float(pic.weights[0])
        canvas.marker(w0, canvas.ax.get_ylim()[0], "given-w0", size=5, marker="^", color="black", clip_on=False)
        canvas.place(f"{_it('w')}₀ = {style.text(pic.weights[0])}", (w0, canvas.ax.get_ylim()[0]), _ABOVE_AXIS,
                     "label-given")
    _curve_label(canvas, pic.coeffs, xs, ys, name)
    return canvas.fig


def _rc() -> Any:
    """matplotlib settings, with the label fonts (tick labels take theirs from here)."""
    return {**_RC, "font.family": list(_fonts()[0])}


def figure(picture: Picture, full: bool = True) -> Any:
    """The matplotlib Figure of a picture (tests measure its labels with matplotlib's renderer).

    The figure is one this process keeps for the picture's layout (_BLANKS): it is valid until the
    next picture is drawn."""
    import matplotlib

    if isinstance(picture, GraphPicture):
        raise TypeError("a graph is drawn by quizgen.graphs (dot), not matplotlib")
    with matplotlib.rc_context(_rc()):
        if isinstance(picture, SecantPicture):
            return _secant_figure(picture, full)
        return _loss_figure(picture, full)


def _svg_bytes(fig: Any) -> bytes:
    """The figure as SVG: written by the lean writer below, or by savefig for what it does not draw."""
    import matplotlib

    with matplotlib.rc_context(_rc()):
        try:
            svg: bytes = _lean().svg(fig, getattr(fig, "quizgen_curves", {}), list(_fonts()[0]))
            return svg
        except _Unsupported:
            pass
        return _savefig_svg(fig)


def _savefig_svg(fig: Any) -> bytes:
    """matplotlib's own SVG of the figure (the fallback of the lean writer, and what tests compare it with)."""
    import matplotlib

    buf = io.BytesIO()
    with matplotlib.rc_context(_rc()):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    svg = buf.getvalue()
    # The comment names the matplotlib version; drop it so files do not change with upgrades.
    return re.sub(rb"<!-- Created with matplotlib.*?-->\n?", b"", svg)


# ---------------------------------------------------------------- a lean SVG writer


class _Unsupported(Exception):
    """Something the lean writer does not draw (math text, rotated text, images): savefig draws the figure."""


def _num(x: float) -> str:
    """A coordinate as matplotlib writes it (six decimals, trailing zeros dropped)."""
    text = f"{x:f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _hex(rgb: Sequence[float]) -> str:
    return "#" + "".join(f"{round(c * 255):02x}" for c in rgb[:3])


def _bezier(coeffs: tuple[Fraction, ...], lo: float, hi: float, ylim: tuple[float, float]) -> Any:
    """The polynomial on [lo, hi] as a matplotlib Path of cubic Bézier segments (data coordinates).

    A polynomial of degree <= 3 is exactly one cubic Bézier: with x = lo + t (hi - lo), its
    control values are the Bernstein coefficients of p(lo + t (hi - lo)). A quartic is cut into
    pieces, each the cubic with the quartic's values and slopes at its ends (Hermite), whose
    distance from the quartic is at most |c4| w^4 / 16 (w the piece's width): pieces are made
    narrow enough for that to stay under 1/10000 of the window's height (about 0.013 pt).
    """
    from matplotlib.path import Path

    c = [float(q) for q in coeffs]
    while len(c) > 1 and c[-1] == 0:
        c.pop()
    c += [0.0] * (4 - len(c)) if len(c) < 4 else []
    width = hi - lo
    if len(c) == 4:
        # q(t) = p(lo + t w): Taylor coefficients at lo, scaled by powers of w.
        d = [_poly(coeffs, lo), _poly(power_rule(coeffs), lo),
             _poly(power_rule(power_rule(coeffs)), lo) / 2, c[3]]
        b = [d[k] * width ** k for k in range(4)]
        ys = [b[0], b[0] + b[1] / 3, b[0] + 2 * b[1] / 3 + b[2] / 3, b[0] + b[1] + b[2] + b[3]]
        xs = [lo + width * k / 3 for k in range(4)]
        return Path(list(zip(xs, ys)), [Path.MOVETO, Path.CURVE4, Path.CURVE4, Path.CURVE4])
    if len(c) > 5:
        raise _Unsupported("degree above 4")
    tol = 1e-4 * (ylim[1] - ylim[0])
    pieces = max(1, math.ceil(width * (abs(c[4]) / 16 / tol) ** 0.25))
    slope = power_rule(coeffs)
    verts = [(lo, _poly(coeffs, lo))]
    codes = [Path.MOVETO]
    for i in range(pieces):
        u, v = lo + width * i / pieces, lo + width * (i + 1) / pieces
        h = v - u
        pu, pv = _poly(coeffs, u), _poly(coeffs, v)
        verts += [(u + h / 3, pu + h * _poly(slope, u) / 3), (v - h / 3, pv - h * _poly(slope, v) / 3), (v, pv)]
        codes += [Path.CURVE4] * 3
    return Path(verts, codes)


def _contains_close(interval: Sequence[float], value: float) -> bool:
    """Whether an axis draws a tick at value: inside its view interval, give or take 1e-10 of its
    length (matplotlib's transforms._interval_contains_close)."""
    lo, hi = sorted(interval)
    slack = (hi - lo) * 1e-10
    return lo - slack <= value <= hi + slack


@lru_cache(maxsize=1)
def _measurer() -> Any:
    """The Agg renderer labels are measured with, one for every figure of the process: matplotlib
    caches text metrics per renderer, so the tick labels and names that recur are measured once."""
    from matplotlib.backends import backend_agg

    agg: Any = backend_agg  # RendererAgg is untyped in matplotlib's stubs
    return agg.RendererAgg(WIDTH_IN * 72, HEIGHT_IN * 72, 72)


@lru_cache(maxsize=1)
def _lean() -> Any:
    """The lean SVG renderer, one for the process (its text metrics cached as _measurer's)."""
    return _lean_class()()


@lru_cache(maxsize=1)
def _lean_class() -> Any:
    """The lean SVG renderer's class (a matplotlib RendererBase), made on first use so that
    importing quizgen.plots does not import matplotlib."""
    import importlib

    from matplotlib.backend_bases import RendererBase
    from matplotlib.transforms import Affine2D

    # matplotlib's own path-to-SVG-data conversion (what its SVG backend writes paths with).
    _path: Any = importlib.import_module("matplotlib._path")

    class _LeanSVG(RendererBase):
        """Records what matplotlib's artists draw and writes it as a small, flat SVG.

        Compared with savefig's SVG: no group per artist (an id goes on the element when the
        artist draws one), the tick marks of an axis as one path, attributes instead of CSS,
        one clip path per panel and none for what stays inside it, and the curves as cubic
        Béziers (exact for degree <= 3) instead of 121 samples. WeasyPrint draws it in about a
        third of the time, and savefig's tick and group machinery is skipped.
        """

        def start(self, fig: Any, curves: dict[str, Any]) -> None:
            """A new picture (one renderer serves them all: matplotlib caches text metrics per renderer)."""
            self.fig, self.curves = fig, curves
            self.width, self.height = fig.bbox.width, fig.bbox.height
            self.flip = Affine2D().scale(1, -1).translate(0, self.height)
            self.out: list[str] = []
            self.clips: dict[tuple[float, ...], str] = {}
            self.groups: list[tuple[str, str | None, int]] = []
            self.ticks: dict[str, list[str]] = {}
            self.tick_style = ""

        # what matplotlib's artists ask of a renderer
        def flipy(self) -> bool:
            return True

        def get_canvas_width_height(self) -> tuple[float, float]:
            return self.width, self.height

        def open_group(self, s: str, gid: str | None = None) -> None:
            self.groups.append((s, gid, len(self.out)))

        def close_group(self, s: str) -> None:
            name, gid, start = self.groups.pop()
            if gid is None or gid == "":
                return
            if len(self.out) - start == 1 and isinstance(self.out[start], str) and " id=" not in self.out[start]:
                first, rest = self.out[start].split(" ", 1)
                self.out[start] = f'{first} id="{gid}" {rest}'
            elif len(self.out) > start:
                self.out.insert(start, f'<g id="{gid}">')
                self.out.append("</g>")

        def _in(self, prefix: str) -> str | None:
            """The innermost open group whose name starts with prefix (named by where it opened)."""
            for name, _gid, start in reversed(self.groups):
                if name.startswith(prefix):
                    return f"{name}@{start}"
            return None

        def _clip(self, gc: Any) -> str:
            if gc.get_clip_path()[0] is not None:
                raise _Unsupported("clip path")
            rect = gc.get_clip_rectangle()
            if rect is None:
                return ""
            x, y, w, h = rect.bounds
            key = (round(x, 6), round(self.height - (y + h), 6), round(w, 6), round(h, 6))
            if key not in self.clips:
                self.clips[key] = f"c{len(self.clips) + 1}"
            return f' clip-path="url(#{self.clips[key]})"'

        def _style(self, gc: Any, face: Any) -> str:
            if gc.get_hatch() is not None or gc.get_forced_alpha() and gc.get_alpha() != 1.0:
                raise _Unsupported("hatch or alpha")
            attrs = []
            if face is None:
                attrs.append('fill="none"')
            else:
                if tuple(face[:3]) != (0, 0, 0):
                    attrs.append(f'fill="{_hex(face)}"')
                if len(face) == 4 and face[3] != 1.0:
                    attrs.append(f'fill-opacity="{_num(face[3])}"')
            offset, seq = gc.get_dashes()
            if seq is not None:
                attrs.append(f'stroke-dasharray="{",".join(_num(v) for v in seq)}"')
                if offset:
                    attrs.append(f'stroke-dashoffset="{_num(float(offset))}"')
            lw = gc.get_linewidth()
            if lw:
                rgb = gc.get_rgb()
                attrs.append(f'stroke="{_hex(rgb)}"')
                if rgb[3] != 1.0:
                    attrs.append(f'stroke-opacity="{_num(rgb[3])}"')
                if lw != 1.0:
                    attrs.append(f'stroke-width="{_num(lw)}"')
                if gc.get_joinstyle() != "round":
                    attrs.append(f'stroke-linejoin="{gc.get_joinstyle()}"')
                if gc.get_capstyle() != "butt":
                    attrs.append(f'stroke-linecap="{ {"projecting": "square"}.get(gc.get_capstyle(), gc.get_capstyle())}"')
            return " ".join(attrs)

        def _d(self, path: Any, transform: Any, clip: bool, simplify: bool) -> str:
            box = (0.0, 0.0, self.width, self.height) if clip else None
            data: bytes = _path.convert_to_string(path, transform + self.flip, box, simplify, None, 6,
                                                  [b"M", b"L", b"Q", b"C", b"z"], False)
            return " ".join(data.decode("ascii").split())

        def draw_path(self, gc: Any, path: Any, transform: Any, rgbFace: Any = None) -> None:  # noqa: N803
            gid = self.groups[-1][1] if self.groups else None
            if gid in self.curves and rgbFace is None:
                path = self.curves[gid]
            if gc.get_url() is not None or gc.get_sketch_params() is not None:
                raise _Unsupported("url or sketch")
            clip = rgbFace is None and gc.get_hatch_path() is None
            d = self._d(path, transform, clip, path.should_simplify and clip)
            self.out.append(f'<path d="{d}" {self._style(gc, rgbFace)}{self._clip(gc)}/>')

        def draw_markers(self, gc: Any, marker_path: Any, marker_trans: Any, path: Any, trans: Any,
                         rgbFace: Any = None) -> None:  # noqa: N803
            axis = self._in("matplotlib.axis")
            if axis is not None:  # a tick mark: one path for the whole axis (open lines: no fill to differ)
                style = self._style(gc, None) + self._clip(gc)
                if self.ticks.get(axis) is None:
                    self.ticks[axis] = []
                    self.out.append(("tick-path", axis, style))  # type: ignore[arg-type]
                for vertices, _codes in path.iter_segments(trans, simplify=False):
                    x, y = vertices[-2:]
                    self.ticks[axis].append(self._d(marker_path, marker_trans + Affine2D().translate(x, y),
                                                    False, False))
                return
            for vertices, _codes in path.iter_segments(trans, simplify=False):
                if len(vertices):
                    x, y = vertices[-2:]
                    self.draw_path(gc, marker_path, marker_trans + Affine2D().translate(x, y), rgbFace)

        def draw_text(self, gc: Any, x: float, y: float, s: str, prop: Any, angle: float, ismath: Any = False,
                      mtext: Any = None) -> None:
            if ismath or angle != 0 or mtext is None or gc.get_url() is not None:
                raise _Unsupported("math, rotated or multi-line text")
            attrs = []
            color = _hex(gc.get_rgb())
            if color != "#000000":
                attrs.append(f'fill="{color}"')
            alpha = gc.get_alpha() if gc.get_forced_alpha() else gc.get_rgb()[3]
            if alpha != 1:
                attrs.append(f'opacity="{_num(alpha)}"')
            if prop.get_style() != "normal" or prop.get_variant() != "normal" or prop.get_weight() not in (
                    "normal", 400) or prop.get_stretch() not in ("normal", 500):
                raise _Unsupported("font style")
            if list(prop.get_family()) != self.families:
                raise _Unsupported("another font family")
            ax = mtext.get_transform().transform(mtext.get_unitless_position())[0]
            anchor = {"left": "start", "right": "end", "center": "middle"}[mtext.get_ha()]
            attrs.append(f'font-size="{_num(prop.get_size())}"')
            if anchor != "start":
                attrs.append(f'text-anchor="{anchor}"')
            self.out.append(f'<text x="{_num(ax)}" y="{_num(y)}" {" ".join(attrs)}>{escape(s)}</text>')

        def draw_axis(self, axis: Any) -> None:
            """An x-axis at the bottom or a y-axis on the left as matplotlib draws it (Axis.draw, for
            major ticks pointing out): the tick marks, their labels 'size + pad' points off the
            spine, the axis label below the labels; without its Tick objects (most of savefig's
            time). tests/test_plots.py compares the result with savefig's for every picture."""
            import matplotlib

            from matplotlib.text import Text
            from matplotlib.ticker import NullLocator
            from matplotlib.transforms import Bbox

            if not axis.get_visible():
                return
            rc: Any = matplotlib.rcParams  # typed by literal keys; these are built from the axis name
            name = axis._get_axis_name()
            kw = dict(axis._major_tick_kw)
            first, second = ("bottom", "top") if name == "x" else ("left", "right")
            drawn = {"gridOn": rc["axes.grid"], "tick1On": rc[f"{name}tick.{first}"],
                     "label1On": rc[f"{name}tick.label{first}"],
                     "tick2On": rc[f"{name}tick.{second}"],
                     "label2On": rc[f"{name}tick.label{second}"]}
            drawn.update((k, v) for k, v in kw.items() if k in drawn)
            if set(kw) - set(drawn) - {"labelsize", "pad"} or drawn != {
                    "gridOn": False, "tick1On": True, "label1On": True, "tick2On": False, "label2On": False} \
                    or not isinstance(axis.get_minor_locator(), NullLocator) \
                    or rc[f"{name}tick.direction"] != "out" or axis.get_label_position() != first \
                    or rc[f"{name}tick.labelcolor"] != "inherit":
                raise _Unsupported("an axis drawn otherwise")
            size = rc[f"{name}tick.major.size"]
            pad = kw.get("pad", rc[f"{name}tick.major.pad"]) + size
            locs = [float(v) for v in axis.get_majorticklocs()]
            labels = axis.major.formatter.format_ticks(locs)
            if axis.major.formatter.get_offset():
                raise _Unsupported("an offset or scale on the axis")
            view = sorted(axis.get_view_interval())
            shown = [(loc, label) for loc, label in zip(locs, labels) if _contains_close(view, loc)]
            ax = axis.axes
            panel = self.fig.axes.index(ax)
            self.open_group(f"matplotlib.axis.{name}", f"{name}-ticks" + (f"-{panel + 1}" if panel else ""))
            if name == "x":
                trans, va, ha = ax.get_xaxis_text1_transform(pad)
                mark = ax.get_xaxis_transform(which="tick1")
            else:
                trans, va, ha = ax.get_yaxis_text1_transform(pad)
                mark = ax.get_yaxis_transform(which="tick1")
            gc = self.new_gc()
            gc.set_foreground(rc[f"{name}tick.color"])
            gc.set_linewidth(rc[f"{name}tick.major.width"])
            style = self._style(gc, None)
            gc.restore()
            flip = self.height
            ends = []
            for loc, _label in shown:
                x, y = mark.transform((loc, 0) if name == "x" else (0, loc))
                x2, y2 = (x, y - size) if name == "x" else (x - size, y)
                ends.append(f"M {_num(x)} {_num(flip - y)} L {_num(x2)} {_num(flip - y2)}")
            if ends:
                self.out.append(f'<path d="{" ".join(ends)}" {style}/>')
            text = Text(0, 0, "", fontsize=kw.get("labelsize", rc[f"{name}tick.labelsize"]),
                        color=rc[f"{name}tick.color"], verticalalignment=va, horizontalalignment=ha,
                        transform=trans)
            text.set_figure(ax.figure)
            boxes = []
            for loc, label in shown:
                text.set_text(label)
                if name == "x":
                    text.set_x(loc)
                else:
                    text.set_y(loc)
                text.draw(self)
                boxes.append(text.get_window_extent(self))
            self.close_group(f"matplotlib.axis.{name}")
            if axis.label.get_text() and axis.label.get_visible():
                if axis._autolabelpos:
                    spine = ax.spines["bottom" if name == "x" else "left"]
                    edge = spine.get_path().transformed(spine.get_transform()).get_extents()
                    if name == "x":
                        edge = Bbox.from_extents(edge.x0, edge.y0 - size, edge.x1, edge.y1)
                        low = Bbox.union([*boxes, edge]).y0
                        axis.label.set_position((axis.label.get_position()[0], low - axis.labelpad))
                    else:
                        raise _Unsupported("a y-axis label")
                axis.label.draw(self)

        def svg(self, fig: Any, curves: dict[str, Any], families: list[str]) -> bytes:
            self.start(fig, curves)
            self.families = families
            axes = [a for ax in self.fig.axes for a in (ax.xaxis, ax.yaxis)]
            try:
                for axis in axes:
                    axis.draw = lambda renderer, axis=axis: self.draw_axis(axis)
                self.fig.draw(self)
            finally:
                for axis in axes:
                    del axis.draw
            body = []
            for item in self.out:
                if isinstance(item, tuple):
                    _, axis, style = item
                    body.append(f'<path d="{" ".join(self.ticks[axis])}" {style}/>')
                else:
                    body.append(item)
            defs = "".join(f'<clipPath id="{cid}"><rect x="{_num(x)}" y="{_num(y)}" width="{_num(w)}" '
                           f'height="{_num(h)}"/></clipPath>' for (x, y, w, h), cid in self.clips.items())
            w, h = _num(self.width), _num(self.height)
            family = ", ".join(families)
            head = (f'<?xml version="1.0" encoding="utf-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="{w}pt" '
                    f'height="{h}pt" viewBox="0 0 {w} {h}" font-family="{family}" stroke-linejoin="round" '
                    f'stroke-linecap="butt">\n')
            return (head + (f"<defs>{defs}</defs>\n" if defs else "") + "\n".join(body) + "\n</svg>\n").encode()

    return _LeanSVG


@lru_cache(maxsize=512)
def svg(picture: Picture, full: bool = True) -> bytes:
    """The picture as SVG bytes; full=False draws only what the problem gives (for worksheets)."""
    if isinstance(picture, GraphPicture):
        return graphs.svg(picture, full)  # Graphviz's dot, not matplotlib
    return _svg_bytes(figure(picture, full))


def describe(picture: Picture, full: bool = True) -> str:
    """Alt text: what the picture shows, in words, with the problem's own numbers."""
    if isinstance(picture, GraphPicture):
        return graphs.describe(picture, full)
    style = number_style(picture)
    if isinstance(picture, SecantPicture):
        f = f"f(x) = {poly_text(poly_from_coeffs(picture.coeffs), style)}"
        a = style.text(picture.a)
        if not full:
            return f"Graph of {f} near x = {a}, with x = {a} marked on the x-axis."
        plan = secant_plan(picture)
        fa = style.text(horner(picture.coeffs, picture.a))
        slope = style.text(horner(power_rule(picture.coeffs), picture.a))
        if plan.shown:
            text = (f"Graph of {f} with secant lines through ({a}, {fa}) for h = "
                    f"{_listing([style.text(h) for h in plan.shown])} and the tangent there, of slope {slope}.")
        else:
            text = f"Graph of {f} with the tangent through ({a}, {fa}), of slope {slope}."
        return text + left_out_note(picture)
    f = f"L(w) = {poly_text(poly_from_coeffs(picture.coeffs), style, ('w', 'h'))}"
    w0 = style.text(picture.weights[0])
    if not full:
        return f"Graph of the loss {f}, with the start w₀ = {w0} marked on the w-axis."
    steps = " → ".join(f"w{_subscript(n)} = {style.text(w)}" for n, w in enumerate(picture.weights))
    g = style.text(horner(power_rule(picture.coeffs), picture.weights[0]))
    text = f"Graph of the loss {f} with the gradient-descent steps {steps} on it and the slope L′(w₀) = {g} drawn at w₀"
    if picture.minimiser is not None:
        text += f", and a dotted line at the minimum, w = {style.text(picture.minimiser)}"
    if not _loss_window(picture)[1]:
        text += "; the steps are too close to tell apart beside the whole curve, so a second panel enlarges them"
    return text + "."


def left_out_note(picture: Picture) -> str:
    """For the key's caption and alt text: the problem's own steps whose secants are not drawn, and why."""
    if not isinstance(picture, SecantPicture):
        return ""
    plan = secant_plan(picture)
    style = number_style(picture)
    widest = max((abs(h) for h in plan.shown), default=Fraction(0))
    far = [style.text(h) for h in plan.left_out if plan.shown and abs(h) > widest]
    near = [style.text(h) for h in plan.left_out if not (plan.shown and abs(h) > widest)]
    note = ""
    if near:
        other = "the tangent or another secant" if plan.shown else "the tangent"
        which, they = ("secants", "they are") if len(near) > 1 else ("secant", "it is")
        note += f" The {which} for h = {_listing(near)} would lie within a few pixels of {other}, so {they} not drawn."
    if far:
        which, they = ("secants", "they are") if len(far) > 1 else ("secant", "it is")
        note += (f" The {which} for h = {_listing(far)} would reach beyond this window, which is sized to show "
                 f"the others apart, so {they} not drawn.")
    return note


# Data URIs drawn ahead by a worker process (see Figures), keyed like the lru caches.
_READY: dict[tuple[Picture, bool], str] = {}
_READY_MAX = 2048


@lru_cache(maxsize=512)
def data_uri(picture: Picture, full: bool = True) -> str:
    """The picture as a data URI for an <img> (WeasyPrint and browsers both render it)."""
    ready = _READY.get((picture, full))
    if ready is not None:
        return ready
    return "data:image/svg+xml;base64," + base64.b64encode(svg(picture, full)).decode("ascii")


def _uri(item: tuple[Picture, bool]) -> str:
    return data_uri(*item)


# The kinds whose problems carry a picture matplotlib draws (Solved.plot; a backprop graph is
# Graphviz's): `quizgen make` starts the picture worker for them, importing matplotlib, before it
# generates anything (tests/test_plots.py keeps this list true).
PICTURE_KINDS = frozenset({"secant-table", "tangent-line", "limit-definition", "gradient-step"})


def _import_matplotlib() -> None:
    """What every picture needs first (~0.5 s of CPU): matplotlib's figure and Agg canvas, the label fonts."""
    import matplotlib.backends.backend_agg  # noqa: F401
    import matplotlib.figure  # noqa: F401
    import matplotlib.ticker  # noqa: F401

    _fonts()


@contextmanager
def drawer(wanted: bool) -> Iterator[Any]:
    """A picture worker forked now, importing matplotlib while this process imports and generates; or None.

    Figures(…, pool=drawer) then hands it the pictures: the import is off the path to the key's PDF.
    The worker ends when the block ends (or with this process, even under kill -9).
    """
    pool = fork_pool(1, initializer=_import_matplotlib) if wanted and (os.cpu_count() or 1) >= 2 else None
    try:
        yield pool
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()


class Figures:
    """The templates' figure(): pictures drawn in a forked worker while the page's math is typeset.

    Importing matplotlib and drawing cost ~0.5 s plus ~20-30 ms a picture of CPU (benchmarks/bench_pictures.py),
    longer than typesetting a key's math; on two or more cores the two overlap. The template gets a marker
    for each pending picture and fill() swaps the finished figures in. `pool` is a worker
    started earlier (drawer()), which its owner ends; without one, Figures forks its own.
    """

    def __init__(self, items: Iterable[tuple[Picture, bool]], prose: Callable[[str], Markup] = escape,
                 pool: Any = None) -> None:
        self._prose = prose  # sets a caption's sentence (render passes mathtex.prose_html: the math face)
        self._todo = [item for item in dict.fromkeys(items) if item not in _READY]
        self._markers: dict[str, tuple[Picture, bool]] = {}
        self._pool: Any = None
        self._owned = pool is None
        self._pending: Any = None
        if self._todo and (os.cpu_count() or 1) >= 2:
            self._pool = pool if pool is not None else fork_pool(1)  # ends with this process, even under kill -9
            if self._pool is not None:
                self._pending = self._pool.map_async(_uri, self._todo, chunksize=len(self._todo))
                pause("figures")
        self._waiting = set(self._todo) if self._pending is not None else set()

    def __enter__(self) -> Figures:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:  # fill() was never reached: stop the worker, leave nothing running
            self._pool.terminate()
            self._pool.join()
            self._pool = self._pending = None

    def __call__(self, picture: Picture, full: bool = True) -> Markup:
        if (picture, full) in self._waiting:
            marker = f"<!--quizgen-figure-{len(self._markers)}-->"
            self._markers[marker] = (picture, full)
            return Markup(marker)
        return figure_html(picture, full, self._prose)

    def ready(self) -> bool:
        """True when fill() will not wait: every picture is drawn (or none was pending)."""
        return self._pending is None or bool(self._pending.ready())

    def fill(self, html: str) -> str:
        """The page with every marker replaced by its finished figure."""
        if self._pending is not None:
            try:
                uris = self._pending.get()
            except BaseException:  # Ctrl-C or a failed picture: stop the worker now, not after its task
                self._pool.terminate()
                self._pool.join()
                raise
            else:
                if self._owned:
                    self._pool.close()
                    self._pool.join()
            finally:
                self._pool = None
            if len(_READY) > _READY_MAX:
                _READY.clear()
            _READY.update(zip(self._todo, uris))
            self._pending = None
        for marker, (picture, full) in self._markers.items():
            html = html.replace(marker, figure_html(picture, full, self._prose), 1)
        return html


def figure_html(picture: Picture, full: bool = True, prose: Callable[[str], Markup] = escape) -> Markup:
    """A <figure>: the picture as a data-URI image with alt text saying what it shows, and its
    caption as searchable text (on the key, what the picture means and any secant left out),
    set by `prose` (escaped plain text by default; render gives the math face's prose_html)."""
    caption = picture.caption + left_out_note(picture) if full else picture.given_caption
    cls = "plot" if full else "plot given"
    if isinstance(picture, GraphPicture):
        cls += " graph"
    return Markup(
        f'<figure class="{cls}"><img src="{data_uri(picture, full)}" alt="{escape(describe(picture, full))}">'
        f"<figcaption>{prose(caption)}</figcaption></figure>"
    )


def preload() -> None:
    """Import matplotlib and register the pictures' fonts now: a process about to fork workers that
    draw pictures calls it, so they share these pages instead of each loading its own."""
    from matplotlib import figure  # noqa: F401
    from matplotlib.backends import backend_agg  # noqa: F401

    _fonts()


def forget_memos() -> None:
    """Empty the drawn pictures kept for reuse (a class set's rendering worker calls it after each
    version: the next version draws other pictures). Output is unchanged."""
    _READY.clear()
