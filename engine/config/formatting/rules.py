"""When the layout must break the line before the next token.

Each rule is a small function of the :class:`~engine.config.formatting.state.State`
returning True (must split), False (must not, which ends the checks) or None
(no opinion); :func:`must_split` asks them in order.
"""

from __future__ import annotations

from collections.abc import Callable

from engine.config.formatting import annotate as A
from engine.config.formatting.state import (
    COLUMN_LIMIT,
    CONTINUATION_INDENT,
    INDENT,
    LAST_SPACE,
    SPLIT_CLOSE,
    State,
)
from engine.config.formatting.tokens import Token

__all__ = ["must_split"]


def must_split(state: State) -> bool:
    """Whether the line must break before ``state.next_token``."""
    current = state.next_token
    assert current is not None
    if current.must_break_before:
        return True
    previous = current.previous_token
    if previous is None:
        return False
    rules = current.rules
    if rules is None:
        rules = current.rules = _applicable(current, previous)
    for rule in rules:
        decision = rule(state, current, previous)
        if decision is not None:
            return decision
    return False


Rule = Callable[[State, Token, Token], "bool | None"]


def _closing_bracket(state: State, current: Token, previous: Token) -> bool | None:
    if state.stack[-1][SPLIT_CLOSE] and current.value in ("}", "]"):
        if A.SUBSCRIPT_BRACKET not in current.subtypes or previous.value == ",":
            return current.node_penalty != A.UNBREAKABLE
    if current.value == ")" and previous.value == ",":
        assert current.matching_bracket is not None
        if not _is_single_element_tuple(current.matching_bracket):
            return True
    return None


def _expression_after_paren(
    state: State, current: Token, previous: Token
) -> bool | None:
    if not current.is_name or previous.value != "(":
        return None
    if surrounding_bracket(previous) is not None:
        return None
    before = previous.previous_token
    if before and not before.is_name and not before.is_keyword:
        if _surrounded_by_parens(current):
            return True
    return None


def _call_in_container(state: State, current: Token, previous: Token) -> bool | None:
    if not (current.is_name or current.is_string) or previous.value != ",":
        return None
    token = current.next_token
    if current.is_name:
        while token and (token.is_name or token.value == "."):
            token = token.next_token
        is_call = token is not None and token.value == "("
    else:
        while token and token.is_string:
            token = token.next_token
        is_call = token is not None and token.value == "%"
    if not is_call:
        return None
    assert token is not None
    opening = surrounding_bracket(current)
    if opening is not None:
        if opening.value in "[{":
            assert opening.matching_bracket is not None
            if not state.fits(opening, opening.matching_bracket):
                return True
        elif token.value == "(":
            assert token.matching_bracket is not None
            if not state.fits(current, token.matching_bracket):
                return True
    return None


def _container_in_list(state: State, current: Token, previous: Token) -> bool | None:
    if not current.opens or previous.value != ",":
        return None
    assert current.next_token is not None and current.matching_bracket is not None
    if A.DICTIONARY_KEY in current.next_token.subtypes:
        return None
    opening = surrounding_bracket(current)
    if opening is not None and opening.value in "[{":
        if A.SUBSCRIPT_BRACKET not in opening.subtypes:
            if not state.fits(current, current.matching_bracket):
                return True
    return None


def _dict_key(state: State, current: Token, previous: Token) -> bool | None:
    if A.DICTIONARY_KEY not in current.subtypes:
        return None
    if previous.value == "{" and previous.previous_token is not None:
        opening = opening_bracket(previous.previous_token)
        if (
            opening is not None
            and opening.value == "("
            and opening.previous_token is not None
            and opening.previous_token.is_name
        ):
            closing = previous.matching_bracket
            call_end = opening.matching_bracket
            assert closing is not None and call_end is not None
            if (
                state.fits(previous, closing)
                and closing.next_token is not None
                and (call_end.next_token is None or call_end.next_token.value != ".")
                and _scope_has_no_commas(previous)
            ):
                return False
    return True


def _dict_value(state: State, current: Token, previous: Token) -> bool | None:
    if A.DICTIONARY_VALUE in current.subtypes and not current.opens:
        opening = opening_bracket(current)
        assert opening is not None
        if not _each_dict_entry_fits(state, opening):
            return True
    if previous.value == "{":
        closing = previous.matching_bracket
        assert closing is not None and closing.previous_token is not None
        if not state.fits(previous, closing) and closing.previous_token.value == ",":
            state.set_split_close()
            return True
    return None


def _named_assign(state: State, current: Token, previous: Token) -> bool | None:
    if A.DEFAULT_OR_NAMED_ASSIGN_ARG_LIST not in current.subtypes:
        return None
    if previous.value in ("=", ":", "*", "**") or current.value in (":", "=", ",", ")"):
        return None
    if previous.value == "(":
        assert previous.matching_bracket is not None
        if state.fits(previous, previous.matching_bracket) and surrounding_bracket(
            previous
        ):
            return False
        return state.column - state.stack[-1][LAST_SPACE] > CONTINUATION_INDENT
    opening = opening_bracket(current)
    if opening is not None:
        return not state.container_fits_on_start_line(opening)
    return None


def _dict_argument(state: State, current: Token, previous: Token) -> bool | None:
    if current.value not in ("{", ")") and previous.value == "(":
        if _argument_list_has_dict_entry(state, current):
            return True
    return None


def _call_argument(state: State, current: Token, previous: Token) -> bool | None:
    if not (current.is_name or current.value in ("*", "**")) or previous.value != ",":
        return None
    if not _is_call_bracket(opening_bracket(current)):
        return None
    return True if _inner_call_overflows(state, current) else None


