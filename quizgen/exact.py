"""Exact numbers and polynomials in x and h, and how they are written.

Everything here is `fractions.Fraction` arithmetic: it is the independent route
that checks sympy's answers (see verify.py), and it writes numbers and polynomials
in the three forms quizgen shows: LaTeX (for the typeset math), plain Unicode text
(the PDF's searchable text layer) and plain syntax (quiz.json, `quizgen check`).

The writer is hand-made on purpose: sympy orders ``3h + 6x - 4`` while the
walkthrough teaches ``6x + 3h - 4`` (descending total degree, then powers of x).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from fractions import Fraction
from math import comb
from typing import Any

# A polynomial in x and h: {(power of x, power of h): coefficient}, no zero entries.
Poly = dict[tuple[int, int], Fraction]

_DECIMAL_TEXT = re.compile(r"^[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?$")

# What fractions.Fraction reads, taken apart so the size is known before any big number is built
# (Fraction("1e100000000") computes 10^100000000 first; int() refuses 4300+ digits with a traceback).
_NUMBER_TEXT = re.compile(
    r"""(?P<sign>[-+]?)(?:
        (?P<num>\d+(?:_\d+)*)/(?P<den>\d+(?:_\d+)*)
      | (?=\d|\.\d)(?P<int>(?:\d+(?:_\d+)*)?)(?:\.(?P<frac>(?:\d+(?:_\d+)*)?))?(?:[eE](?P<exp>[-+]?\d+(?:_\d+)*))?
    )""",
    re.VERBOSE,
)
# Bigger than 10^30, or finer than 10^-30, is never a hand-sized value; callers set tighter bounds.
MAX_NUMBER_DIGITS = 30


class NumberError(ValueError):
    """Text that is not a number (``reason`` "syntax"), too large ("large") or too finely divided ("fine")."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def parse_number(text: str, max_digits: int = MAX_NUMBER_DIGITS) -> Fraction:
    """Read an exact number such as ``2``, ``-1/2``, ``0.001`` or ``1e-3`` (no eval).

    The size is bounded from the text before anything is computed: more than `max_digits`
    digits before the decimal point is "too large", more than `max_digits` decimal places
    (or digits in a denominator) "too finely divided"; both raise NumberError at once,
    whatever the length of the text or its exponent.
    """
    cleaned = text.strip().replace("\u2212", "-")
    if cleaned.isascii() and cleaned.isdigit() and len(cleaned) <= max_digits:  # a whole number: most of them
        return Fraction(int(cleaned))
    shown = repr(text if len(text) <= 40 else f"{text[:39]}… ({len(text):,} characters)")
    match = _NUMBER_TEXT.fullmatch(cleaned)
    if match is None:
        raise NumberError(f"{shown} is not a number (use forms like 2, -1/2, 0.001)", "syntax")
    sign = -1 if match["sign"] == "-" else 1
    if match["den"] is not None:
        num = match["num"].replace("_", "").lstrip("0")
        den = match["den"].replace("_", "").lstrip("0")
        if not den:
            raise NumberError(f"{shown} is not a number (it divides by 0)", "syntax")
        if len(num) > max_digits or len(den) > max_digits:
            raise (NumberError(f"{shown} is too large", "large") if len(num) > len(den)
                   else NumberError(f"{shown} has too many digits in its denominator", "fine"))
        return Fraction(sign * int(num or "0"), int(den))
    frac = (match["frac"] or "").replace("_", "")
    digits = ((match["int"] or "").replace("_", "") + frac).lstrip("0")
    if not digits:
        return Fraction(0)
    exp_text = (match["exp"] or "0").replace("_", "")
    exp_digits = exp_text.lstrip("+-").lstrip("0")
    if len(exp_digits) > 6:  # |exponent| ≥ 10^6: far beyond any bound, whatever the digits
        raise (NumberError(f"{shown} has too many decimal places", "fine") if exp_text.startswith("-")
               else NumberError(f"{shown} is too large", "large"))
    scale = int(exp_text) - len(frac)  # the value is int(digits) · 10^scale
    if len(digits) + scale > max_digits:
        raise NumberError(f"{shown} is too large", "large")
    significant = digits.rstrip("0")
    scale += len(digits) - len(significant)
    if -scale > max_digits:
        raise NumberError(f"{shown} has too many decimal places", "fine")
    if scale >= 0:
        return Fraction(sign * int(significant) * 10**scale)
    return Fraction(sign * int(significant), 10**-scale)


