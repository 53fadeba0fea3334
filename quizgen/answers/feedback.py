"""Messages about typical mistakes and the expanded-form check (section "feedback" of checker.js)."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from quizgen.answers.evaluation import Expr, Form, Tol, agree, pair, sample_point
from quizgen.answers.grammar import Node
from quizgen.answers.limits import FORGOT_DIVIDE, MAX_EXPONENT, N_POINTS, SIGN, STILL_H, WRONG, WRONG_TOL
from quizgen.answers.tokens import SUPERSCRIPTS



def _names(letters: Sequence[str]) -> str:
    items = sorted(letters)
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]


def _superscript(n: int) -> str:
    return "".join(SUPERSCRIPTS[int(d)] for d in str(n))


def _polynomial(node: Node) -> bool:
    """True if an exactly evaluable tree is a polynomial (no division by its variables)."""
    op = node.op
    if op in ("num", "var"):
        return True
    if op in ("inv", "fn"):
        return not node.args[0].vars
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
            term = "constant term" if k == 0 else f"{v} term" if k == 1 else f"{v}{_superscript(k)} term"
            return f"Recheck the {term}: the rest of your answer matches."
        powers = [p * x for p, x in zip(powers, xs)]
    return None


def explain(a: Expr, e: Expr, tol: Tol) -> str:
    """The most specific message for an answer that is not equivalent to the key."""
    extra = a.vars - e.vars
    if not e.vars and a.vars:
        return f"Your answer should be a number, but it contains {_names(list(a.vars))}."
    if "h" in a.vars:
        va, ve, exact, na, ne = pair(a, e)
        hs = [sample_point("h", i) for i in range(N_POINTS)]
        hv = [Fraction(*p) if exact else p[0] / p[1] for p in hs]
        times_h = [None if y is None else y * h for y, h in zip(ve, hv)]
        ne_h = None if ne is None else [n * abs(h) for n, h in zip(ne, hv)]
        if agree(va, times_h, exact, tol, na, ne_h):
            return FORGOT_DIVIDE
    if "h" in extra:
        return STILL_H
    if extra:
        return f"Your answer contains {_names(list(extra))}, which should not appear in it."
    va, ve, exact, na, ne = pair(a, e)
    if agree(va, [None if y is None else -y for y in ve], exact, tol, na, ne):
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


def count_message(a: Form, e: Form) -> str | None:
    n = 1 if e[0] == "eq" else len(e[1])
    if a[0] == "eq":
        return f"Expected {n} values separated by commas, got an equation." if n > 1 else None
    m = len(a[1])
    if m == n:
        return None
    if n == 1:
        return f"Expected a single answer, got {m} values separated by commas."
    return f"Expected {n} values separated by commas, got {m}."

