"""Read a config, or build a model, that an installed package ships.

``get_config('pkg::path/to/cfg.py')`` reads the config
``<pkg dir>/.mim/configs/path/to/cfg.py`` (see
:mod:`engine.config.package_path`). With ``pretrained=True`` the config also
gets ``model_path``: the weights that the package's model index gives for it
(see :mod:`engine.hub.metafile`); a config the index does not list gets no
``model_path`` (and a warning).

``get_model`` builds ``cfg.model`` in the package's registry scope, after
running the package's ``<pkg>.utils.register_all_modules()`` when it has one,
and with ``pretrained=True`` loads the weights, which must be a local file
(a path or a ``file://`` URL): nothing is downloaded.
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any

from engine.config import Config
from engine.config.package_path import (
    package_dir,
    resolve_package_config,
    split_package_path,
)
from engine.hub._checkpoint import load_weights
from engine.hub.metafile import find_weights
from engine.registry import MODELS, DefaultScope

__all__ = ["get_config", "get_model"]


def get_config(cfg_path: str, pretrained: bool = False) -> Config:
    """Read the config ``'pkg::path'`` of an installed package.

    Args:
        cfg_path: ``'<package>::<path inside the package configs>'``.
        pretrained: Also set ``model_path`` to the weights of this config
            from the package's model index. Defaults to False.

    Returns:
        The config.

    Raises:
        ValueError: if ``cfg_path`` is not of the ``pkg::path`` form.
        ModuleNotFoundError: if the package is not installed.
        FileNotFoundError: if the package does not ship the config, or (with
            ``pretrained``) has no model index.

    Examples:
        >>> cfg = get_config('fakedet::toy/toy_1x.py', pretrained=True)
        ... # doctest: +SKIP
        >>> cfg.model_path  # doctest: +SKIP
        '/path/to/toy_1x.pth'
    """
    path, _ = resolve_package_config(cfg_path)
    cfg = Config.fromfile(path)
    if pretrained:
        package, rel_path = split_package_path(cfg_path)
        weights = find_weights(package_dir(package), rel_path)
        if weights is None:
            warnings.warn(
                f"{cfg_path}: the model index of {package!r} lists no weights "
                "for this config; model_path is not set",
                stacklevel=2,
            )
        else:
            cfg.model_path = weights
    return cfg


def _register_package_modules(package: str) -> None:
    """Run ``<package>.utils.register_all_modules()`` if the package has it."""
    name = f"{package}.utils"
    try:
        utils = importlib.import_module(name)
    except ModuleNotFoundError as e:
        if e.name != name:
            raise
        return
    register = getattr(utils, "register_all_modules", None)
    if callable(register):
        register()


def get_model(cfg_path: str, pretrained: bool = False, **kwargs: Any) -> Any:
    """Build the model of the config ``'pkg::path'`` of an installed package.

    Args:
        cfg_path: ``'<package>::<path inside the package configs>'``.
        pretrained: Load the weights that the package's model index gives
            for this config. Defaults to False.
        **kwargs: Arguments added to (or replacing those of) ``cfg.model``.

    Returns:
        The model, built by ``MODELS`` in the package's scope.

    Raises:
        ValueError: with ``pretrained``, if the index lists no weights for
            the config.
        RuntimeError: with ``pretrained``, if the weights are not a local
            file (nothing is downloaded; the message names the URL).

    Examples:
        >>> model = get_model('fakedet::toy/toy_1x.py', pretrained=True)
        ... # doctest: +SKIP
        >>> type(model)  # doctest: +SKIP
        <class 'fakedet.models.ToyNet'>
    """
    package, _ = split_package_path(cfg_path)
    cfg = get_config(cfg_path, pretrained=pretrained)
    _register_package_modules(package)
    model_cfg = cfg.model
    model_cfg.update(kwargs)
    with DefaultScope.overwrite_default_scope(package):
        model = MODELS.build(model_cfg)
    if pretrained:
        weights = cfg.get("model_path")
        if weights is None:
            raise ValueError(
                f"{cfg_path}: pretrained=True, but the model index of "
                f"{package!r} lists no weights for this config"
            )
        load_weights(model, weights, cfg_path)
    return model
