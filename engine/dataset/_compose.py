"""``Compose``: a data pipeline, transforms applied in order."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import cast

from engine.registry import TRANSFORMS

__all__ = ["Compose"]


class Compose:
    """Apply transforms in order; stop at the first that returns None.

    Args:
        transforms: Callables, or config dicts built from the ``TRANSFORMS``
            registry. None means no transform.

    Examples:
        >>> pipeline = Compose([lambda d: {**d, 'a': 1}, lambda d: {**d, 'b': 2}])
        >>> pipeline({})
        {'a': 1, 'b': 2}
        >>> Compose([lambda d: None, lambda d: d])({}) is None
        True
    """

    def __init__(self, transforms: Sequence[dict | Callable] | None):
        self.transforms: list[Callable] = []
        for position, transform in enumerate(transforms or []):
            self.transforms.append(_build_transform(transform, position))

    def __call__(self, data: dict) -> dict | None:
        """Run the transforms on ``data``; None if one of them returns None."""
        for transform in self.transforms:
            data = transform(data)
            if data is None:
                return None
        return data

    def __repr__(self) -> str:
        lines = "".join(f"\n    {transform}" for transform in self.transforms)
        return f"{type(self).__name__}({lines}\n)"


def _build_transform(transform: object, position: int) -> Callable:
    if isinstance(transform, dict):
        built = TRANSFORMS.build(transform)
        if not callable(built):
            raise TypeError(
                f"pipeline[{position}]: transform should be a callable object, "
                f"but got {type(built)} built from {transform!r}"
            )
        return cast(Callable, built)
    if callable(transform):
        return transform
    raise TypeError(
        f"pipeline[{position}]: transform must be a callable object or dict, "
        f"but got {type(transform)}"
    )
