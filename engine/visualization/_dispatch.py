"""How a :class:`~engine.visualization.Visualizer` builds and calls its backends.

``build_backends`` turns ``vis_backends`` (configs and instances) into named
backends; ``main_process_only`` keeps storage calls on rank 0 without
importing torch; ``log_failure`` reports a backend that raised, once, before
the visualizer disables it.
"""

from __future__ import annotations

import functools
import logging
import os.path as osp
import traceback
import warnings
from collections.abc import Callable
from typing import Any, TypeAlias, TypeVar

from engine.registry import VISBACKENDS
from engine.visualization._base_backend import BaseVisBackend

__all__ = ["VisBackendsType", "build_backends", "log_failure", "main_process_only"]

VisBackendsType: TypeAlias = (
    "list[dict | BaseVisBackend] | dict | BaseVisBackend | None"
)
_F = TypeVar("_F", bound=Callable[..., Any])


def main_process_only(func: _F) -> _F:
    """Run ``func`` on rank 0 only (``None`` elsewhere), without importing torch."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from engine.logging._dist_info import rank_and_world_size

        if rank_and_world_size()[0] == 0:
            return func(*args, **kwargs)
        return None

    return wrapper  # type: ignore[return-value]


def build_backends(
    vis_backends: VisBackendsType, save_dir: str | None
) -> list[tuple[str, BaseVisBackend]]:
    """``(name, backend)`` for every entry of ``vis_backends`` that can be built."""
    if vis_backends is None:
        return []
    if isinstance(vis_backends, (dict, BaseVisBackend)):
        vis_backends = [vis_backends]
    if not isinstance(vis_backends, (list, tuple)) or not all(
        isinstance(item, (dict, BaseVisBackend)) for item in vis_backends
    ):
        raise TypeError(
            "vis_backends must be a list of dicts or a list of BaseBackend "
            f"instances, got {vis_backends!r}"
        )
    built = []
    for item in vis_backends:
        if isinstance(item, BaseVisBackend):
            built.append((type(item).__name__, item))
            continue
        cfg = dict(item)
        name = cfg.pop("name", None)
        if "save_dir" not in cfg:
            if save_dir is None:
                warnings.warn(
                    f"Failed to add {cfg.get('type')}, please provide the "
                    "`save_dir` argument.",
                    UserWarning,
                    stacklevel=3,
                )
                continue
            cfg["save_dir"] = osp.join(save_dir, "vis_data")
        backend = VISBACKENDS.build(cfg)
        built.append((name or type(backend).__name__, backend))
    return built


def log_failure(
    name: str, backend: BaseVisBackend, method: str, error: Exception
) -> None:
    from engine.logging import print_log

    trace = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    print_log(
        f"visualization backend {name!r} ({type(backend).__name__}) raised in "
        f"{method}() and is disabled for the rest of the run; training goes on. "
        f"{type(error).__name__}: {error}\n{trace}",
        logger="current",
        level=logging.ERROR,
    )
