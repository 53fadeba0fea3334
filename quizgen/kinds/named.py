"""Pieces the kinds of named inputs share (several-inputs, chain-rule, gradient-check, training-steps).

Expressions here are polynomials in named inputs (a, b, c; w, x, b, t), held as sympy
ring elements over QQ for the sympy route; the independent routes use Fractions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from quizgen.exact import Style
from quizgen.kinds.base import paren_latex, paren_text
from quizgen.kinds.shown import MAX_DIGITS, longest
from quizgen.model import Math

SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def name_text(name: str) -> str:
    """``w1`` → ``w₁`` (a name with digits gets them as subscripts)."""
    return re.sub(r"\d+", lambda m: m.group().translate(SUBSCRIPT), name)


def name_latex(name: str) -> str:
    """``w1`` → ``w_{1}``."""
    return re.sub(r"(\D+)(\d+)", r"\1_{\2}", name)


def name_math(name: str) -> Math:
    return Math(name_latex(name), name_text(name))


def fill(template: str, values: Mapping[str, Fraction], style: Style) -> Math:
    """A template with the values put in: ``[a]`` is a factor (always in parentheses), ``{a}`` a term
    (in parentheses only when negative and not first); ``·`` and ``²`` are written as they read."""
    def sub(latex: bool) -> str:
        def factor(m: re.Match[str]) -> str:
            q = values[m.group(1)]
            return paren_latex(style.latex(q)) if latex else paren_text(style.text(q))

        def term(m: re.Match[str]) -> str:
            q = values[m.group(1)]
            body = style.latex(q) if latex else style.text(q)
            first = m.start() == 0 or template[: m.start()].rstrip().endswith("(")
            return body if q >= 0 or first else (paren_latex(body) if latex else paren_text(body))

        out = re.sub(r"\{(\w+)\}", term, template)  # first, while positions are the template's
        out = re.sub(r"\[(\w+)\]", factor, out)
        if latex:
            out = out.replace("²", "^{2}").replace("·", r" \cdot ").replace("−", "-")
        return out

    return Math(sub(True), sub(False))


def rel(lhs: str, lhs_text: str | None = None) -> Math:
    """A left-hand side given as LaTeX and text (text defaults to the LaTeX)."""
    return Math(lhs, lhs_text if lhs_text is not None else lhs)


def join(parts: Sequence[Math], sep: str = " = ") -> Math:
    return Math(sep.join(p.latex for p in parts), sep.join(p.text for p in parts))


def graded_part(name: str, answer: str, labels: Sequence[str], words: Mapping[str, str] | None = None,
                required: bool = True) -> dict[str, Any]:
    """One part as quiz.json's ``graded_parts`` lists it (quizgen.keys reads it into a Part)."""
    out: dict[str, Any] = {"name": name, "answer": answer, "labels": list(dict.fromkeys(labels)), "required": required}
    if words is not None:
        out["words"] = dict(words)
    return out


def distinct_mistakes(answer: str, candidates: Sequence[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """Named misconceptions as (answer, why), each wrong answer once and never the right one; a wrong
    answer with a number longer than MAX_DIGITS is left out (it would be offered as a choice on the page)."""
    seen: dict[str, tuple[str, str]] = {}
    for wrong, why in candidates:
        if wrong != answer and wrong not in seen and longest([wrong]) <= MAX_DIGITS:
            seen[wrong] = (wrong, why)
    return tuple(seen.values())


def plain_list(style: Style, values: Sequence[Fraction]) -> str:
    return ", ".join(style.plain(v) for v in values)


# ---------------------------------------------------------------- polynomials in named inputs (sympy rings)


def frac(c: Any) -> Fraction:
    """A sympy QQ number as a Fraction."""
    return Fraction(int(c.numerator), int(c.denominator))


def monomials(p: Any, names: Sequence[str]) -> list[tuple[Fraction, tuple[int, ...]]]:
    """The terms of a ring polynomial, highest total degree first, then in the inputs' order."""
    terms = [(frac(c), tuple(int(e) for e in exps)) for exps, c in p.terms() if c]
    return sorted(terms, key=lambda t: (-sum(t[1]), [-e for e in t[1]]))


def poly_template(p: Any, names: Sequence[str]) -> tuple[Math, str, str]:
    """A ring polynomial as Math over the names, plain syntax (``2*a*b - c``), and a fill template."""
    lat, txt, pl, tpl = [], [], [], []
    for n, (c, exps) in enumerate(monomials(p, names)):
        factors = [(name, e) for name, e in zip(names, exps) if e]
        mag = abs(c)
        coeff = "" if mag == 1 and factors else None
        cs = Style().text(mag) if coeff is None else ""
        cl = Style().latex(mag) if coeff is None else ""
        ft = "·".join(name_text(v) + (str(e).translate(SUPERSCRIPT) if e > 1 else "") for v, e in factors)
        fl = r" \cdot ".join(name_latex(v) + (f"^{{{e}}}" if e > 1 else "") for v, e in factors)
        fp = "*".join(v + (f"^{e}" if e > 1 else "") for v, e in factors)
        ff = "".join(f"[{v}]" + ("²" if e == 2 else "") for v, e in factors)
        if len(factors) == 1 and factors[0][1] == 1 and coeff is not None:
            ff = "{" + factors[0][0] + "}"  # a lone input is a term: (−4) only after a sign
        body_t = cs + ("·" if cs and ft else "") + ft
        body_l = cl + (r" \cdot " if cl and fl else "") + fl
        body_p = Style().plain(mag) * (coeff is None) + ("*" if coeff is None and fp else "") + fp
        body_f = (cs if coeff is None else "") + ff
        sign_t = ("−" if c < 0 else "") if n == 0 else (" − " if c < 0 else " + ")
        sign_p = ("-" if c < 0 else "") if n == 0 else (" - " if c < 0 else " + ")
        txt.append(sign_t + body_t)
        lat.append(sign_t.replace("−", "-") + body_l)
        pl.append(sign_p + body_p)
        tpl.append(sign_t + body_f)
    if not txt:
        return Math("0", "0"), "0", "0"
    return Math("".join(lat), "".join(txt)), "".join(pl), "".join(tpl)


def over(top: Math, bottom: Fraction, style: Style) -> Math:
    """``top/h`` as a fraction: the text puts a sum on top, or a negative h, in parentheses (as a reader does)."""
    t = top.text if " " not in top.text else f"({top.text})"
    b = style.text(bottom) if bottom >= 0 else f"({style.text(bottom)})"
    return Math(rf"\frac{{{top.latex}}}{{{style.latex(bottom)}}}", f"{t}/{b}")
