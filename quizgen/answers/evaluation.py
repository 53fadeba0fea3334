"""Evaluation at the sample points and equivalence (section "evaluation" of checker.js).

Rational trees are evaluated exactly with ``fractions.Fraction``; anything with
functions, π, e or non-integer powers in floating point, each value carrying a bound on
its rounding error. Exponents and sizes are checked before each power is computed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from quizgen.answers.grammar import Form as Form, Node
from quizgen.answers.limits import (
    ABS_TOL,
    EPS,
    NAME_ORDER,
    N_SEQUENCES,
    MAX_BITS,
    MAX_EXPONENT,
    MIN_COMMON,
    MULTIPLIERS,
    N_POINTS,
    NOISE,
    POINTS,
    REL_TOL,
    RELIABLE,
    UNDEFINED,
    Invalid,
    NotRational,
    Undefined,
)



_INDEX = {name: k for k, name in enumerate(NAME_ORDER)}
_SPARE = 19  # names outside NAME_ORDER share the last 19 sequences


def name_index(name: str) -> int:
    """k of a variable: its place in NAME_ORDER, else one of the spare sequences (see limits)."""
    k = _INDEX.get(name)
    return k if k is not None else N_SEQUENCES - _SPARE + sum(map(ord, name)) % _SPARE


def sample_point(name: str, i: int) -> tuple[int, int]:
    k = name_index(name)
    return POINTS[(i * MULTIPLIERS[k % 8] + 7 * k + k // N_POINTS) % N_POINTS]


def _chk(q: Fraction) -> Fraction:
    if q.numerator.bit_length() > MAX_BITS or q.denominator.bit_length() > MAX_BITS:
        raise Invalid("too_big")
    return q


_EXACT_FUNCTIONS = ("abs", "relu", "sgn")  # rational at rational points


def _rational(node: Node) -> bool:
    """True if the tree can be evaluated exactly; fixes each constant integer exponent."""
    op = node.op
    if op in ("num", "var"):
        return True
    if op == "const":
        return False
    if op == "fn":
        return node.value in _EXACT_FUNCTIONS and _rational(node.args[0])
    if op == "fn2":
        return _rational(node.args[0]) and _rational(node.args[1])
    if op == "pow":
        base, ex = node.args
        if ex.vars or not _rational(ex):
            return False
        try:
            n = _ev_q(ex, {})
        except Undefined:
            return _rational(base)  # undefined everywhere; evaluation reports it
        if abs(n) > MAX_EXPONENT:
            raise Invalid("big_exponent")
        if n.denominator != 1:
            return False
        node.expo = n
        return _rational(base)
    for a in node.args:
        if not _rational(a):
            return False
    return True


def _ev_q(node: Node, env: dict[str, Fraction]) -> Fraction:
    """Exact value at a point; Undefined where there is none, Invalid over the limits."""
    op = node.op
    if op == "num":
        value: Fraction = node.value[0]
        return value
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
            raise Undefined("zero")
        return 1 / v
    if op == "pow":
        n = _ev_q(node.args[1], env)
        if abs(n) > MAX_EXPONENT:
            raise Invalid("big_exponent")
        if n.denominator != 1:
            raise NotRational
        b = _ev_q(node.args[0], env)
        k = int(n)
        if b == 0:
            if k < 0:
                raise Undefined("zero")
            return Fraction(1) if k == 0 else Fraction(0)
        # Bits of b**k are at least (bits(b) - 1)·|k| + 1: refuse before computing.
        if (b.numerator.bit_length() - 1) * abs(k) >= MAX_BITS or (b.denominator.bit_length() - 1) * abs(k) >= MAX_BITS:
            raise Invalid("too_big")
        return _chk(b**k)
    if op == "fn" and node.value == "abs":
        return abs(_ev_q(node.args[0], env))
    if op == "fn" and node.value == "relu":
        return max(Fraction(0), _ev_q(node.args[0], env))
    if op == "fn" and node.value == "sgn":
        v = _ev_q(node.args[0], env)
        return Fraction((v > 0) - (v < 0))
    if op == "fn2":
        p, q = _ev_q(node.args[0], env), _ev_q(node.args[1], env)
        return max(p, q) if node.value == "max" else min(p, q)
    raise NotRational


def _fin(v: float) -> float:
    if not math.isfinite(v):
        raise Undefined("overflow")
    return v


def _fpow(b: float, e: float) -> float:
    """b**e in floats, the same way checker.js does it (integer powers by squaring)."""
    if e == math.floor(e) and abs(e) <= 1024:
        k = int(abs(e))
        if b == 0 and e < 0:
            raise Undefined("zero")
        r, base = 1.0, b
        while k:
            if k & 1:
                r *= base
            k >>= 1
            if k:
                base *= base
        if e < 0:
            if r == 0:
                raise Undefined("overflow")
            r = 1 / r
        return _fin(r)
    if b < 0:
        raise Undefined("domain")
    if b == 0:
        if e < 0:
            raise Undefined("zero")
        return 0.0
    try:
        return _fin(math.pow(b, e))
    except OverflowError:
        raise Undefined("overflow") from None


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
                raise Undefined("zero")
            return _fin((c if name == "cot" else 1.0) / d)
        if name == "exp":
            return _fin(math.exp(v))
        if name == "log":
            if v <= 0:
                raise Undefined("domain")
            return _fin(math.log(v))
        if name == "sqrt":
            if v < 0:
                raise Undefined("domain")
            return _fin(math.sqrt(v))
        if name == "abs":
            return abs(v)
        if name in ("asin", "acos"):
            if v < -1 or v > 1:
                raise Undefined("domain")
            return _fin(math.asin(v) if name == "asin" else math.acos(v))
        if name == "atan":
            return _fin(math.atan(v))
        if name == "sinh":
            return _fin(math.sinh(v))
        if name == "cosh":
            return _fin(math.cosh(v))
        if name == "tanh":
            return _fin(math.tanh(v))
        if name == "sigmoid":  # never overflows: e^(−|v|) ≤ 1
            t = math.exp(-abs(v))
            return 1.0 / (1.0 + t) if v >= 0 else t / (1.0 + t)
        if name == "relu":
            return v if v > 0 else 0.0
        if name == "sgn":
            return 1.0 if v > 0 else -1.0 if v < 0 else 0.0
        if name == "asinh":
            return _fin(math.asinh(v))
        if name == "acosh":
            if v < 1:
                raise Undefined("domain")
            return _fin(math.acosh(v))
        if name == "atanh":
            if v <= -1 or v >= 1:
                raise Undefined("domain")
            return _fin(math.atanh(v))
    except OverflowError:
        raise Undefined("overflow") from None
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
    elif name == "sigmoid":
        d = r * (1.0 - r)
    elif name == "sgn":  # a jump at 0: unreliable where the argument's own error could reach 0
        return abs(r) if abs(a) > NOISE * EPS * ma else 2.0 / (NOISE * EPS)
    elif name == "asinh":
        d = 1.0 / math.sqrt(1.0 + a * a)
    elif name == "acosh":
        t = a * a - 1.0
        root = math.sqrt(2.0 * ma / EPS)
        return abs(r) + (root if t <= 0 else min(ma / math.sqrt(t), root))
    elif name == "atanh":
        d = 1.0 / (1.0 - a * a)
    else:  # abs, relu
        d = 1.0
    return abs(r) + _mm(d, ma)


def _ev_f(node: Node, env: dict[str, float]) -> tuple[float, float]:
    """Floating-point value at a point and its magnitude; Undefined where there is none."""
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
            raise Undefined("zero")
        r = _fin(1 / v)
        return r, _mm(m / abs(v), abs(r))
    if op == "pow":
        e, me = _ev_f(node.args[1], env)
        if not node.args[1].vars and abs(e) > MAX_EXPONENT:
            raise Invalid("big_exponent")
        b, mb = _ev_f(node.args[0], env)
        r = _fpow(b, e)
        return r, _pow_mag(b, mb, e, me, r)
    if op == "fn2":
        p, mp = _ev_f(node.args[0], env)
        q, mq = _ev_f(node.args[1], env)
        r = max(p, q) if node.value == "max" else min(p, q)  # p unless q is strictly beyond it (as checker.js)
        return r, max(mp, mq, abs(r))
    x, mx = _ev_f(node.args[0], env)
    r = _ffn(node.value, x)
    return r, _fn_mag(node.value, x, mx, r)


class Expr:
    """A parsed expression with its values at the sample points, computed once per mode."""

    def __init__(self, node: Node) -> None:
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
                pts = {v: sample_point(v, i) for v in letters}
                try:
                    if exact:
                        out.append(_ev_q(self.node, {v: Fraction(*p) for v, p in pts.items()}))
                    else:
                        value, mag = _ev_f(self.node, {v: p[0] / p[1] for v, p in pts.items()})
                        out.append(value)
                        self._noise.append(NOISE * EPS * mag)
                except Undefined as why:
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
        """Raise Invalid unless the expression has a value at some point."""
        if all(v is None for v in self.values(self.exact)):
            raise Invalid(UNDEFINED[self.reason])


@dataclass(frozen=True)
class Tol:
    rtol: float | None
    atol: float | None

    @property
    def given(self) -> bool:
        return self.rtol is not None or self.atol is not None


def _close(a: Any, b: Any, exact: bool, tol: Tol, noise: float = 0.0) -> bool:
    if exact:
        if not tol.given:
            return bool(a == b)
        # math.isclose, evaluated exactly so Python and JavaScript cannot round differently.
        rt = Fraction(tol.rtol or 0.0)
        at = Fraction(tol.atol or 0.0)
        return bool(abs(a - b) <= max(rt * max(abs(a), abs(b)), at))
    rel = max(tol.rtol or 0.0, REL_TOL)
    ab = max(tol.atol or 0.0, ABS_TOL)
    return bool(abs(a - b) <= max(rel * max(abs(a), abs(b)), ab, noise))


Noise = list[float] | None


def agree(va: list[Any], ve: list[Any], exact: bool, tol: Tol, na: Noise = None, ne: Noise = None) -> bool:
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


def pair(a: Expr, e: Expr) -> tuple[list[Any], list[Any], bool, Noise, Noise]:
    exact = a.exact and e.exact
    if exact:
        return a.values(True), e.values(True), True, None, None
    return a.values(False), e.values(False), False, a.noise(), e.noise()


def same(a: Expr, e: Expr, tol: Tol) -> bool:
    va, ve, exact, na, ne = pair(a, e)
    return agree(va, ve, exact, tol, na, ne)


def _diff(l: Expr, r: Expr, exact: bool) -> list[Any]:
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


def same_equation(a: tuple[Expr, Expr], e: tuple[Expr, Expr]) -> bool:
    """L1 − R1 = k·(L2 − R2) for one nonzero constant k: the same equation."""
    exact = a[0].exact and a[1].exact and e[0].exact and e[1].exact
    d1, d2 = _diff(a[0], a[1], exact), _diff(e[0], e[1], exact)
    none = Tol(None, None)
    zero = Fraction(0) if exact else 0.0
    k: Any = None
    for x, y in zip(d1, d2):
        if x is not None and y is not None and (y != 0 if exact else abs(y) > ABS_TOL):
            k = x / y
            break
    if k is None:
        return agree(d1, [None if y is None else zero for y in d2], exact, none)
    if k == 0 or (not exact and abs(k) <= ABS_TOL):
        return False
    return agree(d1, [None if y is None else y * k for y in d2], exact, none)


# Equivalence of whole answers: values, lists, and equations up to a constant factor.


def explicit(form: Form) -> tuple[str, Expr] | None:
    """``y = rhs`` with y not in rhs (or ``rhs = y``): the variable and rhs."""
    if form[0] != "eq":
        return None
    lhs, rhs = form[1], form[2]
    if lhs.node.op == "var" and lhs.node.value not in rhs.vars:
        return lhs.node.value, rhs
    if rhs.node.op == "var" and rhs.node.value not in lhs.vars:
        return rhs.node.value, lhs
    return None


def wrap(form: Form) -> Form:
    if form[0] == "parts":
        return ("parts", [Expr(n) for n in form[1]])
    return ("eq", Expr(form[1]), Expr(form[2]))


def exprs(form: Form) -> list[Expr]:
    return form[1] if form[0] == "parts" else [form[1], form[2]]


def equivalent(a: Form, e: Form, tol: Tol) -> bool:
    """Whole-answer equivalence (no feedback): used for the correct answer and mistakes."""
    if e[0] == "eq":
        ex = explicit(e)
        if a[0] == "parts":
            return ex is not None and len(a[1]) == 1 and same(a[1][0], ex[1], tol)
        ax = explicit(a)
        if ex is not None and ax is not None and ax[0] == ex[0]:
            return same(ax[1], ex[1], tol)
        return same_equation((a[1], a[2]), (e[1], e[2]))
    if a[0] == "eq":
        ax = explicit(a)
        if len(e[1]) != 1 or ax is None or ax[0] in e[1][0].vars:
            return False
        return same(ax[1], e[1][0], tol)
    return len(a[1]) == len(e[1]) and all(same(x, y, tol) for x, y in zip(a[1], e[1]))

