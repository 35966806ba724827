"""The state of laying out one statement, token by token.

A :class:`State` knows the column, the bracket stack and the next token; the
line breaker explores adding each token on the current line or on a new line.
:meth:`State.must_split` and :meth:`State.can_split` hold the PEP 8 rules of
the layout (79 columns, 4-space continuation indent, one element per line in
a container that ends with a comma, named arguments split one per line when
their call does not fit, ...).
"""

from __future__ import annotations

from engine.config.formatting.tokens import Token

__all__ = ["COLUMN_LIMIT", "INDENT", "LAST_SPACE", "State"]

COLUMN_LIMIT = 79
CONTINUATION_INDENT = 4
EXCESS_CHARACTER_PENALTY = 7000
ADDED_LINE_SPLIT_PENALTY = 30


# A bracket level is a tuple (indent, last_space, closing_indent, split_close,
# num_splits); the stack is a tuple of them, so states copy cheaply.
INDENT, LAST_SPACE, CLOSING_INDENT, SPLIT_CLOSE, NUM_SPLITS = range(5)
Paren = tuple[int, int, int, bool, int]


def _paren(indent: int, last_space: int) -> Paren:
    return (indent, last_space, 0, False, 0)


class State:
    """Where the layout of a statement stands before ``next_token``."""

    __slots__ = (
        "column",
        "ignore_stack",
        "lowest_level",
        "next_token",
        "paren_level",
        "stack",
    )

    def __init__(self, first: Token) -> None:
        self.next_token: Token | None = first
        self.column = 0
        self.paren_level = 0
        self.lowest_level = 0
        self.ignore_stack = False
        self.stack: tuple[Paren, ...] = (_paren(0, 0),)

    def clone(self) -> State:
        new = State.__new__(State)
        new.next_token = self.next_token
        new.column = self.column
        new.paren_level = self.paren_level
        new.lowest_level = self.lowest_level
        new.ignore_stack = self.ignore_stack
        new.stack = self.stack
        return new

    def set_split_close(self) -> None:
        """Require a break before the closing bracket of the innermost level."""
        top = self.stack[-1]
        self.stack = (*self.stack[:-1], (top[0], top[1], top[2], True, top[4]))

    def __hash__(self) -> int:
        return hash(
            (id(self.next_token), self.column, self.paren_level, self.lowest_level)
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, State):
            return NotImplemented
        if (
            self.next_token is not other.next_token
            or self.column != other.column
            or self.paren_level != other.paren_level
            or self.lowest_level != other.lowest_level
        ):
            return False
        if self.ignore_stack or other.ignore_stack:
            return True
        return self.stack == other.stack

    # -- helpers -------------------------------------------------------
    def fits(self, start: Token, end: Token) -> bool:
        """Whether ``start`` .. ``end`` fit on the current line."""
        length = end.total_length - start.total_length + len(start.value)
        return length + self.column <= COLUMN_LIMIT

    def container_fits_on_start_line(self, opening: Token) -> bool:
        assert opening.matching_bracket is not None
        length = opening.matching_bracket.total_length - opening.total_length
        return length + self.stack[-1][INDENT] <= COLUMN_LIMIT

    # -- decisions -----------------------------------------------------
    def can_split(self, must_split: bool) -> bool:
        current = self.next_token
        assert current is not None
        if not must_split and current.key_part and not current.key_start:
            return False  # inside a multi-token dict key
        return current.can_break_before

    def must_split(self) -> bool:
        from engine.config.formatting.rules import must_split

        return must_split(self)

    # -- adding tokens -------------------------------------------------
    def add_token(self, newline: bool, must_split: bool = False) -> int:
        """Place ``next_token`` (on a new line or not); return the penalty."""
        penalty = self._on_newline(must_split) if newline else self._on_line()
        return self.move_to_next_token() + penalty

    def _on_line(self) -> int:
        current = self.next_token
        assert current is not None and current.previous_token is not None
        spaces = current.spaces_required_before
        if current.previous_token.opens:
            top = self.stack[-1]
            # closing brackets align with the opening one
            new_top = (self.column + spaces, top[1], self.column, top[3], top[4])
            self.stack = (*self.stack[:-1], new_top)
        self.column += spaces
        return 0

    def _on_newline(self, must_split: bool) -> int:
        current = self.next_token
        assert current is not None
        previous = current.previous_token
        assert previous is not None
        self.column = self._newline_column()
        indent, _, closing_indent, split_close, num_splits = self.stack[-1]
        self.lowest_level = self.paren_level
        if previous.opens:
            closing_indent = max(0, indent - CONTINUATION_INDENT)
            split_close = True
        penalty = current.split_penalty
        if not must_split:
            num_splits += 1
            penalty += ADDED_LINE_SPLIT_PENALTY * num_splits
        top = (indent, self.column, closing_indent, split_close, num_splits)
        self.stack = (*self.stack[:-1], top)
        if must_split:
            return penalty
        if current.opens and previous.opens:
            before = previous.previous_token
            if before is None or not before.is_name:
                penalty += 10
        return penalty + 10

    def _newline_column(self) -> int:
        current = self.next_token
        assert current is not None and current.previous_token is not None
        top = self.stack[-1]
        if current.opens:
            return top[INDENT] if self.paren_level else 0
        if current.closes:
            if current.previous_token.opens:
                return max(0, top[INDENT] - CONTINUATION_INDENT)
            return top[CLOSING_INDENT]
        return top[INDENT]

    def move_to_next_token(self) -> int:
        current = self.next_token
        assert current is not None
        if current.opens:
            stack = self.stack
            last_space = stack[-1][LAST_SPACE]
            indent = CONTINUATION_INDENT + last_space
            self.stack = (*stack, (indent, last_space, 0, False, 0))
            self.paren_level += 1
        elif current.closes:
            stack = self.stack
            if len(stack) > 1:
                outer = stack[-2]
                if current.key_part:
                    last_space = outer[INDENT]
                else:
                    last_space = stack[-1][LAST_SPACE]
                top = (outer[0], last_space, outer[2], outer[3], outer[4])
                self.stack = (*stack[:-2], top)
                self.paren_level -= 1
        elif self.paren_level < self.lowest_level:
            self.lowest_level = self.paren_level
        self.column += current.length
        self.next_token = current.next_token
        if self.column > COLUMN_LIMIT:
            return EXCESS_CHARACTER_PENALTY * (self.column - COLUMN_LIMIT)
        return 0
