"""Annotate the tree: token subtypes, containers, split penalties, must-splits.

These are the facts the line breaker uses, computed from the tree shape the
way the PEP 8 layout of MMEngine's config text (yapf, ``based_on_style='pep8'``)
computes them. Penalties only ever matter relative to each other.
"""

from __future__ import annotations

from engine.config.formatting.nodes import Leaf, Node, Tree

__all__ = ["annotate_tree", "first_leaf", "last_leaf"]

# Penalties.
UNBREAKABLE = 1000 * 1000
NAMED_ASSIGN = 15000
DOTTED_NAME = 4000
VERY_STRONGLY_CONNECTED = 3500
STRONGLY_CONNECTED = 3000
CONNECTED = 500
TOGETHER = 100
EXPR = 1400
ARITH_EXPR = 1900
FACTOR = 2100
ATOM = 2300
ONE_ELEMENT_ARGUMENT = 500
SUBSCRIPT = 6000
ARITHMETIC_OPERATOR = 300

# Subtypes.
ASSIGN_OPERATOR = "assign"
BINARY_OPERATOR = "binary"
UNARY_OPERATOR = "unary"
SIMPLE_EXPRESSION = "simple_expr"
SUBSCRIPT_BRACKET = "subscript_bracket"
DEFAULT_OR_NAMED_ASSIGN = "named_assign"
DEFAULT_OR_NAMED_ASSIGN_ARG_LIST = "named_assign_arg_list"
DICTIONARY_KEY = "dict_key"
DICTIONARY_KEY_PART = "dict_key_part"
DICTIONARY_VALUE = "dict_value"
VARARGS_STAR = "varargs_star"
KWARGS_STAR_STAR = "kwargs_star_star"

_ARGLIST_SUBTYPES = {
    "=": DEFAULT_OR_NAMED_ASSIGN,
    "*": VARARGS_STAR,
    "**": KWARGS_STAR_STAR,
}
_OP_NAMES = {
    "(": "LPAR",
    ")": "RPAR",
    "[": "LSQB",
    "]": "RSQB",
    "{": "LBRACE",
    "}": "RBRACE",
    ",": "COMMA",
    ":": "COLON",
    "=": "EQUAL",
    "-": "MINUS",
    "+": "PLUS",
    "~": "TILDE",
    ".": "DOT",
    "*": "STAR",
    "**": "DOUBLESTAR",
}


def node_name(tree: Tree) -> str:
    """The grammar symbol of a node, or the token name of a leaf."""
    if isinstance(tree, Node):
        return tree.kind
    if tree.kind == "OP":
        return _OP_NAMES.get(tree.value, "OP")
    return tree.kind


def first_leaf(tree: Tree) -> Leaf:
    while isinstance(tree, Node):
        tree = tree.children[0]
    return tree


def last_leaf(tree: Tree) -> Leaf:
    while isinstance(tree, Node):
        tree = tree.children[-1]
    return tree


def annotate_tree(tree: Tree) -> None:
    """Run the subtype, container, penalty and must-split passes."""
    _subtypes(tree)
    _containers(tree)
    _penalties(tree)
    _must_splits(tree)


# -- subtypes ----------------------------------------------------------------
def _subtypes(tree: Tree) -> None:
    if isinstance(tree, Leaf):
        return
    kind = tree.kind
    if kind in ("argument", "arglist"):
        for child in tree.children:
            _subtypes(child)
            if isinstance(child, Leaf) and child.value in _ARGLIST_SUBTYPES:
                child.subtypes.add(_ARGLIST_SUBTYPES[child.value])
        if kind == "arglist":
            _arglist_subtype(tree)
        return
    for child in tree.children:
        _subtypes(child)
    if kind == "dictsetmaker":
        _dict_subtypes(tree)
        return
    for child in tree.children:
        if not isinstance(child, Leaf):
            continue
        value = child.value
        if kind == "expr_stmt" and value == "=":
            child.subtypes.add(ASSIGN_OPERATOR)
        elif kind == "factor" and value in ("-", "+", "~"):
            child.subtypes.add(UNARY_OPERATOR)
        elif kind == "arith_expr" and value in ("+", "-"):
            child.subtypes.add(BINARY_OPERATOR)
            if all(isinstance(c, Leaf) for c in tree.children):
                child.subtypes.add(SIMPLE_EXPRESSION)
        elif kind == "trailer" and value in ("[", "]"):
            child.subtypes.add(SUBSCRIPT_BRACKET)


