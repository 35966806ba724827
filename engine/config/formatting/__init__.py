"""The text of a config as Python code (``Config.pretty_text``, ``.py`` dumps).

The text is what MMEngine's ``pretty_text`` gives (its statements laid out
by yapf's PEP 8 style, 79 columns), computed without yapf:
:mod:`~engine.config.formatting.nodes` builds the syntax tree of each
``key = value`` statement, :mod:`~engine.config.formatting.annotate` and
:mod:`~engine.config.formatting.tokens` compute the layout facts of its
tokens, and :mod:`~engine.config.formatting.search` picks the line breaks
with the least penalty under the rules of
:mod:`~engine.config.formatting.rules`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.config.formatting.annotate import annotate_tree
from engine.config.formatting.nodes import build_statements
from engine.config.formatting.search import layout_statement
from engine.config.formatting.tokens import statement_tokens

__all__ = ["format_config"]


def format_config(cfg: Mapping[Any, Any], sort_keys: bool = False) -> str:
    """The Python text of a config.

    Args:
        cfg: The config values.
        sort_keys: Whether dict keys are sorted at every level (MMEngine
            0.10.7 sorts them; its documentation shows them in order).
            Defaults to False.

    Returns:
        One ``key = value`` statement per top-level key (a single dict
        display when some top-level key is not an identifier), ending with a
        newline.

    Raises:
        SyntaxError: if the text of a value is not valid Python (e.g. a
            numpy array, whose ``str`` is ``[1 2]``).

    Examples:
        >>> print(format_config(dict(a=1, b=dict(c=[1, 2]))), end='')
        a = 1
        b = dict(c=[
            1,
            2,
        ])
    """
    try:
        statements = build_statements(cfg, sort_keys)
    except SyntaxError as e:
        raise SyntaxError(
            f"Failed to format the config file, please check the syntax of: \n{e.msg}"
        ) from e
    texts = []
    for statement in statements:
        annotate_tree(statement)
        texts.append(layout_statement(statement_tokens(statement)))
    return "\n".join(texts) + "\n"
