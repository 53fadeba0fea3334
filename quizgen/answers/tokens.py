"""Lexing: answer text → tokens for the grammar (section "tokens" of checker.js).

The tokenizer decides what lark cannot: implicit multiplication, ``|x|`` bars, ``xh`` =
x·h, unicode signs and superscripts. Digit and nesting limits are checked while scanning,
before anything is built.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from lark import Token

from quizgen.answers.limits import (
    CONSTANTS,
    FUNCTIONS,
    FUNCTIONS2,
    GREEK,
    GREEK_NAMES,
    MAX_DEPTH,
    MAX_DIGITS,
    MAX_SCI_EXPONENT,
    Invalid,
)

_WORDS = {*FUNCTIONS, *FUNCTIONS2, *CONSTANTS, *GREEK_NAMES}
_NAMES = sorted([n for n in _WORDS if n.isascii()], key=lambda n: (-len(n), n))
SUBSCRIPT_DIGITS = "₀₁₂₃₄₅₆₇₈₉"


WHITESPACE = " \t\n\r\u00a0"
_OPEN = {"(": "_LPAR", "[": "_LBRACK", "{": "_LBRACE"}
_CLOSE = {")": "_RPAR", "]": "_RBRACK", "}": "_RBRACE"}
_SIMPLE = {
    "+": "_PLUS", "-": "_MINUS", "\u2212": "_MINUS", "*": "_STAR", "\u00d7": "_STAR",
    "\u00b7": "_STAR", "\u22c5": "_STAR", "/": "_SLASH", "\u00f7": "_SLASH", "^": "_CARET",
    ",": "_COMMA", ";": "_COMMA", "=": "_EQUAL",
}
SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_OPERAND_END = {"NUMBER", "VAR", "CONST", "_RPAR", "_RBRACK", "_RBRACE", "_RBAR"}
_OPERAND_START = {"VAR", "CONST", "FUNC", "FUNCARG", "FUNC2", "_LPAR", "_LBRACK", "_LBRACE", "_LBAR"}
# What may follow a function written without brackets (sin x, tanh -n, exp 2, ln ln x).
_ARG_START = {"NUMBER", "VAR", "CONST", "FUNC", "FUNC2", "_MINUS"}
_OPENING = {"_LPAR", "_LBRACK", "_LBRACE", "_LBAR"}


def is_control(c: str) -> bool:
    """Control, invisible formatting or lone surrogate characters (never part of math)."""
    n = ord(c)
    return (
        (n < 0x20 and c not in "\t\n\r")
        or 0x7F <= n <= 0x9F
        or 0x200B <= n <= 0x200F
        or 0x2028 <= n <= 0x202E
        or 0x2060 <= n <= 0x2064
        or 0xD800 <= n <= 0xDFFF
        or n == 0xFEFF
    )


def _is_digit(c: str) -> bool:
    return "0" <= c <= "9"


def _is_letter(c: str) -> bool:
    return "a" <= c <= "z" or "A" <= c <= "Z"


def context(expected: str) -> frozenset[str]:
    """Letters a run like ``xh`` may be split into: x, h and the expected answer's letters; and
    its names with digits (w1 in ``w1*x1 + b``), which a student may then type as w1 too."""
    letters = {"x", "h"}
    i = 0
    while i < len(expected):
        if _is_letter(expected[i]):
            j = i
            while j < len(expected) and _is_letter(expected[j]):
                j += 1
            word = expected[i:j]
            if (j - i == 1 and word not in "eE") or word in GREEK_NAMES:
                if j - i == 1:
                    letters.add(word)
                k = j
                while k < len(expected) and _is_digit(expected[k]):
                    k += 1
                if k > j:
                    letters.add(expected[i:k])
                j = k
            i = j
        else:
            i += 1
    return frozenset(letters)


def _split_word(word: str, ctx: frozenset[str]) -> list[str] | None:
    """``xsin`` → [x, sin]: known names first (longest), else single context letters; a whole
    word in other capitals (Abs, ReLU, Tanh) is the name in lower case."""
    if word.lower() in _WORDS and word not in _WORDS and word.lower() not in CONSTANTS:
        return [word.lower()]
    out: list[str] = []
    i = 0
    while i < len(word):
        for name in _NAMES:
            if word.startswith(name, i):
                out.append(name)
                i += len(name)
                break
        else:
            if word[i] not in ctx:
                return None
            out.append(word[i])
            i += 1
    return out


class _Tok(Token):
    """A lark token that also carries its meaning (a number's value, a function's name)."""

    qvalue: Any


def _pos(t: Token) -> int:
    """Where a token starts (every token quizgen makes has a position)."""
    return t.start_pos or 0


def _tok(type_: str, text: str, pos: int, value: Any = None) -> _Tok:
    t = _Tok(type_, text, start_pos=pos)
    t.qvalue = value
    return t


def _scan_number(s: str, i: int) -> tuple[int, Token]:
    """Read ``12``, ``.5``, ``3.``, ``1e-3`` at i; check digit and exponent limits."""
    j = i
    mant = ""
    while j < len(s) and _is_digit(s[j]):
        mant += s[j]
        j += 1
    frac = ""
    if j < len(s) and s[j] == ".":
        j += 1
        while j < len(s) and _is_digit(s[j]):
            frac += s[j]
            j += 1
    exp_text = ""
    if j < len(s) and s[j] in "eE":
        k = j + 1
        sign = ""
        if k < len(s) and s[k] in "+-\u2212":
            sign = "-" if s[k] != "+" else ""
            k += 1
        if k < len(s) and _is_digit(s[k]):
            digits = ""
            while k < len(s) and _is_digit(s[k]):
                digits += s[k]
                k += 1
            exp_text = sign + digits
            j = k
    if len(mant) + len(frac) > MAX_DIGITS:
        raise Invalid("digits", pos=i + 1)
    scale = -len(frac)
    if exp_text:
        digits = exp_text.lstrip("-").lstrip("0")
        if len(digits) > 4 or int(digits or "0") > MAX_SCI_EXPONENT:
            raise Invalid("sci_range", pos=i + 1)
        scale += int(exp_text)
    m = int(mant + frac)
    value = Fraction(m * 10**scale) if scale >= 0 else Fraction(m, 10**-scale)
    plain = (mant or "0") + "." + (frac or "0") + ("e" + exp_text if exp_text else "")
    # (exact value, float, decimal places as typed: 0.760 has 3, 7.6e-1 has 2)
    return j, _tok("NUMBER", s[i:j], i + 1, (value, float(plain), max(0, -scale)))


def _subscript(s: str, j: int, name: str, ctx: frozenset[str]) -> tuple[int, str]:
    """A variable's subscript after position j: w₁, w_1, w_{1}, or w1 when the key names w1."""
    k = j
    digits = ""
    if k < len(s) and s[k] in SUBSCRIPT_DIGITS:
        while k < len(s) and s[k] in SUBSCRIPT_DIGITS:
            digits += str(SUBSCRIPT_DIGITS.index(s[k]))
            k += 1
    elif k + 1 < len(s) and s[k] == "_":
        brace = s[k + 1] == "{"
        m = k + 1 + brace
        while m < len(s) and _is_digit(s[m]):
            digits += s[m]
            m += 1
        if not digits or (brace and (m >= len(s) or s[m] != "}")):
            return j, name
        k = m + brace
    else:
        while k < len(s) and _is_digit(s[k]):
            digits += s[k]
            k += 1
        if not digits or not any(n[len(name):].isdigit() and n[: len(name)] in (name, name.swapcase()) for n in ctx):
            return j, name
    if len(digits) > MAX_DIGITS:
        raise Invalid("digits", pos=j + 1)
    return k, name + digits


