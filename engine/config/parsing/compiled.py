"""Compiling Python config files: a cache and a fast path.

Parsing and compiling are most of the cost of reading a Python config, and
base files are shared by many configs, so results are cached by file name and
text (after substitution). The common file, ``_base_ = [...]`` at the top
(after comments) and no ``{{_base_.x}}``, is compiled straight from its text
with the ``_base_`` statement blanked out (line numbers are kept); its syntax
tree, needed only for provenance, is built on demand. Any other file goes
through :func:`~engine.config.parsing.python_file.parse_python_full`.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections import OrderedDict

from engine.config.parsing.python_file import (
    BASE_KEY,
    PythonConfig,
    assigns_base,
    literal_bases,
    parse_python_full,
)

__all__ = ["parse_python", "parse_python_tree"]

_CACHE: OrderedDict[tuple[str, str, bool], PythonConfig] = OrderedDict()
_CACHE_SIZE = 512
_BASE_STATEMENT = re.compile(r"^_base_\s*=(?!=)", re.MULTILINE)


def parse_python(text: str, filename: str) -> PythonConfig:
    """Parse (and compile) a Python config; see :class:`PythonConfig`.

    The result is shared by later calls with the same file name and text;
    callers must not modify it.

    Raises:
        SyntaxError: for invalid Python, with the file and line.
        TypeError: if ``_base_`` is not a string or a list of strings.
        ValueError: if ``_base_`` is not a literal or not at the top level.
    """
    key = (filename, text, False)
    parsed = _CACHE.get(key)
    if parsed is None:
        parsed = _fast_parse(text, filename) or _parse_full(text, filename)
        _remember(key, parsed)
    return parsed


def parse_python_tree(text: str, filename: str) -> ast.Module:
    """The syntax tree of a config as :func:`parse_python` reads it."""
    tree = _parse_full(text, filename).tree
    assert tree is not None
    return tree


def _parse_full(text: str, filename: str) -> PythonConfig:
    key = (filename, text, True)
    parsed = _CACHE.get(key)
    if parsed is None:
        parsed = parse_python_full(text, filename)
        _remember(key, parsed)
    return parsed


def _remember(key: tuple[str, str, bool], parsed: PythonConfig) -> None:
    _CACHE[key] = parsed
    _CACHE.move_to_end(key)
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)


def _fast_parse(text: str, filename: str) -> PythonConfig | None:
    """Compile from the text, or None where the syntax tree is needed."""
    if "{{" in text:
        return None
    match = _BASE_STATEMENT.search(text)
    if match is None:
        if BASE_KEY in text:
            return None
        return PythonConfig(filename, None, [], 0, False, _compile(text, filename))
    start = match.start()
    if not _only_comments(text[:start]):
        return None
    end = _statement_end(text, start)
    if end is None or _BASE_STATEMENT.search(text, end):
        return None
    segment = text[start:end]
    module = ast.parse(segment)
    if len(module.body) != 1 or not assigns_base(module.body[0]):
        return None
    line = text.count("\n", 0, start) + 1
    ast.increment_lineno(module, line - 1)
    bases = literal_bases(module.body[0], filename)
    uses_base_var = text.count(BASE_KEY) > segment.count(BASE_KEY)
    blank = re.sub(r"[^\n]", " ", segment)
    code = _compile(text[:start] + blank + text[end:], filename)
    return PythonConfig(filename, None, bases, line, uses_base_var, code)


def _compile(text: str, filename: str) -> object:
    return compile(text, filename, "exec", dont_inherit=True)


def _only_comments(text: str) -> bool:
    """Whether ``text`` holds only blank lines and ``#`` comments."""
    return all(
        not line.strip() or line.lstrip().startswith("#") for line in text.split("\n")
    )


def _statement_end(text: str, start: int) -> int | None:
    """The offset where the statement starting at ``start`` ends."""
    sub = text[start:]
    try:
        for token in tokenize.generate_tokens(io.StringIO(sub).readline):
            if token.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
                row, col = token.start
                break
        else:
            return None
    except (tokenize.TokenError, SyntaxError):
        return None
    offset = 0
    for _ in range(row - 1):
        offset = sub.index("\n", offset) + 1
    return start + offset + col
