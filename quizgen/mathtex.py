"""LaTeX → SVG with ziamath, as a data-URI image plus an invisible text layer.

WeasyPrint runs no JavaScript and ignores MathML, so math is drawn here. The SVG's
glyphs are paths, so every formula also carries its plain Unicode text in a
transparent span: the PDF stays searchable and copyable (see shared RENDERING.md).
A data-URI <img> keeps each SVG self-contained (inline <svg> repeats symbol ids).
"""

from __future__ import annotations

import base64
import re
from functools import lru_cache

from markupsafe import Markup, escape

from quizgen.model import Math, is_linear

# 11 pt body text; ziamath sizes are in px (pt × 4/3).
TEXT_PT = 11.0
MARGIN = 1.0
# The invisible text layer's size relative to the text around it (its offsets are in its own em).
LAYER_EM = 0.2


@lru_cache(maxsize=8192)
def svg_image(latex: str, size_pt: float = TEXT_PT) -> tuple[str, float, float, float]:
    """(data URI, width px, height px, baseline offset px) for one LaTeX string; cached."""
    import ziamath

    formula = ziamath.Latex(latex, size=size_pt * 4 / 3, margin=MARGIN)
    svg = formula.svg()
    width, height = formula.getsize()
    uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")
    return uri, width + 2 * MARGIN, height + 2 * MARGIN, formula.getyofst() - MARGIN


_LETTERS = re.compile(r"[A-Za-z]+")
# Words that stay upright; any other run of letters is a product of variables (xh = x·h).
_WORDS = frozenset({"lim", "error", "true", "predicted", "rising", "falling", "flat", "sin", "cos", "tan", "exp", "ln", "log"})


def _italicise(match: re.Match[str]) -> str:
    word = match.group()
    return word if word in _WORDS else f"<i>{word}</i>"


@lru_cache(maxsize=8192)
def text_html(text: str) -> str:
    """A one-line formula as typeset text: variables italic, digits and known words upright.

    WeasyPrint draws text far faster than SVG glyph paths (each path is re-parsed
    per use), and text needs no separate layer to stay searchable. Superscripts are
    the Unicode characters ² ³ ⁴ that the text form already uses.
    """
    escaped = str(escape(text))
    # Only letters outside entities (&amp; etc.) are variables.
    parts = re.split(r"(&[a-z#0-9]+;)", escaped)
    return "".join(p if p.startswith("&") else _LETTERS.sub(_italicise, p) for p in parts)


def math_html(math: Math, size_pt: float = TEXT_PT, cls: str = "m") -> Markup:
    """The HTML for one formula: typeset text when it is one line, else picture + text layer."""
    if is_linear(math.latex):
        return Markup(f'<span class="mt">{text_html(math.text)}</span>')
    uri, width, height, baseline = svg_image(math.latex, size_pt)
    # Sizes in em, so a formula scales with the text around it (10 pt in the key's steps).
    em = size_pt * 4 / 3
    width, height, baseline = width / em, height / em, baseline / em
    # The span is an inline-block holding only a block image, so its bottom is the
    # image's bottom; the text layer's bottom sits on the formula's baseline, which
    # keeps cells of one row on one text line for pdftotext -layout.
    return Markup(
        f'<span class="{cls}" style="vertical-align:{baseline:.3f}em">'
        f'<img src="{uri}" alt="" aria-hidden="true" style="width:{width:.3f}em;height:{height:.3f}em">'
        f'<span class="tl" style="font-size:{LAYER_EM}em;bottom:{-baseline / LAYER_EM:.3f}em">'
        f"{escape(math.text)}</span></span>"
    )
