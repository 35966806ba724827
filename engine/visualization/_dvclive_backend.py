""":class:`DVCLiveVisBackend`: a :class:`dvclive.Live` logger in ``save_dir``.

DVCLive writes ``metrics.json`` (latest values), ``plots/metrics/<name>.tsv``
(the history, one ``step<TAB>value`` row per step), ``params.yaml`` (the
config) and ``plots/images/<name>_<step>.png``. Inside a DVC repository the
run's other files ending with ``artifact_suffix`` (those of the log directory
outside ``save_dir``, such as ``<timestamp>.log``) are logged as artifacts on
:meth:`~DVCLiveVisBackend.close`; outside one DVCLive skips them with a
warning.
"""

from __future__ import annotations

import os
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
    import torch

    from engine.config import Config, ConfigDict

__all__ = ["DVCLiveVisBackend"]


@VISBACKENDS.register_module()
class DVCLiveVisBackend(BaseVisBackend):
    """Log with DVCLive.

    Args:
        save_dir: DVCLive's ``dir``.
        artifact_suffix: Name endings of the run's files logged as artifacts
            on :meth:`close`. Defaults to ``('.json', '.py', 'yaml')``.
        init_kwargs: More keyword arguments of :class:`dvclive.Live`
            (``save_dvc_exp``, ``report``...). Defaults to None.

    Examples:
        >>> backend = DVCLiveVisBackend('work_dir/vis_data')
        >>> backend.add_scalar('loss', 0.5, step=1)  # doctest: +SKIP
        >>> backend.close()
    """

    def __init__(
        self,
        save_dir: str,
        artifact_suffix: Sequence[str] | str = (".json", ".py", "yaml"),
        init_kwargs: dict | None = None,
    ) -> None:
        super().__init__(save_dir)
        self._artifact_suffix = artifact_suffix
        self._init_kwargs = init_kwargs

    def _init_env(self) -> None:
        """Open a :class:`dvclive.Live` on ``save_dir``."""
        dvclive = import_tracker("dvclive", "DVCLiveVisBackend")
        os.makedirs(self._save_dir, exist_ok=True)
        kwargs = dict(dir=self._save_dir)
        kwargs.update(self._init_kwargs or {})
        self._dvclive = dvclive.Live(**kwargs)

    @property
    @force_init_env
    def experiment(self) -> Any:
        """The :class:`dvclive.Live` logger."""
        return self._dvclive

    def _to_dvc_paramlike(
        self,
        value: int
        | float
        | dict
        | list
        | tuple
        | Config
        | ConfigDict
        | torch.Tensor
        | np.ndarray,
    ) -> Any:
        """``value`` as YAML-safe built-ins (DVC params)."""
        return to_plain(value)

    @force_init_env
    def add_config(self, config: Config, **kwargs: Any) -> None:
        """Log the config as DVC params and write ``config.py`` in ``save_dir``.

        Args:
            config: The config.
            **kwargs: Unused.
        """
        self._dvclive.log_params(self._to_dvc_paramlike(config.to_dict()))
        config.dump(osp.join(self._save_dir, "config.py"))

    @force_init_env
    def add_image(
        self, name: str, image: np.ndarray, step: int = 0, **kwargs: Any
    ) -> None:
        """Log ``image`` as ``plots/images/<name>_<step>.png``.

        Args:
            name: The image's name.
            image: An RGB uint8 ``(H, W, 3)`` image.
            step: The global step. Defaults to 0.
            **kwargs: Unused.
        """
        self._dvclive.step = step
        self._dvclive.log_image(f"{name}_{step}.png", np.asarray(image))

    @force_init_env
    def add_scalar(self, name: str, value: Any, step: int = 0, **kwargs: Any) -> None:
        """Log the metric ``name`` at ``step``.

        Args:
            name: The metric.
            value: A number, numpy scalar or one-element tensor.
            step: The global step. Defaults to 0.
            **kwargs: Unused.
        """
        self._dvclive.step = step
        self._dvclive.log_metric(name, to_builtin(value))

    def close(self) -> None:
        """Log the run's artifacts and end the DVCLive run."""
        if not getattr(self, "_env_initialized", False):
            return
        live_dir = osp.abspath(self._save_dir)
        for path, _ in artifact_files(self._save_dir, self._artifact_suffix):
            if not path.startswith(live_dir + os.sep):  # DVCLive's own files stay
                self._dvclive.log_artifact(path)
        self._dvclive.end()
        self._env_initialized = False
