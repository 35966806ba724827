"""``BaseDataPreprocessor.cast_data`` and ``ImgDataPreprocessor``."""

from __future__ import annotations

from collections import OrderedDict, defaultdict, namedtuple
from typing import Any

import numpy as np
import pytest
import torch

from engine.model import BaseDataPreprocessor, ImgDataPreprocessor
from engine.registry import MODELS
from engine.structures import BaseDataElement

Pair = namedtuple("Pair", ["a", "b"])


class MyList(list):
    pass


def test_registered_in_models() -> None:
    assert MODELS.get("BaseDataPreprocessor") is BaseDataPreprocessor
    assert MODELS.get("ImgDataPreprocessor") is ImgDataPreprocessor


def test_cast_data_containers() -> None:
    pre = BaseDataPreprocessor()
    tensor = torch.ones(2)
    element = BaseDataElement(metainfo=dict(id=1), value=tensor)
    data = dict(
        inputs=[tensor, tensor],
        samples=[element],
        text="str",
        raw=b"b",
        none=None,
        number=3,
        pair=Pair(tensor, 2),
        ordered=OrderedDict(z=tensor),
        default=defaultdict(list, a=[tensor]),
        array=np.ones(2),
        labels=(1, "a"),
        custom=MyList([tensor]),
        bag={1, 2},
    )
    out = pre(data)
    assert out is not data and type(out) is dict
    assert out["inputs"] is not data["inputs"] and out["inputs"][0] is tensor
    assert isinstance(out["samples"][0], BaseDataElement)
    assert out["samples"][0].metainfo == dict(id=1)
    assert (out["text"], out["raw"], out["none"], out["number"]) == (
        "str",
        b"b",
        None,
        3,
    )
    assert isinstance(out["pair"], Pair) and out["pair"].b == 2
    assert type(out["ordered"]) is dict and type(out["default"]) is dict
    assert out["array"] is data["array"] and out["bag"] is data["bag"]
    assert out["labels"] == (1, "a") and type(out["custom"]) is MyList
    assert pre.cast_data(tensor) is tensor
    with pytest.raises(TypeError):
        pre(range(3))  # type: ignore[arg-type]


def test_moves_to_the_device() -> None:
    pre = BaseDataPreprocessor()
    assert pre.device == torch.device("cpu")
    assert pre.to("meta") is pre and pre.device == torch.device("meta")
    element = BaseDataElement(value=torch.ones(1))
    out = pre(dict(inputs=torch.ones(2), samples=[element]))
    assert out["inputs"].device.type == "meta"
    assert out["samples"][0].value.device.type == "meta"
    assert pre.cpu() is pre and pre.device == torch.device("cpu")


class RecordingElement(BaseDataElement):
    def to(self, *args: Any, **kwargs: Any) -> RecordingElement:
        self.set_metainfo(dict(call=(args, kwargs)))
        return self


@pytest.mark.parametrize("non_blocking", [False, True])
def test_non_blocking_is_passed_on(non_blocking: bool) -> None:
    out = BaseDataPreprocessor(non_blocking=non_blocking).cast_data(RecordingElement())
    assert out.call == ((torch.device("cpu"),), dict(non_blocking=non_blocking))


