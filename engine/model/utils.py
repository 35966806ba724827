"""Model helpers: batching images, merging dicts, finding unused parameters,
and swapping BatchNorm layers for SyncBatchNorm and back."""

from __future__ import annotations

import logging
import math
from typing import Any

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.modules.batchnorm import _BatchNorm

from engine.logging import print_log
from engine.utils._errors import CompatTypeError, CompatValueError

__all__ = [
    "convert_sync_batchnorm",
    "detect_anomalous_params",
    "merge_dict",
    "revert_sync_batchnorm",
    "stack_batch",
]


def stack_batch(
    tensor_list: list[torch.Tensor],
    pad_size_divisor: int = 1,
    pad_value: int | float = 0,
) -> torch.Tensor:
    """Stack tensors of one rank into a batch, padding them to a common shape.

    Every dimension but the first (the channels) is padded at its end with
    ``pad_value`` up to the largest size in the list, rounded up to a
    multiple of ``pad_size_divisor``.

    Args:
        tensor_list: Tensors of the same number of dimensions, e.g. (C, H, W)
            images.
        pad_size_divisor: The padded sizes are multiples of it. Defaults to 1.
        pad_value: Value of the padding. Defaults to 0.

    Returns:
        A tensor of shape ``(len(tensor_list), C, *padded_sizes)``.

    Raises:
        TypeError: if ``tensor_list`` is not a list (also an AssertionError).
        ValueError: if it is empty, holds 0-dimensional tensors or tensors
            that differ in their number of dimensions (also an
            AssertionError).

    Examples:
        >>> import torch
        >>> batch = stack_batch([torch.ones(3, 5, 6), torch.ones(3, 7, 4)], 8)
        >>> tuple(batch.shape)
        (2, 3, 8, 8)
    """
    if not isinstance(tensor_list, list):
        raise CompatTypeError(
            f"Expected input type to be list, but got {type(tensor_list)}"
        )
    if not tensor_list:
        raise CompatValueError("`tensor_list` could not be an empty list")
    ndims = [tensor.ndim for tensor in tensor_list]
    if len(set(ndims)) != 1:
        raise CompatValueError(
            f"Expected the dimensions of all tensors must be the same, but got {ndims}"
        )
    if ndims[0] == 0:
        raise CompatValueError("stack_batch needs tensors of at least 1 dimension")
    shapes = [tuple(tensor.shape) for tensor in tensor_list]
    target = [
        math.ceil(max(sizes) / pad_size_divisor) * pad_size_divisor
        for sizes in zip(*shapes)
    ]
    # The first dimension (channels) is never padded.
    missing = [[0] + [t - s for t, s in zip(target[1:], shape[1:])] for shape in shapes]
    if not any(any(row) for row in missing):
        return torch.stack(tensor_list)
    padded = [
        F.pad(tensor, _end_padding(row), value=pad_value)
        for tensor, row in zip(tensor_list, missing)
    ]
    return torch.stack(padded)


def _end_padding(missing: list[int]) -> tuple[int, ...]:
    """``F.pad`` amounts (last dimension first) that pad only at the end."""
    return tuple(amount for size in reversed(missing) for amount in (0, size))


def merge_dict(*args: dict) -> dict:
    """Merge dicts into a new one; later keys win.

    Args:
        *args: The dicts.

    Returns:
        A new plain dict.

    Raises:
        TypeError: if an argument is not a dict (also an AssertionError).

    Examples:
        >>> merge_dict(dict(a=1, b=2), dict(b=3))
        {'a': 1, 'b': 3}
    """
    output: dict = {}
    for item in args:
        if not isinstance(item, dict):
            raise CompatTypeError(
                f"all arguments of merge_dict should be a dict, but got {type(item)}"
            )
        output.update(item)
    return output


def detect_anomalous_params(loss: torch.Tensor, model: nn.Module) -> None:
    """Log, at ERROR level, each trainable parameter ``loss`` does not reach.

    Walks the autograd graph of ``loss`` and reports every parameter of
    ``model`` that requires grad but is not a leaf of it (the usual cause of
    DDP's "unused parameters" error).

    Args:
        loss: The loss.
        model: The model.

    Examples:
        >>> import torch
        >>> import torch.nn as nn
        >>> net = nn.ModuleDict(dict(used=nn.Linear(1, 1), unused=nn.Linear(1, 1)))
        >>> detect_anomalous_params(net['used'](torch.ones(1)).sum(), net)
        ... # doctest: +SKIP
    """
    in_graph = _graph_leaves(loss)
    for name, param in model.named_parameters():
        if param.requires_grad and param not in in_graph:
            print_log(
                f"{name} with shape {param.size()} "
                "is not in the computational graph \n",
                logger="current",
                level=logging.ERROR,
            )


