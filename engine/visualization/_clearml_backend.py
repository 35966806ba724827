""":class:`ClearMLVisBackend`: a ClearML task.

``clearml.Task.init(**init_kwargs)`` starts the task on first use (ClearML
reads its server and credentials from ``clearml.conf`` or the environment;
``Task.set_offline(True)`` before training logs locally). Scalars are
reported with title and series both ``name`` at iteration ``step``; images
the same way; the config is connected as the configuration ``config``. On
:meth:`~ClearMLVisBackend.close` the run's files ending with
``artifact_suffix`` are uploaded as artifacts and the task is closed.
"""

from __future__ import annotations

import os.path as osp
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.registry import VISBACKENDS
from engine.visualization._base_backend import (
    BaseVisBackend,
    artifact_files,
    force_init_env,
    import_tracker,
    to_builtin,
    to_plain,
)

if TYPE_CHECKING:
    from engine.config import Config

__all__ = ["ClearMLVisBackend"]


@VISBACKENDS.register_module()
class ClearMLVisBackend(BaseVisBackend):
    """Log to ClearML.

    Args:
        save_dir: The run's directory, searched for artifacts on
            :meth:`close`. Defaults to None (no artifacts).
        init_kwargs: Keyword arguments of ``clearml.Task.init``
            (``project_name``, ``task_name``...). Defaults to None.
        artifact_suffix: Name endings of the files uploaded on
            :meth:`close`. Defaults to ``('.py', '.pth')``.

    Examples:
        >>> backend = ClearMLVisBackend(init_kwargs=dict(project_name='demo'))
        >>> backend.add_scalar('loss', 0.5, step=1)  # doctest: +SKIP
        >>> backend.close()
    """

    def __init__(
        self,
        save_dir: str | None = None,
        init_kwargs: dict | None = None,
        artifact_suffix: Sequence[str] | str = (".py", ".pth"),
    ) -> None:
        super().__init__(save_dir)  # type: ignore[arg-type]
        self._init_kwargs = init_kwargs
        self._artifact_suffix = artifact_suffix

    def _init_env(self) -> None:
        """Start the ClearML task."""
        clearml = import_tracker("clearml", "ClearMLVisBackend")
        self._clearml = clearml
        self._task = clearml.Task.init(**(self._init_kwargs or {}))
        self._logger = self._task.get_logger()

    @property
    @force_init_env
    def experiment(self) -> Any:
        """The ``clearml`` module, with this backend's task started."""
        return self._clearml

    @force_init_env
    def add_config(self, config: Config, **kwargs: Any) -> None:
        """Connect the config (as plain values) as the configuration ``config``.

        Args:
            config: The config.
            **kwargs: Unused.
        """
        self._task.connect_configuration(to_plain(config.to_dict()), name="config")

    @force_init_env
    def add_image(
        self, name: str, image: np.ndarray, step: int = 0, **kwargs: Any
    ) -> None:
        """Report ``image`` (title and series ``name``) at iteration ``step``.

        Args:
            name: The title.
            image: An RGB uint8 ``(H, W, 3)`` image.
            step: The iteration. Defaults to 0.
            **kwargs: Unused.
        """
        self._logger.report_image(
            title=name, series=name, iteration=step, image=np.asarray(image)
        )

    @force_init_env
    def add_scalar(self, name: str, value: Any, step: int = 0, **kwargs: Any) -> None:
        """Report a scalar (title and series ``name``) at iteration ``step``.

        Args:
            name: The title.
            value: A number, numpy scalar or one-element tensor.
            step: The iteration. Defaults to 0.
            **kwargs: Unused.
        """
        self._logger.report_scalar(
            title=name, series=name, value=to_builtin(value), iteration=step
        )

    def close(self) -> None:
        """Upload the artifacts and close the task."""
        if not getattr(self, "_env_initialized", False):
            return
        if self._save_dir is not None:
            for path, folder in artifact_files(self._save_dir, self._artifact_suffix):
                name = osp.join(folder, osp.basename(path))
                self._task.upload_artifact(name=name, artifact_object=path)
        self._task.close()
        self._env_initialized = False
