""":class:`AimVisBackend`: an Aim run.

``aim.Run(**init_kwargs)`` starts the run on first use; its repository is
``init_kwargs['repo']``, else ``save_dir`` when given, else Aim's default.
Scalars and images are tracked under ``name`` at ``step``; the config is
stored as the run's ``hparams``.
"""

from __future__ import annotations

import os
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

__all__ = ["AimVisBackend"]


@VISBACKENDS.register_module()
class AimVisBackend(BaseVisBackend):
    """Log to Aim.

    Args:
        save_dir: The Aim repository when ``init_kwargs`` names none.
            Defaults to None.
        init_kwargs: Keyword arguments of ``aim.Run`` (``repo``,
            ``experiment``...). Defaults to None.

    Examples:
        >>> backend = AimVisBackend('work_dir/vis_data')
        >>> backend.add_scalar('loss', 0.5, step=1)  # doctest: +SKIP
        >>> backend.close()
    """

    def __init__(
        self, save_dir: str | None = None, init_kwargs: dict | None = None
    ) -> None:
        super().__init__(save_dir)  # type: ignore[arg-type]
        self._init_kwargs = init_kwargs

    def _init_env(self) -> None:
        """Start the Aim run."""
        aim = import_tracker("aim", "AimVisBackend")
        kwargs = dict(self._init_kwargs or {})
        if self._save_dir is not None and "repo" not in kwargs:
            os.makedirs(self._save_dir, exist_ok=True)
            kwargs["repo"] = self._save_dir
        self._aim = aim
        self._aim_run = aim.Run(**kwargs)

    @property
    @force_init_env
    def experiment(self) -> Any:
        """The :class:`aim.Run`."""
        return self._aim_run

    @force_init_env
    def add_config(self, config: Config, **kwargs: Any) -> None:
        """Store the config (as plain values) as the run's ``hparams``.

        Args:
            config: The config.
            **kwargs: Unused.
        """
        self._aim_run["hparams"] = to_plain(config.to_dict())

    @force_init_env
    def add_image(
        self, name: str, image: np.ndarray, step: int = 0, **kwargs: Any
    ) -> None:
        """Track ``image`` as an ``aim.Image`` under ``name`` at ``step``.

        Args:
            name: The sequence name.
            image: An RGB uint8 ``(H, W, 3)`` image.
            step: The global step. Defaults to 0.
            **kwargs: Unused.
        """
        self._aim_run.track(
            name=name, value=self._aim.Image(np.asarray(image)), step=step
        )

    @force_init_env
    def add_scalar(self, name: str, value: Any, step: int = 0, **kwargs: Any) -> None:
        """Track ``value`` under ``name`` at ``step``.

        Args:
            name: The sequence name.
            value: A number, numpy scalar or one-element tensor.
            step: The global step. Defaults to 0.
            **kwargs: Unused.
        """
        self._aim_run.track(name=name, value=to_builtin(value), step=step)

    def close(self) -> None:
        """Close the run (if one was started)."""
        if getattr(self, "_env_initialized", False):
            self._aim_run.close()
            self._env_initialized = False
