"""``autocast``: mixed precision that works on every device and torch."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

__all__ = ["autocast"]


@contextmanager
def autocast(
    device_type: str | None = None,
    dtype: torch.dtype | None = None,
    enabled: bool = True,
    cache_enabled: bool | None = None,
) -> Iterator[None]:
    """Run the body under ``torch.autocast`` (or not at all if disabled).

    Args:
        device_type: ``'cuda'``, ``'cpu'``, ...; defaults to CUDA when
            available, otherwise CPU.
        dtype: The lower precision; defaults to float16 on CUDA and
            bfloat16 on CPU.
        enabled: ``False`` runs the body in full precision.
        cache_enabled: Cache the casted weights (torch's default if None).

    Examples:
        >>> import torch
        >>> with autocast(device_type='cpu', dtype=torch.bfloat16):
        ...     y = torch.nn.Linear(2, 2)(torch.ones(1, 2))
        >>> y.dtype
        torch.bfloat16
    """
    import torch

    if not enabled:
        yield
        return
    if device_type is None:
        device_type = "cuda" if torch.cuda.is_available() else "cpu"
    if dtype is None:
        dtype = torch.float16 if device_type == "cuda" else torch.bfloat16
    kwargs = {} if cache_enabled is None else {"cache_enabled": cache_enabled}
    with torch.autocast(device_type=device_type, dtype=dtype, **kwargs):
        yield
