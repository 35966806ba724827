"""``argparse`` support for overriding config fields from the command line.

A training script declares ``--cfg-options`` with ``nargs='+'`` and
``action=DictAction``; every ``KEY=VALUE`` word becomes one entry of a flat
dict, ready for ``Config.merge_from_dict`` (dotted keys such as
``optimizer.lr`` are resolved there, not here).

Values are parsed by these rules, applied recursively:

* quotes (``'`` and ``"``) around the whole value are stripped, then every
  space is removed (so ``"[1, 1, 1]"`` and ``[1,1,1]`` mean the same);
* ``(...)`` gives a tuple and ``[...]`` a list; a value with a comma but no
  surrounding brackets is a list (``a,b`` is ``['a', 'b']``); elements are
  split at the commas outside any bracket, a trailing comma is ignored;
* any other value becomes an ``int`` or a ``float`` when Python can read it as
  one, a ``bool`` for ``true``/``false`` in any case, ``None`` for the exact
  word ``None``, and otherwise stays a string.
"""

from __future__ import annotations

import argparse
import copy
from collections.abc import Sequence
from typing import Any

__all__ = ["DictAction", "ImbalancedBracketsError"]

_BRACKETS = {"(": ")", "[": "]"}


class ImbalancedBracketsError(ValueError, AssertionError):
    """A command-line value whose brackets do not pair up.

    It is a ``ValueError``; it is also an ``AssertionError`` because that is
    what MMEngine raises for such values.
    """


def _split_top_level(text: str, value: str) -> list[str]:
    """Split ``text`` at the commas that are outside every bracket.

    A trailing comma ends the last element; it does not add an empty one.

    Raises:
        ImbalancedBracketsError: if the brackets in ``text`` do not pair up,
            or pair up in an order that leaves no element boundary.
    """
    if text.count("(") != text.count(")") or text.count("[") != text.count("]"):
        raise ImbalancedBracketsError(_bracket_message(text, value))
    parts: list[str] = []
    start = 0
    depth = {"(": 0, "[": 0}
    for index, char in enumerate(text):
        if char in depth:
            depth[char] += 1
        elif char == ")":
            depth["("] -= 1
        elif char == "]":
            depth["["] -= 1
        elif char == "," and depth["("] == 0 and depth["["] == 0:
            parts.append(text[start:index])
            start = index + 1
    if start < len(text):
        parts.append(text[start:])
    return parts


def _bracket_message(text: str, value: str) -> str:
    where = "" if text == value else f" (in the value {value!r})"
    return f"Imbalanced brackets exist in {text}{where}"


def _parse_value(val: str, value: str) -> Any:
    """Parse one (sub)value; ``value`` is the whole argument, for errors."""
    text = val.strip("'\"").replace(" ", "")
    for opening, closing in _BRACKETS.items():
        if len(text) >= 2 and text[0] == opening and text[-1] == closing:
            items = [
                _parse_value(p, value) for p in _split_top_level(text[1:-1], value)
            ]
            return tuple(items) if opening == "(" else items
    if "," not in text:
        return DictAction._parse_int_float_bool(text)
    parts = _split_top_level(text, value)
    if parts == [text] and text.strip("'\"") == text:
        # Brackets balanced in number but not in order, e.g. '[1],[2]': no
        # element boundary, and parsing the same text again cannot progress.
        raise ImbalancedBracketsError(_bracket_message(text, value))
    return [_parse_value(p, value) for p in parts]


class DictAction(argparse.Action):
    """Collect ``KEY=VALUE`` arguments into a dict of typed values.

    Each value is parsed into an int, float, bool, ``None``, string, list or
    tuple (nested lists and tuples included). Keys are kept verbatim, so
    ``a.b=1`` gives ``{'a.b': 1}``. When the option is given several times
    the dicts accumulate, later keys overriding earlier ones; a default dict
    is copied, never modified.

    Examples:
        >>> import argparse
        >>> parser = argparse.ArgumentParser()
        >>> _ = parser.add_argument('--cfg-options', nargs='+',
        ...                         action=DictAction)
        >>> args = parser.parse_args(
        ...     ['--cfg-options', 'optimizer.lr=0.1', 'gpu_ids=[0,1]',
        ...      '--cfg-options', 'model.pairs=[(1,2),(3,4)]'])
        >>> args.cfg_options['optimizer.lr']
        0.1
        >>> args.cfg_options['gpu_ids']
        [0, 1]
        >>> args.cfg_options['model.pairs']
        [(1, 2), (3, 4)]
    """

    @staticmethod
    def _parse_int_float_bool(val: str) -> int | float | bool | Any:
        """Read ``val`` as an int, float, bool or ``None``, else return it.

        Examples:
            >>> DictAction._parse_int_float_bool('1e3')
            1000.0
            >>> DictAction._parse_int_float_bool('false')
            False
            >>> DictAction._parse_int_float_bool('none')
            'none'
        """
        for cast in (int, float):
            try:
                return cast(val)
            except ValueError:
                pass
        if val.lower() in ("true", "false"):
            return val.lower() == "true"
        if val == "None":
            return None
        return val

    @staticmethod
    def _parse_iterable(val: str) -> list | tuple | Any:
        """Parse a value that may hold (nested) lists and tuples.

        Raises:
            ImbalancedBracketsError: if the brackets of ``val`` do not pair
                up; the message names the offending (sub)string.

        Examples:
            >>> DictAction._parse_iterable('1,2,3')
            [1, 2, 3]
            >>> DictAction._parse_iterable('[(1,2),(3,4)]')
            [(1, 2), (3, 4)]
            >>> DictAction._parse_iterable("'a,b'")
            ['a', 'b']
            >>> DictAction._parse_iterable('(1)')
            (1,)
        """
        return _parse_value(val, val)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        """Parse ``values`` (``KEY=VALUE`` words) into ``namespace``.

        Raises:
            ValueError: if a word has no ``=``, or the option was declared
                without ``nargs`` (a single string cannot be split into
                words).
        """
        options = copy.copy(getattr(namespace, self.dest, None)) or {}
        name = option_string or self.dest
        if isinstance(values, str):
            raise ValueError(
                f"{name}: DictAction needs nargs='+' or '*' to collect "
                f"KEY=VALUE words, got the single string {values!r}"
            )
        for word in values or ():
            key, sep, value = str(word).partition("=")
            if not sep:
                raise ValueError(f"{name}: expected KEY=VALUE, got {word!r}")
            options[key] = self._parse_iterable(value)
        setattr(namespace, self.dest, options)
