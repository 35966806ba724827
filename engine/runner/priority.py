"""Hook priorities: named levels from ``HIGHEST`` (0) to ``LOWEST`` (100).

At every mount point the Runner calls its hooks in ascending priority value,
so a hook of priority ``VERY_HIGH`` (10) runs before one of ``NORMAL`` (50);
hooks of equal priority run in the order they were registered. A priority is
written as a :class:`Priority` member, its name (``'ABOVE_NORMAL'``, any
case) or an integer from 0 to 100.
"""

from __future__ import annotations

from enum import Enum

__all__ = ["Priority", "get_priority"]


class Priority(Enum):
    """Hook priority levels.

    ============  =====
    Level         Value
    ============  =====
    HIGHEST       0
    VERY_HIGH     10
    HIGH          30
    ABOVE_NORMAL  40
    NORMAL        50
    BELOW_NORMAL  60
    LOW           70
    VERY_LOW      90
    LOWEST        100
    ============  =====

    Examples:
        >>> Priority.NORMAL.value
        50
        >>> Priority['VERY_LOW']
        <Priority.VERY_LOW: 90>
    """

    HIGHEST = 0
    VERY_HIGH = 10
    HIGH = 30
    ABOVE_NORMAL = 40
    NORMAL = 50
    BELOW_NORMAL = 60
    LOW = 70
    VERY_LOW = 90
    LOWEST = 100


class _UnknownPriority(KeyError):
    """A priority name that is not a :class:`Priority` level.

    A :class:`KeyError`, as MMEngine raises, whose message lists the levels.
    """

    def __str__(self) -> str:
        return str(self.args[0])


def get_priority(priority: int | str | Priority) -> int:
    """Get the integer value of a priority.

    Args:
        priority: An integer from 0 to 100, a level name (case-insensitive)
            or a :class:`Priority` member.

    Returns:
        The priority as an integer.

    Raises:
        ValueError: if an integer is outside ``[0, 100]``.
        KeyError: if a name is not a :class:`Priority` level.
        TypeError: if ``priority`` is of another type.

    Examples:
        >>> get_priority('above_normal')
        40
        >>> get_priority(Priority.LOW)
        70
        >>> get_priority(35)
        35
    """
    if isinstance(priority, int):
        if priority < 0 or priority > 100:
            raise ValueError(f"priority must be between 0 and 100, but got {priority}")
        return priority
    if isinstance(priority, Priority):
        return priority.value
    if isinstance(priority, str):
        try:
            return Priority[priority.upper()].value
        except KeyError as e:
            levels = ", ".join(Priority.__members__)
            raise _UnknownPriority(
                f"{priority!r} is not a priority level; use one of {levels} "
                "or an integer from 0 to 100"
            ) from e
    raise TypeError(
        "priority must be an integer or Priority enum value, "
        f"but got {type(priority).__name__} {priority!r}"
    )
