"""Pictures for the key (and, if asked, the worksheet): picture data from the kinds, drawn as SVG.

The kinds return frozen picture records (quizgen.model: exact numbers, no floats); this module
draws them with matplotlib only when a page asks for a picture, so importing
quizgen never imports matplotlib. Output is deterministic: a fixed hash salt for
the SVG ids, no date in the metadata, text kept as text (small files, and the
same seed gives byte-identical HTML and PDF). Styles differ in dash pattern and
marker shape, not only in colour, so the pictures read in black-and-white print.
"""

from __future__ import annotations

import base64
import io
import os
import re
from collections.abc import Iterable
from fractions import Fraction
from functools import lru_cache
from typing import Any

from markupsafe import Markup, escape

from quizgen.exact import Style, horner, power_rule
from quizgen.model import LossPicture, Picture, SecantPicture

# Matches the figure to the page: 74 mm wide in the key at 96 px per inch.
WIDTH_IN = 3.1
HEIGHT_IN = 2.15
# Dash patterns, markers and greys that stay distinguishable in black-and-white print.
_SECANT_STYLES = (
    ((0, (5, 2)), "o", "#1f5fa8"),
    ((0, (2, 1.5)), "s", "#b3541e"),
    ((0, (6, 1.5, 1.5, 1.5)), "^", "#2e7d32"),
    ((0, (1, 1.2)), "D", "#6a3d9a"),
    ((0, (3, 1, 1, 1, 1, 1)), "v", "#8c6d1f"),
)
_RC = {
    "svg.hashsalt": "quizgen",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 7.0,
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


def _label(q: Fraction, decimal: bool) -> str:
    """An exact number for a legend: 0.001, 1/2, −3."""
    return Style(decimal).text(q)


def _subscript(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def _curve(coeffs: tuple[Fraction, ...], lo: float, hi: float, n: int = 121) -> tuple[list[float], list[float]]:
    """Sample points of the polynomial on [lo, hi] (floats only for drawing)."""
    fc = [float(c) for c in coeffs]
    xs = [lo + (hi - lo) * i / (n - 1) for i in range(n)]
    ys = []
    for x in xs:
        acc = 0.0
        for c in reversed(fc):
            acc = acc * x + c
        ys.append(acc)
    return xs, ys


def _ylimits(ys: list[float], marks: list[float]) -> tuple[float, float]:
    """A y-range showing the curve near the marked points without letting far-away values flatten it."""
    lo, hi = min(marks), max(marks)
    core_lo, core_hi = min(ys), max(ys)
    # Do not let the ends of a quartic stretch the picture more than ~3 times the interesting range.
    span = max(hi - lo, 1.0)
    core_lo = max(core_lo, lo - 3 * span)
    core_hi = min(core_hi, hi + 3 * span)
    pad = 0.08 * (core_hi - core_lo or 1.0)
    return core_lo - pad, core_hi + pad


def _figure() -> tuple[Any, Any]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=72)
    ax = fig.add_axes((0.12, 0.13, 0.86, 0.84))
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    ax.tick_params(labelsize=6.5, pad=1.5)
    return fig, ax


def _svg_bytes(fig: Any) -> bytes:
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    FigureCanvasSVG(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    svg = buf.getvalue()
    # The comment names the matplotlib version; drop it so files do not change with upgrades.
    return re.sub(rb"<!-- Created with matplotlib.*?-->\n?", b"", svg)


def _draw_secants(pic: SecantPicture, full: bool) -> bytes:
    a = float(pic.a)
    fa = horner(pic.coeffs, pic.a)
    slope = horner(power_rule(pic.coeffs), pic.a)
    reach = max([1.0] + [abs(float(h)) for h in pic.hs])
    lo, hi = a - 1.6 * reach, a + 1.6 * reach
    fig, ax = _figure()
    xs, ys = _curve(pic.coeffs, lo, hi)
    marks = [float(fa)] + [float(horner(pic.coeffs, pic.a + h)) for h in pic.hs]
    ylo, yhi = _ylimits(ys, marks)
    (curve,) = ax.plot(xs, ys, color="black", lw=1.5, label="y = f(x)")
    curve.set_gid("curve")
    if full:
        for n, h in enumerate(pic.hs):
            dash, marker, colour = _SECANT_STYLES[n % len(_SECANT_STYLES)]
            fah = horner(pic.coeffs, pic.a + h)
            m = float((fah - fa) / h)
            (line,) = ax.plot(
                [lo, hi], [float(fa) + m * (lo - a), float(fa) + m * (hi - a)],
                color=colour, lw=0.9, linestyle=dash, label=f"secant, h = {_label(h, pic.decimal)}",
            )
            line.set_gid(f"secant-{n + 1}")
            (dot,) = ax.plot([float(pic.a + h)], [float(fah)], linestyle="none", marker=marker, ms=3.6,
                             mfc="white", mec=colour, mew=0.9)
            dot.set_gid(f"secant-point-{n + 1}")
        (tangent,) = ax.plot(
            [lo, hi], [float(fa) + float(slope) * (lo - a), float(fa) + float(slope) * (hi - a)],
            color="#c62828", lw=1.3, linestyle="solid", label=f"tangent, slope {_label(slope, pic.decimal)}",
        )
        tangent.set_gid("tangent")
    (point,) = ax.plot([a], [float(fa)], linestyle="none", marker="o", ms=4, color="black", zorder=5)
    point.set_gid("point")
    ax.annotate(f"({_label(pic.a, pic.decimal)}, {_label(fa, pic.decimal)})", (a, float(fa)),
                xytext=(-4, 5), textcoords="offset points", ha="right", fontsize=6.5)
    return _finish(fig, ax, (lo, hi), (ylo, yhi), "x", legend=full)


def _finish(fig: Any, ax: Any, xlim: tuple[float, float], ylim: tuple[float, float], xlabel: str,
            legend: bool) -> bytes:
    """Limits, axis label and (for keys) the legend, then the SVG bytes."""
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_xlabel(xlabel, fontsize=7, labelpad=1)
    if legend:
        ax.legend(loc="best", fontsize=6.2, frameon=True, framealpha=0.9, edgecolor="#999",
                  handlelength=2.6, borderpad=0.3, labelspacing=0.25)
    return _svg_bytes(fig)


def _draw_loss(pic: LossPicture, full: bool) -> bytes:
    shown = pic.weights if full else pic.weights[:1]
    ws = [float(w) for w in pic.weights] + ([float(pic.minimiser)] if pic.minimiser is not None else [])
    if pic.minimiser is None:
        # Show the low point the steps head for: the lowest sample within 2 of the weights.
        near_x, near_y = _curve(pic.coeffs, min(ws) - 2, max(ws) + 2, 161)
        ws.append(near_x[near_y.index(min(near_y))])
    span = max(max(ws) - min(ws), 1.0)
    lo, hi = min(ws) - 0.45 * span, max(ws) + 0.45 * span
    fig, ax = _figure()
    xs, ys = _curve(pic.coeffs, lo, hi)
    losses = [horner(pic.coeffs, w) for w in pic.weights]
    ylo, yhi = _ylimits(ys, [float(v) for v in losses])
    (curve,) = ax.plot(xs, ys, color="black", lw=1.5, label="loss L(w)")
    curve.set_gid("loss")
    if full and pic.minimiser is not None:
        vline = ax.axvline(float(pic.minimiser), color="#555", lw=0.8, linestyle=(0, (1, 1.5)), label="minimum")
        vline.set_gid("minimum")
    if full and len(pic.weights) > 0:
        w0 = pic.weights[0]
        g = horner(power_rule(pic.coeffs), w0)
        half = 0.25 * span
        (tan,) = ax.plot([float(w0) - half, float(w0) + half],
                         [float(losses[0]) - float(g) * half, float(losses[0]) + float(g) * half],
                         color="#c62828", lw=1.1, linestyle=(0, (5, 2)), label=f"slope L′(w₀) = {_label(g, pic.decimal)}")
        tan.set_gid("tangent-w0")
    for n, (w, loss) in enumerate(zip(shown, losses)):
        marker = "o" if n == 0 else "s"
        (dot,) = ax.plot([float(w)], [float(loss)], linestyle="none", marker=marker, ms=4,
                         mfc="black" if n == 0 else "white", mec="black", mew=1.0, zorder=5)
        dot.set_gid(f"weight-{n}")
        ax.annotate(f"w{_subscript(n)}", (float(w), float(loss)), xytext=(4, 4), textcoords="offset points",
                    fontsize=7)
    if full:
        for n in range(len(pic.weights) - 1):
            arrow = ax.annotate(
                "", xy=(float(pic.weights[n + 1]), float(losses[n + 1])), xytext=(float(pic.weights[n]), float(losses[n])),
                arrowprops={"arrowstyle": "-|>", "color": "#1f5fa8", "lw": 1.0, "shrinkA": 3, "shrinkB": 3,
                            "linestyle": "solid", "mutation_scale": 7},
            )
            arrow.arrow_patch.set_gid(f"step-{n + 1}")
    return _finish(fig, ax, (lo, hi), (ylo, yhi), "w", legend=full)


@lru_cache(maxsize=512)
def svg(picture: Picture, full: bool = True) -> bytes:
    """The picture as SVG bytes; full=False draws only what the problem gives (for worksheets)."""
    import matplotlib

    with matplotlib.rc_context(_RC):
        if isinstance(picture, SecantPicture):
            return _draw_secants(picture, full)
        return _draw_loss(picture, full)


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


class Figures:
    """The templates' figure(): pictures drawn in a forked worker while the page's math is typeset.

    Importing matplotlib and drawing cost ~0.25 s plus ~30 ms a picture, about as long
    as typesetting a key's math; on two or more cores the two overlap. The template gets
    a marker for each pending picture and fill() swaps the finished figures in.
    """

    def __init__(self, items: Iterable[tuple[Picture, bool]]) -> None:
        self._todo = [item for item in dict.fromkeys(items) if item not in _READY]
        self._markers: dict[str, tuple[Picture, bool]] = {}
        self._pool: Any = None
        self._pending: Any = None
        if self._todo and (os.cpu_count() or 1) >= 2:
            import multiprocessing

            if "fork" in multiprocessing.get_all_start_methods():
                self._pool = multiprocessing.get_context("fork").Pool(1)
                self._pending = self._pool.map_async(_uri, self._todo, chunksize=len(self._todo))
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
        return figure_html(picture, full)

    def fill(self, html: str) -> str:
        """The page with every marker replaced by its finished figure."""
        if self._pending is not None:
            try:
                uris = self._pending.get()
            finally:
                self._pool.close()
                self._pool.join()
                self._pool = None
            if len(_READY) > _READY_MAX:
                _READY.clear()
            _READY.update(zip(self._todo, uris))
            self._pending = None
        for marker, (picture, full) in self._markers.items():
            html = html.replace(marker, figure_html(picture, full), 1)
        return html


def figure_html(picture: Picture, full: bool = True) -> Markup:
    """A <figure> with the picture as a data-URI image and its caption as searchable text."""
    caption = picture.caption if full else picture.given_caption
    cls = "plot" if full else "plot given"
    return Markup(
        f'<figure class="{cls}"><img src="{data_uri(picture, full)}" alt="{escape(caption)}">'
        f"<figcaption>{escape(caption)}</figcaption></figure>"
    )