def _graph_leaves(loss: torch.Tensor) -> set[torch.Tensor]:
    leaves: set[torch.Tensor] = set()
    seen: set[Any] = set()
    stack = [loss.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        if hasattr(node, "variable"):
            leaves.add(node.variable)
        stack.extend(parent for parent, _ in node.next_functions)
    return leaves


class _BatchNormXd(_BatchNorm):
    """A BatchNorm for inputs of any rank (what SyncBatchNorm reverts to).

    ``SyncBatchNorm`` accepts 2-D to 5-D inputs; reverting it to a
    ``BatchNorm{1,2,3}d`` would fix one rank, so the reverted layer skips the
    input check instead.
    """

    def _check_input_dim(self, input: torch.Tensor) -> None:  # noqa: A002
        return


def _copy_batchnorm_state(source: _BatchNorm, target: _BatchNorm) -> None:
    """Make ``target`` share the parameters and statistics of ``source``."""
    if source.affine:
        target.weight = source.weight
        target.bias = source.bias
    target.running_mean = source.running_mean
    target.running_var = source.running_var
    target.num_batches_tracked = source.num_batches_tracked
    if hasattr(source, "qconfig"):
        target.qconfig = source.qconfig


def _batchnorm_args(module: _BatchNorm) -> dict[str, Any]:
    return dict(
        num_features=module.num_features,
        eps=module.eps,
        momentum=module.momentum,
        affine=module.affine,
        track_running_stats=module.track_running_stats,
    )


def revert_sync_batchnorm(module: nn.Module) -> nn.Module:
    """Replace every ``SyncBatchNorm`` in ``module`` by a :class:`_BatchNormXd`.

    The new layers share the parameters and running statistics of the old
    ones and keep their ``training`` flag, so a model trained with
    SyncBatchNorm runs on CPU or in one process.

    Args:
        module: The module (changed in place where possible).

    Returns:
        ``module``, or the replacement when ``module`` itself is a
        SyncBatchNorm.

    Examples:
        >>> import torch.nn as nn
        >>> reverted = revert_sync_batchnorm(nn.Sequential(nn.SyncBatchNorm(4)))
        >>> type(reverted[0]).__name__
        '_BatchNormXd'
    """
    if isinstance(module, _sync_batchnorm_types()):
        reverted = _BatchNormXd(**_batchnorm_args(module))  # type: ignore[arg-type]
        _copy_batchnorm_state(module, reverted)  # type: ignore[arg-type]
        reverted.training = module.training
        module = reverted
    for name, child in list(module.named_children()):
        module.add_module(name, revert_sync_batchnorm(child))
    return module


def _sync_batchnorm_types() -> tuple[type, ...]:
    """``nn.SyncBatchNorm``, plus mmcv's SyncBatchNorm when mmcv is installed."""
    types: list[type] = [nn.SyncBatchNorm]
    try:
        from mmcv.ops import SyncBatchNorm
    except ImportError:
        return tuple(types)
    types.append(SyncBatchNorm)
    return tuple(types)


def convert_sync_batchnorm(
    module: nn.Module, implementation: str = "torch"
) -> nn.Module:
    """Replace every BatchNorm layer in ``module`` by a SyncBatchNorm.

    The new layers share the parameters and running statistics of the old
    ones; like MMEngine, they start in training mode.

    Args:
        module: The module (changed in place where possible).
        implementation: ``'torch'`` (``nn.SyncBatchNorm``) or ``'mmcv'``
            (``mmcv.ops.SyncBatchNorm``, which needs mmcv). Defaults to
            ``'torch'``.

    Returns:
        ``module``, or the replacement when ``module`` itself is a BatchNorm.

    Raises:
        ValueError: for another ``implementation`` (when a BatchNorm is found).
        ModuleNotFoundError: for ``'mmcv'`` without mmcv installed.

    Examples:
        >>> import torch.nn as nn
        >>> converted = convert_sync_batchnorm(nn.Sequential(nn.BatchNorm2d(4)))
        >>> type(converted[0]).__name__
        'SyncBatchNorm'
    """
    if isinstance(module, _BatchNorm):
        converted = _sync_batchnorm_class(implementation)(**_batchnorm_args(module))
        _copy_batchnorm_state(module, converted)
        module = converted
    for name, child in list(module.named_children()):
        module.add_module(name, convert_sync_batchnorm(child, implementation))
    return module


def _sync_batchnorm_class(implementation: str) -> Any:
    if implementation == "torch":
        return nn.SyncBatchNorm
    if implementation == "mmcv":
        try:
            from mmcv.ops import SyncBatchNorm
        except ImportError as e:
            raise ModuleNotFoundError(
                "convert_sync_batchnorm(implementation='mmcv') needs mmcv "
                "(pip install mmcv)",
                name="mmcv",
            ) from e
        return SyncBatchNorm
    raise ValueError(f'sync_bn should be "torch" or "mmcv", but got {implementation}')
