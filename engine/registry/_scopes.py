"""Scope names: aliases, inference from the caller, and ``<scope>.registry``.

A *scope* names one node of a registry tree, usually the top-level package
that created it (``mmdet``, ``mmalpha``). The root registries of ``engine``
use :data:`engine._identity.ROOT_SCOPE`; the names in
:data:`engine._identity.SCOPE_ALIASES` (``mmengine``) mean the same scope,
so ``type='mmengine.RReLU'`` and ``_scope_='mmengine'`` keep working.
"""

from __future__ import annotations

import sys
from importlib import import_module

from engine._identity import ROOT_SCOPE, SCOPE_ALIASES
from engine.registry._log import log, warn


def canonical_scope(scope: str) -> str:
    """Map a scope alias (``'mmengine'``) to the scope it stands for."""
    return ROOT_SCOPE if scope in SCOPE_ALIASES else scope


def same_scope(first: str, second: str) -> bool:
    """Whether two scope names denote the same scope (aliases included)."""
    return canonical_scope(first) == canonical_scope(second)


def infer_scope_from_stack(skip_modules: frozenset[str]) -> str:
    """Top-level package of the nearest caller outside ``skip_modules``.

    A registry created in ``mmdet/registry.py`` gets the scope ``mmdet``; one
    created in a script gets ``__main__``. When no caller module can be
    found (e.g. ``exec`` without globals), warns and returns the root scope.
    """
    frame = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__") in skip_modules:
        frame = frame.f_back  # type: ignore[assignment]
    module = frame.f_globals.get("__name__") if frame is not None else None
    if not isinstance(module, str) or not module:
        warn(
            f'set scope as "{ROOT_SCOPE}" when scope can not be inferred. You '
            'can silence this warning by passing a "scope" argument to '
            'Registry like `Registry(name, scope="toy")`'
        )
        return ROOT_SCOPE
    return module.split(".")[0]


def import_scope_registry(scope: str) -> bool:
    """Import ``<scope>.registry`` so a package's registries exist.

    A package that is not installed, or that has no ``registry`` module, is
    not an error (the lookup then reports the missing scope); an error raised
    *inside* an existing ``registry`` module propagates.

    Returns:
        True if the module is imported (now or before).
    """
    package = canonical_scope(scope)
    if not package or not all(p.isidentifier() for p in package.split(".")):
        return False
    target = f"{package}.registry"
    if target in sys.modules:
        return True
    try:
        import_module(target)
    except ModuleNotFoundError as e:
        missing = e.name or ""
        if not (target == missing or target.startswith(missing + ".")):
            raise
        log(f"Cannot auto import {target}: no such module")
        return False
    return True
