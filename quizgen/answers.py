"""Check a student's typed answer against the key, safely, with feedback on typical mistakes.

Answers are read by a small lark grammar fed by a hand-written tokenizer (the tokenizer
decides what lark cannot: implicit multiplication, ``|x|`` bars, ``xh`` = x·h, unicode
signs). Nothing is ever handed to Python's or sympy's string evaluators. The tree is
compared with the expected answer by evaluating both at a fixed set of rational points:

* rational expressions (numbers, variables, + − × ÷, integer powers, |·|) are evaluated
  exactly with ``fractions.Fraction``; two rational functions of one variable that agree
  at more points than their degree are identical, so for the small degrees of a
  calculus answer this is a proof, not a guess;
* anything with functions, π, e or non-integer powers is evaluated in floating point
  and compared with a relative tolerance of ``REL_TOL``; points where either side is
  undefined are skipped (equality on the common domain). Each float carries a bound on
  its rounding error, so points where cancellation swamps the value (cosh²x − sinh²x at
  x = 14.5) are left out when enough others remain.

``quizgen/templates/checker.js`` implements the same algorithm (same points, same order of
checks, same messages) for the offline practice page; ``tests/answer_cases.json`` holds
the table both must agree on. Keep the two files in step.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cache, lru_cache
from typing import Any

from lark import Lark, Token, Tree, UnexpectedInput
from lark.lexer import Lexer
from lark.visitors import Transformer_NonRecursive

# ---------------------------------------------------------------- limits
# Every limit is checked before the expensive step it protects; over a limit the
# answer is "invalid" with a message, never a hang or a crash.

MAX_LENGTH = 500  # characters (code points) in one answer
MAX_DEPTH = 50  # nested brackets and |bars|, counted by a scan before parsing
MAX_TREE_DEPTH = 150  # nesting of the parsed tree (e.g. long chains of signs or powers)
MAX_EXPONENT = 100  # largest |exponent| of a power whose exponent is a constant
MAX_DIGITS = 40  # digits in one number
MAX_SCI_EXPONENT = 100  # largest |k| in scientific notation such as 1e-3
MAX_BITS = 4096  # largest numerator/denominator (bits) in exact evaluation

N_POINTS = 24  # evaluation points per variable
MIN_COMMON = 3  # points where both sides must be defined (fewer if the key itself is)
REL_TOL = 1e-9  # floating-point comparison when functions are involved
ABS_TOL = 1e-12
# Rounding: each float value carries a magnitude m (sums of absolute values, scaled by
# derivatives) whose NOISE·EPS·m bounds its rounding error. Where that noise could exceed
# RELIABLE (relative), cancellation has eaten the digits (cosh²x − sinh²x at x = 14.5):
# such points are left out if others remain, and the tolerance grows to the noise.
EPS = 2.0**-52
NOISE = 8.0
RELIABLE = 1e-7

# Evaluation points: spread over negative and positive values, no 0 or ±1 (where
# x, x², x³ coincide). A variable takes every point once, in its own order.
POINTS: tuple[tuple[int, int], ...] = (
    (-7, 3), (2, 1), (-1, 2), (1, 3), (3, 2), (5, 1), (11, 7), (-13, 5),
    (2, 9), (7, 2), (-5, 4), (17, 3), (1, 7), (-9, 2), (23, 10), (9, 1),
    (-3, 1), (4, 3), (-2, 7), (13, 1), (5, 8), (-11, 3), (19, 4), (29, 2),
)
# Variable k of LETTER_ORDER at sample i takes POINTS[(i*MULTIPLIERS[k%8] + 7k) % 24]:
# every multiplier is coprime to 24, so each variable runs through all points, and
# different variables pair the points differently (x and h never move together).
LETTER_ORDER = "xhyzwtabcdfgijklmnopqrsuvXYZWTABCDEFGHIJKLMNOPQRSUV"
MULTIPLIERS = (1, 5, 7, 11, 13, 17, 19, 23)

# Names a calculus student types; aliases map to one canonical function.
FUNCTIONS = {
    "sin": "sin", "cos": "cos", "tan": "tan", "sec": "sec", "csc": "csc", "cot": "cot",
    "asin": "asin", "acos": "acos", "atan": "atan",
    "arcsin": "asin", "arccos": "acos", "arctan": "atan",
    "sinh": "sinh", "cosh": "cosh", "tanh": "tanh",
    "exp": "exp", "log": "log", "ln": "log", "sqrt": "sqrt", "abs": "abs",
}
CONSTANTS = {"pi": "pi", "e": "e"}
_NAMES = sorted([*FUNCTIONS, *CONSTANTS], key=lambda n: (-len(n), n))

# ---------------------------------------------------------------- messages

CORRECT = "Correct."
WRONG = "Your answer is not equal to the correct answer."
WRONG_TOL = "Your answer is not close enough to the correct value."
STILL_H = "Your answer still contains h: take the limit as h → 0."
FORGOT_DIVIDE = "It looks like you forgot to divide by h."
SIGN = "Check the sign: your answer is the negative of the correct answer."
BAD_EXPECTED = "The correct answer stored for this problem cannot be read, so answers cannot be checked."
EMPTY = "Your answer is empty."
INCOMPLETE = "Your answer is incomplete: something is missing at the end."
TOO_DEEP = "Your answer is nested too deeply."
TOO_BIG = "The numbers in your answer are too large to check."
BIG_EXPONENT = f"An exponent in your answer is larger than {MAX_EXPONENT}, which is not allowed."
DIV_ZERO = "Division by zero: your answer cannot be evaluated."
NOT_REAL = "Your answer is not a real number (for example the square root of a negative number)."
NOT_EQUATION = "Your answer should be a value, not an equation."
NEED_EQUATION = "Write your answer as an equation."
WRONG_EQUATION = "Your equation is not equivalent to the correct one."
NOT_EXPANDED = (
    "That is equal to the answer, but not fully expanded: multiply out the brackets and collect like terms."
)
UNDEFINED = {"zero": DIV_ZERO, "domain": NOT_REAL, "overflow": TOO_BIG}


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking one answer: a status and one sentence for the student."""

    status: str  # "correct" | "incorrect" | "invalid"
    message: str