def test_forward_defaults_to_not_training() -> None:
    import inspect

    assert (
        inspect.signature(BaseDataPreprocessor.forward).parameters["training"].default
        is False
    )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            dict(bgr_to_rgb=True, rgb_to_bgr=True),
            "cannot be set to True at the same time",
        ),
        (dict(mean=[1, 2, 3]), "both None or tuple"),
        (dict(std=[1, 2, 3]), "both None or tuple"),
        (dict(mean=[1, 2], std=[1, 2]), "`mean` should have 1 or 3 values"),
        (dict(mean=[1, 2, 3], std=[1, 2]), "`std` should have 1 or 3 values"),
    ],
)
def test_img_arguments(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        ImgDataPreprocessor(**kwargs)
    with pytest.raises(AssertionError):
        ImgDataPreprocessor(**kwargs)


def test_img_buffers_are_not_persistent() -> None:
    pre = ImgDataPreprocessor(mean=[1, 2, 3], std=[1.0, 2.0, 4.0])
    assert pre.mean.shape == (3, 1, 1) and pre.mean.dtype == torch.int64
    assert pre.state_dict() == OrderedDict()
    assert set(dict(pre.named_buffers())) == {"mean", "std"}
    assert dict(ImgDataPreprocessor().named_buffers()) == {}


def rgb_image() -> torch.Tensor:
    return torch.stack([torch.full((2, 2), c, dtype=torch.uint8) for c in (10, 20, 30)])


def test_img_flip_then_normalise() -> None:
    pre = ImgDataPreprocessor(mean=[1, 2, 3], std=[1, 2, 4], bgr_to_rgb=True)
    out = pre(dict(inputs=[rgb_image()]))
    expected = torch.tensor([(30 - 1) / 1, (20 - 2) / 2, (10 - 3) / 4])
    torch.testing.assert_close(out["inputs"][0, :, 0, 0], expected)
    batch = ImgDataPreprocessor(rgb_to_bgr=True)(dict(inputs=rgb_image()[None]))
    assert batch["inputs"].dtype == torch.float32
    assert batch["inputs"][0, :, 0, 0].tolist() == [30.0, 20.0, 10.0]


def test_img_three_value_mean_needs_three_channels() -> None:
    pre = ImgDataPreprocessor(mean=[1, 2, 3], std=[1, 2, 4])
    for image in (torch.ones(1, 2, 2), torch.ones(2, 2), torch.ones(4, 2, 2)):
        with pytest.raises(ValueError, match="should in shape of \\(3, H, W\\)"):
            pre(dict(inputs=[image]))
    # A batch tensor is broadcast without the check.
    assert pre(dict(inputs=torch.ones(1, 1, 2, 2)))["inputs"].shape == (1, 3, 2, 2)


def test_img_inputs_types() -> None:
    pre = ImgDataPreprocessor()
    with pytest.raises(ValueError, match="NCHW tensor"):
        pre(dict(inputs=torch.ones(3, 2, 2)))
    with pytest.raises(TypeError, match="should be a dict of list/tuple"):
        pre(dict(inputs=[torch.ones(1, 2, 2), 1]))
    with pytest.raises(ValueError, match="could not be an empty list"):
        pre(dict(inputs=[]))
    with pytest.raises(KeyError):
        pre(dict(images=[torch.ones(1, 2, 2)]))
    out = pre(dict(inputs=(torch.ones(1, 2, 2), torch.ones(1, 2, 2)), extra=1))
    assert out["inputs"].shape == (2, 1, 2, 2)
    assert out["data_samples"] is None and out["extra"] == 1


def test_img_keeps_data_samples_and_input_dict() -> None:
    data = dict(inputs=[torch.ones(1, 2, 2)], data_samples=["a"])
    out = ImgDataPreprocessor()(data, True)
    assert out["data_samples"] == ["a"]
    assert isinstance(data["inputs"], list)  # the caller's dict is unchanged


def test_img_pads_lists_and_batches() -> None:
    pre = ImgDataPreprocessor(mean=[1], std=[2], pad_size_divisor=4, pad_value=100)
    expected = torch.full((4, 4), 100.0)
    expected[:3, :3] = 2.0  # (5 - 1) / 2, padded after normalisation
    listed = pre(dict(inputs=[torch.full((1, 3, 3), 5.0)]))["inputs"]
    batched = pre(dict(inputs=torch.full((1, 1, 3, 3), 5.0, dtype=torch.float64)))[
        "inputs"
    ]
    for out in (listed, batched):
        assert out.dtype == torch.float32
        torch.testing.assert_close(out[0, 0], expected)
    unpadded = ImgDataPreprocessor(pad_size_divisor=4)(
        dict(inputs=torch.ones(1, 1, 4, 8))
    )
    assert unpadded["inputs"].shape == (1, 1, 4, 8)
