"""The backend protocol: :class:`BaseVisBackend` and :func:`force_init_env`.

A backend stores what a :class:`~engine.visualization.Visualizer` sends it
(scalars, images, the config, the model graph) in one place: files, an event
log, an experiment tracker. It creates its writer lazily: nothing is opened,
imported or created on disk before the first call that writes, so building a
backend is free and a run that never logs leaves nothing behind.
"""

from __future__ import annotations

import functools
from abc import ABCMeta, abstractmethod
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from engine.utils._errors import CompatTypeError

if TYPE_CHECKING:
    import torch

    from engine.config import Config

__all__ = [
    "BaseVisBackend",
    "artifact_files",
    "force_init_env",
    "import_tracker",
    "missing_package",
    "to_builtin",
    "to_plain",
]

_F = TypeVar("_F", bound=Callable[..., Any])


def force_init_env(old_func: _F) -> _F:
    """Make a backend method set its writer up (``_init_env``) on first use.

    Args:
        old_func: A method of a :class:`BaseVisBackend` subclass.

    Examples:
        >>> class Printer(BaseVisBackend):
        ...     def _init_env(self):
        ...         print('opening')
        ...     @property
        ...     @force_init_env
        ...     def experiment(self):
        ...         return self
        ...     @force_init_env
        ...     def add_scalar(self, name, value, step=0, **kwargs):
        ...         print(name, value)
        >>> backend = Printer('out')
        >>> backend.add_scalar('loss', 0.5)
        opening
        loss 0.5
        >>> backend.add_scalar('loss', 0.25)
        loss 0.25
    """

    @functools.wraps(old_func)
    def wrapper(obj: BaseVisBackend, *args: Any, **kwargs: Any) -> Any:
        if not getattr(obj, "_env_initialized", False):
            obj._init_env()
            obj._env_initialized = True
        return old_func(obj, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def to_builtin(value: Any) -> Any:
    """Tensors and numpy values as Python numbers or lists; others unchanged.

    Examples:
        >>> to_builtin(np.float32(0.5)), to_builtin(np.array([1, 2]))
        (0.5, [1, 2])
    """
    from engine.visualization.utils import is_tensor

    if is_tensor(value):
        return value.item() if value.numel() == 1 else value.tolist()
    if isinstance(value, (np.generic, np.ndarray)):
        return value.tolist()
    return value


def to_plain(value: Any) -> Any:
    """``value`` with every dict, list, tensor and numpy value made built-in.

    Configs (dict subclasses) become dicts, tuples become lists.

    Examples:
        >>> to_plain({'a': (1, np.int64(2)), 'b': {'c': np.array([0.5])}})
        {'a': [1, 2], 'b': {'c': [0.5]}}
    """
    if isinstance(value, dict):
        return {str(key): to_plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(item) for item in value]
    return to_builtin(value)


def artifact_files(
    save_dir: str, suffixes: Sequence[str] | str, skip: Sequence[str] = ()
) -> list[tuple[str, str]]:
    """Files of the run to upload as artifacts when a tracker closes.

    The run's log directory is the parent of ``save_dir`` when ``save_dir``
    is the ``vis_data`` folder a :class:`~engine.visualization.Visualizer`
    makes (so ``<timestamp>.log`` is included), else ``save_dir`` itself.
    Files are taken recursively, sorted, when their name ends with one of
    ``suffixes``; paths under one of ``skip`` (tracker stores) are left out.

    Args:
        save_dir: The backend's directory.
        suffixes: Name endings to upload (``'.py'``, ``'.json'``...).
        skip: Directories or files to leave out.

    Returns:
        ``(absolute path, folder relative to the log directory)`` pairs; the
        folder is ``''`` at the top.
    """
    import os

    save_dir = os.path.abspath(save_dir)
    is_vis_data = os.path.basename(save_dir) == "vis_data"
    root = os.path.dirname(save_dir) if is_vis_data else save_dir
    endings = (suffixes,) if isinstance(suffixes, str) else tuple(suffixes)
    excluded = tuple(os.path.abspath(path) for path in skip)
    found = []
    for folder, _, files in os.walk(root):
        for file in files:
            path = os.path.join(folder, file)
            if file.endswith(endings) and not any(
                path == ex or path.startswith(ex + os.sep) for ex in excluded
            ):
                relative = os.path.relpath(folder, root)
                found.append((path, "" if relative == "." else relative))
    return sorted(found)


def import_tracker(module: str, backend: str, pip_name: str | None = None) -> Any:
    """Import a tracker's package, or raise an ImportError naming it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as e:
        package = module.split(".")[0]
        raise ImportError(missing_package(package, backend, pip_name)) from e


def missing_package(package: str, backend: str, pip_name: str | None = None) -> str:
    """The ImportError message of a backend whose tracker is not installed."""
    return (
        f"{backend} needs the '{package}' package, which is not installed; "
        f"run `pip install {pip_name or package}`"
    )


class BaseVisBackend(metaclass=ABCMeta):
    """Base class of visualization backends.

    Subclasses implement :meth:`_init_env` (open the writer; called once, on
    first use, through :func:`force_init_env`) and the :attr:`experiment`
    property (the underlying writer object), and override the ``add_*``
    methods they support; the others do nothing.

    Args:
        save_dir: Where the backend writes.

    Examples:
        >>> class ListBackend(BaseVisBackend):
        ...     def _init_env(self):
        ...         self._log = []
        ...     @property
        ...     @force_init_env
        ...     def experiment(self):
        ...         return self._log
        ...     @force_init_env
        ...     def add_scalar(self, name, value, step=0, **kwargs):
        ...         self._log.append((name, value, step))
        >>> backend = ListBackend('unused')
        >>> backend.add_scalar('lr', 0.1, step=3)
        >>> backend.experiment
        [('lr', 0.1, 3)]
    """

    def __init__(self, save_dir: str) -> None:
        self._save_dir = save_dir
        self._env_initialized = False

    @property
    @abstractmethod
    def experiment(self) -> Any:
        """The writer of the backend (initialized on first access)."""

    @abstractmethod
    def _init_env(self) -> Any:
        """Set the writer up; called once, before the first write."""

    def add_config(self, config: Config, **kwargs: Any) -> None:  # noqa: B027 (an optional hook)
        """Record the config of the run.

        Args:
            config: The config.
            **kwargs: Backend-specific options.
        """

    def add_graph(  # noqa: B027 (an optional hook)
        self, model: torch.nn.Module, data_batch: Sequence[dict], **kwargs: Any
    ) -> None:
        """Record the model graph.

        Args:
            model: The model.
            data_batch: A batch of data the model takes.
            **kwargs: Backend-specific options.
        """

    def add_image(  # noqa: B027 (an optional hook)
        self, name: str, image: np.ndarray, step: int = 0, **kwargs: Any
    ) -> None:
        """Record an RGB uint8 image.

        Args:
            name: The image's tag.
            image: An ``(H, W, 3)`` RGB uint8 array.
            step: The global step. Defaults to 0.
            **kwargs: Backend-specific options.
        """

    def add_scalar(  # noqa: B027 (an optional hook)
        self, name: str, value: int | float, step: int = 0, **kwargs: Any
    ) -> None:
        """Record one scalar.

        Args:
            name: The scalar's tag.
            value: Its value.
            step: The global step. Defaults to 0.
            **kwargs: Backend-specific options.
        """

    def add_scalars(
        self,
        scalar_dict: dict,
        step: int = 0,
        file_path: str | None = None,
        **kwargs: Any,
    ) -> None:
        """Record several scalars of one step: :meth:`add_scalar` for each.

        Backends with a batch call of their own override this.

        Args:
            scalar_dict: Tag to value.
            step: The global step. Defaults to 0.
            file_path: An extra file to write them to, for backends that
                write files. Defaults to None.
            **kwargs: Backend-specific options.

        Raises:
            TypeError: ``scalar_dict`` is not a dict (also an
                ``AssertionError``, as in MMEngine).
        """
        if not isinstance(scalar_dict, dict):
            raise CompatTypeError(
                f"scalar_dict must be a dict, got {type(scalar_dict).__name__}"
            )
        for key, value in scalar_dict.items():
            self.add_scalar(key, value, step)

    def close(self) -> None:  # noqa: B027 (an optional hook)
        """Flush and release the writer."""