class _Invalid(Exception):
    """The answer cannot be read or evaluated; the message says why."""


class _Undefined(Exception):
    """The expression has no real value at this point: 'zero', 'domain' or 'overflow'."""


class _NotRational(Exception):
    """Exact evaluation is impossible (functions, π, e, non-integer powers)."""


# ---------------------------------------------------------------- tokens

_WHITESPACE = " \t\n\r\u00a0"
_OPEN = {"(": "_LPAR", "[": "_LBRACK", "{": "_LBRACE"}
_CLOSE = {")": "_RPAR", "]": "_RBRACK", "}": "_RBRACE"}
_SIMPLE = {
    "+": "_PLUS", "-": "_MINUS", "\u2212": "_MINUS", "*": "_STAR", "\u00d7": "_STAR",
    "\u00b7": "_STAR", "\u22c5": "_STAR", "/": "_SLASH", "\u00f7": "_SLASH", "^": "_CARET",
    ",": "_COMMA", "=": "_EQUAL",
}
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_OPERAND_END = {"NUMBER", "VAR", "CONST", "_RPAR", "_RBRACK", "_RBRACE", "_RBAR"}
_OPERAND_START = {"VAR", "CONST", "FUNC", "_LPAR", "_LBRACK", "_LBRACE", "_LBAR"}
_OPENING = {"_LPAR", "_LBRACK", "_LBRACE", "_LBAR"}


def _is_control(c: str) -> bool:
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


def _context(expected: str) -> frozenset[str]:
    """Letters a run like ``xh`` may be split into: x, h and the expected answer's letters."""
    letters = {"x", "h"}
    i = 0
    while i < len(expected):
        if _is_letter(expected[i]):
            j = i
            while j < len(expected) and _is_letter(expected[j]):
                j += 1
            if j - i == 1 and expected[i] != "e":
                letters.add(expected[i])
            i = j
        else:
            i += 1
    return frozenset(letters)


def _split_word(word: str, ctx: frozenset[str]) -> list[str] | None:
    """``xsin`` → [x, sin]: known names first (longest), else single context letters."""
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
        raise _Invalid(f"The number at position {i + 1} has too many digits (more than {MAX_DIGITS}).")
    scale = -len(frac)
    if exp_text:
        digits = exp_text.lstrip("-").lstrip("0")
        if len(digits) > 4 or int(digits or "0") > MAX_SCI_EXPONENT:
            raise _Invalid(f"The number at position {i + 1} is too large or too small.")
        scale += int(exp_text)
    m = int(mant + frac)
    value = Fraction(m * 10**scale) if scale >= 0 else Fraction(m, 10**-scale)
    plain = (mant or "0") + "." + (frac or "0") + ("e" + exp_text if exp_text else "")
    return j, _tok("NUMBER", s[i:j], i + 1, (value, float(plain)))


def _tokenize(s: str, ctx: frozenset[str]) -> list[Token]:
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
                raise _Invalid(f"Your answer is nested too deeply (more than {MAX_DEPTH} brackets inside each other).")
        elif t.type in ("_RPAR", "_RBRACK", "_RBRACE", "_RBAR"):
            depth = max(depth - 1, 0)
        toks.append(t)

    while i < len(s):
        c = s[i]
        if c in _WHITESPACE:
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
                raise _Invalid(f"Unknown name '{word}'.")
            pos = i
            for part in parts:
                if part in FUNCTIONS:
                    push(_tok("FUNC", part, pos + 1, FUNCTIONS[part]))
                elif part in CONSTANTS:
                    push(_tok("CONST", part, pos + 1, CONSTANTS[part]))
                else:
                    push(_tok("VAR", part, pos + 1, part))
                pos += len(part)
            i = j
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
        elif c in _SUPERSCRIPTS or (c == "⁻" and i + 1 < len(s) and s[i + 1] in _SUPERSCRIPTS):
            j = i + (1 if c == "⁻" else 0)
            digits = ""
            while j < len(s) and s[j] in _SUPERSCRIPTS:
                digits += str(_SUPERSCRIPTS.index(s[j]))
                j += 1
            if len(digits) > MAX_DIGITS:
                raise _Invalid(f"The number at position {i + 1} has too many digits (more than {MAX_DIGITS}).")
            push(_tok("_CARET", s[i:j], i + 1))
            if c == "⁻":
                push(_tok("_MINUS", "⁻", i + 1))
            push(_tok("NUMBER", digits, i + 1, (Fraction(int(digits)), float(int(digits)))))
            i = j
        else:
            raise _Invalid(f"Unknown symbol '{c}' at position {i + 1}.")

    # A function needs its argument in brackets: sin(x), ln|x|, or sin^2(x) / sin²(x).
    out: list[Token] = []
    k = 0
    while k < len(toks):
        t = toks[k]
        out.append(t)
        if t.type == "FUNC":
            nxt = toks[k + 1] if k + 1 < len(toks) else None
            if nxt is not None and nxt.type in _OPENING:
                pass
            elif (
                nxt is not None
                and nxt.type == "_CARET"
                and k + 3 < len(toks)
                and toks[k + 2].type == "NUMBER"
                and toks[k + 2].qvalue[0].denominator == 1
                and "." not in toks[k + 2] and "e" not in toks[k + 2].lower()
                and toks[k + 3].type in _OPENING
            ):
                out.append(_tok("FPOW", nxt + toks[k + 2], nxt.start_pos, toks[k + 2].qvalue))
                k += 2
            else:
                name = str(t)
                raise _Invalid(f"Write the argument of {name} in brackets, like {name}(x).")
        k += 1

    # Implicit multiplication: an operand followed by the start of another (2x, x(x+1), )( ).
    final: list[Token] = []
    for t in out:
        if final and final[-1].type in _OPERAND_END and t.type in _OPERAND_START:
            final.append(_tok("_IMPL", "", t.start_pos))
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


