""":class:`TensorboardVisBackend`: TensorBoard event files in ``save_dir``.

Written with :class:`torch.utils.tensorboard.SummaryWriter`, which needs the
``tensorboard`` package (``pip install engine[tensorboard]``). Scalars keep
their names as tags; images are ``HWC`` RGB; the config is a text summary
tagged ``config``. ``tensorboard --logdir <save_dir>`` shows them, and
TensorBoard's ``EventAccumulator`` reads them back.
"""

from __future__ import annotations

import os
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.registry import VISBACKENDS
from engine.visualization._base_backend import (
    BaseVisBackend,
    force_init_env,
    missing_package,
    to_builtin,
)

if TYPE_CHECKING:
    from engine.config import Config

__all__ = ["TensorboardVisBackend"]


@VISBACKENDS.register_module()
class TensorboardVisBackend(BaseVisBackend):
    """Write TensorBoard event files.

    Args:
        save_dir: The log directory of the event files.

    Examples:
        >>> import tempfile
        >>> backend = TensorboardVisBackend(tempfile.mkdtemp())
        >>> backend.add_scalar('loss', 0.5, step=1)  # doctest: +SKIP
        >>> backend.close()
    """

    def __init__(self, save_dir: str) -> None:
        super().__init__(save_dir)

    def _init_env(self) -> None:
        """Create ``save_dir`` and open a ``SummaryWriter`` on it."""
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError as e:
            raise ImportError(
                missing_package("tensorboard", "TensorboardVisBackend")
                + " (or `pip install engine[tensorboard]`)"
            ) from e
        os.makedirs(self._save_dir, exist_ok=True)
        self._tensorboard = SummaryWriter(self._save_dir)

    @property
    @force_init_env
    def experiment(self) -> Any:
        """The :class:`~torch.utils.tensorboard.SummaryWriter`."""
        return self._tensorboard

    @force_init_env
    def add_config(self, config: Config, **kwargs: Any) -> None:
        """Record ``config.pretty_text`` as a text summary tagged ``config``.

        Args:
            config: The config.
            **kwargs: Unused.
        """
        self._tensorboard.add_text("config", config.pretty_text)

    @force_init_env
    def add_image(
        self, name: str, image: np.ndarray, step: int = 0, **kwargs: Any
    ) -> None:
        """Record an RGB uint8 ``(H, W, 3)`` image under tag ``name``.

        Args:
            name: The tag.
            image: The image.
            step: The global step. Defaults to 0.
            **kwargs: Unused.
        """
        self._tensorboard.add_image(name, image, step, dataformats="HWC")

    @force_init_env
    def add_scalar(self, name: str, value: Any, step: int = 0, **kwargs: Any) -> None:
        """Record a scalar; a value that is not a number is skipped with a warning.

        Args:
            name: The tag.
            value: A number, numpy scalar or one-element tensor.
            step: The global step. Defaults to 0.
            **kwargs: Unused.
        """
        number = to_builtin(value)
        if isinstance(number, bool) or not isinstance(number, (int, float)):
            warnings.warn(
                f"TensorboardVisBackend.add_scalar({name!r}): got "
                f"{type(value).__name__}, but a number is expected; skipped",
                UserWarning,
                stacklevel=2,
            )
            return
        self._tensorboard.add_scalar(name, number, step)

    def close(self) -> None:
        """Flush and close the writer (if one was opened)."""
        writer = getattr(self, "_tensorboard", None)
        if writer is not None:
            writer.close()
