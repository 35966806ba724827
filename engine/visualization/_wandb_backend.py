""":class:`WandbVisBackend`: a Weights & Biases run.

``wandb.init(dir=save_dir, **init_kwargs)`` starts the run on first use; pass
``init_kwargs=dict(mode='offline')`` (or set ``WANDB_MODE=offline``) to log
without a network, then ``wandb sync`` later. Scalars and images go through
``wandb.log`` *without* an explicit step: W&B drops rows whose step goes
backwards, and a run logs training scalars by iteration and validation
scalars by epoch, so W&B's own step counter orders the rows (a ``commit``
of False merges several calls into one row).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.registry import VISBACKENDS
from engine.utils._errors import CompatTypeError
from engine.visualization._base_backend import (
    BaseVisBackend,
    force_init_env,
    import_tracker,
    to_builtin,
    to_plain,
)

if TYPE_CHECKING:
    import torch

    from engine.config import Config

__all__ = ["WandbVisBackend"]


@VISBACKENDS.register_module()
class WandbVisBackend(BaseVisBackend):
    """Log to Weights & Biases.

    Args:
        save_dir: W&B's local directory (``wandb.init(dir=...)``).
        init_kwargs: More keyword arguments of ``wandb.init`` (``project``,
            ``name``, ``mode``...). Defaults to None.
        define_metric_cfg: Summaries of metrics: ``{'acc': 'max'}`` calls
            ``wandb.define_metric('acc', summary='max')``; a list of dicts
            calls ``wandb.define_metric(**item)`` for each. Defaults to None.
        commit: ``commit`` of every ``wandb.log`` call. Defaults to True.
        log_code_name: Save the code as this artifact name (``run.log_code``)
            when the config is added. Defaults to None.
        watch_kwargs: Keyword arguments of ``wandb.watch`` in
            :meth:`add_graph`. Defaults to None.

    Examples:
        >>> backend = WandbVisBackend('work_dir/vis_data',
        ...                           init_kwargs=dict(mode='offline'))
        >>> backend.add_scalar('loss', 0.5)  # doctest: +SKIP
        >>> backend.close()
    """

    def __init__(
        self,
        save_dir: str,
        init_kwargs: dict | None = None,
        define_metric_cfg: dict | list | None = None,
        commit: bool | None = True,
        log_code_name: str | None = None,
        watch_kwargs: dict | None = None,
    ) -> None:
        super().__init__(save_dir)
        self._init_kwargs = init_kwargs
        self._define_metric_cfg = define_metric_cfg
        self._commit = commit
        self._log_code_name = log_code_name
        self._watch_kwargs = watch_kwargs if watch_kwargs is not None else {}

    def _init_env(self) -> None:
        """Start the W&B run and define the metric summaries."""
        wandb = import_tracker("wandb", "WandbVisBackend")
        os.makedirs(self._save_dir, exist_ok=True)
        kwargs: dict[str, Any] = dict(dir=self._save_dir)
        kwargs.update(self._init_kwargs or {})
        self._run = wandb.init(**kwargs)
        cfg = self._define_metric_cfg
        if isinstance(cfg, dict):
            for metric, summary in cfg.items():
                self._run.define_metric(metric, summary=summary)
        elif isinstance(cfg, list):
            for item in cfg:
                self._run.define_metric(**item)
        self._wandb = wandb

    @property
    @force_init_env
    def experiment(self) -> Any:
        """The ``wandb`` module, with this backend's run started."""
        return self._wandb

    @force_init_env
    def add_config(self, config: Config, **kwargs: Any) -> None:
        """Update the run's config with the config (as plain values).

        Args:
            config: The config.
            **kwargs: Unused.
        """
        self._run.config.update(to_plain(config.to_dict()), allow_val_change=True)
        if self._log_code_name is not None:
            self._run.log_code(name=self._log_code_name)

    @force_init_env
    def add_graph(
        self, model: torch.nn.Module, data_batch: Sequence[dict], **kwargs: Any
    ) -> None:
        """Watch the model's gradients and parameters (``wandb.watch``).

        Args:
            model: The model.
            data_batch: Unused.
            **kwargs: Unused.
        """
        self._run.watch(model, **self._watch_kwargs)

    @force_init_env
    def add_image(
        self, name: str, image: np.ndarray, step: int = 0, **kwargs: Any
    ) -> None:
        """Log ``image`` as a ``wandb.Image`` under ``name``.

        Args:
            name: The key.
            image: An RGB uint8 ``(H, W, 3)`` image.
            step: Unused (see the module).
            **kwargs: Unused.
        """
        self._run.log({name: self._wandb.Image(np.asarray(image))}, commit=self._commit)

    @force_init_env
    def add_scalar(self, name: str, value: Any, step: int = 0, **kwargs: Any) -> None:
        """Log ``{name: value}``.

        Args:
            name: The key.
            value: A number, numpy scalar or one-element tensor.
            step: Unused (see the module).
            **kwargs: Unused.
        """
        self._run.log({name: to_builtin(value)}, commit=self._commit)

    @force_init_env
    def add_scalars(
        self,
        scalar_dict: dict,
        step: int = 0,
        file_path: str | None = None,
        **kwargs: Any,
    ) -> None:
        """Log every scalar of ``scalar_dict`` in one row.

        Args:
            scalar_dict: Key to value.
            step: Unused (see the module).
            file_path: Unused.
            **kwargs: Unused.
        """
        if not isinstance(scalar_dict, dict):
            raise CompatTypeError(
                f"scalar_dict must be a dict, got {type(scalar_dict).__name__}"
            )
        row = {key: to_builtin(value) for key, value in scalar_dict.items()}
        self._run.log(row, commit=self._commit)

    def close(self) -> None:
        """Finish the run (if one was started)."""
        if getattr(self, "_env_initialized", False):
            self._run.finish()
            self._env_initialized = False
