"""Parse the text of a config value into the tree shape of the grammar.

Supported: names, numbers, strings, unary ``-``/``+``/``~``, binary ``+``
and ``-``, calls with positional and keyword arguments, attribute access,
and tuple, list, dict and set displays. Anything else that is valid Python
raises :class:`~engine.config.formatting.nodes.Unsupported`; invalid text
raises :class:`SyntaxError`.
"""

from __future__ import annotations

import ast
import tokenize
from collections.abc import Callable
from typing import NoReturn

from engine.config.formatting.nodes import Leaf, Node, Tree, Unsupported, op

__all__ = ["ExpressionParser"]

_KINDS = {tokenize.NAME: "NAME", tokenize.NUMBER: "NUMBER", tokenize.STRING: "STRING"}
_CLOSERS = {"(": ")", "[": "]", "{": "}"}


class ExpressionParser:
    """A recursive-descent parser over the tokens of one expression."""

    def __init__(self, text: str, tokens: list[tokenize.TokenInfo]) -> None:
        self.text = text
        self.tokens = tokens
        self.pos = 0

    def parse(self) -> Tree:
        if not self.tokens:
            self.fail()
        tree = self.arith()
        if self.pos != len(self.tokens):
            self.fail()
        return tree

    # -- helpers -------------------------------------------------------
    def peek(self) -> str | None:
        if self.pos < len(self.tokens):
            return self.tokens[self.pos].string
        return None

    def take(self) -> tokenize.TokenInfo:
        if self.pos >= len(self.tokens):
            self.fail()
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def expect(self, value: str) -> Leaf:
        token = self.take()
        if token.string != value:
            self.fail()
        return op(value)

    def fail(self) -> NoReturn:
        try:
            ast.parse(self.text, mode="eval")
        except SyntaxError:
            raise SyntaxError(f"invalid syntax: {self.text!r}") from None
        raise Unsupported(self.text)

    # -- grammar -------------------------------------------------------
    def arith(self) -> Tree:
        children: list[Tree] = [self.factor()]
        while self.peek() in ("+", "-"):
            children += [op(self.take().string), self.factor()]
        return children[0] if len(children) == 1 else Node("arith_expr", children)

    def factor(self) -> Tree:
        if self.peek() in ("-", "+", "~"):
            sign = op(self.take().string)
            return Node("factor", [sign, self.factor()])
        return self.power()

    def power(self) -> Tree:
        children: list[Tree] = [self.atom()]
        while self.peek() in ("(", "."):
            children.append(self.trailer())
        return children[0] if len(children) == 1 else Node("power", children)

    def trailer(self) -> Node:
        if self.take().string == ".":
            name = self.take()
            if name.type != tokenize.NAME:
                self.fail()
            return Node("trailer", [op("."), Leaf("NAME", name.string)])
        args = self.items(")", self.argument, allow_colon=False)
        if len(args) <= 1:
            return Node("trailer", [op("("), *args, op(")")])
        return Node("trailer", [op("("), Node("arglist", args), op(")")])

    def argument(self) -> Tree:
        value = self.arith()
        if self.peek() == "=" and isinstance(value, Leaf) and value.kind == "NAME":
            self.take()
            return Node("argument", [value, op("="), self.arith()])
        return value

    def atom(self) -> Tree:
        token = self.take()
        if token.type in _KINDS:
            if token.type == tokenize.STRING and self.peek_kind() == tokenize.STRING:
                raise Unsupported(self.text)
            return Leaf(_KINDS[token.type], token.string)
        if token.string == "(":
            return self.display("(", "testlist_gexp")
        if token.string == "[":
            return self.display("[", "listmaker")
        if token.string == "{":
            return self.display("{", "dictsetmaker")
        self.fail()

    def peek_kind(self) -> int | None:
        if self.pos < len(self.tokens):
            return self.tokens[self.pos].type
        return None

    def display(self, left: str, kind: str) -> Node:
        """``(``/``[``/``{`` display; the opening bracket is consumed."""
        parts = self.items(_CLOSERS[left], self.arith, allow_colon=left == "{")
        right = op(_CLOSERS[left])
        if not parts:
            return Node("atom", [op(left), right])
        if len(parts) == 1:
            return Node("atom", [op(left), parts[0], right])
        return Node("atom", [op(left), Node(kind, parts), right])

    def items(
        self, closer: str, item: Callable[[], Tree], allow_colon: bool
    ) -> list[Tree]:
        """Comma- (and for dicts colon-) separated items up to ``closer``."""
        parts: list[Tree] = []
        while self.peek() != closer:
            parts.append(item())
            if allow_colon and self.peek() == ":":
                parts += [op(self.take().string), self.arith()]
            if self.peek() == ",":
                parts.append(op(self.take().string))
            elif self.peek() != closer:
                self.fail()
        self.expect(closer)
        return parts