# ---------------------------------------------------------------- grammar

_GRAMMAR = r"""
%declare NUMBER VAR CONST FUNC FPOW _PLUS _MINUS _STAR _SLASH _CARET _IMPL _COMMA _EQUAL
%declare _LPAR _RPAR _LBRACK _RBRACK _LBRACE _RBRACE _LBAR _RBAR

start: expr (_COMMA expr)*      -> parts
     | expr _EQUAL expr          -> equation

?expr: term
     | expr _PLUS term           -> add
     | expr _MINUS term          -> sub
?term: factor
     | term _STAR factor         -> mul
     | term _SLASH factor        -> div
     | term _IMPL power          -> mul
?factor: power
     | _MINUS factor             -> neg
     | _PLUS factor
?power: atom
     | atom _CARET factor        -> pow
?atom: NUMBER                    -> number
     | VAR                       -> var
     | CONST                     -> const
     | bracket
     | _LBAR expr _RBAR          -> abs
     | FUNC bracket              -> func
     | FUNC FPOW bracket         -> funcpow
     | FUNC _LBAR expr _RBAR     -> funcabs
     | FUNC FPOW _LBAR expr _RBAR -> funcpowabs
?bracket: _LPAR expr _RPAR
     | _LBRACK expr _RBRACK
     | _LBRACE expr _RBRACE
"""


class _TokenList(Lexer):
    """Hands lark the tokens our tokenizer already made (lark's custom-lexer hook)."""

    def __init__(self, conf: Any) -> None:
        pass

    def lex(self, data: Any, parser_state: Any = None) -> Any:  # noqa: D102
        return iter(data)


@cache
def _parser() -> Lark:
    return Lark(_GRAMMAR, parser="lalr", lexer=_TokenList)


class _Node:
    """One node of the answer tree; vars and depth are computed once, bottom-up."""

    __slots__ = ("op", "args", "value", "vars", "depth", "expo")

    def __init__(self, op: str, args: tuple[_Node, ...] = (), value: Any = None) -> None:
        self.op = op
        self.args = args
        self.value = value
        self.expo: Fraction | None = None
        if op == "var":
            self.vars: frozenset[str] = frozenset([value])
        else:
            self.vars = frozenset().union(*(a.vars for a in args)) if args else frozenset()
        self.depth: int = 1 + max((a.depth for a in args), default=0)


def _spread(op: str, n: _Node) -> tuple[_Node, ...]:
    return n.args if n.op == op else (n,)


def _b_add(a: _Node, b: _Node) -> _Node:
    return _Node("add", _spread("add", a) + _spread("add", b))


def _b_sub(a: _Node, b: _Node) -> _Node:
    return _Node("add", _spread("add", a) + (_Node("neg", (b,)),))


def _b_mul(a: _Node, b: _Node) -> _Node:
    return _Node("mul", _spread("mul", a) + _spread("mul", b))


def _b_div(a: _Node, b: _Node) -> _Node:
    return _Node("mul", _spread("mul", a) + (_Node("inv", (b,)),))


def _b_num(value: tuple[Fraction, float]) -> _Node:
    return _Node("num", (), value)


class _Build(Transformer_NonRecursive):
    """lark tree → _Node tree, without recursion (deep inputs cannot overflow the stack)."""

    def parts(self, c: list[Any]) -> Any:  # noqa: D102 - grammar callbacks
        return ("parts", list(c))

    def equation(self, c: list[Any]) -> Any:  # noqa: D102
        return ("eq", c[0], c[1])

    def add(self, c: list[Any]) -> _Node:  # noqa: D102
        return _b_add(c[0], c[1])

    def sub(self, c: list[Any]) -> _Node:  # noqa: D102
        return _b_sub(c[0], c[1])

    def mul(self, c: list[Any]) -> _Node:  # noqa: D102
        return _b_mul(c[0], c[1])

    def div(self, c: list[Any]) -> _Node:  # noqa: D102
        return _b_div(c[0], c[1])

    def neg(self, c: list[Any]) -> _Node:  # noqa: D102
        return _Node("neg", (c[0],))

    def pow(self, c: list[Any]) -> _Node:  # noqa: D102
        return _Node("pow", (c[0], c[1]))

    def number(self, c: list[Any]) -> _Node:  # noqa: D102
        return _b_num(c[0].qvalue)

    def var(self, c: list[Any]) -> _Node:  # noqa: D102
        return _Node("var", (), c[0].qvalue)

    def const(self, c: list[Any]) -> _Node:  # noqa: D102
        return _Node("const", (), c[0].qvalue)

    def abs(self, c: list[Any]) -> _Node:  # noqa: D102
        return _Node("fn", (c[0],), "abs")

    def func(self, c: list[Any]) -> _Node:  # noqa: D102
        return _Node("fn", (c[1],), c[0].qvalue)

    def funcabs(self, c: list[Any]) -> _Node:  # noqa: D102
        return _Node("fn", (_Node("fn", (c[1],), "abs"),), c[0].qvalue)

    def funcpow(self, c: list[Any]) -> _Node:  # noqa: D102
        return _Node("pow", (_Node("fn", (c[2],), c[0].qvalue), _b_num(c[1].qvalue)))

    def funcpowabs(self, c: list[Any]) -> _Node:  # noqa: D102
        inner = _Node("fn", (_Node("fn", (c[2],), "abs"),), c[0].qvalue)
        return _Node("pow", (inner, _b_num(c[1].qvalue)))