def _first_argument(state: State, current: Token, previous: Token) -> bool | None:
    before = previous.previous_token
    if current.value == "{" and previous.value == "(" and before and before.is_name:
        dict_end = current.matching_bracket
        assert dict_end is not None and dict_end.next_token is not None
        if dict_end.next_token.value == "," and not state.fits(current, dict_end):
            return True
    if current.is_name and before and before.is_name and previous.value == "(":
        assert previous.matching_bracket is not None
        if not state.fits(previous, previous.matching_bracket):
            if _is_call_with_arguments(current):
                return True
    return None


def _after_opening(state: State, current: Token, previous: Token) -> bool | None:
    if not previous.opens or current.opens or A.SUBSCRIPT_BRACKET in previous.subtypes:
        return None
    closing = previous.matching_bracket
    assert closing is not None
    if previous.value != "(":
        return True if not state.fits(previous, closing) else None
    before = previous.previous_token
    if before is None or not before.is_name:
        return False if state.fits(previous, closing) else None
    if state.fits(previous, closing):
        return None
    if len(previous.container_elements) == 1:
        return False
    elements = [*previous.container_elements, closing]
    for left, right in zip(elements, elements[1:]):
        if not left.opens and not state.fits(left, right):
            return True
    if (COLUMN_LIMIT - state.column) / float(COLUMN_LIMIT) < 0.3:
        return True
    return None


def _applicable(current: Token, previous: Token) -> tuple[Rule, ...]:
    """The rules that may have an opinion on ``current``, in order.

    Each rule's condition on the tokens alone is checked here, once per token;
    a rule left out has no opinion for that token whatever the state.
    """
    c, p = current, previous
    rules: list[Rule] = []
    if c.value in ("}", "]") or (c.value == ")" and p.value == ","):
        rules.append(_closing_bracket)
    if c.is_name and p.value == "(":
        rules.append(_expression_after_paren)
    if (c.is_name or c.is_string) and p.value == ",":
        rules.append(_call_in_container)
    if c.opens and p.value == ",":
        rules.append(_container_in_list)
    if A.DICTIONARY_KEY in c.subtypes:
        rules.append(_dict_key)
    if (A.DICTIONARY_VALUE in c.subtypes and not c.opens) or p.value == "{":
        rules.append(_dict_value)
    if A.DEFAULT_OR_NAMED_ASSIGN_ARG_LIST in c.subtypes:
        rules.append(_named_assign)
    if c.value not in ("{", ")") and p.value == "(":
        rules.append(_dict_argument)
    if (c.is_name or c.value in ("*", "**")) and p.value == ",":
        rules.append(_call_argument)
    if p.value == "(":
        rules.append(_first_argument)
    if p.opens and not c.opens:
        rules.append(_after_opening)
    return tuple(rules)


# -- helpers -----------------------------------------------------------------
def surrounding_bracket(token: Token) -> Token | None:
    """The nearest unclosed opening bracket before ``token``."""
    return token.surrounding


def opening_bracket(current: Token) -> Token | None:
    """The opening bracket of the container ``current`` is in (or opens)."""
    if current.opens:
        return current
    if current.closes:
        return current.matching_bracket
    return current.surrounding


def _is_call_bracket(opening: Token | None) -> bool:
    if opening is None or opening.value != "(" or opening.previous_token is None:
        return False
    before = opening.previous_token
    return before.is_name or before.value in ("*", "**")


def _inner_call_overflows(state: State, current: Token) -> bool:
    token: Token | None = current
    while token is not None:
        if token.value == "(":
            break
        if not (token.is_name or token.value in ("*", "**")) and token.value != ".":
            return False
        token = token.next_token
    if token is None:
        return False
    closing = token.matching_bracket
    assert closing is not None
    after = closing.next_token
    return not state.fits(current, closing) or (
        after is not None and after.value != "," and not after.closes
    )


def _is_call_with_arguments(token: Token | None) -> bool:
    while token is not None:
        if token.value == "(":
            after = token.next_token
            return after is not None and after.value != ")"
        if token.name not in ("NAME", "DOT", "EQUAL"):
            break
        token = token.next_token
    return False


def _surrounded_by_parens(token: Token | None) -> bool:
    while token is not None:
        if token.value == ",":
            return False
        if token.value == ")":
            return token.next_token is None
        if token.opens:
            assert token.matching_bracket is not None
            token = token.matching_bracket.next_token
        else:
            token = token.next_token
    return False


def _is_single_element_tuple(opening: Token) -> bool:
    return _count_commas(opening) == 1


def _scope_has_no_commas(opening: Token) -> bool:
    return _count_commas(opening) == 0


def _count_commas(opening: Token) -> int:
    closing = opening.matching_bracket
    token = opening.next_token
    commas = 0
    while token is not closing:
        assert token is not None
        if token.value == ",":
            commas += 1
        token = token.matching_bracket if token.opens else token.next_token
    return commas


def _argument_list_has_dict_entry(state: State, token: Token) -> bool:
    opening = surrounding_bracket(token)
    if opening is None or opening.value != "(":
        return False
    before = opening.previous_token
    if before is None or not before.is_name:
        return False
    current: Token | None = token
    while current is not None:
        if current.value == "{":
            assert current.matching_bracket is not None
            length = current.matching_bracket.total_length - current.total_length
            return length + state.stack[-2][INDENT] > COLUMN_LIMIT
        if current.closes:
            break
        if current.opens:
            current = current.matching_bracket
        assert current is not None
        current = current.next_token
    return False


def _each_dict_entry_fits(state: State, opening: Token) -> bool:
    from engine.config.formatting.dict_entries import each_dict_entry_fits

    return each_dict_entry_fits(state, opening)
