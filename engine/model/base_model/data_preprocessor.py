"""Data preprocessors: the first step of ``train_step``/``val_step``.

A data preprocessor is an ``nn.Module`` called as ``preprocessor(data,
training)``. :class:`BaseDataPreprocessor` only moves the batch to the
model's device; :class:`ImgDataPreprocessor` also converts colour channels,
normalises and stacks (padding) images, after the move, so the host-to-device
copy carries the small uint8 images.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import torch
import torch.nn as nn
import torch.nn.functional as F

from engine.model.utils import stack_batch
from engine.registry import MODELS
from engine.structures import BaseDataElement
from engine.utils import is_seq_of
from engine.utils._errors import CompatValueError

CastData = Any


def _target_device(*args: Any, **kwargs: Any) -> torch.device | None:
    """The device of a ``Module.to``/``Tensor.to`` style call, if any."""
    device = torch._C._nn._parse_to(*args, **kwargs)[0]
    return None if device is None else torch.device(device)


def _accelerator_device(
    kind: str, device: int | str | torch.device | None
) -> torch.device:
    """``torch.device`` of a ``Module.cuda(device)`` style call."""
    if device is None:
        return torch.device(kind)
    if isinstance(device, int):
        return torch.device(kind, device)
    return torch.device(device)


@MODELS.register_module()
class BaseDataPreprocessor(nn.Module):
    """Move a batch, whatever its nesting, to the model's device.

    Mappings become plain dicts, lists and tuples (named tuples included)
    keep their type, tensors and data elements are moved with ``.to``;
    strings, bytes, None and anything else are returned unchanged. The
    device follows the module: ``to``, ``cuda``, ``cpu``, ... update it.

    Args:
        non_blocking: Copy to the device asynchronously. Defaults to False.

    Examples:
        >>> import torch
        >>> pre = BaseDataPreprocessor()
        >>> out = pre(dict(inputs=[torch.ones(2)], labels=(1, 'a')))
        >>> out['labels'], out['inputs'][0].device.type
        ((1, 'a'), 'cpu')
    """

    def __init__(self, non_blocking: bool | None = False) -> None:
        super().__init__()
        self._non_blocking = non_blocking
        self._device = torch.device("cpu")

    def cast_data(self, data: CastData) -> CastData:
        """Copy ``data`` with every tensor and data element on :attr:`device`.

        Args:
            data: A tensor, data element, or a nested mapping/sequence of them.

        Returns:
            The moved data (a new container; unchanged leaves are shared).
        """
        if isinstance(data, Mapping):
            return {key: self.cast_data(data[key]) for key in data}
        if isinstance(data, (str, bytes)) or data is None:
            return data
        if isinstance(data, tuple) and hasattr(data, "_fields"):  # namedtuple
            return type(data)(*(self.cast_data(item) for item in data))
        if isinstance(data, Sequence):
            return type(data)(self.cast_data(item) for item in data)  # type: ignore[call-arg]
        if isinstance(data, (torch.Tensor, BaseDataElement)):
            return data.to(self.device, non_blocking=bool(self._non_blocking))
        return data

    def forward(self, data: dict, training: bool = False) -> dict | list:
        """Move ``data`` to the device (``training`` is not used here).

        Args:
            data: The batch from the dataloader.
            training: Whether the model is training. Defaults to False.

        Returns:
            The batch on :attr:`device`.
        """
        return self.cast_data(data)

    @property
    def device(self) -> torch.device:
        """The device batches are moved to."""
        return self._device

    def to(self, *args: Any, **kwargs: Any) -> nn.Module:  # type: ignore[override]
        """``nn.Module.to`` that also updates :attr:`device`."""
        device = _target_device(*args, **kwargs)
        moved = super().to(*args, **kwargs)
        if device is not None:
            self._device = device
        return moved

    def cuda(self, *args: Any, **kwargs: Any) -> nn.Module:  # type: ignore[override]
        """``nn.Module.cuda`` that also updates :attr:`device`."""
        return self._to_accelerator("cuda", *args, **kwargs)

    def musa(self, *args: Any, **kwargs: Any) -> nn.Module:
        """Move to a MUSA device (needs a torch build with MUSA)."""
        return self._to_accelerator("musa", *args, **kwargs)

    def npu(self, *args: Any, **kwargs: Any) -> nn.Module:
        """Move to an Ascend NPU (needs ``torch_npu``)."""
        return self._to_accelerator("npu", *args, **kwargs)

    def mlu(self, *args: Any, **kwargs: Any) -> nn.Module:
        """Move to a Cambricon MLU (needs ``torch_mlu``)."""
        return self._to_accelerator("mlu", *args, **kwargs)

    def cpu(self, *args: Any, **kwargs: Any) -> nn.Module:  # type: ignore[override]
        """``nn.Module.cpu`` that also updates :attr:`device`."""
        moved = super().cpu()
        self._device = torch.device("cpu")
        return moved

    def _to_accelerator(self, kind: str, *args: Any, **kwargs: Any) -> nn.Module:
        backend = getattr(torch, kind)  # AttributeError without the backend
        device = kwargs.get("device", args[0] if args else None)
        if device is None:
            device = backend.current_device()
        moved = getattr(super(), kind)(*args, **kwargs)
        self._device = _accelerator_device(kind, device)
        return moved


@MODELS.register_module()
class ImgDataPreprocessor(BaseDataPreprocessor):
    """Move, convert, normalise and batch images.

    ``data['inputs']`` is either a list/tuple of (C, H, W) tensors, which are
    processed one by one and stacked with :func:`~engine.model.stack_batch`
    (padded at the bottom/right), or an (N, C, H, W) tensor, padded at the
    bottom/right. Images become float32: ``(img[[2, 1, 0]] - mean) / std``
    with the channel flip only when a conversion is set. The result has
    ``'inputs'`` and ``'data_samples'`` (None when absent).

    Args:
        mean: Per-channel mean, 1 or 3 values. Defaults to None (no
            normalisation; then ``std`` must be None too).
        std: Per-channel standard deviation, 1 or 3 values. Defaults to None.
        pad_size_divisor: Padded heights and widths are multiples of it.
            Defaults to 1.
        pad_value: Value of the padding. Defaults to 0.
        bgr_to_rgb: Flip BGR images to RGB. Defaults to False.
        rgb_to_bgr: Flip RGB images to BGR. Defaults to False.
        non_blocking: See :class:`BaseDataPreprocessor`. Defaults to False.

    Raises:
        ValueError: for both conversions, only one of mean/std, or a mean or
            std that has neither 1 nor 3 values (also an AssertionError).

    Examples:
        >>> import torch
        >>> pre = ImgDataPreprocessor(mean=[127.5], std=[127.5])
        >>> images = [torch.full((1, 2, 2), 255, dtype=torch.uint8)] * 3
        >>> out = pre(dict(inputs=images), True)
        >>> tuple(out['inputs'].shape), out['inputs'].max().item()
        ((3, 1, 2, 2), 1.0)
    """

    mean: torch.Tensor
    std: torch.Tensor

    def __init__(
        self,
        mean: Sequence[float | int] | None = None,
        std: Sequence[float | int] | None = None,
        pad_size_divisor: int = 1,
        pad_value: float | int = 0,
        bgr_to_rgb: bool = False,
        rgb_to_bgr: bool = False,
        non_blocking: bool | None = False,
    ) -> None:
        super().__init__(non_blocking)
        if bgr_to_rgb and rgb_to_bgr:
            raise CompatValueError(
                "`bgr2rgb` and `rgb2bgr` cannot be set to True at the same time"
            )
        if (mean is None) != (std is None):
            raise CompatValueError("mean and std should be both None or tuple")
        self._enable_normalize = mean is not None
        if mean is not None and std is not None:
            for name, values in (("mean", mean), ("std", std)):
                if len(values) not in (1, 3):
                    raise CompatValueError(
                        f"`{name}` should have 1 or 3 values, to be compatible with "
                        f"RGB or gray image, but got {len(values)} values"
                    )
                self.register_buffer(name, torch.tensor(values).view(-1, 1, 1), False)
        self._channel_conversion = rgb_to_bgr or bgr_to_rgb
        self.pad_size_divisor = pad_size_divisor
        self.pad_value = pad_value

    def forward(self, data: dict, training: bool = False) -> dict | list:
        """Move, convert, normalise and stack ``data['inputs']``.

        Args:
            data: A dict with ``'inputs'`` (and optionally ``'data_samples'``).
            training: Whether the model is training. Defaults to False.

        Returns:
            The dict with the batched ``'inputs'`` and ``'data_samples'``.

        Raises:
            TypeError: if ``'inputs'`` is neither a tensor nor a sequence of
                tensors.
            ValueError: for a batch tensor that is not 4-D, or a 3-value mean
                with an image that is not (3, H, W) (also an AssertionError).
        """
        data = self.cast_data(data)
        inputs = data["inputs"]
        if is_seq_of(inputs, torch.Tensor):
            images = [self._process(image, channel_dim=0) for image in inputs]
            batch = stack_batch(images, self.pad_size_divisor, self.pad_value)
        elif isinstance(inputs, torch.Tensor):
            batch = self._pad(self._process(self._check_batch(inputs), channel_dim=1))
        else:
            raise TypeError(
                "Output of `cast_data` should be a dict of list/tuple with inputs "
                f"and data_samples, but got {type(data)}: {data}"
            )
        data["inputs"] = batch
        data.setdefault("data_samples", None)
        return data

    def _process(self, images: torch.Tensor, channel_dim: int) -> torch.Tensor:
        """Channel flip, float32, normalisation of one image or a batch."""
        if self._channel_conversion:
            images = images[[2, 1, 0]] if channel_dim == 0 else images[:, [2, 1, 0]]
        images = images.float()
        if not self._enable_normalize:
            return images
        if channel_dim == 0 and self.mean.shape[0] == 3:
            if images.dim() != 3 or images.shape[0] != 3:
                raise CompatValueError(
                    "If the mean has 3 values, the input tensor should in shape of "
                    f"(3, H, W), but got the tensor with shape {images.shape}"
                )
        return (images - self.mean) / self.std

    @staticmethod
    def _check_batch(inputs: torch.Tensor) -> torch.Tensor:
        if inputs.dim() != 4:
            raise CompatValueError(
                "The input of `ImgDataPreprocessor` should be a NCHW tensor or a "
                f"list of tensor, but got a tensor with shape: {inputs.shape}"
            )
        return inputs

    def _pad(self, batch: torch.Tensor) -> torch.Tensor:
        """Pad an (N, C, H, W) batch at the bottom/right to the divisor."""
        height, width = batch.shape[2:]
        divisor = self.pad_size_divisor
        pad_h = math.ceil(height / divisor) * divisor - height
        pad_w = math.ceil(width / divisor) * divisor - width
        return F.pad(batch, (0, pad_w, 0, pad_h), "constant", self.pad_value)