# A parsed answer: ("parts", [node, ...]) or ("eq", lhs, rhs).
Form = tuple[Any, ...]


def _parse(text: Any, ctx: frozenset[str]) -> Form:
    """Read an answer into a form, or raise _Invalid with a message for the student."""
    if not isinstance(text, str):
        raise _Invalid(EMPTY)
    if len(text) > MAX_LENGTH:
        raise _Invalid(f"Your answer is too long (more than {MAX_LENGTH} characters).")
    for i, c in enumerate(text):
        if _is_control(c):
            raise _Invalid(f"Your answer contains a control or invisible character at position {i + 1}.")
    if all(c in _WHITESPACE for c in text):
        raise _Invalid(EMPTY)
    toks = _tokenize(text, ctx)
    try:
        tree = _parser().parse(toks)
    except UnexpectedInput as err:
        tok = getattr(err, "token", None)
        if tok is None or tok.type == "$END":
            raise _Invalid(INCOMPLETE) from None
        raise _Invalid(f"Unexpected '{tok}' at position {tok.start_pos}.") from None
    assert isinstance(tree, Tree)
    form = _Build().transform(tree)
    nodes = form[1] if form[0] == "parts" else list(form[1:])
    if any(n.depth > MAX_TREE_DEPTH for n in nodes):
        raise _Invalid(TOO_DEEP)
    return form


# ---------------------------------------------------------------- evaluation


def _point(letter: str, i: int) -> tuple[int, int]:
    k = LETTER_ORDER.index(letter)
    return POINTS[(i * MULTIPLIERS[k % 8] + 7 * k) % N_POINTS]


def _chk(q: Fraction) -> Fraction:
    if q.numerator.bit_length() > MAX_BITS or q.denominator.bit_length() > MAX_BITS:
        raise _Invalid(TOO_BIG)
    return q


def _rational(node: _Node) -> bool:
    """True if the tree can be evaluated exactly; fixes each constant integer exponent."""
    op = node.op
    if op in ("num", "var"):
        return True
    if op == "const":
        return False
    if op == "fn":
        return node.value == "abs" and _rational(node.args[0])
    if op == "pow":
        base, ex = node.args
        if ex.vars or not _rational(ex):
            return False
        try:
            n = _ev_q(ex, {})
        except _Undefined:
            return _rational(base)  # undefined everywhere; evaluation reports it
        if abs(n) > MAX_EXPONENT:
            raise _Invalid(BIG_EXPONENT)
        if n.denominator != 1:
            return False
        node.expo = n
        return _rational(base)
    for a in node.args:
        if not _rational(a):
            return False
    return True


def _ev_q(node: _Node, env: dict[str, Fraction]) -> Fraction:
    """Exact value at a point; _Undefined where there is none, _Invalid over the limits."""
    op = node.op
    if op == "num":
        return node.value[0]
    if op == "var":
        return env[node.value]
    if op == "add":
        s = Fraction(0)
        for a in node.args:
            s = _chk(s + _ev_q(a, env))
        return s
    if op == "mul":
        p = Fraction(1)
        for a in node.args:
            p = _chk(p * _ev_q(a, env))
        return p
    if op == "neg":
        return -_ev_q(node.args[0], env)
    if op == "inv":
        v = _ev_q(node.args[0], env)
        if v == 0:
            raise _Undefined("zero")
        return 1 / v
    if op == "pow":
        n = _ev_q(node.args[1], env)
        if abs(n) > MAX_EXPONENT:
            raise _Invalid(BIG_EXPONENT)
        if n.denominator != 1:
            raise _NotRational
        b = _ev_q(node.args[0], env)
        k = int(n)
        if b == 0:
            if k < 0:
                raise _Undefined("zero")
            return Fraction(1) if k == 0 else Fraction(0)
        # Bits of b**k are at least (bits(b) - 1)·|k| + 1: refuse before computing.
        if (b.numerator.bit_length() - 1) * abs(k) >= MAX_BITS or (b.denominator.bit_length() - 1) * abs(k) >= MAX_BITS:
            raise _Invalid(TOO_BIG)
        return _chk(b**k)
    if op == "fn" and node.value == "abs":
        return abs(_ev_q(node.args[0], env))
    raise _NotRational


def _fin(v: float) -> float:
    if not math.isfinite(v):
        raise _Undefined("overflow")
    return v


def _fpow(b: float, e: float) -> float:
    """b**e in floats, the same way checker.js does it (integer powers by squaring)."""
    if e == math.floor(e) and abs(e) <= 1024:
        k = int(abs(e))
        if b == 0 and e < 0:
            raise _Undefined("zero")
        r, base = 1.0, b
        while k:
            if k & 1:
                r *= base
            k >>= 1
            if k:
                base *= base
        if e < 0:
            if r == 0:
                raise _Undefined("overflow")
            r = 1 / r
        return _fin(r)
    if b < 0:
        raise _Undefined("domain")
    if b == 0:
        if e < 0:
            raise _Undefined("zero")
        return 0.0
    try:
        return _fin(math.pow(b, e))
    except OverflowError:
        raise _Undefined("overflow") from None