def _has_named_assign(tree: Tree) -> bool:
    if isinstance(tree, Leaf):
        return DEFAULT_OR_NAMED_ASSIGN in tree.subtypes
    return any(
        _has_named_assign(child)
        for child in tree.children
        if node_name(child) not in ("atom", "arglist", "power")
    )


def _arglist_subtype(tree: Node) -> None:
    if not _has_named_assign(tree):
        return
    for child in tree.children:
        if node_name(child) not in ("atom", "COMMA"):
            first_leaf(child).subtypes.add(DEFAULT_OR_NAMED_ASSIGN_ARG_LIST)


def _dict_subtypes(tree: Node) -> None:
    if not any(isinstance(c, Leaf) and c.value in (":", "**") for c in tree.children):
        return
    last_was_colon = False
    for child in tree.children:
        if last_was_colon:
            first_leaf(child).subtypes.add(DICTIONARY_VALUE)
        elif isinstance(child, Node) or child.value not in ("{", ":", ","):
            first_leaf(child).subtypes.add(DICTIONARY_KEY)
            for leaf in child.leaves():
                leaf.subtypes.add(DICTIONARY_KEY_PART)
        last_was_colon = isinstance(child, Leaf) and child.value == ":"


# -- containers --------------------------------------------------------------
def _containers(tree: Tree) -> None:
    if isinstance(tree, Leaf):
        return
    for child in tree.children:
        _containers(child)
    children = tree.children
    if len(children) != 3 or not isinstance(children[0], Leaf):
        return
    opening = children[0]
    if opening.value != "(":
        return
    middle = children[1]
    if tree.kind == "trailer":
        elements = middle.children if node_name(middle) == "arglist" else [middle]
    elif tree.kind == "atom":
        elements = middle.children
    else:
        return
    for element in elements:
        first_leaf(element).bracket = opening


# -- split penalties ---------------------------------------------------------
def _rec_annotate(tree: Tree, value: int) -> None:
    for leaf in tree.leaves():
        if leaf.penalty < value:
            leaf.penalty = value


def _increase(tree: Tree, amount: int) -> None:
    first = first_leaf(tree)
    for leaf in tree.leaves():
        if leaf is not first and leaf.value not in ("(", "for"):
            leaf.penalty += amount


def _penalties(tree: Tree) -> None:
    if isinstance(tree, Leaf):
        return
    handler = _PENALTY_VISITORS.get(tree.kind)
    if handler is None:
        for child in tree.children:
            _penalties(child)
    else:
        handler(tree)


def _visit_children(tree: Node) -> None:
    for child in tree.children:
        _penalties(child)


def _pen_arglist(tree: Node) -> None:
    _visit_children(tree)
    for child in tree.children[1:]:
        if isinstance(child, Leaf) and child.value == ",":
            _rec_annotate(child, UNBREAKABLE)
    for child in tree.children:
        if node_name(child) == "atom":
            _increase(child, CONNECTED)


def _pen_argument(tree: Node) -> None:
    _visit_children(tree)
    children = tree.children
    for index in range(1, len(children) - 1):
        child = children[index]
        if isinstance(child, Leaf) and child.value == "=":
            first_leaf(child).penalty = NAMED_ASSIGN
            first_leaf(children[index + 1]).penalty = NAMED_ASSIGN


def _pen_dictsetmaker(tree: Node) -> None:
    for child in tree.children:
        _penalties(child)
        if isinstance(child, Leaf) and child.value == ":":
            _rec_annotate(child, STRONGLY_CONNECTED)


def _pen_trailer(tree: Node) -> None:
    children = tree.children
    if children[0].value == ".":  # type: ignore[union-attr]
        first_leaf(children[0]).penalty = DOTTED_NAME
        first_leaf(children[1]).penalty = VERY_STRONGLY_CONNECTED
    elif len(children) == 2:
        first_leaf(children[1]).penalty = VERY_STRONGLY_CONNECTED
    elif len(children) == 3:
        name = node_name(children[1])
        if name in ("argument", "comparison"):
            _rec_annotate(children[1], STRONGLY_CONNECTED)
            first_leaf(children[1]).penalty = ONE_ELEMENT_ARGUMENT
        elif name not in _TRAILER_EXEMPT:
            if SUBSCRIPT_BRACKET in first_leaf(tree).subtypes:
                _increase(tree, SUBSCRIPT)
                _increase(children[1], CONNECTED)
            else:
                _rec_annotate(children[1], STRONGLY_CONNECTED)
                _rec_annotate(children[2], STRONGLY_CONNECTED)
        if name == "arglist":
            _rec_annotate(children[-1], STRONGLY_CONNECTED)
    _visit_children(tree)


