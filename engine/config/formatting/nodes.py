"""The syntax tree of the Python text that represents a config.

A config is written as one ``key = value`` statement per top-level key:
dicts whose keys are all identifiers as ``dict(k=v, ...)``, other dicts as
``dict({k: v, ...})``, lists and tuples with a trailing comma
(``[1, 2, ]``, ``(1, )``), strings with :func:`repr` and every other value
with :func:`str`. The tree has the shape a Python 2/3 grammar parser
(lib2to3) gives that text; the layout rules in the sibling modules depend on
that shape (``atom``, ``power``, ``trailer``, ``arglist``, ``argument``,
``listmaker``, ``testlist_gexp``, ``dictsetmaker``, ``factor``,
``arith_expr``, ``expr_stmt``).
"""

from __future__ import annotations

import io
import keyword
import tokenize
import unicodedata
from collections.abc import Iterator, Mapping
from typing import Any

__all__ = ["Leaf", "Node", "Unsupported", "build_statements", "parse_expression"]

#: Keys written in the ``{...}`` form although they are identifiers: Python
#: keywords (MMEngine writes them as keyword arguments, e.g. ``dict(None=1)``,
#: which is not valid Python, or fails to format).
GRAMMAR_KEYWORDS = frozenset(keyword.kwlist)


class Unsupported(ValueError):
    """A value whose text is valid Python outside the supported subset."""


class Leaf:
    """A token: ``kind`` is ``'NAME'``, ``'NUMBER'``, ``'STRING'`` or ``'OP'``."""

    __slots__ = (
        "bracket",
        "kind",
        "must_split",
        "parent",
        "penalty",
        "subtypes",
        "value",
    )

    def __init__(self, kind: str, value: str) -> None:
        self.kind = kind
        self.value = value
        self.parent: Node | None = None
        self.subtypes: set[str] = set()
        self.penalty = 0
        self.must_split = False
        self.bracket: Leaf | None = None  # opening bracket of its container

    @property
    def children(self) -> list[Any]:
        return []

    def leaves(self) -> Iterator[Leaf]:
        yield self

    def __repr__(self) -> str:
        return f"Leaf({self.kind}, {self.value!r})"


class Node:
    """An inner node of the tree, ``kind`` being its grammar symbol."""

    __slots__ = ("children", "kind", "parent")

    def __init__(self, kind: str, children: list[Node | Leaf]) -> None:
        self.kind = kind
        self.children = children
        self.parent: Node | None = None
        for child in children:
            child.parent = self

    def leaves(self) -> Iterator[Leaf]:
        for child in self.children:
            yield from child.leaves()

    def __repr__(self) -> str:
        return f"Node({self.kind}, {self.children!r})"


Tree = Node | Leaf


def op(value: str) -> Leaf:
    return Leaf("OP", value)


def is_identifier_key(key: Any) -> bool:
    """Whether ``key`` is written as a keyword argument of ``dict(...)``.

    Python normalizes identifiers (NFKC), so a name that normalization
    changes would read back as another key: it uses the ``{...}`` form.
    """
    text = str(key)
    return (
        text.isidentifier()
        and text not in GRAMMAR_KEYWORDS
        and (text.isascii() or unicodedata.normalize("NFKC", text) == text)
    )


def build_statements(cfg: Mapping[Any, Any], sort_keys: bool = False) -> list[Tree]:
    """One tree per statement of the text of ``cfg``.

    Args:
        cfg: The config mapping.
        sort_keys: Whether keys are sorted (by their text) at every level.
            Defaults to False (insertion order).

    Raises:
        SyntaxError: if a value's text is not valid Python.
    """
    builder = _Builder(sort_keys)
    items = builder.items(cfg)
    if all(is_identifier_key(key) for key, _ in items):
        return [
            Node("expr_stmt", [Leaf("NAME", str(key)), op("="), builder.value(value)])
            for key, value in items
        ]
    return [builder.dict_literal(items)]


