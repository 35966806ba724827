"""Query and install Python packages.

Examples:
    >>> is_installed('json')
    True
    >>> is_installed('surely_not_a_package_name')
    False
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os.path as osp
import subprocess
import sys

__all__ = ["call_command", "get_installed_path", "install_package", "is_installed"]


def _find_spec(name: str) -> importlib.machinery.ModuleSpec | None:
    try:
        return importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None


def _distribution(name: str) -> importlib.metadata.Distribution | None:
    try:
        return importlib.metadata.distribution(name)
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return None


def is_installed(package: str) -> bool:
    """Whether a distribution or an importable module is called ``package``.

    Args:
        package: A distribution name (``'PyYAML'``) or a module name
            (``'yaml'``).

    Returns:
        True if either is found.

    Examples:
        >>> is_installed('os')
        True
    """
    return _distribution(package) is not None or _find_spec(package) is not None


def _top_level_modules(dist: importlib.metadata.Distribution) -> list[str]:
    """Top-level importable names a distribution installs (sorted)."""
    text = dist.read_text("top_level.txt")
    if text:
        return sorted(line.strip() for line in text.splitlines() if line.strip())
    names = set()
    for file in dist.files or []:
        parts = file.parts
        if len(parts) > 1 and not parts[0].endswith((".dist-info", ".egg-info")):
            names.add(parts[0])
        elif len(parts) == 1 and parts[0].endswith(".py"):
            names.add(parts[0][:-3])
    return sorted(n for n in names if n.isidentifier())


def get_installed_path(package: str) -> str:
    """Return the directory a package is installed in.

    For a distribution name, the directory of the module it installs
    (``'PyYAML'`` gives ``.../site-packages/_yaml``, its first top-level
    module in sorted order, as MMEngine does); for a module name, the
    package directory (or the directory holding the module file).

    Args:
        package: A distribution name or a module name.

    Returns:
        An absolute directory path.

    Raises:
        importlib.metadata.PackageNotFoundError: if nothing is called
            ``package``.
        ValueError: if the module a distribution installs cannot be found.

    Examples:
        >>> import os.path as osp
        >>> osp.basename(get_installed_path('json'))
        'json'
    """
    dist = _distribution(package)
    if dist is not None:
        location = str(dist.locate_file(""))
        candidate = osp.join(location, package)
        if osp.exists(candidate):
            return candidate
        modules = _top_level_modules(dist)
        if not modules:
            raise ValueError(f"can not infer the module name of {package}")
        return osp.join(location, modules[0])
    spec = _find_spec(package)
    if spec is None:
        raise importlib.metadata.PackageNotFoundError(
            f"package {package!r} is not installed (no distribution or module "
            "of that name)"
        )
    if spec.submodule_search_locations:
        return str(list(spec.submodule_search_locations)[0])
    return osp.dirname(spec.origin) if spec.origin else ""


def call_command(cmd: list) -> None:
    """Run a command, raising if it fails.

    Args:
        cmd: The command and its arguments.

    Raises:
        subprocess.CalledProcessError: if the command exits non-zero.

    Examples:
        >>> import sys
        >>> call_command([sys.executable, '-c', 'pass'])
    """
    subprocess.check_call(cmd)


def install_package(package: str) -> None:
    """``pip install`` a package unless it is installed already.

    Args:
        package: The requirement to install.

    Examples:
        >>> install_package('pip')  # already installed: does nothing
    """
    if not is_installed(package):
        call_command([sys.executable, "-m", "pip", "install", package])