def tokenize(s: str, ctx: frozenset[str]) -> list[Token]:
    """Tokens with 1-based positions; implicit multiplication made explicit as _IMPL."""
    toks: list[Token] = []
    depth = 0
    bars = 0
    i = 0

    def push(t: Token) -> None:
        nonlocal depth
        if t.type in _OPENING:
            depth += 1
            if depth > MAX_DEPTH:
                raise Invalid("nested")
        elif t.type in ("_RPAR", "_RBRACK", "_RBRACE", "_RBAR"):
            depth = max(depth - 1, 0)
        toks.append(t)

    while i < len(s):
        c = s[i]
        if c in WHITESPACE:
            i += 1
        elif _is_digit(c) or (c == "." and i + 1 < len(s) and _is_digit(s[i + 1])):
            i, t = _scan_number(s, i)
            push(t)
        elif _is_letter(c):
            j = i
            while j < len(s) and _is_letter(s[j]):
                j += 1
            word = s[i:j]
            parts = [word] if len(word) == 1 else _split_word(word, ctx)
            if parts is None:
                raise Invalid("unknown_name", name=word, pos=i + 1)
            pos = i
            for n, part in enumerate(parts):
                if part in FUNCTIONS:
                    push(_tok("FUNC", part, pos + 1, FUNCTIONS[part]))
                elif part in FUNCTIONS2:
                    push(_tok("FUNC2", part, pos + 1, FUNCTIONS2[part]))
                elif part in CONSTANTS:
                    push(_tok("CONST", part, pos + 1, CONSTANTS[part]))
                elif n == len(parts) - 1:  # the last variable of a word may have a subscript
                    j, name = _subscript(s, j, part, ctx)
                    push(_tok("VAR", s[pos:j], pos + 1, name))
                else:
                    push(_tok("VAR", part, pos + 1, part))
                pos += len(part)
            i = j
        elif c in GREEK:
            j, name = _subscript(s, i + 1, GREEK[c], ctx)
            push(_tok("VAR", s[i:j], i + 1, name))
            i = j
        elif c == "σ":
            push(_tok("FUNC", c, i + 1, "sigmoid"))
            i += 1
        elif c == "*" and i + 1 < len(s) and s[i + 1] == "*":
            push(_tok("_CARET", "**", i + 1))
            i += 2
        elif c in _SIMPLE:
            push(_tok(_SIMPLE[c], c, i + 1))
            i += 1
        elif c in _OPEN:
            push(_tok(_OPEN[c], c, i + 1))
            i += 1
        elif c in _CLOSE:
            push(_tok(_CLOSE[c], c, i + 1))
            i += 1
        elif c == "|":
            # A bar closes when something is open and it follows an operand; else it opens.
            if toks and toks[-1].type in _OPERAND_END and bars > 0:
                bars -= 1
                push(_tok("_RBAR", c, i + 1))
            else:
                bars += 1
                push(_tok("_LBAR", c, i + 1))
            i += 1
        elif c == "π":
            push(_tok("CONST", c, i + 1, "pi"))
            i += 1
        elif c == "√":
            push(_tok("FUNC", c, i + 1, "sqrt"))
            i += 1
        elif c in SUPERSCRIPTS or (c == "⁻" and i + 1 < len(s) and s[i + 1] in SUPERSCRIPTS):
            j = i + (1 if c == "⁻" else 0)
            digits = ""
            while j < len(s) and s[j] in SUPERSCRIPTS:
                digits += str(SUPERSCRIPTS.index(s[j]))
                j += 1
            if len(digits) > MAX_DIGITS:
                raise Invalid("digits", pos=i + 1)
            push(_tok("_CARET", s[i:j], i + 1))
            if c == "⁻":
                push(_tok("_MINUS", "⁻", i + 1))
            push(_tok("NUMBER", digits, i + 1, (Fraction(int(digits)), float(int(digits)), 0)))
            i = j
        else:
            raise Invalid("unknown_symbol", char=c, pos=i + 1)

    # A function's argument: in brackets (sin(x), ln|x|, sin^2(x), sin²(x)), or without them the
    # next factor only (sin x, tanh -n, sin²x: FUNCARG). max and min always take brackets.
    out: list[Token] = []
    k = 0
    while k < len(toks):
        t = toks[k]
        out.append(t)
        if t.type in ("FUNC", "FUNC2"):
            nxt = toks[k + 1] if k + 1 < len(toks) else None
            if nxt is not None and (nxt.type == "_LPAR" or (nxt.type in _OPENING and t.type == "FUNC")):
                pass
            elif (
                t.type == "FUNC"
                and nxt is not None
                and nxt.type == "_CARET"
                and k + 3 < len(toks)
                and isinstance(power := toks[k + 2], _Tok)
                and power.type == "NUMBER"
                and power.qvalue[0].denominator == 1
                and "." not in power and "e" not in power.lower()
                and (toks[k + 3].type in _OPENING or toks[k + 3].type in _ARG_START)
            ):
                if toks[k + 3].type not in _OPENING:
                    out[-1] = _tok("FUNCARG", str(t), _pos(t), getattr(t, "qvalue"))
                out.append(_tok("FPOW", nxt + power, _pos(nxt), power.qvalue))
                k += 2
            elif t.type == "FUNC" and nxt is not None and nxt.type in _ARG_START:
                out[-1] = _tok("FUNCARG", str(t), _pos(t), getattr(t, "qvalue"))
            else:
                name = str(t)
                raise Invalid("func_brackets", name=name, pos=t.start_pos)
        k += 1

    # Implicit multiplication: an operand followed by the start of another (2x, x(x+1), )( ).
    final: list[Token] = []
    for t in out:
        if final and final[-1].type in _OPERAND_END and t.type in _OPERAND_START:
            final.append(_tok("_IMPL", "", _pos(t)))
        final.append(t)
    return _unwrap_list(final)


_LIST_CLOSE = {"_LPAR": "_RPAR", "_LBRACK": "_RBRACK"}


def _unwrap_list(toks: list[Token]) -> list[Token]:
    """``[8, -4, 26]`` or ``(1, 2)``: a whole answer in one pair of brackets with commas is a list."""
    if len(toks) < 3 or toks[0].type not in _LIST_CLOSE or toks[-1].type != _LIST_CLOSE[toks[0].type]:
        return toks
    depth = 0
    comma = False
    for k, t in enumerate(toks):
        if t.type in _OPENING:
            depth += 1
        elif t.type in ("_RPAR", "_RBRACK", "_RBRACE", "_RBAR"):
            depth -= 1
            if depth == 0 and k < len(toks) - 1:
                return toks  # the first bracket closes early: (1, 2) + (3, 4)
        elif t.type == "_COMMA" and depth == 1:
            comma = True
    return toks[1:-1] if comma else toks

