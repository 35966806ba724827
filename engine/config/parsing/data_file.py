"""Reading JSON and YAML config files, with the line of every key.

The data is read by :func:`engine.fileio.load`. ``{{_base_.key}}``
references are first replaced by quoted placeholders, which is why they are
written *without* quotes in these formats (``"model": {{_base_.model}}``),
and the placeholders are replaced by copies of the base values once the
bases are known.
"""

from __future__ import annotations

import copy
import io
import json
import re
from dataclasses import dataclass, field
from typing import Any

from engine.config.merge import KeyPath

__all__ = [
    "DataConfig",
    "json_key_lines",
    "key_lines",
    "parse_data",
    "resolve_refs",
    "yaml_key_lines",
]

_BASE_REF = re.compile(r"\{\{\s*_base_\.([A-Za-z0-9_.]+?)\s*\}\}")
_PLACEHOLDER = "__engine_base_ref_{}__"


@dataclass
class DataConfig:
    """A parsed JSON/YAML config, its base references not yet resolved."""

    filename: str
    data: dict
    refs: dict[str, tuple[str, int]] = field(default_factory=dict)


def parse_data(text: str, filename: str, file_format: str) -> DataConfig:
    """Parse a ``'json'`` or ``'yaml'`` config text.

    Raises:
        TypeError: if the file does not hold a mapping.
        json.JSONDecodeError, yaml.YAMLError: for invalid files; the message
            names the file.
    """
    from engine.fileio import load

    refs: dict[str, tuple[str, int]] = {}

    def placeholder(match: re.Match[str]) -> str:
        name = _PLACEHOLDER.format(len(refs))
        line = text.count("\n", 0, match.start()) + 1
        refs[name] = (match.group(1), line)
        return f'"{name}"'

    if "{{" in text:
        text = _BASE_REF.sub(placeholder, text)
    stream = io.StringIO(text)
    stream.name = filename
    try:
        data = load(stream, file_format=file_format)
    except json.JSONDecodeError as e:
        raise json.JSONDecodeError(f"{filename}: {e.msg}", e.doc, e.pos) from e
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise TypeError(
            f"{filename}: a config file must hold a mapping at the top level, "
            f"got {type(data).__name__}"
        )
    return DataConfig(filename, data, refs)


def resolve_refs(parsed: DataConfig, base_cfg: dict) -> dict:
    """Replace the placeholders by copies of the base values.

    Raises:
        KeyError: for a reference to a key the bases do not define, naming
            the file and line.
    """
    from engine.config.utils import get_by_path

    def resolve(value: Any) -> Any:
        if isinstance(value, str) and value in parsed.refs:
            key, line = parsed.refs[value]
            try:
                return copy.deepcopy(get_by_path(base_cfg, key))
            except (KeyError, IndexError, TypeError) as e:
                raise KeyError(
                    f"{{{{_base_.{key}}}}} ({parsed.filename}, line {line}): "
                    f"{key!r} is not defined by the base configs"
                ) from e
        if isinstance(value, dict):
            return {k: resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [resolve(v) for v in value]
        if isinstance(value, tuple):
            return tuple(resolve(v) for v in value)
        return value

    if not parsed.refs:
        return parsed.data
    return resolve(parsed.data)


def key_lines(text: str, file_format: str) -> dict[KeyPath, int]:
    """The 1-based line of every key of a ``'json'`` or ``'yaml'`` text.

    ``{{_base_.x}}`` references are replaced as when parsing, so the text is
    the one given to :func:`parse_data`.
    """
    if "{{" in text:
        text = _BASE_REF.sub('"_"', text)
    return json_key_lines(text) if file_format == "json" else yaml_key_lines(text)


def json_key_lines(text: str) -> dict[KeyPath, int]:
    """The 1-based line of every key and array element of a JSON text.

    Examples:
        >>> json_key_lines('{"a": 1,\\n "b": {"c": [2,\\n 3]}}')[('b', 'c', 1)]
        2
    """
    lines: dict[KeyPath, int] = {}
    stack: list[list[Any]] = []  # [kind, current key or index, expecting key]
    line, i, n = 1, 0, len(text)
    while i < n:
        char = text[i]
        if char == "\n":
            line += 1
        elif char == '"':
            end = _string_end(text, i)
            if stack and stack[-1][0] == "{" and stack[-1][2]:
                stack[-1][1] = json.loads(text[i : end + 1])
                stack[-1][2] = False
                lines[tuple(frame[1] for frame in stack)] = line
            else:
                _value_start(stack, lines, line)
            i = end
        elif char in "{[":
            if stack:
                _value_start(stack, lines, line)
            stack.append([char, -1, char == "{"])
        elif char in "}]":
            stack.pop()
        elif char == "," and stack and stack[-1][0] == "{":
            stack[-1][2] = True
        elif char not in " \t\r,:" and stack:
            _value_start(stack, lines, line)
            while i + 1 < n and text[i + 1] not in ",]}\n \t\r":
                i += 1
        i += 1
    return lines


def _value_start(stack: list[list[Any]], lines: dict[KeyPath, int], line: int) -> None:
    frame = stack[-1]
    if frame[0] == "[":
        frame[1] += 1
        lines[tuple(f[1] for f in stack)] = line


def _string_end(text: str, start: int) -> int:
    i = start + 1
    while text[i] != '"':
        i += 2 if text[i] == "\\" else 1
    return i


def yaml_key_lines(text: str) -> dict[KeyPath, int]:
    """The 1-based line of every mapping key and sequence item of a YAML text.

    Examples:
        >>> yaml_key_lines('a: 1\\nb:\\n  c: [2, 3]\\n')[('b', 'c')]
        3
    """
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    lines: dict[KeyPath, int] = {}
    try:
        node = yaml.compose(text, Loader=loader)
    except yaml.YAMLError:
        return lines
    if node is not None:
        _walk_yaml(node, (), lines)
    return lines


def _walk_yaml(node: Any, path: KeyPath, lines: dict[KeyPath, int]) -> None:
    import yaml

    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = _yaml_key(key_node)
            lines[(*path, key)] = key_node.start_mark.line + 1
            _walk_yaml(value_node, (*path, key), lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*path, index)] = item.start_mark.line + 1
            _walk_yaml(item, (*path, index), lines)


def _yaml_key(node: Any) -> Any:
    value = getattr(node, "value", None)
    if isinstance(value, str) and node.tag.endswith(":int"):
        try:
            return int(value)
        except ValueError:
            return value
    return value
