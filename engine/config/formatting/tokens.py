"""Tokens of one statement with what the line breaker needs to know.

For every token: the spaces required before it, the length of the statement
up to it on one line (``total_length``), the penalty for breaking before it,
and whether a break before it is allowed or required. Brackets know their
partner and, for ``(``, the first tokens of their elements.
"""

from __future__ import annotations

import keyword

from engine.config.formatting import annotate as A
from engine.config.formatting.nodes import Leaf, Tree

__all__ = ["Token", "statement_tokens"]

_OPENING = frozenset("([{")
_CLOSING = frozenset(")]}")


class Token:
    """A token of a statement, linked to its neighbours."""

    __slots__ = (
        "can_break_before",
        "closes",
        "container_elements",
        "index",
        "is_keyword",
        "is_name",
        "is_number",
        "is_string",
        "key_part",
        "key_start",
        "length",
        "matching_bracket",
        "must_break_before",
        "name",
        "next_token",
        "node_penalty",
        "opens",
        "previous_token",
        "rules",
        "spaces_required_before",
        "split_penalty",
        "subtypes",
        "surrounding",
        "total_length",
        "value",
    )

    def __init__(self, leaf: Leaf, index: int) -> None:
        self.value = leaf.value
        self.length = len(leaf.value)
        self.key_part = A.DICTIONARY_KEY_PART in leaf.subtypes
        self.key_start = A.DICTIONARY_KEY in leaf.subtypes
        self.name = A.node_name(leaf)
        self.index = index
        self.subtypes = leaf.subtypes
        self.node_penalty = leaf.penalty
        self.must_break_before = leaf.must_split
        self.is_keyword = leaf.kind == "NAME" and keyword.iskeyword(leaf.value)
        self.is_name = leaf.kind == "NAME" and not self.is_keyword
        self.is_number = leaf.kind == "NUMBER"
        self.is_string = leaf.kind == "STRING"
        self.opens = leaf.kind == "OP" and leaf.value in _OPENING
        self.closes = leaf.kind == "OP" and leaf.value in _CLOSING
        self.previous_token: Token | None = None
        self.next_token: Token | None = None
        self.matching_bracket: Token | None = None
        self.surrounding: Token | None = None  # innermost unclosed bracket
        self.rules: tuple | None = None  # layout rules that may apply
        self.container_elements: list[Token] = []
        self.spaces_required_before = 0
        self.total_length = 0
        self.split_penalty = 0
        self.can_break_before = False

    def __repr__(self) -> str:
        return f"Token({self.value!r})"


def statement_tokens(tree: Tree) -> list[Token]:
    """The tokens of one annotated statement, ready for line breaking."""
    leaves = _leaves(tree)
    tokens = [Token(leaf, index) for index, leaf in enumerate(leaves)]
    for previous, current in zip(tokens, tokens[1:]):
        previous.next_token = current
        current.previous_token = previous
    _match_brackets(tokens, leaves)
    _adjust_penalties(tokens)
    _formatting_information(tokens)
    return tokens


def _leaves(tree: Tree) -> list[Leaf]:
    leaves: list[Leaf] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, Leaf):
            leaves.append(node)
        else:
            stack.extend(reversed(node.children))
    return leaves


def _match_brackets(tokens: list[Token], leaves: list[Leaf]) -> None:
    by_leaf = {id(leaf): token for leaf, token in zip(leaves, tokens)}
    stack: list[Token] = []
    for token, leaf in zip(tokens, leaves):
        token.surrounding = stack[-1] if stack else None
        if token.opens:
            stack.append(token)
        elif token.closes:
            opening = stack.pop()
            opening.matching_bracket = token
            token.matching_bracket = opening
        if leaf.bracket is not None:
            bracket = by_leaf[id(leaf.bracket)]
            if bracket in stack:
                bracket.container_elements.append(token)


def _adjust_penalties(tokens: list[Token]) -> None:
    """Nothing may break outside brackets (except before the first token)."""
    level = 0
    for index, token in enumerate(tokens):
        if index and not level:
            token.node_penalty = A.UNBREAKABLE
        if token.opens:
            level += 1
        elif token.closes:
            level -= 1


def _formatting_information(tokens: list[Token]) -> None:
    first = tokens[0]
    first.spaces_required_before = 1
    first.total_length = len(first.value)
    previous = first
    for token in tokens[1:]:
        if _space_required_between(previous, token):
            token.spaces_required_before = 1
        token.total_length = (
            previous.total_length + len(token.value) + token.spaces_required_before
        )
        token.split_penalty += _split_penalty(previous, token)
        token.can_break_before = token.must_break_before or _can_break_before(
            previous, token
        )
        previous = token