def _ffn(name: str, v: float) -> float:
    """A function of one float, with explicit domain checks (as in checker.js)."""
    try:
        if name == "sin":
            return _fin(math.sin(v))
        if name == "cos":
            return _fin(math.cos(v))
        if name == "tan":
            return _fin(math.tan(v))
        if name in ("sec", "csc", "cot"):
            c, s = math.cos(v), math.sin(v)
            d = c if name == "sec" else s
            if d == 0:
                raise _Undefined("zero")
            return _fin((c if name == "cot" else 1.0) / d)
        if name == "exp":
            return _fin(math.exp(v))
        if name == "log":
            if v <= 0:
                raise _Undefined("domain")
            return _fin(math.log(v))
        if name == "sqrt":
            if v < 0:
                raise _Undefined("domain")
            return _fin(math.sqrt(v))
        if name == "abs":
            return abs(v)
        if name in ("asin", "acos"):
            if v < -1 or v > 1:
                raise _Undefined("domain")
            return _fin(math.asin(v) if name == "asin" else math.acos(v))
        if name == "atan":
            return _fin(math.atan(v))
        if name == "sinh":
            return _fin(math.sinh(v))
        if name == "cosh":
            return _fin(math.cosh(v))
        if name == "tanh":
            return _fin(math.tanh(v))
    except OverflowError:
        raise _Undefined("overflow") from None
    raise AssertionError(name)


def _mm(a: float, b: float) -> float:
    """Product of two magnitudes, with 0·∞ = 0 (never NaN)."""
    return 0.0 if a == 0 or b == 0 else a * b


def _pow_mag(b: float, mb: float, e: float, me: float, r: float) -> float:
    """Magnitude of r = b**e from those of b and e (relative errors: |e|·δb/|b| + |ln|b||·δe)."""
    if b == 0:
        if e == 0:
            return 1.0
        if mb == 0:
            return abs(r)
        return mb if e >= 1 else math.inf
    rel = 1.0 + _mm(abs(e), mb / abs(b)) + _mm(abs(math.log(abs(b))), me)
    return _mm(abs(r), rel)


def _fn_mag(name: str, a: float, ma: float, r: float) -> float:
    """Magnitude of r = name(a): |r| + |name′(a)|·ma, from correctly rounded operations only."""
    if ma == 0:
        return abs(r)
    if name in ("sin", "cos"):
        d = math.sqrt(max(0.0, 1.0 - r * r))
    elif name in ("tan", "cot"):
        d = 1.0 + r * r
    elif name in ("sec", "csc"):
        d = abs(r) * math.sqrt(max(0.0, r * r - 1.0))
    elif name == "exp":
        d = r
    elif name == "log":
        d = 1.0 / a
    elif name == "sqrt":
        root = math.sqrt(ma / EPS)  # √(a + δ) − √a ≤ √δ, also at a = 0
        return abs(r) + (root if r == 0 else min(ma / (2.0 * r), root))
    elif name in ("asin", "acos"):
        t = 1.0 - a * a
        root = math.sqrt(2.0 * ma / EPS)
        return abs(r) + (root if t <= 0 else min(ma / math.sqrt(t), root))
    elif name == "atan":
        d = 1.0 / (1.0 + a * a)
    elif name == "sinh":
        d = math.sqrt(1.0 + r * r)
    elif name == "cosh":
        d = math.sqrt(max(0.0, r * r - 1.0))
    elif name == "tanh":
        d = 1.0 - r * r
    else:  # abs
        d = 1.0
    return abs(r) + _mm(d, ma)


def _ev_f(node: _Node, env: dict[str, float]) -> tuple[float, float]:
    """Floating-point value at a point and its magnitude; _Undefined where there is none."""
    op = node.op
    if op == "num":
        return node.value[1], abs(node.value[1])
    if op == "var":
        return env[node.value], abs(env[node.value])
    if op == "const":
        c = math.pi if node.value == "pi" else math.e
        return c, c
    if op == "add":
        s, m = 0.0, 0.0
        for a in node.args:
            v, ma = _ev_f(a, env)
            s = _fin(s + v)
            m += ma
        return s, m
    if op == "mul":
        p, m = 1.0, 1.0
        for a in node.args:
            v, ma = _ev_f(a, env)
            p = _fin(p * v)
            m = _mm(m, ma)
        return p, m
    if op == "neg":
        v, m = _ev_f(node.args[0], env)
        return -v, m
    if op == "inv":
        v, m = _ev_f(node.args[0], env)
        if v == 0:
            raise _Undefined("zero")
        r = _fin(1 / v)
        return r, _mm(m / abs(v), abs(r))
    if op == "pow":
        e, me = _ev_f(node.args[1], env)
        if not node.args[1].vars and abs(e) > MAX_EXPONENT:
            raise _Invalid(BIG_EXPONENT)
        b, mb = _ev_f(node.args[0], env)
        r = _fpow(b, e)
        return r, _pow_mag(b, mb, e, me, r)
    a, ma = _ev_f(node.args[0], env)
    r = _ffn(node.value, a)
    return r, _fn_mag(node.value, a, ma, r)


class _Expr:
    """A parsed expression with its values at the sample points, computed once per mode."""

    def __init__(self, node: _Node) -> None:
        self.node = node
        self.vars = node.vars
        self.exact = _rational(node)
        self._values: dict[bool, list[Any]] = {}
        self._noise: list[float] = []  # rounding noise of the float values (0 where undefined)
        self.reason = ""  # why the first undefined point is undefined

    def values(self, exact: bool) -> list[Any]:
        """Values at the N_POINTS samples (None where undefined); exact needs self.exact."""
        if exact not in self._values:
            out: list[Any] = []
            letters = sorted(self.vars)
            for i in range(N_POINTS):
                pts = {v: _point(v, i) for v in letters}
                try:
                    if exact:
                        out.append(_ev_q(self.node, {v: Fraction(*p) for v, p in pts.items()}))
                    else:
                        value, mag = _ev_f(self.node, {v: p[0] / p[1] for v, p in pts.items()})
                        out.append(value)
                        self._noise.append(NOISE * EPS * mag)
                except _Undefined as why:
                    if not self.reason:
                        self.reason = str(why)
                    out.append(None)
                    if not exact:
                        self._noise.append(0.0)
            self._values[exact] = out
        return self._values[exact]

    def noise(self) -> list[float]:
        """Bounds on the rounding error of the float values."""
        self.values(False)
        return self._noise

    def validate(self) -> None:
        """Raise _Invalid unless the expression has a value at some point."""
        if all(v is None for v in self.values(self.exact)):
            raise _Invalid(UNDEFINED[self.reason])


