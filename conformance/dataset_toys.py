"""Shared toys of the dataset conformance tests (the doc's fixtures, L6260-6499).

``write_toy_data`` writes the doc's ``data/`` tree: ``annotations/train.json``
and a ``val.json`` copy, and two tiny JPEG images per split (Pillow).
``ToyDataset`` (``toy_class``) is the doc's, and its pipeline loads images
with Pillow instead of ``cv2`` (AMB-38).
"""

from __future__ import annotations

import itertools
import json
import os.path as osp
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import torch
from PIL import Image

from conformance.harness.impl import Impl

ANN = {
    "metainfo": {"classes": ["cat", "dog"]},
    "data_list": [
        {"img_path": "xxx/xxx_0.jpg", "img_label": 0},
        {"img_path": "xxx/xxx_1.jpg", "img_label": 1},
    ],
}
IMAGE_HW = (6, 4)
_counter = itertools.count()


def unique(name: str) -> str:
    """A registry name no other test uses (registries are process-wide)."""
    return f"{name}{next(_counter)}"


class LoadImage:
    """The doc's LoadImage with Pillow instead of cv2 (AMB-38)."""

    def __call__(self, results: dict) -> dict:
        results["img"] = np.asarray(Image.open(results["img_path"]).convert("RGB"))
        return results


class ParseImage:
    def __call__(self, results: dict) -> dict:
        results["img_shape"] = results["img"].shape
        return results


def write_toy_data(root: Path) -> None:
    """``root`` = ``data/`` with annotations/{train,val}.json, {train,val}/xxx/*.jpg."""
    (root / "annotations").mkdir(parents=True)
    for split in ("train", "val"):
        (root / "annotations" / f"{split}.json").write_text(json.dumps(ANN))
        (root / split / "xxx").mkdir(parents=True)
        for i in range(2):
            pixels = np.full((*IMAGE_HW, 3), 60 * i + (split == "val"), np.uint8)
            Image.fromarray(pixels).save(root / split / "xxx" / f"xxx_{i}.jpg")


def toy_class(impl: Impl, with_cat_ids: bool = False) -> type:
    """The doc's ToyDataset (L6404-6419), optionally with get_cat_ids (L6722)."""

    class ToyDataset(impl.attr("dataset.BaseDataset")):  # type: ignore[misc]
        def parse_data_info(self, raw_data_info: dict) -> dict:
            data_info = raw_data_info
            img_prefix = self.data_prefix.get("img_path", None)
            if img_prefix is not None:
                data_info["img_path"] = osp.join(img_prefix, data_info["img_path"])
            return data_info

    if with_cat_ids:

        def get_cat_ids(self: Any, idx: int) -> list[int]:
            return [int(self.get_data_info(idx)["img_label"])]

        ToyDataset.get_cat_ids = get_cat_ids  # type: ignore[attr-defined]
    return ToyDataset


def toy_dataset(impl: Impl, split: str = "train", **kwargs: Any) -> Any:
    cls = kwargs.pop("cls", None) or toy_class(impl)
    return cls(
        data_root="data/",
        data_prefix=dict(img_path=f"{split}/"),
        ann_file=f"annotations/{split}.json",
        pipeline=[LoadImage(), ParseImage()],
        **kwargs,
    )


def list_dataset(impl: Impl, items: Sequence[dict], **kwargs: Any) -> Any:
    """A BaseDataset whose load_data_list returns ``items`` (DATA-13)."""

    class ListDataset(impl.attr("dataset.BaseDataset")):  # type: ignore[misc]
        def load_data_list(self) -> list[dict]:
            return [dict(item) for item in items]

    return ListDataset(**kwargs)


def simulated(impl: Impl, rank: int, world_size: int) -> Any:
    """Make the sampler module see ``(rank, world_size)``."""
    module = impl.mod("dataset.sampler")
    return mock.patch.object(module, "get_dist_info", return_value=(rank, world_size))


def randperm(size: int, seed: int) -> list[int]:
    generator = torch.Generator()
    generator.manual_seed(seed)
    return torch.randperm(size, generator=generator).tolist()
