"""Map standard module paths to the implementation under test.

Tests never write ``import engine`` or ``import mmengine``; they ask the
``impl`` fixture: ``impl.mod("fileio")`` is ``engine.fileio`` or
``mmengine.fileio``, ``impl.root`` is the top-level package, and
``impl.scope`` / ``impl.logger_name`` are the observable names the
implementation uses for its root registry scope and its default logger.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType
from typing import Any

#: Names of the implementations the suite knows.
IMPLEMENTATIONS = ("engine", "mmengine")


@dataclass(frozen=True)
class Impl:
    """The implementation under test.

    Attributes:
        name: the importable package name, ``"engine"`` or ``"mmengine"``.
    """

    name: str

    @property
    def root(self) -> ModuleType:
        """The top-level package."""
        return importlib.import_module(self.name)

    def mod(self, path: str = "") -> ModuleType:
        """Import ``<package>.<path>``, e.g. ``mod("runner.checkpoint")``."""
        full = f"{self.name}.{path}" if path else self.name
        return importlib.import_module(full)

    def attr(self, path: str) -> Any:
        """Resolve ``"fileio.load"`` to the object ``<package>.fileio.load``."""
        module, _, name = path.rpartition(".")
        return getattr(self.mod(module), name)

    @property
    def is_reference(self) -> bool:
        """True when running against the original MMEngine."""
        return self.name == "mmengine"

    @property
    def scope(self) -> str:
        """Root registry scope name (``'mmengine'`` in MMEngine)."""
        if self.is_reference:
            return "mmengine"
        return str(self.mod("_identity").ROOT_SCOPE)

    @property
    def logger_name(self) -> str:
        """Name of the default logger (``'mmengine'`` in MMEngine)."""
        if self.is_reference:
            return "mmengine"
        return str(self.mod("_identity").LOGGER_NAME)
