"""Messages about typical mistakes and the expanded-form check (section "feedback" of checker.js)."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from quizgen.answers.evaluation import Expr, Form, Tol, agree, pair, sample_point
from quizgen.answers.grammar import Node
from quizgen.answers.limits import MAX_EXPONENT, N_POINTS, message
from quizgen.answers.tokens import SUPERSCRIPTS


def and_list(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(items) == 1:
        return items[0]
    return message("list_and", rest=", ".join(items[:-1]), last=items[-1])


def _names(letters: Sequence[str]) -> str:
    return and_list(sorted(letters))


def _superscript(n: int) -> str:
    return "".join(SUPERSCRIPTS[int(d)] for d in str(n))


def _polynomial(node: Node) -> bool:
    """True if an exactly evaluable tree is a polynomial (no division by its variables)."""
    op = node.op
    if op in ("num", "var"):
        return True
    if op in ("inv", "fn"):
        return not node.args[0].vars
    if op == "fn2":
        return not node.vars
    if op == "pow":
        return not node.args[0].vars or (node.expo is not None and node.expo >= 0 and _polynomial(node.args[0]))
    return all(_polynomial(a) for a in node.args)


def _degree(node: Node) -> int:
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


def _number(node: Node) -> bool:
    """A number literal, possibly negated: 8.003, −25, 1.5e2."""
    if node.op == "neg":
        node = node.args[0]
    return node.op == "num"


def literal(node: Node) -> bool:
    """True for a value written out: a number or a fraction of two numbers (8.003, −7/2, 6/4),
    with at most one minus sign in front; False for a calculation such as 3·25 + 30 + 1."""
    if node.op == "neg":
        node = node.args[0]
    if node.op == "num":
        return True
    if node.op == "mul" and len(node.args) == 2:
        top, bottom = node.args
        return _number(top) and bottom.op == "inv" and _number(bottom.args[0])
    return False


def _has_sum(node: Node) -> bool:
    return node.op == "add" or any(_has_sum(a) for a in node.args)


def _expanded_term(node: Node) -> bool:
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


def expanded(node: Node) -> bool:
    """True if the tree is a sum of expanded terms (``form="expanded"``)."""
    terms = node.args if node.op == "add" else (node,)
    return all(_expanded_term(t) for t in terms)


def _slip(a: Expr, e: Expr) -> str | None:
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
    xs = [Fraction(*sample_point(v, i)) for i in range(N_POINTS)]
    d = [x - y for x, y in zip(va, ve)]
    powers = [Fraction(1)] * N_POINTS
    for k in range(top + 1):
        c = d[0] / powers[0]
        if c != 0 and all(d[i] == c * powers[i] for i in range(N_POINTS)):
            if k == 0:
                return message("slip_constant")
            return message("slip_term", var=v, power="" if k == 1 else _superscript(k))
        powers = [p * x for p, x in zip(powers, xs)]
    return None


def explain(a: Expr, e: Expr, tol: Tol) -> str:
    """The most specific message for an answer that is not equivalent to the key."""
    extra = a.vars - e.vars
    if not e.vars and a.vars:
        return message("should_be_number", names=_names(list(a.vars)))
    if "h" in a.vars:
        va, ve, exact, na, ne = pair(a, e)
        hs = [sample_point("h", i) for i in range(N_POINTS)]
        hv: list[Any] = [Fraction(*p) if exact else p[0] / p[1] for p in hs]  # exact or float, as the values are
        times_h = [None if y is None else y * h for y, h in zip(ve, hv)]
        ne_h = None if ne is None else [n * abs(h) for n, h in zip(ne, hv)]
        if agree(va, times_h, exact, tol, na, ne_h):
            return message("forgot_divide")
    if "h" in extra:
        return message("still_h")
    if extra:
        return message("extra_vars", names=_names(list(extra)))
    va, ve, exact, na, ne = pair(a, e)
    if agree(va, [None if y is None else -y for y in ve], exact, tol, na, ne):
        return message("sign")
    missing = e.vars - a.vars
    if missing and not a.vars:
        return message("need_vars", names=_names(list(e.vars)))
    if missing:
        return message("missing_vars", names=_names(list(missing)))
    slip = _slip(a, e)
    if slip:
        return slip
    # A number within 1 % of an exact key (0.9 for 0.9082): rounded, not wrong in kind.
    if exact and not tol.given and not a.vars and not e.vars and va and va[0] is not None and ve[0]:
        if abs(va[0] - ve[0]) * 100 <= abs(ve[0]):
            return message("rounded")
    return message("wrong_tol" if tol.given else "wrong")


def count_message(a: Form, e: Form) -> str | None:
    n = 1 if e[0] == "eq" else len(e[1])
    if a[0] == "eq":
        return message("count_equation", n=n) if n > 1 else None
    m = len(a[1])
    if m == n:
        return None
    if n == 1:
        return message("count_single", m=m)
    return message("count", n=n, m=m)

