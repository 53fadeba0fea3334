"""Formulas as HTML text in one math face: the small LaTeX subset the kinds write → HTML.

WeasyPrint pays per box, not per page (shared RENDERING.md), so a formula is set as
plain text wherever it can be: variables are Unicode math-italic letters (𝑥 U+1D465,
ℎ U+210E), powers and indices are the superscript and subscript digits, operators
are their Unicode characters. Only what needs two dimensions gets boxes: a stacked
fraction (one element for the numerator, one for the denominator), ``lim`` with
``h→0`` under it, and brackets grown around a stacked fraction.

The text a PDF reader extracts stays linear: each stacked fraction carries a
zero-width, transparent ``/`` (and parentheses around a compound part), so a reader
following the content stream gets ``(f(x + h) − f(x))/h``; after Unicode NFKC
normalisation the math-italic letters read as ASCII ``x`` and ``h`` again.

The subset (every LaTeX string the kinds produce; tests convert them all):
``\\frac{a}{b}``, ``\\lim_{h \\to 0}``, ``\\left( … \\right)``, ``{…}`` groups,
``^{…}``, ``_{…}``, ``\\cdot``, ``\\to``, ``\\eta``, ``\\partial``, ``\\Delta``,
``\\approx``, ``\\leftarrow``, ``\\,``, ``\\text{…}``, letters, digits and
``+ - = , . ( ) ' / *``. Anything else raises ValueError.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from functools import lru_cache
from pathlib import Path

from markupsafe import Markup, escape

from quizgen.model import Math

# Math italic: a–z from U+1D44E (h is the older ℎ U+210E), A–Z from U+1D434.
_ITALIC = {chr(ord("a") + i): chr(0x1D44E + i) for i in range(26)}
_ITALIC["h"] = "\u210e"
_ITALIC.update({chr(ord("A") + i): chr(0x1D434 + i) for i in range(26)})
_SUP = str.maketrans("0123456789+-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻")
_SUB = str.maketrans("0123456789+-", "₀₁₂₃₄₅₆₇₈₉₊₋")
_MACROS = {
    "cdot": "\u202f\u00b7\u202f",  # a narrow no-break space either side, so 5 · 0.1 never reads as 5.0.1
    "to": "\u2192",
    "eta": "\U0001d702",  # math italic η, like the other variables
    "partial": "\u2202",
    "Delta": "\u0394",
    "approx": "\u2248",
    "leftarrow": "\u2190",
    ",": "\u202f",
    # The neural-network kinds' functions (upright, as function names are set) and σ.
    "tanh": "tanh",
    "max": "max",
    "sigma": "\U0001d70e",
}
_TOKEN = re.compile(r"\\[A-Za-z]+|\\[,()]|[{}^_]|\s+|.", re.S)
# A part of a fraction that reads unambiguously after a slash without parentheses.
_ATOM = re.compile(r"^\u2212?[0-9.]+$|^\u2212?[\u2202\u0394]?\S[\u2080-\u2089]*$")


@dataclass
class _Out:
    """HTML and the linear reading of one piece of a formula, and whether it is stacked."""

    html: str = ""
    text: str = ""
    tall: bool = False
    w: float = 0.0  # the set width in em of the math face (an estimate from its advance widths)

    def add(self, other: _Out) -> None:
        self.html += other.html
        self.text += other.text
        self.tall = self.tall or other.tall
        self.w += other.w

    def put(self, html: str, text: str | None = None, w: float | None = None) -> None:
        """Append `html`; its width is measured as plain characters unless given."""
        self.html += html
        self.text += html if text is None else text
        self.w += measure(html) if w is None else w


_FONT = Path(__file__).resolve().parent / "fonts" / "STIXTwoMath-Regular.ttf"


@lru_cache(maxsize=1)
def _advances() -> dict[int, float]:
    """Advance width in em of every character of the math face (read once from the shipped font)."""
    from fontTools.ttLib import TTFont

    with TTFont(_FONT, lazy=True) as font:
        units = font["head"].unitsPerEm
        hmtx = font["hmtx"].metrics
        return {code: hmtx[glyph][0] / units for code, glyph in font.getBestCmap().items()}


def measure(text: str) -> float:
    """Width in em of plain characters set in the math face (no kerning: within a few per cent)."""
    advances = _advances()
    return sum(advances.get(ord(c), 0.5) for c in text)


# Relations keep the spaces written around them; every other control word eats the space
# after it, as in TeX, unless a relation or + − follows it (`\eta = 0.05` reads η = 0.05, not
# η= 0.05); the tight operators (· and → under lim) take none either side.
_SPACED = frozenset({"\\approx", "\\leftarrow"})
_TIGHT = frozenset({"\\cdot", "\\to"})
_RELATIONS = frozenset({"=", "<", ">", "+", "-", *_SPACED})


def _tidy(toks: list[str]) -> list[str]:
    out: list[str] = []
    for i, tok in enumerate(toks):
        if tok.isspace():
            after = toks[i + 1] if i + 1 < len(toks) else ""
            word = out and out[-1][:1] == "\\" and out[-1][1:].isalpha() and out[-1] not in _SPACED
            if out and (out[-1] in _TIGHT or (word and after not in _RELATIONS)):
                continue
            if out and out[-1] == " ":
                continue
            tok = " "
        elif tok in _TIGHT and out and out[-1] == " ":
            out.pop()
        out.append(tok)
    return out


class _Parser:
    def __init__(self, latex: str) -> None:
        self.latex = latex
        self.toks = _tidy(_TOKEN.findall(latex))
        self.i = 0

    def fail(self, why: str) -> ValueError:
        return ValueError(f"LaTeX not in quizgen's subset ({why}): {self.latex!r}")

    def peek(self) -> str | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> str:
        tok = self.peek()
        if tok is None:
            raise self.fail("unexpected end")
        self.i += 1
        return tok

    def expect(self, tok: str) -> None:
        if self.take() != tok:
            raise self.fail(f"expected {tok}")

    def group(self) -> _Out:
        """``{…}`` or a single token (the argument of ^, _, \\frac)."""
        if self.peek() == "{":
            self.take()
            out = self.seq(stop="}")
            self.expect("}")
            return out
        if self.peek() in (None, "}"):
            raise self.fail("missing argument")
        return self.seq(single=True)

    def raw_group(self) -> str:
        """The plain text of ``{…}`` (\\text's argument)."""
        self.expect("{")
        words = []
        while self.peek() != "}":
            words.append(self.take())
        self.take()
        word = "".join(words)
        if not re.fullmatch(r"[A-Za-z ]+", word):
            raise self.fail("\\text takes words")
        return word

    def seq(self, stop: str | None = None, single: bool = False) -> _Out:
        """Tokens up to `stop`. Spaces are no-break, except after a + or − between terms of the whole
        formula (outside every bracket), where a long line may wrap as in TeX."""
        out = _Out()
        top = stop is None and not single  # brackets are parsed as groups: inside them top is False
        last_wrap = -1  # where in out.html the last wrap point is
        while (tok := self.peek()) is not None and tok != stop:
            if tok == " ":
                self.take()
                before = self.toks[max(self.i - 3, 0):self.i - 1]
                wrap = top and before in ([" ", "+"], [" ", "-"])
                if wrap:
                    last_wrap = len(out.html)
                out.put(" " if wrap else "\u00a0", " ")
                continue
            if stop is None and tok == "}":
                raise self.fail("unbalanced }")
            if tok == "\\right":
                if stop == "\\right":
                    break
                raise self.fail("\\right without \\left")
            self.take()
            self.atom(tok, out)
            if single:
                break
        # A short last term (the constant of "… + 5h − 4") never wraps onto a line of its own.
        if last_wrap >= 0 and len(out.html) - last_wrap <= 4 and "<" not in out.html[last_wrap:]:
            out.html = out.html[:last_wrap] + "\u00a0" + out.html[last_wrap + 1:]
        return out

    def bracketed(self) -> _Out | None:
        """After a "(": what stands up to its matching ")" (taken), or None (nothing taken) if unmatched."""
        start = self.i
        try:
            inner = self.seq(stop=")")
            self.expect(")")
        except ValueError:
            self.i = start
            return None
        return inner

    def script(self, out: _Out, table: dict[int, int], cls: str) -> None:
        arg = self.group()
        if arg.tall:
            raise self.fail("stacked script")
        plain = arg.text
        mapped = plain.translate(table)
        if all(ord(c) in table.values() for c in mapped):
            out.put(mapped, mapped)
        else:  # a letter index (wᵢ) or w*: one small raised/lowered box
            out.put(f"<{cls}>{arg.html}</{cls}>", plain.replace("i", "\u1d62") if cls == "sub" else plain,
                    0.75 * arg.w)

    def atom(self, tok: str, out: _Out) -> None:
        if tok.isspace():
            out.put(" ")
        elif tok == "{":
            out.add(self.seq(stop="}"))
            self.expect("}")
        elif tok == "^":
            self.script(out, _SUP, "sup")
        elif tok == "_":
            self.script(out, _SUB, "sub")
        elif tok == "\\frac":
            num, den = self.group(), self.group()
            # (37/4)x: a fraction read linearly before a letter or bracket needs its parentheses.
            nxt = self.peek() or ""
            out.add(fraction(num, den, wrap=nxt in _ITALIC or nxt in ("(", "\\left")))
        elif tok == "\\lim":
            self.expect("_")
            under = self.group()
            out.html += f'<span class="lim"><span>lim</span><span>{under.html}</span></span>'
            out.text += f"lim {under.text} "
            out.w += max(measure("lim"), 0.7 * under.w)
            out.tall = True
        elif tok == "\\left":
            opening = self.take()
            inner = self.seq(stop="\\right")
            self.expect("\\right")
            closing = self.take()
            if (opening, closing) != ("(", ")"):
                raise self.fail("only \\left( \\right)")
            if inner.tall:
                out.put(f'<span class="br">(</span>{inner.html}<span class="br">)</span>', f"({inner.text})",
                        inner.w + 1.9 * measure("()"))
                out.tall = True
                # A power after a grown bracket sits at its top, not at the text's height.
                if self.peek() == "^":
                    self.take()
                    arg = self.group()
                    out.put(f'<sup class="hi">{arg.html}</sup>', arg.text.translate(_SUP), 0.75 * arg.w)
            else:
                out.put(f"({inner.html})", f"({inner.text})", inner.w + measure("()"))
        elif tok == "\\text":
            word = self.raw_group()
            out.put(word)
        elif tok.startswith("\\"):
            name = tok[1:]
            if name not in _MACROS:
                raise self.fail(f"unknown macro {tok}")
            out.put(_MACROS[name], _MACROS[name].strip("\u202f") if name != "," else " ")
        elif tok in _ITALIC:
            out.put(_ITALIC[tok], tok)
        elif tok == "-":
            out.put("\u2212")
        elif tok == "'":
            out.put("\u2032")
        elif tok == "*":
            out.put("\u2217", "*")
        elif tok == "(" and (group := self.bracketed()) is not None:
            if group.tall:  # f(3/2), L(−3 + h, 5/2): plain brackets grow around a stacked fraction too
                out.put(f'<span class="br">(</span>{group.html}<span class="br">)</span>', f"({group.text})",
                        group.w + 1.9 * measure("()"))
                out.tall = True
            else:
                out.put(f"({group.html})", f"({group.text})", group.w + measure("()"))
        elif tok in "0123456789+=,.()/":
            out.put(tok)
        else:
            raise self.fail(f"unexpected {tok!r}")


def fraction(num: _Out, den: _Out, wrap: bool = False) -> _Out:
    """A stacked fraction: the numerator's bottom border is the rule.

    The linear reading ``(num)/(den)`` is in the page as zero-width transparent text
    (class h), so PDF readers extract a fraction as one line of text.
    """
    n_text, d_text = num.text.strip(), den.text.strip()
    n_open, n_close = ("(", ")") if not _ATOM.match(n_text) else ("", "")
    d_open, d_close = ("(", ")") if not _ATOM.match(d_text) or d_text.startswith("\u2212") else ("", "")
    w_open, w_close = ("(", ")") if wrap else ("", "")
    lead = f'<span class="h">{w_open}{n_open}</span>' if n_open or w_open else ""
    tail = f'<span class="h">{d_close}{w_close}</span>' if d_close or w_close else ""
    # A fraction of fractions (2 over 1/2): the main rule reaches clearly past the inner ones.
    outer = num.tall or den.tall
    html = (
        f'<span class="fr{" fo" if outer else ""}"><span>{lead}{num.html}<span class="h">{n_close}/{d_open}</span></span>'
        f"<span>{den.html}{tail}</span></span>"
    )
    # As wide as its wider part, plus the parts' padding (0.12em a side, 0.25em for .fo) and margins (0.08em a side).
    width = max(num.w, den.w) + (0.66 if outer else 0.4)
    return _Out(html, f"{w_open}{n_open}{n_text}{n_close}/{d_open}{d_text}{d_close}{w_close}", True, width)


@lru_cache(maxsize=16384)
def _parse(latex: str) -> _Out:
    parser = _Parser(latex)
    out = parser.seq()
    if parser.peek() is not None:
        raise parser.fail("trailing input")
    return out


def convert(latex: str) -> tuple[str, str]:
    """(HTML, linear text) of one LaTeX string of the subset; ValueError for anything else."""
    out = _parse(latex)
    # Only our own tags and characters from the subset: nothing to escape.
    return out.html, out.text


def width(math: Math) -> float:
    """About how wide a formula is set, in em of its own size."""
    return _parse(math.latex).w


def lhs_width(lines: Any) -> float:
    """The widest left-hand side of a derivation's lines, in em: the column its = signs align on."""
    # 3 % more than the estimate: kerning and rounding never make a left-hand side wrap.
    return 1.03 * max((width(line.lhs) for line in lines if line.lhs is not None), default=0.0)


def step_widths(steps: Any) -> list[float]:
    """One left-hand-side width per step (lhs_width): a derivation that runs on into the next steps
    with no words between shares one = column, so ``f(0 + ½) = f(½)`` and ``f(½) = …`` line up."""
    runs: list[list[int]] = []
    for i, step in enumerate(steps):
        joins = bool(runs) and not step.words and bool(step.lines) and bool(steps[i - 1].lines) and not getattr(steps[i - 1], "table", None)
        if joins:
            runs[-1].append(i)
        else:
            runs.append([i])
    widths = [0.0] * len(steps)
    for run in runs:
        w = lhs_width([line for i in run for line in (steps[i].lines or ())])
        for i in run:
            widths[i] = w
    return widths


def inner_html(math: Math) -> Markup:
    """A formula's content, to put inside an element that carries class ``m`` (grid cells)."""
    return Markup(convert(math.latex)[0])


def label(math: Math) -> str:
    """What a screen reader says for a formula: its plain Unicode text."""
    return math.text


def math_html(math: Math, cls: str = "m", width_em: float | None = None) -> Markup:
    """One formula as a span of math text; screen readers get its plain text as a label.

    `width_em` sets the span's width (the left-hand sides of a derivation share one).
    """
    html, _ = convert(math.latex)
    style = f' style="width:{width_em:.2f}em"' if width_em is not None else ""
    return Markup(f'<span class="{cls}"{style} role="math" aria-label="{escape(math.text)}">{html}</span>')


# ---------------------------------------------------------------- prose: the key's sentences

# In a sentence, a variable is a lone letter (f, h, x, w, L, E, y) or a in a formula such as f′(a);
# "a" on its own is the article. A token that holds formula characters is kept on one line.
_PROSE_VAR = re.compile(r"(?<![A-Za-z])([fhxwLEy]|a(?=[)′,])|(?<=[(])a)(?![A-Za-z])")
# Characters after which a line may break inside a token (η·|L′, 1/2, −2ℎ): such tokens are kept whole.
_BREAKABLE = re.compile(r"[·/|→\u2212]")


# A token that stands alone between spaces and joins the formula's two sides (w₁ = 0.25, 15𝑥 − 18):
# no line breaks beside it, so a formula written with spaces stays on one line (up to _GLUE_MAX characters).
_JOINS = frozenset({"=", "≈", "≠", "<", ">", "≤", "≥", "→", "\u2212", "+", "·", "×"})
_GLUE_MAX = 32


def _glued(tokens: list[str]) -> list[list[str]]:
    """The sentence's tokens (words and the spaces between them) grouped into runs: a run is a formula
    written with spaces around its joining signs, or any other token alone."""
    runs: list[list[str]] = []
    i = 0
    while i < len(tokens):
        run = [tokens[i]]
        j = i + 1
        while (run[-1] and not run[-1].isspace() and j + 1 < len(tokens) and tokens[j].isspace()
               and (tokens[j + 1] in _JOINS or run[-1] in _JOINS) and tokens[j + 1]):
            run += [tokens[j], tokens[j + 1]]
            j += 2
        if len(run) > 1 and (run[-1] in _JOINS or len("".join(run)) > _GLUE_MAX):
            run = [tokens[i]]  # a sign at the end is no formula's; a long run may break as before
            j = i + 1
        runs.append(run)
        i = j
    return runs


@lru_cache(maxsize=8192)
def prose_html(text: str) -> Markup:
    """A sentence of the key with its variables in the math face (𝑓, 𝑥, ℎ, 𝜂) and no formula broken inside.

    The kinds write their sentences as plain text (``the slope at w₀ = 2``, ``by η·|L′(w₀)| = 0.8``);
    here each lone variable becomes its math-italic letter, as in the formulas, and each
    whitespace-free token a line could break inside (η·|L′(w₀)|, 1/2) is set without a line break, and
    so is a formula written with spaces around its signs (``w₁ = 0.25``, ``y = 15x − 18``), up to
    _GLUE_MAX characters.
    """
    out = []
    for run in _glued(re.split(r"(\s+)", text)):
        words = []
        for token in run:
            if not token or token.isspace():
                words.append(token)
                continue
            html = str(escape(token))
            html = _PROSE_VAR.sub(lambda m: _ITALIC[m.group(1)], html).replace("η", _MACROS["eta"])
            if _BREAKABLE.search(token) and len(run) == 1:
                html = f'<span class="nw">{html}</span>'
            words.append(html)
        out.append(f'<span class="nw">{"".join(words)}</span>' if len(run) > 1 else "".join(words))
    return Markup("".join(out))