def is_decimal_text(text: str) -> bool:
    """True when a user wrote the number as a decimal or in e-notation (so answers are shown as decimals)."""
    cleaned = text.strip().replace("\u2212", "-")
    return ("." in cleaned or "e" in cleaned.lower()) and bool(_DECIMAL_TEXT.match(cleaned))


def _twos_fives(d: int) -> tuple[int, int, int]:
    """d = 2^a · 5^b · rest; returns (a, b, rest)."""
    a = (d & -d).bit_length() - 1
    d >>= a
    b = 0
    while d % 5 == 0:
        d //= 5
        b += 1
    return a, b, d


def terminates(q: Fraction) -> bool:
    """True when q has a finite decimal expansion (denominator 2^a 5^b)."""
    return _twos_fives(q.denominator)[2] == 1


@lru_cache(maxsize=65536)
def decimal_str(q: Fraction) -> str:
    """The exact decimal expansion of a terminating fraction, e.g. 9.008003."""
    a, b, rest = _twos_fives(q.denominator)
    if rest != 1:
        raise ValueError(f"{q} has no finite decimal expansion")
    digits = max(a, b)
    scaled = abs(q.numerator) * 10**digits // q.denominator  # exact: the denominator divides 10^digits
    sign = "-" if q < 0 else ""
    if digits == 0:
        return f"{sign}{scaled}"
    whole, frac = divmod(scaled, 10**digits)
    return f"{sign}{whole}.{frac:0{digits}d}"


# Every form a Style writes of one number, made once per (decimal, numerator, denominator): the
# writers are called tens of thousands of times per set with few distinct values, and a key of
# two ints is far cheaper to hash and compare than a Fraction (the cache is emptied when full).
_FORMS: dict[tuple[bool, int, int], tuple[str, str, str, str, str, str, str]] = {}
_MAX_FORMS = 65536


def _forms(decimal: bool, n: int, d: int) -> tuple[str, str, str, str, str, str, str]:
    """(plain, text, latex, latex_factor, text_factor, latex_subtrahend, text_subtrahend) of q = n/d (in lowest terms)."""
    try:
        return _FORMS[decimal, n, d]
    except KeyError:
        pass
    q = Fraction(n, d)
    exact_decimal = d == 1 or (decimal and terminates(q))
    plain = str(n) if d == 1 else decimal_str(q) if exact_decimal else f"{n}/{d}"
    text = plain.replace("-", "\u2212")
    body = (plain[1:] if n < 0 else plain) if exact_decimal else rf"\frac{{{abs(n)}}}{{{d}}}"
    latex = f"{{-{body}}}" if n < 0 else body
    latex_factor = rf"\left({latex}\right)" if n < 0 or not exact_decimal else latex
    text_factor = f"({text})" if n < 0 or "/" in text else text
    latex_subtrahend = rf"\left({latex}\right)" if n < 0 else latex
    text_subtrahend = f"({text})" if n < 0 else text
    if len(_FORMS) >= _MAX_FORMS:
        _FORMS.clear()
    forms = _FORMS[decimal, n, d] = (plain, text, latex, latex_factor, text_factor, latex_subtrahend, text_subtrahend)
    return forms


@dataclass(frozen=True)
class Style:
    """How numbers are written: as decimals (when the step was a decimal) or fractions."""

    decimal: bool = False

    def plain(self, q: Fraction) -> str:
        """Plain syntax: ``8.003``, ``-7/2``, ``9``."""
        return _forms(self.decimal, q.numerator, q.denominator)[0]

    def text(self, q: Fraction) -> str:
        """Unicode text with a real minus sign: ``−7/2``."""
        return _forms(self.decimal, q.numerator, q.denominator)[1]

    def latex(self, q: Fraction) -> str:
        """LaTeX; negatives are grouped ``{-3}`` so ziamath spaces them as a sign."""
        return _forms(self.decimal, q.numerator, q.denominator)[2]

    def latex_factor(self, q: Fraction) -> str:
        """A number used as a base or factor: parenthesised when negative or a fraction."""
        return _forms(self.decimal, q.numerator, q.denominator)[3]

    def text_factor(self, q: Fraction) -> str:
        """Unicode counterpart of latex_factor."""
        return _forms(self.decimal, q.numerator, q.denominator)[4]

    def latex_subtrahend(self, q: Fraction) -> str:
        """A number after a minus sign: parenthesised only when negative (``a - \\frac{2809}{16}``,
        ``a - \\left({-3}\\right)``); a positive fraction needs no brackets there."""
        return _forms(self.decimal, q.numerator, q.denominator)[5]

    def text_subtrahend(self, q: Fraction) -> str:
        """Unicode counterpart of latex_subtrahend: ``− 2809/16``, ``− (−3)``."""
        return _forms(self.decimal, q.numerator, q.denominator)[6]

    def magnitude(self, q: Fraction) -> tuple[str, str]:
        """LaTeX and text of |q| (a term's size after its sign is written apart), without building |q|."""
        forms = _forms(self.decimal, abs(q.numerator), q.denominator)
        return forms[2], forms[1]


