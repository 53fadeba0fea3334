"""LaTeX → SVG with ziamath, as a data-URI image plus an invisible text layer.

WeasyPrint runs no JavaScript and ignores MathML, so math is drawn here. The SVG's
glyphs are paths, so every formula also carries its plain Unicode text in a
transparent span: the PDF stays searchable and copyable (see shared RENDERING.md).
A data-URI <img> keeps each SVG self-contained (inline <svg> repeats symbol ids).
"""

from __future__ import annotations

import base64
from functools import lru_cache

from markupsafe import Markup, escape

from quizgen.model import Math

# 11 pt body text; ziamath sizes are in px (pt × 4/3).
TEXT_PT = 11.0
MARGIN = 1.0


@lru_cache(maxsize=8192)
def svg_image(latex: str, size_pt: float = TEXT_PT) -> tuple[str, float, float, float]:
    """(data URI, width px, height px, baseline offset px) for one LaTeX string; cached."""
    import ziamath

    formula = ziamath.Latex(latex, size=size_pt * 4 / 3, margin=MARGIN)
    svg = formula.svg()
    width, height = formula.getsize()
    uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")
    return uri, width + 2 * MARGIN, height + 2 * MARGIN, formula.getyofst() - MARGIN


def math_html(math: Math, size_pt: float = TEXT_PT, cls: str = "m") -> Markup:
    """The HTML for one formula: the picture, and the text layer that PDF readers extract."""
    uri, width, height, baseline = svg_image(math.latex, size_pt)
    # The span is an inline-block holding only a block image, so its bottom is the
    # image's bottom; the text layer's bottom sits on the formula's baseline, which
    # keeps cells of one row on one text line for pdftotext -layout.
    return Markup(
        f'<span class="{cls}" style="vertical-align:{baseline:.2f}px">'
        f'<img src="{uri}" alt="" aria-hidden="true" style="width:{width:.2f}px;height:{height:.2f}px">'
        f'<span class="tl" style="bottom:{-baseline:.2f}px">{escape(math.text)}</span></span>'
    )