class _Builder:
    def __init__(self, sort_keys: bool) -> None:
        self.sort_keys = sort_keys

    def items(self, mapping: Mapping[Any, Any]) -> list[tuple[Any, Any]]:
        items: list[tuple[Any, Any]] = list(mapping.items())
        if self.sort_keys:
            items.sort(key=lambda item: str(item[0]))
        return items

    def value(self, value: Any) -> Tree:
        if isinstance(value, str):
            return Leaf("STRING", repr(value))
        kind = type(value)
        if kind is bool or value is None:
            return Leaf("NAME", str(value))
        if kind is int or kind is float:
            return number(str(value))
        if kind is dict or isinstance(value, dict):
            return self.dict_call(value)
        if isinstance(value, list):
            return self.sequence("[", "listmaker", "]", value)
        if isinstance(value, tuple):
            return self.sequence("(", "testlist_gexp", ")", value)
        return self.scalar(str(value))

    def scalar(self, text: str) -> Tree:
        """The tree of a value's text (an atom if the text is unusual)."""
        try:
            return parse_expression(text)
        except Unsupported:
            return Leaf("NAME", text)  # kept whole, on one line

    def sequence(self, left: str, kind: str, right: str, values: Any) -> Tree:
        if not values:
            return Node("atom", [op(left), op(right)])
        children: list[Tree] = []
        for item in values:
            children += [self.value(item), op(",")]
        return Node("atom", [op(left), Node(kind, children), op(right)])

    def dict_call(self, value: dict) -> Tree:
        items = self.items(value)
        if all(is_identifier_key(key) for key, _ in items):
            args: list[Tree] = [
                Node("argument", [Leaf("NAME", str(k)), op("="), self.value(v)])
                for k, v in items
            ]
        else:
            args = [self.dict_literal(items)]
        return call("dict", args)

    def dict_literal(self, items: list[tuple[Any, Any]]) -> Tree:
        children: list[Tree] = []
        for key, item in items:
            if children:
                children.append(op(","))
            key_tree = (
                Leaf("STRING", key_text(key))
                if isinstance(key, str)
                else self.scalar(str(key))
            )
            children += [key_tree, op(":"), self.value(item)]
        if not children:
            return Node("atom", [op("{"), op("}")])
        return Node("atom", [op("{"), Node("dictsetmaker", children), op("}")])


def number(text: str) -> Tree:
    """A number's text (``'-1.5'``, ``'inf'``, ``'1e-05'``) as a tree."""
    if text.startswith("-"):
        return Node("factor", [op("-"), number(text[1:])])
    return Leaf("NUMBER" if text[0].isdigit() else "NAME", text)


def key_text(key: str) -> str:
    """A string key of a ``{...}`` dict: quoted as is, like MMEngine, when
    that is a valid literal (tabs stay raw), else its :func:`repr`."""
    if "'" in key or "\\" in key or not all(c.isprintable() or c == "\t" for c in key):
        return repr(key)
    return f"'{key}'"


def call(name: str, args: list[Tree]) -> Tree:
    """``name(args)`` as lib2to3 shapes it."""
    return Node("power", [Leaf("NAME", name), trailer(args)])


def trailer(args: list[Tree]) -> Node:
    if not args:
        return Node("trailer", [op("("), op(")")])
    if len(args) == 1:
        return Node("trailer", [op("("), args[0], op(")")])
    children: list[Tree] = []
    for arg in args:
        if children:
            children.append(op(","))
        children.append(arg)
    return Node("trailer", [op("("), Node("arglist", children), op(")")])


def parse_expression(text: str) -> Tree:
    """Parse the text of a value (a subset of Python expressions).

    Raises:
        SyntaxError: if ``text`` is not a valid Python expression.
        Unsupported: if it is valid but outside the supported subset.
    """
    try:
        tokens = [
            t
            for t in tokenize.generate_tokens(io.StringIO(text).readline)
            if t.type not in (tokenize.NEWLINE, tokenize.ENDMARKER, tokenize.NL)
        ]
    except (tokenize.TokenError, IndentationError) as e:
        raise SyntaxError(f"invalid syntax: {text!r}") from e
    from engine.config.formatting.expression import ExpressionParser

    return ExpressionParser(text, tokens).parse()
