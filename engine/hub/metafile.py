"""Find the pretrained weights of a package config in its model index.

A package that ships configs (see :mod:`engine.config.package_path`) may
describe its trained models in ``<package dir>/.mim/model-index.yml``::

    Import:
      - configs/retinanet/metafile.yml

Each imported metafile (path relative to ``.mim``) lists models::

    Models:
      - Name: retinanet_r50_fpn_1x_coco
        Config: configs/retinanet/retinanet_r50_fpn_1x_coco.py
        Weights: https://example.com/retinanet_r50_fpn_1x_coco.pth

The model whose ``Config`` is exactly ``configs/<path after '::'>`` gives the
weights of ``'pkg::<path>'``.
"""

from __future__ import annotations

import os.path as osp
from typing import Any

import yaml

__all__ = ["MODEL_INDEX", "find_weights"]

#: The model index, relative to the installed package directory.
MODEL_INDEX = osp.join(".mim", "model-index.yml")


def _load_yaml(path: str) -> Any:
    try:
        with open(path, encoding="utf-8") as f:
            return yaml.safe_load(f)
    except yaml.YAMLError as e:
        raise ValueError(f"{path}: invalid YAML: {e}") from e


def _metafiles(package_root: str) -> list[str]:
    """The metafiles the model index of ``package_root`` imports."""
    index_path = osp.join(package_root, MODEL_INDEX)
    if not osp.isfile(index_path):
        raise FileNotFoundError(
            f"{index_path} does not exist: the package has no model index, "
            "so no pretrained weights can be found"
        )
    index = _load_yaml(index_path) or {}
    imports = index.get("Import", []) if isinstance(index, dict) else []
    mim_dir = osp.dirname(index_path)
    return [osp.join(mim_dir, str(entry)) for entry in imports]


def find_weights(package_root: str, rel_cfg_path: str) -> str | None:
    """The ``Weights`` of the model whose config is ``rel_cfg_path``.

    Args:
        package_root: The installed package directory.
        rel_cfg_path: The config path inside the package's configs, as
            written after ``pkg::``.

    Returns:
        The weights URL or path, or None if no model uses this config.

    Raises:
        FileNotFoundError: if the package has no model index, or the index
            names a metafile that does not exist.
        ValueError: if the model of this config has no ``Weights``.

    Examples:
        >>> find_weights('/path/to/site-packages/fakedet',
        ...              'retinanet/retinanet_r50_fpn_1x_coco.py')
        ... # doctest: +SKIP
        'https://example.com/retinanet_r50_fpn_1x_coco.pth'
    """
    wanted = f"configs/{rel_cfg_path}"
    for metafile in _metafiles(package_root):
        if not osp.isfile(metafile):
            raise FileNotFoundError(
                f"{metafile}, imported by {osp.join(package_root, MODEL_INDEX)}, "
                "does not exist"
            )
        meta = _load_yaml(metafile) or {}
        for model in meta.get("Models", []) if isinstance(meta, dict) else []:
            if not isinstance(model, dict) or model.get("Config") != wanted:
                continue
            if "Weights" not in model:
                raise ValueError(
                    f"{metafile}: model {model.get('Name')!r} (config "
                    f"{wanted}) has no `Weights`"
                )
            return str(model["Weights"])
    return None