@dataclass(frozen=True)
class _Tol:
    rtol: float | None
    atol: float | None

    @property
    def given(self) -> bool:
        return self.rtol is not None or self.atol is not None


def _close(a: Any, b: Any, exact: bool, tol: _Tol, noise: float = 0.0) -> bool:
    if exact:
        if not tol.given:
            return a == b
        # math.isclose, evaluated exactly so Python and JavaScript cannot round differently.
        rt = Fraction(tol.rtol or 0.0)
        at = Fraction(tol.atol or 0.0)
        return abs(a - b) <= max(rt * max(abs(a), abs(b)), at)
    rel = max(tol.rtol or 0.0, REL_TOL)
    ab = max(tol.atol or 0.0, ABS_TOL)
    return abs(a - b) <= max(rel * max(abs(a), abs(b)), ab, noise)


Noise = list[float] | None


def _agree(va: list[Any], ve: list[Any], exact: bool, tol: _Tol, na: Noise = None, ne: Noise = None) -> bool:
    """Equal wherever both are defined, at enough points (equality on the common domain)."""
    noise: list[float] | None = None
    if not exact and na is not None and ne is not None:
        sums = [x + y for x, y in zip(na, ne)]
        keep = [
            a is not None and e is not None and n <= max(RELIABLE * max(abs(a), abs(e)), ABS_TOL)
            for a, e, n in zip(va, ve, sums)
        ]
        solid = sum(k and max(abs(a), abs(e)) > ABS_TOL for a, e, k in zip(va, ve, keep))
        if solid >= MIN_COMMON:  # leave out the points where rounding noise swamps the values
            cut = [a is not None and e is not None and not k for a, e, k in zip(va, ve, keep)]
            va = [None if c else a for a, c in zip(va, cut)]
            ve = [None if c else e for e, c in zip(ve, cut)]
            noise = sums
    common = 0
    defined = 0
    for i, (a, e) in enumerate(zip(va, ve)):
        if e is not None:
            defined += 1
        if a is None or e is None:
            continue
        common += 1
        if not _close(a, e, exact, tol, noise[i] if noise is not None else 0.0):
            return False
    return common >= 1 and common >= min(MIN_COMMON, defined)


def _pair(a: _Expr, e: _Expr) -> tuple[list[Any], list[Any], bool, Noise, Noise]:
    exact = a.exact and e.exact
    if exact:
        return a.values(True), e.values(True), True, None, None
    return a.values(False), e.values(False), False, a.noise(), e.noise()


def _same(a: _Expr, e: _Expr, tol: _Tol) -> bool:
    va, ve, exact, na, ne = _pair(a, e)
    return _agree(va, ve, exact, tol, na, ne)


def _diff(l: _Expr, r: _Expr, exact: bool) -> list[Any]:
    out: list[Any] = []
    for x, y in zip(l.values(exact), r.values(exact)):
        if x is None or y is None:
            out.append(None)
        elif exact:
            out.append(x - y)
        else:
            d = x - y
            out.append(d if math.isfinite(d) else None)
    return out


def _same_equation(a: tuple[_Expr, _Expr], e: tuple[_Expr, _Expr]) -> bool:
    """L1 − R1 = k·(L2 − R2) for one nonzero constant k: the same equation."""
    exact = a[0].exact and a[1].exact and e[0].exact and e[1].exact
    d1, d2 = _diff(a[0], a[1], exact), _diff(e[0], e[1], exact)
    none = _Tol(None, None)
    zero = Fraction(0) if exact else 0.0
    k: Any = None
    for x, y in zip(d1, d2):
        if x is not None and y is not None and (y != 0 if exact else abs(y) > ABS_TOL):
            k = x / y
            break
    if k is None:
        return _agree(d1, [None if y is None else zero for y in d2], exact, none)
    if k == 0 or (not exact and abs(k) <= ABS_TOL):
        return False
    return _agree(d1, [None if y is None else y * k for y in d2], exact, none)


# ---------------------------------------------------------------- forms


def _names(letters: Sequence[str]) -> str:
    items = sorted(letters)
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]


def _superscript(n: int) -> str:
    return "".join(_SUPERSCRIPTS[int(d)] for d in str(n))


def _polynomial(node: _Node) -> bool:
    """True if an exactly evaluable tree is a polynomial (no division by its variables)."""
    op = node.op
    if op in ("num", "var"):
        return True
    if op in ("inv", "fn"):
        return not node.args[0].vars
    if op == "pow":
        return not node.args[0].vars or (node.expo is not None and node.expo >= 0 and _polynomial(node.args[0]))
    return all(_polynomial(a) for a in node.args)


def _degree(node: _Node) -> int:
    """An upper bound on the degree of a polynomial tree."""
    op = node.op
    if not node.vars:
        return 0
    if op == "var":
        return 1
    if op == "add":
        return max(_degree(a) for a in node.args)
    if op == "mul":
        return sum(_degree(a) for a in node.args)
    if op == "neg":
        return _degree(node.args[0])
    if op == "pow":
        return _degree(node.args[0]) * int(node.expo or 0)
    return 0


def _has_sum(node: _Node) -> bool:
    return node.op == "add" or any(_has_sum(a) for a in node.args)


