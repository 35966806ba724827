"""Choose the line breaks of a statement with the least penalty.

A statement that fits in 79 columns and has no required break stays on one
line. Otherwise the layouts are explored best-first (Dijkstra's algorithm on
the graph whose nodes are :class:`~engine.config.formatting.state.State`):
from each state, the next token is added on the same line (tried first, so it
wins ties) and, where allowed, on a new line. Equal states are explored once.
"""

from __future__ import annotations

import heapq
from typing import Any

from engine.config.formatting.rules import must_split
from engine.config.formatting.state import COLUMN_LIMIT, State
from engine.config.formatting.tokens import Token

__all__ = ["layout_statement"]

#: After this many queued states, states compare without their bracket stack.
_SEARCH_LIMIT = 10000


def layout_statement(tokens: list[Token]) -> str:
    """The text of one statement, broken into lines.

    Args:
        tokens: The tokens of the statement (:func:`statement_tokens`).

    Returns:
        The statement's lines joined by newlines (no trailing newline).
    """
    if tokens[-1].total_length <= COLUMN_LIMIT and not any(
        token.must_break_before for token in tokens
    ):
        return _single_line(tokens)
    decisions = _search(tokens)
    if decisions is None:
        return _single_line(tokens)
    return _render(tokens, decisions)


def _single_line(tokens: list[Token]) -> str:
    parts = [tokens[0].value]
    for token in tokens[1:]:
        parts.append(" " * token.spaces_required_before + token.value)
    return "".join(parts)


def _initial_state(tokens: list[Token]) -> State:
    state = State(tokens[0])
    state.move_to_next_token()
    return state


def _search(tokens: list[Token]) -> list[bool] | None:
    """The newline decision before each token after the first, or None.

    Queue entries are ``(penalty, order, state, path)``; ``path`` is the
    linked list ``(newline, previous path)`` of the decisions made.
    """
    push, pop = heapq.heappush, heapq.heappop
    count = 1
    seen: set[State] = set()
    queue: list[tuple[int, int, State, Any]] = [(0, 0, _initial_state(tokens), None)]
    while queue:
        penalty, _, state, path = queue[0]
        if state.next_token is None:
            break
        pop(queue)
        if count > _SEARCH_LIMIT:
            state.ignore_stack = True
        before = len(seen)
        seen.add(state)
        if len(seen) == before:
            continue
        must = must_split(state)
        if not must:
            new = state.clone()
            cost = penalty + new.add_token(False)
            push(queue, (cost, count, new, (False, path)))
            count += 1
        if state.can_split(must):
            new = state.clone()
            cost = penalty + new.add_token(True, must)
            push(queue, (cost, count, new, (True, path)))
            count += 1
    if not queue:
        return None
    path = queue[0][3]
    decisions: list[bool] = []
    while path is not None:
        decisions.append(path[0])
        path = path[1]
    decisions.reverse()
    return decisions


def _render(tokens: list[Token], decisions: list[bool]) -> str:
    """Replay the chosen decisions and write the text."""
    state = _initial_state(tokens)
    parts = [tokens[0].value]
    for token, newline in zip(tokens[1:], decisions):
        state.add_token(newline)
        if newline:
            column = state.column - len(token.value)
            parts.append("\n" + " " * column + token.value)
        else:
            parts.append(" " * token.spaces_required_before + token.value)
    return "".join(parts)