_TRAILER_EXEMPT = frozenset(
    ("arglist", "argument", "term", "or_test", "and_test", "comparison")
    + ("atom", "power")
)


def _pen_power(tree: Node) -> None:
    _visit_children(tree)
    children = tree.children
    if len(children) > 1 and node_name(children[1]) == "trailer":
        if first_leaf(children[1]).value != ".":
            _rec_annotate(children[1].children[0], UNBREAKABLE)
        index = 1
        while index < len(children) - 1:
            current = children[index + 1]
            if node_name(current) != "trailer":
                break
            previous = children[index]
            if last_leaf(previous).value != ")":
                _rec_annotate(previous.children[-1], STRONGLY_CONNECTED)
            _rec_annotate(current.children[0], STRONGLY_CONNECTED)
            index += 1
    for trail in children[1:]:
        if node_name(trail) != "trailer":
            break
        _pen_call_brackets(trail)  # type: ignore[arg-type]


def _pen_call_brackets(trail: Node) -> None:
    opening = trail.children[0]
    if not isinstance(opening, Leaf) or opening.value not in ("(", "["):
        return
    if len(trail.children) <= 2:
        _rec_annotate(trail.children[-1], STRONGLY_CONNECTED)
        return
    if SUBSCRIPT_BRACKET in opening.subtypes:
        _rec_annotate(first_leaf(trail.children[1]), STRONGLY_CONNECTED)
    closing = last_leaf(trail)
    if last_leaf(trail.children[-2]).value != ",":
        if closing.value == "]":
            _rec_annotate(closing, UNBREAKABLE)
        else:
            closing.penalty = VERY_STRONGLY_CONNECTED


def _pen_atom(tree: Node) -> None:
    _visit_children(tree)
    children = tree.children
    opening = children[0]
    if isinstance(opening, Leaf) and opening.value == "(":
        if last_leaf(children[-1]).value == ")":
            if len(children) > 2:
                first_leaf(children[1]).penalty = EXPR
            last_leaf(children[-1]).penalty = ATOM
    elif isinstance(opening, Leaf) and opening.value in "[{" and len(children) == 2:
        _rec_annotate(children[-1], UNBREAKABLE)


def _pen_testlist_gexp(tree: Node) -> None:
    _visit_children(tree)
    prev_was_comma = False
    for child in tree.children:
        if isinstance(child, Leaf) and child.value == ",":
            _rec_annotate(child, UNBREAKABLE)
            prev_was_comma = True
        else:
            if prev_was_comma:
                first_leaf(child).penalty = TOGETHER
            prev_was_comma = False


def _pen_factor(tree: Node) -> None:
    _visit_children(tree)
    _increase(tree, FACTOR)


def _pen_arith_expr(tree: Node) -> None:
    _visit_children(tree)
    _increase(tree, ARITH_EXPR)
    children = tree.children
    for index in range(1, len(children) - 1):
        if node_name(children[index]) in ("PLUS", "MINUS"):
            first_leaf(children[index + 1]).penalty = ARITHMETIC_OPERATOR


_PENALTY_VISITORS = {
    "arglist": _pen_arglist,
    "argument": _pen_argument,
    "dictsetmaker": _pen_dictsetmaker,
    "trailer": _pen_trailer,
    "power": _pen_power,
    "atom": _pen_atom,
    "testlist_gexp": _pen_testlist_gexp,
    "factor": _pen_factor,
    "arith_expr": _pen_arith_expr,
}


# -- must splits (trailing commas) ------------------------------------------
_COMMA_LISTS = frozenset({"listmaker", "dictsetmaker", "testlist_gexp", "arglist"})


def _must_splits(tree: Tree) -> None:
    if isinstance(tree, Leaf):
        return
    if tree.kind in _COMMA_LISTS:
        _trailing_comma_split(tree)
    for child in tree.children:
        _must_splits(child)


def _trailing_comma_split(tree: Node) -> None:
    children = tree.children
    assert tree.parent is not None
    opening = first_leaf(tree.parent)
    commas = sum(1 for c in children if isinstance(c, Leaf) and c.value == ",")
    if opening.value == "(" and commas < 2:
        return
    last = children[-1]
    if not (isinstance(last, Leaf) and last.value == ","):
        return
    first_leaf(children[0]).must_split = True
    for index in range(len(children) - 1):
        child = children[index]
        if isinstance(child, Leaf) and child.value == ",":
            first_leaf(children[index + 1]).must_split = True