# ---------------------------------------------------------------- polynomials


def poly_from_coeffs(coeffs: tuple[Fraction, ...]) -> Poly:
    """Univariate f from coefficients listed constant-first: (5, -4, 3) is 3x²−4x+5."""
    return {(i, 0): Fraction(c) for i, c in enumerate(coeffs) if c}


def poly_add(p: Poly, q: Poly, scale: Fraction = Fraction(1)) -> Poly:
    """p + scale·q."""
    out = dict(p)
    for k, c in q.items():
        out[k] = out.get(k, Fraction(0)) + scale * c
        if not out[k]:
            del out[k]
    return out


def shift(coeffs: tuple[Fraction, ...]) -> Poly:
    """f(x + h) by the binomial theorem (no sympy)."""
    out: Poly = {}
    for n, c in enumerate(coeffs):
        if not c:
            continue
        for k in range(n + 1):
            key = (n - k, k)
            out[key] = out.get(key, Fraction(0)) + c * comb(n, k)
    return {k: v for k, v in out.items() if v}


def divide_by_h(p: Poly) -> Poly:
    """p / h for a polynomial with no h-free term."""
    if any(j == 0 for (_, j) in p):
        raise ValueError("polynomial has an h-free term")
    return {(i, j - 1): c for (i, j), c in p.items()}


def at_h0(p: Poly) -> Poly:
    """The limit h → 0 of a polynomial: keep the h-free terms."""
    return {k: c for k, c in p.items() if k[1] == 0}


