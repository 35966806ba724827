"""Averaged copies of a model: EMA and SWA weights.

An averaged model holds a deep copy of the source model (``module``, with
``requires_grad`` off) and a ``steps`` buffer counting the calls to
:meth:`BaseAveragedModel.update_parameters`, which does::

    source = model's parameters (and buffers if update_buffers)
    if steps == 0:                       # the first call copies
        copy every source tensor into the average
    elif steps % interval == 0:          # then every `interval` calls
        for each floating-point tensor: avg_func(average, source, steps)
    if not update_buffers:               # buffers follow the model
        copy every buffer of the model into the average
    steps += 1

Tensors are matched by name, so the source must be the bare model (unwrap a
``DistributedDataParallel`` first). Non-floating-point tensors (such as
BatchNorm's ``num_batches_tracked``) averaged with ``update_buffers=True``
keep the value of the first copy.
"""

from __future__ import annotations

import logging
from abc import abstractmethod
from copy import deepcopy
from typing import Any

import torch
import torch.nn as nn
from torch import Tensor

from engine.logging import print_log
from engine.registry import MODELS
from engine.utils._errors import CompatValueError

__all__ = [
    "BaseAveragedModel",
    "ExponentialMovingAverage",
    "MomentumAnnealingEMA",
    "StochasticWeightAverage",
]


class BaseAveragedModel(nn.Module):
    """A copy of ``model`` whose tensors are a running average of its own.

    Subclasses define the average in :meth:`avg_func`. Calling the averaged
    model runs the copy (``forward`` delegates to ``module``).

    Args:
        model: The model to average; it is deep-copied.
        interval: Average every ``interval`` calls of
            :meth:`update_parameters`. Defaults to 1.
        device: Where the copy lives (e.g. ``'cpu'`` to keep an EMA of a GPU
            model on the host). Defaults to None: the model's own device.
        update_buffers: Average the buffers as well as the parameters; when
            False the buffers are copied from the model at every call.
            Defaults to False.

    Examples:
        >>> import torch.nn as nn
        >>> ema = ExponentialMovingAverage(nn.Linear(2, 2), momentum=0.1)
        >>> ema.update_parameters(ema.module)
        >>> int(ema.steps)
        1
    """

    steps: Tensor

    def __init__(
        self,
        model: nn.Module,
        interval: int = 1,
        device: torch.device | None = None,
        update_buffers: bool = False,
    ) -> None:
        super().__init__()
        self.module = deepcopy(model).requires_grad_(False)
        self.interval = interval
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("steps", torch.tensor(0, dtype=torch.long, device=device))
        self.update_buffers = update_buffers
        if update_buffers:
            self.avg_parameters = dict(self.module.state_dict(keep_vars=True))
        else:
            self.avg_parameters = dict(self.module.named_parameters())

    @abstractmethod
    def avg_func(
        self, averaged_param: Tensor, source_param: Tensor, steps: int
    ) -> None:
        """Update ``averaged_param`` in place towards ``source_param``.

        Args:
            averaged_param: The averaged tensor (updated in place).
            source_param: The matching tensor of the source model.
            steps: The number of :meth:`update_parameters` calls before this
                one.
        """

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """Run the averaged copy: ``self.module(*args, **kwargs)``."""
        return self.module(*args, **kwargs)

    def update_parameters(self, model: nn.Module) -> None:
        """Fold the current tensors of ``model`` into the average.

        Args:
            model: The (unwrapped) model being trained; its tensor names must
                match the averaged copy's.

        Raises:
            KeyError: if a tensor of the averaged copy has no counterpart of
                the same name in ``model``.
        """
        if self.update_buffers:
            source = dict(model.state_dict(keep_vars=True))
        else:
            source = dict(model.named_parameters())
        steps = int(self.steps.item())
        if steps == 0:
            for name, averaged in self.avg_parameters.items():
                averaged.data.copy_(_source_tensor(source, name, averaged))
        elif steps % self.interval == 0:
            for name, averaged in self.avg_parameters.items():
                if averaged.dtype.is_floating_point:
                    src = _source_tensor(source, name, averaged)
                    self.avg_func(averaged.data, src, steps)
        if not self.update_buffers:
            buffers = dict(model.named_buffers())
            for name, averaged in self.module.named_buffers():
                averaged.data.copy_(_source_tensor(buffers, name, averaged))
        self.steps += 1


def _source_tensor(source: dict[str, Tensor], name: str, averaged: Tensor) -> Tensor:
    """``source[name]`` detached and moved to ``averaged``'s device."""
    try:
        tensor = source[name]
    except KeyError as e:
        raise KeyError(
            f"{name!r}: the averaged model has this tensor but the model passed "
            "to update_parameters does not (pass the unwrapped model)"
        ) from e
    return tensor.detach().to(averaged.device)


