"""Reset the global state an implementation keeps, between tests."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import Any


def _all_subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def clear_manager_instances(package: str) -> None:
    """Forget every ``ManagerMixin`` instance of ``package`` (if it is loaded).

    Both implementations keep the instances of a class in a per-class mapping;
    only ``engine`` exposes a function for it, so MMEngine's mapping is
    cleared through its (observable) class attribute.
    """
    utils = sys.modules.get(f"{package}.utils")
    if utils is None:
        return
    reset = getattr(utils, "_reset_manager_instances", None)
    if package == "engine" and reset is not None:
        reset()
        return
    mixin: Any = getattr(utils, "ManagerMixin", None)
    if mixin is None:
        return
    for cls in _all_subclasses(mixin):
        instances = cls.__dict__.get("_instance_dict")
        if isinstance(instances, dict):
            instances.clear()


def destroy_process_group() -> None:
    """Destroy the default process group if a test left one behind."""
    dist = sys.modules.get("torch.distributed")
    if dist is not None and dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


def restore_environ(saved: dict[str, str]) -> None:
    """Make ``os.environ`` equal to ``saved`` again."""
    for key in set(os.environ) - set(saved):
        del os.environ[key]
    for key, value in saved.items():
        if os.environ.get(key) != value:
            os.environ[key] = value