def horner(coeffs: tuple[Fraction, ...], x: Fraction) -> Fraction:
    """f(x) by Horner's rule with exact fractions."""
    if coeffs and all(c.denominator == 1 for c in coeffs):
        # Whole coefficients (every drawn f): Horner's rule on x = p/q in integers, one division at the end.
        p, q = x.numerator, x.denominator
        total, scale = 0, 1
        for c in reversed(coeffs):
            total = total * p + c.numerator * scale
            scale *= q
        return Fraction(total, scale // q)
    acc = Fraction(0)
    for c in reversed(coeffs):
        acc = acc * x + c
    return acc


def power_rule(coeffs: tuple[Fraction, ...]) -> tuple[Fraction, ...]:
    """Coefficients of f′ by the power rule."""
    return tuple(Fraction(n) * c for n, c in enumerate(coeffs))[1:] or (Fraction(0),)


def evaluate(p: Poly, x: Fraction, h: Fraction = Fraction(0)) -> Fraction:
    """p(x, h) exactly."""
    return sum((c * x**i * h**j for (i, j), c in p.items()), Fraction(0))


def _order(key: tuple[int, int]) -> tuple[int, int]:
    """Walkthrough order: higher total degree first, then higher power of x."""
    i, j = key
    return (-(i + j), -i)


@lru_cache(maxsize=4096)
def _monomial(i: int, j: int, var: tuple[str, str], sup: bool) -> str:
    parts = []
    for name, n in ((var[0], i), (var[1], j)):
        if n == 0:
            continue
        if n == 1:
            parts.append(name)
        elif sup:
            parts.append(name + str(n).translate(_SUPERSCRIPTS))
        else:
            parts.append(f"{name}^{{{n}}}")
    return "".join(parts)


_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def poly_terms(p: Poly) -> list[tuple[tuple[int, int], Fraction]]:
    """Terms of p in walkthrough order."""
    return sorted(p.items(), key=lambda kv: _order(kv[0]))


def _join(terms: list[tuple[bool, str]], lead: str, minus: str, group_lead: bool = False) -> str:
    """Signed terms as ``a + b − c``: the first term's sign written tight, the others spaced."""
    out = []
    for n, (negative, body) in enumerate(terms):
        if n == 0:
            # ziamath spaces a leading minus as a binary operator unless it is grouped.
            out.append(("{" + lead + body + "}" if group_lead else lead + body) if negative else body)
        else:
            out.append((f"{minus} " if negative else "+ ") + body)
    return " ".join(out) or "0"


# poly_forms' results per (terms as ints, decimal, var): a problem writes the same polynomial in
# several steps and forms (about half the calls in a 500-problem set); emptied when full.
_POLY_FORMS: dict[tuple[Any, ...], tuple[str, str]] = {}


def poly_forms(p: Poly, style: Style, var: tuple[str, str] = ("x", "h")) -> tuple[str, str]:
    """LaTeX and Unicode text of p in walkthrough order, written in one pass: ``6x + 3h - 4``, ``6x + 3h − 4``."""
    key = (style.decimal, var, *[(i, j, c.numerator, c.denominator) for (i, j), c in p.items()])
    try:
        return _POLY_FORMS[key]
    except KeyError:
        pass
    if len(_POLY_FORMS) >= _MAX_FORMS:
        _POLY_FORMS.clear()
    forms = _POLY_FORMS[key] = _poly_forms(p, style, var)
    return forms


def _poly_forms(p: Poly, style: Style, var: tuple[str, str]) -> tuple[str, str]:
    terms_l, terms_t = [], []
    for (i, j), c in poly_terms(p):
        negative = c.numerator < 0
        unit = c.denominator == 1 and c.numerator in (1, -1) and (i or j)
        number_l, number = style.magnitude(c)
        mono_l = _monomial(i, j, var, sup=False)
        terms_l.append((negative, mono_l if unit else number_l + mono_l))
        mono_t = _monomial(i, j, var, sup=True)
        if unit:
            body = mono_t
        elif mono_t and "/" in number:
            body = f"({number}){mono_t}"
        else:
            body = number + mono_t
        terms_t.append((negative, body))
    return _join(terms_l, "-", "-", group_lead=True), _join(terms_t, "\u2212", "\u2212")


def poly_latex(p: Poly, style: Style, var: tuple[str, str] = ("x", "h")) -> str:
    """LaTeX of p in walkthrough order, e.g. ``6x + 3h - 4``."""
    return poly_forms(p, style, var)[0]


def poly_text(p: Poly, style: Style, var: tuple[str, str] = ("x", "h")) -> str:
    """Unicode text of p, e.g. ``6x + 3h − 4``."""
    return poly_forms(p, style, var)[1]


def poly_plain(p: Poly, style: Style, var: tuple[str, str] = ("x", "h")) -> str:
    """Plain syntax of p, e.g. ``6*x + 3*h - 4`` (what quiz.json stores)."""
    terms = []
    for (i, j), c in poly_terms(p):
        factors = [f"{name}**{k}" if k > 1 else name for name, k in ((var[0], i), (var[1], j)) if k]
        body = "*".join(factors) if factors and abs(c) == 1 else "*".join([style.plain(abs(c)), *factors])
        terms.append((c < 0, body))
    return _join(terms, "-", "-")


# ---------------------------------------------------------------- plain syntax back to text and LaTeX

# One token of plain syntax as quizgen writes it: a number (8.003, 7/2), a name (x, w1, tanh),
# ** (a power), or one character of + - * / ( ) , = [ ].
_PLAIN_TOKEN = re.compile(r"\s*(\d+(?:\.\d+)?(?:/\d+)?|\.\d+|[A-Za-z]+\d*|\*\*|\S)")
_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _split_top(text: str, sep: str) -> list[str]:
    """text cut at `sep` outside brackets."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += 1 if ch in "([" else -1 if ch in ")]" else 0
        if depth == 0 and text.startswith(sep, i):
            out.append(text[start:i])
            start = i + len(sep)
    out.append(text[start:])
    return out


def _name_forms(name: str) -> tuple[str, str]:
    """w1 → (w₁, w_{1}); x → (x, x); tanh → (tanh, \\text{tanh})."""
    m = re.fullmatch(r"([A-Za-z]+)(\d*)", name)
    letters, digits = (m[1], m[2]) if m else (name, "")
    if len(letters) > 1:
        return name, rf"\text{{{name}}}"
    return letters + digits.translate(_SUBSCRIPTS), letters + (f"_{{{digits}}}" if digits else "")


def _expression_forms(plain: str) -> tuple[str, str]:
    """One expression of plain syntax (no commas, no =) as Unicode text and LaTeX."""
    tokens = [t for t in _PLAIN_TOKEN.findall(plain) if t]
    text, latex = "", ""
    lead_open = False  # the first term is negative: its LaTeX is grouped {-…} as quizgen's writers do
    prev = ""  # the previous token's class: "num", "name", "close", "op" or "" (start)
    depth = 0
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if tok == "-" and prev in ("", "op", "open"):  # a sign
            if prev == "" and depth == 0:
                lead_open = True
                latex += "{-"
            else:
                latex += "-"
            text += "\u2212"
            prev = "sign"
        elif tok in "+-" and prev in ("num", "name", "close"):
            if depth == 0 and lead_open:
                latex += "}"
                lead_open = False
            text += " + " if tok == "+" else " \u2212 "
            latex += " + " if tok == "+" else " - "
            prev = "op"
        elif tok == "**":
            power = nxt
            i += 1
            text += power.translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")) if power.isdigit() else f"^{power}"
            latex += f"^{{{power}}}"
            prev = "name"
        elif tok == "*":
            after = tokens[i + 1] if i + 1 < len(tokens) else ""
            if after[:1].isalpha() or after == "(":
                pass  # 3x, xh, 2(x + 1): written side by side
            else:
                text += "·"
                latex += r" \cdot "
            prev = "op"
        elif re.fullmatch(r"\d+(?:\.\d+)?/\d+", tok):
            p, q = tok.split("/")
            coefficient = nxt == "*" and i + 2 < len(tokens) and (tokens[i + 2][:1].isalpha() or tokens[i + 2] == "(")
            text += f"({tok})" if coefficient else tok
            latex += rf"\frac{{{p}}}{{{q}}}"
            prev = "num"
        elif tok[:1].isdigit() or tok[:1] == ".":
            text += tok
            latex += tok
            prev = "num"
        elif tok[:1].isalpha():
            t, l = _name_forms(tok)
            text += t
            latex += l
            prev = "name"
        elif tok in "([":
            depth += 1
            text += "("
            latex += r"\left("
            prev = "open"
        elif tok in ")]":
            depth -= 1
            text += ")"
            latex += r"\right)"
            prev = "close"
        elif tok == "/":
            text += "/"
            latex += "/"
            prev = "op"
        elif tok == ",":
            text += ", "
            latex += ", "
            prev = "op"
        else:
            text += tok
            latex += tok
            prev = "op"
        i += 1
    if lead_open:
        latex += "}"
    return text, latex


# One plain number as quizgen writes it (-47/4, 0.25, 3): plain_forms writes it without the tokenizer.
_PLAIN_NUMBER = re.compile(r"(-?)(\d+(?:\.\d+)?)(?:/(\d+))?")


@lru_cache(maxsize=4096)
def plain_forms(plain: str) -> tuple[str, str]:
    """An answer in quiz.json's plain syntax (``-47/4``, ``6*x + 3*h - 4``, ``9, -7, -3``,
    ``y = 10*x - 18``) as quizgen prints it: Unicode text (``−47/4``, ``6x + 3h − 4``) and LaTeX.

    For answers made elsewhere than a kind's own writer (a typical mistake's value): the
    writers above make the same text from the value itself, and the tests hold the two equal.
    """
    items_t, items_l = [], []
    for item in _split_top(plain.strip(), ", "):
        number = _PLAIN_NUMBER.fullmatch(item)
        if number is not None:  # what _expression_forms writes for one number, directly
            sign, top, bottom = number.groups()
            body_l = rf"\frac{{{top}}}{{{bottom}}}" if bottom else top
            items_t.append(("\u2212" if sign else "") + (f"{top}/{bottom}" if bottom else top))
            items_l.append("{-" + body_l + "}" if sign else body_l)
            continue
        sides = [_expression_forms(side.strip()) for side in _split_top(item, " = ")]
        items_t.append(" = ".join(t for t, _ in sides))
        items_l.append(" = ".join(l for _, l in sides))
    return ", ".join(items_t), ", ".join(items_l)


def forget_memos() -> None:
    """Empty this module's memos of written numbers and polynomials (a class set's rendering worker
    calls it after each version: the next version writes other numbers). Output is unchanged."""
    _FORMS.clear()
    _POLY_FORMS.clear()
