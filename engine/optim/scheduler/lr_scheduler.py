"""Learning-rate schedulers: the ``XxxLR`` families.

Each ``XxxLR`` is ``XxxParamScheduler`` with ``param_name='lr'``.
"""

from __future__ import annotations

from typing import Any

from engine.optim.scheduler._base import OptimizerLike
from engine.optim.scheduler.param_scheduler import (
    ConstantParamScheduler,
    CosineAnnealingParamScheduler,
    CosineRestartParamScheduler,
    ExponentialParamScheduler,
    LinearParamScheduler,
    MultiStepParamScheduler,
    OneCycleParamScheduler,
    PolyParamScheduler,
    ReduceOnPlateauParamScheduler,
    StepParamScheduler,
)
from engine.registry import PARAM_SCHEDULERS


class LRSchedulerMixin:
    """Fix ``param_name`` to ``'lr'``.

    Examples:
        >>> import torch
        >>> from engine.optim.scheduler import ExponentialLR
        >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
        >>> s = ExponentialLR(opt, gamma=0.9)
        >>> s.step(); opt.param_groups[0]['lr']
        0.9
    """

    def __init__(self, optimizer: OptimizerLike, *args: Any, **kwargs: Any) -> None:
        super().__init__(optimizer, "lr", *args, **kwargs)  # type: ignore[call-arg]


@PARAM_SCHEDULERS.register_module()
class ConstantLR(LRSchedulerMixin, ConstantParamScheduler):
    """Constant schedule of the learning rate (``'lr'``).

    See :class:`~engine.optim.scheduler.param_scheduler.ConstantParamScheduler`.

    Takes the same arguments without ``param_name``.
    """


@PARAM_SCHEDULERS.register_module()
class CosineAnnealingLR(LRSchedulerMixin, CosineAnnealingParamScheduler):
    """CosineAnnealing schedule of the learning rate (``'lr'``).

    See :class:`~engine.optim.scheduler.param_scheduler.CosineAnnealingParamScheduler`.

    Takes the same arguments without ``param_name``.
    """


@PARAM_SCHEDULERS.register_module()
class ExponentialLR(LRSchedulerMixin, ExponentialParamScheduler):
    """Exponential schedule of the learning rate (``'lr'``).

    See :class:`~engine.optim.scheduler.param_scheduler.ExponentialParamScheduler`.

    Takes the same arguments without ``param_name``.
    """


@PARAM_SCHEDULERS.register_module()
class LinearLR(LRSchedulerMixin, LinearParamScheduler):
    """Linear schedule of the learning rate (``'lr'``).

    See :class:`~engine.optim.scheduler.param_scheduler.LinearParamScheduler`.

    Takes the same arguments without ``param_name``.
    """


@PARAM_SCHEDULERS.register_module()
class MultiStepLR(LRSchedulerMixin, MultiStepParamScheduler):
    """MultiStep schedule of the learning rate (``'lr'``).

    See :class:`~engine.optim.scheduler.param_scheduler.MultiStepParamScheduler`.

    Takes the same arguments without ``param_name``.
    """


@PARAM_SCHEDULERS.register_module()
class StepLR(LRSchedulerMixin, StepParamScheduler):
    """Step schedule of the learning rate (``'lr'``).

    See :class:`~engine.optim.scheduler.param_scheduler.StepParamScheduler`.

    Takes the same arguments without ``param_name``.
    """


@PARAM_SCHEDULERS.register_module()
class PolyLR(LRSchedulerMixin, PolyParamScheduler):
    """Poly schedule of the learning rate (``'lr'``).

    See :class:`~engine.optim.scheduler.param_scheduler.PolyParamScheduler`.

    Takes the same arguments without ``param_name``.
    """


@PARAM_SCHEDULERS.register_module()
class OneCycleLR(LRSchedulerMixin, OneCycleParamScheduler):
    """OneCycle schedule of the learning rate (``'lr'``).

    See :class:`~engine.optim.scheduler.param_scheduler.OneCycleParamScheduler`.

    Takes the same arguments without ``param_name``.
    """


@PARAM_SCHEDULERS.register_module()
class CosineRestartLR(LRSchedulerMixin, CosineRestartParamScheduler):
    """CosineRestart schedule of the learning rate (``'lr'``).

    See :class:`~engine.optim.scheduler.param_scheduler.CosineRestartParamScheduler`.

    Takes the same arguments without ``param_name``.
    """


@PARAM_SCHEDULERS.register_module()
class ReduceOnPlateauLR(LRSchedulerMixin, ReduceOnPlateauParamScheduler):
    """ReduceOnPlateau schedule of the learning rate (``'lr'``).

    See :class:`~engine.optim.scheduler.param_scheduler.ReduceOnPlateauParamScheduler`.

    Takes the same arguments without ``param_name``.
    """


__all__ = [
    "ReduceOnPlateauLR",
    "OneCycleLR",
    "CosineRestartLR",
    "ConstantLR",
    "CosineAnnealingLR",
    "ExponentialLR",
    "LinearLR",
    "MultiStepLR",
    "StepLR",
    "PolyLR",
    "LRSchedulerMixin",
]