def _is_word(token: Token) -> bool:
    return token.is_keyword or token.is_name or token.is_number or token.is_string


def _space_required_between(left: Token, right: Token) -> bool:
    """Whether the layout puts a space between two adjacent tokens."""
    lval, rval = left.value, right.value
    if _is_word(left) and _is_word(right):
        return True
    if lval == "," and rval == ":":
        return True
    if rval in (":", ","):
        return False
    if lval == ",":
        return True
    if lval == "=" and rval == "." and A.DEFAULT_OR_NAMED_ASSIGN not in left.subtypes:
        return True
    if lval == ":" and rval == ".":
        return True
    if (right.is_keyword or right.is_name) and (left.is_keyword or left.is_name):
        return True
    decision = _space_around_operators(left, right)
    if decision is not None:
        return decision
    if left.is_keyword and rval == ".":
        return lval not in ("None", "print")
    if lval == "." and right.is_keyword:
        return rval not in ("None", "print")
    if lval == "." or rval == ".":
        return False
    if (lval, rval) in (("(", ")"), ("[", "]"), ("{", "}")):
        return False
    return _space_around_brackets(left, right)


def _space_around_operators(left: Token, right: Token) -> bool | None:
    """Spacing after strings and around operators and ``=``; None: no rule."""
    rval = right.value
    left_unary = A.UNARY_OPERATOR in left.subtypes
    right_unary = A.UNARY_OPERATOR in right.subtypes
    right_binary = A.BINARY_OPERATOR in right.subtypes
    if left.is_string:
        if rval == "=" and A.DEFAULT_OR_NAMED_ASSIGN_ARG_LIST in right.subtypes:
            return False
        if rval not in ("[", ")", "]", "}", ".") and not right_binary:
            return True
        if right.closes or A.SUBSCRIPT_BRACKET in right.subtypes:
            return False
    if A.BINARY_OPERATOR in left.subtypes or right_binary:
        return True  # (a token is never both a unary and a binary operator)
    if left.is_keyword and right_unary:
        return True
    if left_unary and right_unary:
        return False
    if left_unary and (right.is_name or right.is_number or rval == "("):
        return False
    if A.DEFAULT_OR_NAMED_ASSIGN in left.subtypes:
        return False
    if A.DEFAULT_OR_NAMED_ASSIGN in right.subtypes:
        return False
    if A.VARARGS_STAR in left.subtypes or A.KWARGS_STAR_STAR in left.subtypes:
        return False
    return None


def _space_around_brackets(left: Token, right: Token) -> bool:
    if left.opens and right.opens:
        return False
    if left.closes and right.closes:
        return False
    if left.closes and right.value in ("(", "["):
        return False
    if left.opens and _is_word(right):
        return False
    if left.is_name and right.value in ("(", "["):
        return False
    if right.closes:
        return False
    if left.value == "print" and right.value == "(":
        return False
    if left.opens and A.UNARY_OPERATOR in right.subtypes:
        return False
    return not (
        left.opens
        and (A.VARARGS_STAR in right.subtypes or A.KWARGS_STAR_STAR in right.subtypes)
    )


def _split_penalty(previous: Token, current: Token) -> int:
    pval, cval = previous.value, current.value
    if current.node_penalty > 0:
        return current.node_penalty
    if A.UNARY_OPERATOR in previous.subtypes:
        return 10000
    if pval == ",":
        return 0
    if pval == "**" or cval == "**":
        return A.STRONGLY_CONNECTED
    if A.VARARGS_STAR in previous.subtypes or A.KWARGS_STAR_STAR in previous.subtypes:
        return A.UNBREAKABLE
    if previous.opens and cval != "(":
        return 300
    if cval in (":", "="):
        return A.UNBREAKABLE
    if (
        A.DEFAULT_OR_NAMED_ASSIGN in previous.subtypes
        or A.DEFAULT_OR_NAMED_ASSIGN in current.subtypes
    ):
        return A.UNBREAKABLE
    if current.closes:
        return 100
    return 0


def _can_break_before(previous: Token, current: Token) -> bool:
    cval = current.value
    if current.split_penalty >= A.UNBREAKABLE:
        return False
    if cval in (":", ","):
        return False
    if previous.is_name and cval in ("(", "["):
        return False
    return A.UNARY_OPERATOR not in previous.subtypes