def _expanded_term(node: _Node) -> bool:
    """A product of numbers and powers of single variables (signs allowed, no brackets around sums)."""
    op = node.op
    if not node.vars:
        return not _has_sum(node)  # a constant factor such as 3, π or 1/2, but not (2+3)
    if op == "var":
        return True
    if op in ("neg", "mul"):
        return all(_expanded_term(a) for a in node.args)
    if op == "pow":
        base, ex = node.args
        return base.op == "var" and ex.op == "num" and ex.value[0].denominator == 1 and ex.value[0] >= 0
    return False  # add inside a product, division by a variable, functions of a variable


def _expanded(node: _Node) -> bool:
    """True if the tree is a sum of expanded terms (``form="expanded"``)."""
    terms = node.args if node.op == "add" else (node,)
    return all(_expanded_term(t) for t in terms)


def _slip(a: _Expr, e: _Expr) -> str | None:
    """The one power of the variable in which two polynomials differ, as a message."""
    if len(e.vars) != 1 or a.vars != e.vars or not (a.exact and e.exact):
        return None
    if not (_polynomial(a.node) and _polynomial(e.node)):
        return None
    top = max(_degree(a.node), _degree(e.node))
    if top > 2 * MAX_EXPONENT:
        return None
    (v,) = e.vars
    va, ve = a.values(True), e.values(True)
    if any(x is None for x in va + ve):
        return None
    xs = [Fraction(*_point(v, i)) for i in range(N_POINTS)]
    d = [x - y for x, y in zip(va, ve)]
    powers = [Fraction(1)] * N_POINTS
    for k in range(top + 1):
        c = d[0] / powers[0]
        if c != 0 and all(d[i] == c * powers[i] for i in range(N_POINTS)):
            term = "constant term" if k == 0 else f"{v} term" if k == 1 else f"{v}{_superscript(k)} term"
            return f"Recheck the {term}: the rest of your answer matches."
        powers = [p * x for p, x in zip(powers, xs)]
    return None


def _feedback(a: _Expr, e: _Expr, tol: _Tol) -> str:
    """The most specific message for an answer that is not equivalent to the key."""
    extra = a.vars - e.vars
    if not e.vars and a.vars:
        return f"Your answer should be a number, but it contains {_names(list(a.vars))}."
    if "h" in a.vars:
        va, ve, exact, na, ne = _pair(a, e)
        hs = [_point("h", i) for i in range(N_POINTS)]
        hv = [Fraction(*p) if exact else p[0] / p[1] for p in hs]
        times_h = [None if y is None else y * h for y, h in zip(ve, hv)]
        ne_h = None if ne is None else [n * abs(h) for n, h in zip(ne, hv)]
        if _agree(va, times_h, exact, tol, na, ne_h):
            return FORGOT_DIVIDE
    if "h" in extra:
        return STILL_H
    if extra:
        return f"Your answer contains {_names(list(extra))}, which should not appear in it."
    va, ve, exact, na, ne = _pair(a, e)
    if _agree(va, [None if y is None else -y for y in ve], exact, tol, na, ne):
        return SIGN
    missing = e.vars - a.vars
    if missing and not a.vars:
        return f"Your answer should be an expression in {_names(list(e.vars))}, not a number."
    if missing:
        return f"Your answer should also contain {_names(list(missing))}."
    slip = _slip(a, e)
    if slip:
        return slip
    return WRONG_TOL if tol.given else WRONG


def _explicit(form: Form) -> tuple[str, _Expr] | None:
    """``y = rhs`` with y not in rhs (or ``rhs = y``): the variable and rhs."""
    if form[0] != "eq":
        return None
    lhs, rhs = form[1], form[2]
    if lhs.node.op == "var" and lhs.node.value not in rhs.vars:
        return lhs.node.value, rhs
    if rhs.node.op == "var" and rhs.node.value not in lhs.vars:
        return rhs.node.value, lhs
    return None


def _wrap(form: Form) -> Form:
    if form[0] == "parts":
        return ("parts", [_Expr(n) for n in form[1]])
    return ("eq", _Expr(form[1]), _Expr(form[2]))


def _exprs(form: Form) -> list[_Expr]:
    return form[1] if form[0] == "parts" else [form[1], form[2]]


def _equivalent(a: Form, e: Form, tol: _Tol) -> bool:
    """Whole-answer equivalence (no feedback): used for the correct answer and mistakes."""
    if e[0] == "eq":
        ex = _explicit(e)
        if a[0] == "parts":
            return ex is not None and len(a[1]) == 1 and _same(a[1][0], ex[1], tol)
        ax = _explicit(a)
        if ex is not None and ax is not None and ax[0] == ex[0]:
            return _same(ax[1], ex[1], tol)
        return _same_equation((a[1], a[2]), (e[1], e[2]))
    if a[0] == "eq":
        ax = _explicit(a)
        if len(e[1]) != 1 or ax is None or ax[0] in e[1][0].vars:
            return False
        return _same(ax[1], e[1][0], tol)
    return len(a[1]) == len(e[1]) and all(_same(x, y, tol) for x, y in zip(a[1], e[1]))


def _count_message(a: Form, e: Form) -> str | None:
    n = 1 if e[0] == "eq" else len(e[1])
    if a[0] == "eq":
        return f"Expected {n} values separated by commas, got an equation." if n > 1 else None
    m = len(a[1])
    if m == n:
        return None
    if n == 1:
        return f"Expected a single answer, got {m} values separated by commas."
    return f"Expected {n} values separated by commas, got {m}."


@lru_cache(maxsize=512)
def _known(text: str, ctx: frozenset[str]) -> Form:
    """A key or a listed mistake, parsed and evaluated once: a class's answers share them."""
    form = _wrap(_parse(text, ctx))
    for x in _exprs(form):
        x.validate()
    return form


