""":class:`LocalVisBackend`: everything as plain files under ``save_dir``.

Layout (MMEngine's)::

    <save_dir>/scalars.json           one JSON object per line: {..., "step": N}
    <save_dir>/config.py              the config, as Config.dump writes it
    <save_dir>/vis_image/<name>_<step>.png

A :class:`~engine.visualization.Visualizer` built with ``save_dir=D`` gives
its backends ``D/vis_data``.
"""

from __future__ import annotations

import json
import os
import os.path as osp
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.registry import VISBACKENDS
from engine.utils._errors import CompatTypeError, CompatValueError
from engine.visualization._base_backend import (
    BaseVisBackend,
    force_init_env,
    to_builtin,
)
from engine.visualization._png import write_png

if TYPE_CHECKING:
    from engine.config import Config

__all__ = ["LocalVisBackend"]


@VISBACKENDS.register_module()
class LocalVisBackend(BaseVisBackend):
    """Write scalars, images and the config to local files.

    Nothing is created before the first write.

    Args:
        save_dir: The directory to write into.
        img_save_dir: Images folder, relative to ``save_dir``. Defaults to
            ``'vis_image'``.
        config_save_file: Config file name, ending in ``.py``. Defaults to
            ``'config.py'``.
        scalar_save_file: Scalars file name, ending in ``.json``. Defaults
            to ``'scalars.json'``.

    Raises:
        ValueError: A file name has the wrong extension (also an
            :class:`AssertionError`).

    Examples:
        >>> import json, os, tempfile
        >>> out = tempfile.mkdtemp()
        >>> backend = LocalVisBackend(out)
        >>> backend.add_scalars({'loss': 0.5, 'lr': 0.01}, step=10)
        >>> open(os.path.join(out, 'scalars.json')).read()
        '{"loss": 0.5, "lr": 0.01, "step": 10}\\n'
        >>> import numpy as np
        >>> backend.add_image('pred', np.zeros((4, 4, 3), np.uint8), step=10)
        >>> os.listdir(os.path.join(out, 'vis_image'))
        ['pred_10.png']
    """

    def __init__(
        self,
        save_dir: str,
        img_save_dir: str = "vis_image",
        config_save_file: str = "config.py",
        scalar_save_file: str = "scalars.json",
    ) -> None:
        if not config_save_file.endswith(".py"):
            raise CompatValueError(
                f"config_save_file must end with '.py', got {config_save_file!r}"
            )
        if not scalar_save_file.endswith(".json"):
            raise CompatValueError(
                f"scalar_save_file must end with '.json', got {scalar_save_file!r}"
            )
        super().__init__(save_dir)
        self._img_save_dir = img_save_dir
        self._config_save_file = config_save_file
        self._scalar_save_file = scalar_save_file

    def _init_env(self) -> None:
        """Create ``save_dir`` and resolve the file paths inside it."""
        os.makedirs(self._save_dir, exist_ok=True)
        self._img_save_dir = osp.join(self._save_dir, self._img_save_dir)
        self._config_save_file = osp.join(self._save_dir, self._config_save_file)
        self._scalar_save_file = osp.join(self._save_dir, self._scalar_save_file)

    @property
    @force_init_env
    def experiment(self) -> LocalVisBackend:
        """The backend itself (it is its own writer)."""
        return self

    @force_init_env
    def add_config(self, config: Config, **kwargs: Any) -> None:
        """Write ``config`` to ``config.py`` (overwriting).

        Args:
            config: A :class:`~engine.config.Config`.
            **kwargs: Unused.

        Raises:
            TypeError: ``config`` is not a Config (also an
                :class:`AssertionError`).
        """
        from engine.config import Config

        if not isinstance(config, Config):
            raise CompatTypeError(
                "add_config() takes an engine.config.Config, "
                f"got {type(config).__name__}"
            )
        config.dump(self._config_save_file)

    @force_init_env
    def add_image(
        self, name: str, image: np.ndarray, step: int = 0, **kwargs: Any
    ) -> None:
        """Write ``image`` to ``vis_image/<name>_<step>.png``.

        Args:
            name: The file name stem (``/`` makes sub-folders).
            image: An RGB uint8 image ``(H, W, 3)`` or grey ``(H, W)``.
            step: The global step. Defaults to 0.
            **kwargs: Unused.

        Raises:
            TypeError: ``image`` is not uint8 (also an :class:`AssertionError`).
        """
        image = np.asarray(image)
        if image.dtype != np.uint8:
            raise CompatTypeError(
                f"add_image({name!r}) needs a uint8 image, got dtype {image.dtype}"
            )
        path = osp.join(self._img_save_dir, f"{name}_{step}.png")
        os.makedirs(osp.dirname(path), exist_ok=True)
        write_png(path, image)

    @force_init_env
    def add_scalar(self, name: str, value: Any, step: int = 0, **kwargs: Any) -> None:
        """Append ``{name: value, "step": step}`` to ``scalars.json``.

        Args:
            name: The scalar's tag.
            value: A number, a numpy scalar or a one-element tensor.
            step: The global step. Defaults to 0.
            **kwargs: Unused.
        """
        self._dump(
            {name: to_builtin(value), "step": step}, self._scalar_save_file, "json"
        )

    @force_init_env
    def add_scalars(
        self,
        scalar_dict: dict,
        step: int = 0,
        file_path: str | None = None,
        **kwargs: Any,
    ) -> None:
        """Append the scalars of one step, plus ``"step"``, to ``scalars.json``.

        A ``"step"`` key already in ``scalar_dict`` wins over ``step``.

        Args:
            scalar_dict: Tag to value.
            step: The global step. Defaults to 0.
            file_path: Another ``.json`` file name, relative to ``save_dir``,
                that gets the same line. Defaults to None.
            **kwargs: Unused.

        Raises:
            TypeError: ``scalar_dict`` is not a dict (also an AssertionError).
            ValueError: ``file_path`` is not a ``.json`` file or is the
                scalars file itself (also an AssertionError).
        """
        if not isinstance(scalar_dict, dict):
            raise CompatTypeError(
                f"scalar_dict must be a dict, got {type(scalar_dict).__name__}"
            )
        record = {key: to_builtin(value) for key, value in scalar_dict.items()}
        record.setdefault("step", step)
        if file_path is not None:
            self._check_extra_file(file_path)
        self._dump(record, self._scalar_save_file, "json")
        if file_path is not None:
            self._dump(record, osp.join(self._save_dir, file_path), "json")

    def _check_extra_file(self, file_path: str) -> None:
        if not file_path.endswith(".json"):
            raise CompatValueError(
                f"file_path must end with '.json', got {file_path!r}"
            )
        if osp.basename(file_path) == osp.basename(self._scalar_save_file):
            raise CompatValueError(
                f"file_path {file_path!r} and scalar_save_file have the same name, "
                "please set file_path to another value"
            )

    def _dump(self, value_dict: dict, file_path: str, file_format: str) -> None:
        """Append ``value_dict`` to ``file_path`` as one line of JSON."""
        if file_format != "json":
            raise CompatValueError(f"only 'json' is supported, got {file_format!r}")
        line = json.dumps(value_dict, default=_json_default)
        with open(file_path, "a", encoding="utf-8") as f:
            f.write(line + "\n")


def _json_default(value: Any) -> Any:
    converted = to_builtin(value)
    if converted is value:
        raise TypeError(f"{type(value).__name__} is not JSON serializable: {value!r}")
    return converted
