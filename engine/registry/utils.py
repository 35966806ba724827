"""Registry utilities: the default scope, and what is registered where."""

from __future__ import annotations

import datetime
import json
import logging
import os.path as osp

from engine.registry import root
from engine.registry._log import log, warn
from engine.registry._scopes import same_scope
from engine.registry.default_scope import DefaultScope
from engine.registry.registry import Registry
from engine.utils._errors import CompatTypeError

__all__ = ["count_registered_modules", "init_default_scope", "traverse_registry_tree"]


def _module_group(obj: object) -> str:
    """``'engine/dataset'`` for an object defined in ``engine.dataset.utils``."""
    module = getattr(obj, "__module__", None) or ""
    return "/".join(module.split(".")[:-1])


def traverse_registry_tree(registry: Registry, verbose: bool = True) -> list:
    """Describe every registry of the tree ``registry`` belongs to.

    Args:
        registry: Any node of the tree; the walk starts at its root.
        verbose: Log the number of modules of each registry. Defaults to True.

    Returns:
        One dict per registry, depth first from the root: ``num_modules``,
        ``scope``, and the registered names grouped by the package path of
        the module defining them (``'engine/dataset': ['pseudo_collate']``).

    Examples:
        >>> PARENT = Registry('demo', scope='parent')
        >>> CHILD = Registry('demo', parent=PARENT, scope='child')
        >>> traverse_registry_tree(CHILD, verbose=False)
        [{'num_modules': 0, 'scope': 'parent'}, {'num_modules': 0, 'scope': 'child'}]
    """
    result = []
    for node in registry.root._walk():
        info: dict = {"num_modules": len(node.module_dict), "scope": node.scope}
        for name, obj in node.module_dict.items():
            info.setdefault(_module_group(obj), []).append(name)
        result.append(info)
        if verbose:
            log(
                f"Find {len(node.module_dict)} modules in {node.scope}'s "
                f"'{node.name}' registry ",
                logging.INFO,
            )
    return result


def count_registered_modules(
    save_path: str | None = None, verbose: bool = True
) -> dict:
    """Scan the root registries (importing their locations) and their trees.

    Args:
        save_path: Directory to write ``modules_statistic_results.json`` to.
            Defaults to None (nothing is written).
        verbose: Log the counts and the result. Defaults to True.

    Returns:
        A dict with ``scan_date`` (``'YYYY-mm-dd HH:MM:SS'``) and
        ``registries``: for each root registry, by variable name in sorted
        order, its :func:`traverse_registry_tree`.

    Examples:
        >>> stats = count_registered_modules(verbose=False)
        >>> 'FUNCTIONS' in stats['registries']
        True
    """
    registries = {}
    for variable in sorted(vars(root)):
        registry = getattr(root, variable)
        if isinstance(registry, Registry) and not variable.startswith("_"):
            registry.import_from_location()
            registries[variable] = traverse_registry_tree(registry, verbose)
    scan_data = {
        "scan_date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
        "registries": registries,
    }
    if verbose:
        log(f"Finish registry analysis, got: {scan_data}", logging.INFO)
    if save_path is not None:
        path = osp.join(save_path, "modules_statistic_results.json")
        with open(path, "w", encoding="utf-8") as file:
            json.dump(scan_data, file, indent=4)
        if verbose:
            log(f"Result has been saved to {path}", logging.INFO)
    return scan_data


def init_default_scope(scope: str) -> None:
    """Make ``scope`` the default scope, creating an instance if needed.

    If an instance named ``scope`` exists but the current default scope is
    another one, a new instance ``'<scope>-<timestamp>'`` is created (with a
    warning) so that ``scope`` becomes current.

    Args:
        scope: The scope name, e.g. ``'mmdet'``.

    Examples:
        >>> init_default_scope('demo')
        >>> DefaultScope.get_current_instance().scope_name
        'demo'
    """
    if not isinstance(scope, str):
        raise CompatTypeError(f"scope should be a str, but got {scope!r}")
    current = DefaultScope.get_current_instance()
    if current is None or not DefaultScope.check_instance_created(scope):
        DefaultScope.get_instance(scope, scope_name=scope)
        return
    if not same_scope(current.scope_name, scope):
        warn(
            f'The current default scope "{current.scope_name}" is not '
            f'"{scope}", `init_default_scope` will force set the current '
            f'default scope to "{scope}".'
        )
        new_name = f"{scope}-{datetime.datetime.now()}"
        DefaultScope.get_instance(new_name, scope_name=scope)
