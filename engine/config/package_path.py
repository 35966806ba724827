"""Resolve ``pkg::path`` config references to files of installed packages.

A package that follows the MMEngine installation convention ships its configs
inside the installed package, under ``<package dir>/.mim/configs/``. The
reference ``mmdet::_base_/default_runtime.py`` therefore names the file
``<mmdet dir>/.mim/configs/_base_/default_runtime.py``. Configs inherited
this way belong to the package's registry scope, which is the package name.

Unlike MMEngine, which only accepts a fixed list of OpenMMLab packages, any
importable package that ships ``.mim/configs`` is accepted (the documentation
says "as long as the setup.py of the repository(package) conforms to MMEngine
Installation specification").
"""

from __future__ import annotations

import importlib.util
import os.path as osp

__all__ = ["is_package_path", "resolve_package_config", "split_package_path"]

#: Separator between the package name and the path inside its configs.
PACKAGE_SEP = "::"

#: Folder, relative to the installed package directory, that holds its configs.
CONFIG_DIR = osp.join(".mim", "configs")


def is_package_path(cfg_path: str) -> bool:
    """Whether ``cfg_path`` has the ``pkg::path`` form.

    Examples:
        >>> is_package_path('mmdet::_base_/default_runtime.py')
        True
        >>> is_package_path('../base.py')
        False
    """
    return PACKAGE_SEP in cfg_path


def split_package_path(cfg_path: str) -> tuple[str, str]:
    """Split ``'pkg::rel/path.py'`` into ``('pkg', 'rel/path.py')``.

    Raises:
        ValueError: if ``cfg_path`` has no ``::`` or an empty side.

    Examples:
        >>> split_package_path('mmdet::_base_/default_runtime.py')
        ('mmdet', '_base_/default_runtime.py')
    """
    package, sep, rel_path = cfg_path.partition(PACKAGE_SEP)
    if not sep or not package or not rel_path:
        raise ValueError(
            f"{cfg_path!r} is not a package config path of the form "
            f"'<package>{PACKAGE_SEP}<path inside its configs>'"
        )
    return package, rel_path


def package_dir(package: str) -> str:
    """Directory of the installed (importable) ``package``, not importing it.

    Raises:
        ModuleNotFoundError: if ``package`` cannot be found.
    """
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError) as e:
        raise ModuleNotFoundError(
            f"{package} is not installed, please install {package} manually"
        ) from e
    locations = list(spec.submodule_search_locations or []) if spec else []
    if spec is not None and not locations and spec.origin:
        locations = [osp.dirname(spec.origin)]
    if not locations:
        raise ModuleNotFoundError(
            f"{package} is not installed, please install {package} manually"
        )
    return osp.abspath(locations[0])


def resolve_package_config(cfg_path: str) -> tuple[str, str]:
    """Resolve ``'pkg::rel/path.py'`` to an absolute file and its scope.

    Args:
        cfg_path: A config reference such as
            ``'mmdet::_base_/schedules/schedule_1x.py'``.

    Returns:
        ``(absolute path, package name)``; the package name is also the
        registry scope of the configs it ships.

    Raises:
        ValueError: if ``cfg_path`` is not of the ``pkg::path`` form.
        ModuleNotFoundError: if the package is not installed.
        FileNotFoundError: if the package does not ship that config.

    Examples:
        >>> resolve_package_config('mmdet::_base_/default_runtime.py')
        ... # doctest: +SKIP
        ('/.../site-packages/mmdet/.mim/configs/_base_/default_runtime.py',
         'mmdet')
    """
    package, rel_path = split_package_path(cfg_path)
    path = osp.join(package_dir(package), CONFIG_DIR, rel_path)
    if not osp.isfile(path):
        raise FileNotFoundError(
            f"config {cfg_path!r}: file {path!r} does not exist (package "
            f"{package!r} ships its configs under {CONFIG_DIR!r})"
        )
    return path, package
