"""The lark grammar and the answer tree built from it (section "grammar" of checker.js).

checker.js parses the same grammar by recursive descent; both stop at the first token
that cannot continue the input, so their error messages agree. Length and tree-depth
limits are checked here, before evaluation.
"""

from __future__ import annotations

from fractions import Fraction
from functools import cache
from typing import Any

from lark import Lark, Token, Tree, UnexpectedInput
from lark.lexer import Lexer
from lark.visitors import Transformer_NonRecursive

from quizgen.answers.limits import MAX_LENGTH, MAX_TREE_DEPTH, Invalid
from quizgen.answers.tokens import WHITESPACE, is_control, tokenize


_GRAMMAR = r"""
%declare NUMBER VAR CONST FUNC FUNCARG FUNC2 FPOW _PLUS _MINUS _STAR _SLASH _CARET _IMPL _COMMA _EQUAL
%declare _LPAR _RPAR _LBRACK _RBRACK _LBRACE _RBRACE _LBAR _RBAR

start: expr (_COMMA expr)*      -> parts
     | expr _EQUAL expr          -> equation

?expr: term
     | expr _PLUS term           -> add
     | expr _MINUS term          -> sub
?term: factor
     | term _STAR factor         -> mul
     | term _SLASH factor        -> div
     | term _IMPL power          -> impl
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
     | FUNCARG factor            -> funcbare
     | FUNCARG FPOW factor       -> funcpowbare
     | FUNC2 _LPAR expr _COMMA expr _RPAR -> func2
bracket: _LPAR expr _RPAR
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


class Node:
    """One node of the answer tree; vars and depth are computed once, bottom-up."""

    __slots__ = ("op", "args", "value", "vars", "depth", "expo", "bare")

    def __init__(self, op: str, args: tuple[Node, ...] = (), value: Any = None) -> None:
        self.op = op
        self.args = args
        self.value = value
        self.expo: Fraction | None = None
        self.bare: tuple[int, str] | None = None  # (position, name) of sin x: a function without brackets
        if op == "var":
            self.vars: frozenset[str] = frozenset([value])
        else:
            self.vars = frozenset().union(*(a.vars for a in args)) if args else frozenset()
        self.depth: int = 1 + max((a.depth for a in args), default=0)


def _spread(op: str, n: Node) -> tuple[Node, ...]:
    return n.args if n.op == op else (n,)


def _b_add(a: Node, b: Node) -> Node:
    return Node("add", _spread("add", a) + _spread("add", b))


def _b_sub(a: Node, b: Node) -> Node:
    return Node("add", _spread("add", a) + (Node("neg", (b,)),))


def _b_mul(a: Node, b: Node) -> Node:
    return Node("mul", _spread("mul", a) + _spread("mul", b))


def _b_div(a: Node, b: Node) -> Node:
    return Node("mul", _spread("mul", a) + (Node("inv", (b,)),))


def _b_num(value: tuple[Fraction, float, int]) -> Node:
    return Node("num", (), value)


def _last_factor(n: Node) -> Node:
    """The factor a product ends with (through signs and divisions): sin x in 2·sin x, 1/sin x."""
    while True:
        if n.op == "mul":
            n = n.args[-1]
        elif n.op in ("neg", "inv"):
            n = n.args[0]
        else:
            return n


class _Build(Transformer_NonRecursive[Token, Any]):
    """lark tree → Node tree, without recursion (deep inputs cannot overflow the stack).

    ``sin x y`` (a function without brackets, then a product) is ambiguous: ``ambiguous``
    keeps the first such function (by position), refused once the tree is built."""

    def __init__(self) -> None:
        super().__init__()
        self.ambiguous: tuple[int, str] | None = None

    def parts(self, c: list[Any]) -> Any:  # noqa: D102 - grammar callbacks
        return ("parts", list(c))

    def equation(self, c: list[Any]) -> Any:  # noqa: D102
        return ("eq", c[0], c[1])

    def add(self, c: list[Any]) -> Node:  # noqa: D102
        return _b_add(c[0], c[1])

    def sub(self, c: list[Any]) -> Node:  # noqa: D102
        return _b_sub(c[0], c[1])

    def mul(self, c: list[Any]) -> Node:  # noqa: D102
        return _b_mul(c[0], c[1])

    def impl(self, c: list[Any]) -> Node:  # noqa: D102
        bare = _last_factor(c[0]).bare
        if bare is not None and (self.ambiguous is None or bare[0] < self.ambiguous[0]):
            self.ambiguous = bare
        return _b_mul(c[0], c[1])

    def bracket(self, c: list[Any]) -> Node:  # noqa: D102
        node: Node = c[0]
        node.bare = None  # (sin x) y is clear
        return node

    def div(self, c: list[Any]) -> Node:  # noqa: D102
        return _b_div(c[0], c[1])

    def neg(self, c: list[Any]) -> Node:  # noqa: D102
        return Node("neg", (c[0],))

    def pow(self, c: list[Any]) -> Node:  # noqa: D102
        return Node("pow", (c[0], c[1]))

    def number(self, c: list[Any]) -> Node:  # noqa: D102
        return _b_num(c[0].qvalue)

    def var(self, c: list[Any]) -> Node:  # noqa: D102
        return Node("var", (), c[0].qvalue)

    def const(self, c: list[Any]) -> Node:  # noqa: D102
        return Node("const", (), c[0].qvalue)

    def abs(self, c: list[Any]) -> Node:  # noqa: D102
        return Node("fn", (c[0],), "abs")

    def func(self, c: list[Any]) -> Node:  # noqa: D102
        return Node("fn", (c[1],), c[0].qvalue)

    def funcabs(self, c: list[Any]) -> Node:  # noqa: D102
        return Node("fn", (Node("fn", (c[1],), "abs"),), c[0].qvalue)

    def funcpow(self, c: list[Any]) -> Node:  # noqa: D102
        return Node("pow", (Node("fn", (c[2],), c[0].qvalue), _b_num(c[1].qvalue)))

    def funcpowabs(self, c: list[Any]) -> Node:  # noqa: D102
        inner = Node("fn", (Node("fn", (c[2],), "abs"),), c[0].qvalue)
        return Node("pow", (inner, _b_num(c[1].qvalue)))

    def funcbare(self, c: list[Any]) -> Node:  # noqa: D102
        node = Node("fn", (c[1],), c[0].qvalue)
        node.bare = (c[0].start_pos, str(c[0]))
        return node

    def funcpowbare(self, c: list[Any]) -> Node:  # noqa: D102
        node = Node("pow", (Node("fn", (c[2],), c[0].qvalue), _b_num(c[1].qvalue)))
        node.bare = (c[0].start_pos, str(c[0]))
        return node

    def func2(self, c: list[Any]) -> Node:  # noqa: D102
        return Node("fn2", (c[1], c[2]), c[0].qvalue)


# A parsed answer: ("parts", [node, ...]) or ("eq", lhs, rhs).
Form = tuple[Any, ...]


def check_text(text: Any, max_length: int) -> str:
    """The checks made on the raw text before it is tokenized (type, length, characters)."""
    if not isinstance(text, str):
        raise Invalid("empty")
    if len(text) > max_length:
        raise Invalid("too_long")
    for i, c in enumerate(text):
        if is_control(c):
            raise Invalid("control", pos=i + 1)
    if all(c in WHITESPACE for c in text):
        raise Invalid("empty")
    return text


def parse_tokens(toks: list[Token]) -> Form:
    """Tokens → a form; Invalid at the first token that cannot continue, or if nested too deeply."""
    try:
        tree = _parser().parse(toks)
    except UnexpectedInput as err:
        tok = getattr(err, "token", None)
        if tok is None or tok.type == "$END":
            raise Invalid("incomplete") from None
        raise Invalid("unexpected", tok=str(tok), pos=tok.start_pos) from None
    assert isinstance(tree, Tree)
    build = _Build()
    form: Form = build.transform(tree)
    if build.ambiguous is not None:
        raise Invalid("func_brackets", name=build.ambiguous[1], pos=build.ambiguous[0])
    nodes = form[1] if form[0] == "parts" else list(form[1:])
    if any(n.depth > MAX_TREE_DEPTH for n in nodes):
        raise Invalid("too_deep")
    return form


def parse(text: Any, ctx: frozenset[str]) -> Form:
    """Read an answer into a form, or raise Invalid with a message for the student."""
    return parse_tokens(tokenize(check_text(text, MAX_LENGTH), ctx))
