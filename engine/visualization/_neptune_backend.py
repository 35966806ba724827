""":class:`NeptuneVisBackend`: a Neptune run.

``neptune.init_run(**init_kwargs)`` starts the run on first use (``project``
and ``api_token`` from ``init_kwargs`` or the environment;
``mode='offline'`` logs locally). Scalars are series ``run[name]`` appended
at ``step``; images are appended as ``File.as_image``; the config is stored
under ``run['config']`` with unsupported values stringified.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from engine.registry import VISBACKENDS
from engine.visualization._base_backend import (
    BaseVisBackend,
    force_init_env,
    import_tracker,
    to_builtin,
    to_plain,
)

if TYPE_CHECKING:
    from engine.config import Config

__all__ = ["NeptuneVisBackend"]


@VISBACKENDS.register_module()
class NeptuneVisBackend(BaseVisBackend):
    """Log to Neptune.

    Args:
        save_dir: Unused by Neptune (kept for the common interface).
            Defaults to None.
        init_kwargs: Keyword arguments of ``neptune.init_run`` (``project``,
            ``api_token``, ``mode``...). Defaults to None.

    Examples:
        >>> backend = NeptuneVisBackend(init_kwargs=dict(mode='offline'))
        >>> backend.add_scalar('loss', 0.5, step=1)  # doctest: +SKIP
        >>> backend.close()
    """

    def __init__(
        self, save_dir: str | None = None, init_kwargs: dict | None = None
    ) -> None:
        super().__init__(save_dir)  # type: ignore[arg-type]
        self._init_kwargs = init_kwargs

    def _init_env(self) -> None:
        """Start the Neptune run."""
        neptune = import_tracker("neptune", "NeptuneVisBackend", "-U neptune")
        self._neptune_module = neptune
        self._neptune = neptune.init_run(**(self._init_kwargs or {}))

    @property
    @force_init_env
    def experiment(self) -> Any:
        """The Neptune run."""
        return self._neptune

    @force_init_env
    def add_config(self, config: Config, **kwargs: Any) -> None:
        """Store the config under ``run['config']``.

        Args:
            config: The config.
            **kwargs: Unused.
        """
        from neptune.utils import stringify_unsupported

        self._neptune["config"] = stringify_unsupported(to_plain(config.to_dict()))

    @force_init_env
    def add_image(
        self, name: str, image: np.ndarray, step: int = 0, **kwargs: Any
    ) -> None:
        """Append ``image`` to the file series ``run[name]`` at ``step``.

        Args:
            name: The series.
            image: An RGB uint8 ``(H, W, 3)`` image.
            step: The global step. Defaults to 0.
            **kwargs: Unused.
        """
        from neptune.types import File

        pixels = np.asarray(image, dtype=np.float64) / 255.0
        self._neptune[name].append(File.as_image(pixels), step=step)

    @force_init_env
    def add_scalar(self, name: str, value: Any, step: int = 0, **kwargs: Any) -> None:
        """Append ``value`` to the series ``run[name]`` at ``step``.

        Args:
            name: The series.
            value: A number, numpy scalar or one-element tensor.
            step: The global step. Defaults to 0.
            **kwargs: Unused.
        """
        self._neptune[name].append(to_builtin(value), step=step)

    def close(self) -> None:
        """Stop the run (if one was started)."""
        if getattr(self, "_env_initialized", False):
            self._neptune.stop()
            self._env_initialized = False