def _check(
    answer: Any, expected: str, tol: _Tol, mistakes: Sequence[tuple[str, str]], form: str | None = None
) -> Verdict:
    """check() without its safety net, so tests see any bug as an exception."""
    if not isinstance(expected, str):
        return Verdict("invalid", BAD_EXPECTED)
    ctx = _context(expected)
    try:
        e = _known(expected, ctx)
    except _Invalid:
        return Verdict("invalid", BAD_EXPECTED)
    try:
        a = _wrap(_parse(answer, ctx))
        for x in _exprs(a):
            x.validate()
    except _Invalid as why:
        return Verdict("invalid", str(why))

    count = _count_message(a, e)
    if count:
        return Verdict("incorrect", count)
    try:
        if _equivalent(a, e, tol):
            if form == "expanded" and not all(_expanded(x.node) for x in _exprs(a)):
                return Verdict("incorrect", NOT_EXPANDED)
            return Verdict("correct", CORRECT)
    except _Invalid as why:  # e.g. numbers too large only once compared in another mode
        return Verdict("invalid", str(why))
    for item in mistakes:
        try:
            wrong, message = item
            m = _known(wrong, ctx)
            if _equivalent(a, m, tol):
                return Verdict("incorrect", str(message))
        except (_Invalid, TypeError, ValueError):
            continue  # a malformed mistake from the generator is skipped, not blamed on the student

    # Which single expression to explain: the value, or the right-hand side of y = ….
    ex = _explicit(e)
    if e[0] == "eq":
        if a[0] == "parts":
            if ex is None:
                return Verdict("incorrect", NEED_EQUATION)
            return Verdict("incorrect", _feedback(a[1][0], ex[1], tol))
        ax = _explicit(a)
        if ex is not None and ax is not None and ax[0] == ex[0]:
            return Verdict("incorrect", _feedback(ax[1], ex[1], tol))
        return Verdict("incorrect", WRONG_EQUATION)
    if a[0] == "eq":
        ax = _explicit(a)
        if ax is None or ax[0] in e[1][0].vars:
            return Verdict("incorrect", NOT_EQUATION)
        return Verdict("incorrect", _feedback(ax[1], e[1][0], tol))
    if len(e[1]) == 1:
        return Verdict("incorrect", _feedback(a[1][0], e[1][0], tol))
    wrong_parts = [str(i + 1) for i, (x, y) in enumerate(zip(a[1], e[1])) if not _same(x, y, tol)]
    if len(wrong_parts) == 1:
        return Verdict("incorrect", f"Value {wrong_parts[0]} is not right.")
    return Verdict("incorrect", f"Values {', '.join(wrong_parts[:-1])} and {wrong_parts[-1]} are not right.")


def _tolerance(value: Any) -> float | None:
    """A usable tolerance or None (negative, infinite or non-numbers are ignored)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        value = float(value)
    except OverflowError:
        return None
    return value if math.isfinite(value) and value >= 0 else None


def check(
    answer: str,
    expected: str,
    *,
    rtol: float | None = None,
    atol: float | None = None,
    mistakes: Sequence[tuple[str, str]] = (),
    form: str | None = None,
) -> Verdict:
    """Compare a typed answer with the key: correct, incorrect or invalid, with one sentence why.

    ``form="expanded"``: an equal answer must also be multiplied out (a sum of products of
    numbers and powers of single variables), else it is "incorrect" with NOT_EXPANDED.
    """
    try:
        return _check(answer, expected, _Tol(_tolerance(rtol), _tolerance(atol)), mistakes, form)
    except Exception:  # noqa: BLE001 - a student's input must never crash grading or the page
        return Verdict("invalid", "Your answer could not be checked.")


# ---------------------------------------------------------------- sympy bridge

_SYMPY_FUNCTIONS = {
    "sin": "sin", "cos": "cos", "tan": "tan", "sec": "sec", "csc": "csc", "cot": "cot",
    "asin": "asin", "acos": "acos", "atan": "atan", "sinh": "sinh", "cosh": "cosh",
    "tanh": "tanh", "exp": "exp", "log": "log", "sqrt": "sqrt", "abs": "Abs",
}


def to_sympy(text: str, expected: str = "") -> tuple[Any, ...]:
    """An answer's parts as sympy objects built from our own tree (for a second, symbolic opinion)."""
    # The tests confirm the shared table with it; it can also typeset a student's answer.
    # Invalid text raises ValueError with the student message. Variables are real symbols,
    # so sqrt(x**2) is Abs(x), as for the checker.
    import sympy

    try:
        form = _parse(text, _context(expected or text))
        for x in _exprs(_wrap(form)):
            x.validate()  # the limits protect sympy too (10^10^10 would never finish)
    except _Invalid as why:
        raise ValueError(str(why)) from None

    def build(node: _Node) -> Any:
        op = node.op
        if op == "num":
            q = node.value[0]
            return sympy.Rational(q.numerator, q.denominator)
        if op == "var":
            return sympy.Symbol(node.value, real=True)
        if op == "const":
            return sympy.pi if node.value == "pi" else sympy.E
        args = [build(a) for a in node.args]
        if op == "add":
            return sympy.Add(*args)
        if op == "mul":
            return sympy.Mul(*args)
        if op == "neg":
            return -args[0]
        if op == "inv":
            return sympy.Pow(args[0], -1)
        if op == "pow":
            return sympy.Pow(args[0], args[1])
        return getattr(sympy, _SYMPY_FUNCTIONS[node.value])(args[0])

    if form[0] == "eq":
        return (sympy.Eq(build(form[1]), build(form[2]), evaluate=False),)
    return tuple(build(n) for n in form[1])
