"""Whether every entry of a ``{...}`` dict fits on a line of its own."""

from __future__ import annotations

from engine.config.formatting import annotate as A
from engine.config.formatting.state import COLUMN_LIMIT, INDENT, State
from engine.config.formatting.tokens import Token

__all__ = ["each_dict_entry_fits"]


def _value_is_container(opening: Token | None, closing: Token) -> bool:
    if opening is None:
        return False
    colon = opening.previous_token
    if colon is None or colon.value != ":":
        return False
    key = colon.previous_token
    return key is not None and A.DICTIONARY_KEY_PART in key.subtypes


def _entry_length(end: Token, start: Token) -> int:
    return end.total_length - start.total_length + len(start.value)


def each_dict_entry_fits(state: State, opening: Token) -> bool:
    """Whether each entry of the dict opened by ``opening`` fits on a line.

    An entry is measured from its key to the token before the next entry's
    comma (its last token is not counted, an approximation the reference
    layout also makes); entries whose value is a nested ``{...}`` are skipped.
    """
    closing = opening.matching_bracket
    indent = state.stack[-2][INDENT]
    assert opening.next_token is not None
    entry_start = opening.next_token
    current = entry_start.next_token
    while current is not None and current is not closing:
        if A.DICTIONARY_KEY in current.subtypes:
            prev = current.previous_token
            assert prev is not None
            if prev.value == ",":
                assert prev.previous_token is not None
                prev = prev.previous_token.previous_token
                assert prev is not None
            if not _value_is_container(prev.matching_bracket, prev):
                if _entry_length(prev, entry_start) + indent >= COLUMN_LIMIT:
                    return False
            entry_start = current
        if current.opens:
            if current.value == "{":
                current = current.matching_bracket
                while current is not None:
                    if current is closing:
                        return True
                    if A.DICTIONARY_KEY in current.subtypes:
                        entry_start = current
                        break
                    current = current.next_token
            else:
                current = current.matching_bracket
        else:
            current = current.next_token
    assert current is not None and current.previous_token is not None
    return _entry_length(current.previous_token, entry_start) + indent <= COLUMN_LIMIT