@MODELS.register_module()
class StochasticWeightAverage(BaseAveragedModel):
    """The arithmetic mean of the weights seen (SWA).

    After ``n`` averaging calls the weights equal the mean of the ``n``
    source weights: ``averaged += (source - averaged) / (steps + 1)``.

    Examples:
        >>> import torch, torch.nn as nn
        >>> model = nn.Linear(1, 1, bias=False)
        >>> swa = StochasticWeightAverage(model)
        >>> for value in (1.0, 2.0, 6.0):
        ...     _ = model.weight.data.fill_(value)
        ...     swa.update_parameters(model)
        >>> swa.module.weight.item()
        3.0
    """

    def avg_func(
        self, averaged_param: Tensor, source_param: Tensor, steps: int
    ) -> None:
        """``averaged += (source - averaged) / (steps + 1)``."""
        averaged_param.add_((source_param - averaged_param) / (steps + 1))


@MODELS.register_module()
class ExponentialMovingAverage(BaseAveragedModel):
    r"""Exponential moving average of the weights.

    ``averaged = (1 - momentum) * averaged + momentum * source``: the
    momentum is the weight of the *new* value, so it is small (the opposite
    of the ``momentum`` of ``torch.optim.SGD``).

    Args:
        model: The model to average; it is deep-copied.
        momentum: Weight of the source in each update, in (0, 1). Values
            above 0.5 are accepted with a warning. Defaults to 0.0002.
        interval: Average every ``interval`` calls. Defaults to 1.
        device: Where the copy lives. Defaults to None.
        update_buffers: Average the buffers too. Defaults to False.

    Raises:
        ValueError: (also an ``AssertionError``, as in MMEngine) if
            ``momentum`` is not in (0, 1).

    Examples:
        >>> import torch, torch.nn as nn
        >>> model = nn.Linear(1, 1, bias=False)
        >>> _ = model.weight.data.fill_(0.0)
        >>> ema = ExponentialMovingAverage(model, momentum=0.1)
        >>> ema.update_parameters(model)  # the first call copies
        >>> _ = model.weight.data.fill_(10.0)
        >>> ema.update_parameters(model)
        >>> round(ema.module.weight.item(), 4)
        1.0
    """

    def __init__(
        self,
        model: nn.Module,
        momentum: float = 0.0002,
        interval: int = 1,
        device: torch.device | None = None,
        update_buffers: bool = False,
    ) -> None:
        super().__init__(model, interval, device, update_buffers)
        if not 0.0 < momentum < 1.0:
            raise CompatValueError(
                f"momentum must be in range (0.0, 1.0), but got {momentum}"
            )
        if momentum > 0.5:
            print_log(
                "The value of momentum in EMA is usually a small number, which "
                "is the weight of the new value (averaged = (1 - momentum) * "
                f"averaged + momentum * source), but got {momentum}. Please "
                "make sure the value is correct.",
                logger="current",
                level=logging.WARNING,
            )
        self.momentum = momentum

    def avg_func(
        self, averaged_param: Tensor, source_param: Tensor, steps: int
    ) -> None:
        """``averaged = (1 - momentum) * averaged + momentum * source``."""
        averaged_param.lerp_(source_param, self.momentum)


@MODELS.register_module()
class MomentumAnnealingEMA(ExponentialMovingAverage):
    """EMA whose momentum starts high and anneals to ``momentum``.

    The momentum used is ``max(momentum, gamma / (gamma + steps))``, where
    ``steps`` is the model's ``steps`` buffer (the number of
    :meth:`update_parameters` calls so far): early averages follow the model
    closely, later ones settle to the EMA with ``momentum``.

    Args:
        model: The model to average; it is deep-copied.
        momentum: The final (smallest) momentum, in (0, 1). Defaults to
            0.0002.
        gamma: How slowly the momentum anneals; must be positive. Defaults
            to 100.
        interval: Average every ``interval`` calls. Defaults to 1.
        device: Where the copy lives. Defaults to None.
        update_buffers: Average the buffers too. Defaults to False.

    Raises:
        ValueError: (also an ``AssertionError``, as in MMEngine) if ``gamma``
            is not positive or ``momentum`` is not in (0, 1).

    Examples:
        >>> import torch.nn as nn
        >>> ema = MomentumAnnealingEMA(nn.Linear(1, 1), gamma=10)
        >>> ema.gamma
        10
    """

    def __init__(
        self,
        model: nn.Module,
        momentum: float = 0.0002,
        gamma: int = 100,
        interval: int = 1,
        device: torch.device | None = None,
        update_buffers: bool = False,
    ) -> None:
        super().__init__(
            model=model,
            momentum=momentum,
            interval=interval,
            device=device,
            update_buffers=update_buffers,
        )
        if not gamma > 0:
            raise CompatValueError(f"gamma must be greater than 0, but got {gamma}")
        self.gamma = gamma

    def avg_func(
        self, averaged_param: Tensor, source_param: Tensor, steps: int
    ) -> None:
        """EMA with momentum ``max(momentum, gamma / (gamma + self.steps))``."""
        done = int(self.steps.item())
        momentum = max(self.momentum, self.gamma / (self.gamma + done))
        averaged_param.lerp_(source_param, momentum)
