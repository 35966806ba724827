"""Momentum schedulers: the ``XxxMomentum`` families.

Each ``XxxMomentum`` is ``XxxParamScheduler`` with ``param_name='momentum'``.
On optimizers with ``betas`` (Adam and its kin) the scheduled momentum is
``betas[0]``; the groups then also carry a ``'momentum'`` key that mirrors it.
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
    PolyParamScheduler,
    ReduceOnPlateauParamScheduler,
    StepParamScheduler,
)
from engine.registry import PARAM_SCHEDULERS


class MomentumSchedulerMixin:
    """Fix ``param_name`` to ``'momentum'`` and drive ``betas[0]`` if present.

    Examples:
        >>> import torch
        >>> from engine.optim.scheduler import LinearMomentum
        >>> opt = torch.optim.Adam([torch.zeros(1, requires_grad=True)],
        ...                        betas=(0.9, 0.999))
        >>> s = LinearMomentum(opt, start_factor=0.5, end=3)
        >>> opt.param_groups[0]['betas']
        (0.45, 0.999)
    """

    def __init__(self, optimizer: OptimizerLike, *args: Any, **kwargs: Any) -> None:
        groups = optimizer.param_groups
        self.use_betas = bool(groups) and "betas" in groups[0]
        if self.use_betas:
            for group in groups:
                group["momentum"] = group["betas"][0]
        super().__init__(optimizer, "momentum", *args, **kwargs)  # type: ignore[call-arg]

    def _set_value(self, group: dict[str, Any], value: float) -> None:
        """Write the momentum (and ``betas[0]`` when the optimizer has betas)."""
        if self.use_betas:
            group["betas"] = (value, *group["betas"][1:])
        group["momentum"] = value


@PARAM_SCHEDULERS.register_module()
class ConstantMomentum(MomentumSchedulerMixin, ConstantParamScheduler):
    """Constant schedule of the momentum (or ``betas[0]``).

    See :class:`~engine.optim.scheduler.param_scheduler.ConstantParamScheduler`.

    Takes the same arguments without ``param_name``.
    """


@PARAM_SCHEDULERS.register_module()
class CosineAnnealingMomentum(MomentumSchedulerMixin, CosineAnnealingParamScheduler):
    """CosineAnnealing schedule of the momentum (or ``betas[0]``).

    See :class:`~engine.optim.scheduler.param_scheduler.CosineAnnealingParamScheduler`.

    Takes the same arguments without ``param_name``.
    """


@PARAM_SCHEDULERS.register_module()
class ExponentialMomentum(MomentumSchedulerMixin, ExponentialParamScheduler):
    """Exponential schedule of the momentum (or ``betas[0]``).

    See :class:`~engine.optim.scheduler.param_scheduler.ExponentialParamScheduler`.

    Takes the same arguments without ``param_name``.
    """


@PARAM_SCHEDULERS.register_module()
class LinearMomentum(MomentumSchedulerMixin, LinearParamScheduler):
    """Linear schedule of the momentum (or ``betas[0]``).

    See :class:`~engine.optim.scheduler.param_scheduler.LinearParamScheduler`.

    Takes the same arguments without ``param_name``.
    """


@PARAM_SCHEDULERS.register_module()
class MultiStepMomentum(MomentumSchedulerMixin, MultiStepParamScheduler):
    """MultiStep schedule of the momentum (or ``betas[0]``).

    See :class:`~engine.optim.scheduler.param_scheduler.MultiStepParamScheduler`.

    Takes the same arguments without ``param_name``.
    """


@PARAM_SCHEDULERS.register_module()
class StepMomentum(MomentumSchedulerMixin, StepParamScheduler):
    """Step schedule of the momentum (or ``betas[0]``).

    See :class:`~engine.optim.scheduler.param_scheduler.StepParamScheduler`.

    Takes the same arguments without ``param_name``.
    """


@PARAM_SCHEDULERS.register_module()
class PolyMomentum(MomentumSchedulerMixin, PolyParamScheduler):
    """Poly schedule of the momentum (or ``betas[0]``).

    See :class:`~engine.optim.scheduler.param_scheduler.PolyParamScheduler`.

    Takes the same arguments without ``param_name``.
    """


@PARAM_SCHEDULERS.register_module()
class CosineRestartMomentum(MomentumSchedulerMixin, CosineRestartParamScheduler):
    """CosineRestart schedule of the momentum (or ``betas[0]``).

    See :class:`~engine.optim.scheduler.param_scheduler.CosineRestartParamScheduler`.

    Takes the same arguments without ``param_name``.
    """


@PARAM_SCHEDULERS.register_module()
class ReduceOnPlateauMomentum(MomentumSchedulerMixin, ReduceOnPlateauParamScheduler):
    """ReduceOnPlateau schedule of the momentum (or ``betas[0]``).

    See :class:`~engine.optim.scheduler.param_scheduler.ReduceOnPlateauParamScheduler`.

    Takes the same arguments without ``param_name``.
    """


__all__ = [
    "ReduceOnPlateauMomentum",
    "CosineRestartMomentum",
    "ConstantMomentum",
    "CosineAnnealingMomentum",
    "ExponentialMomentum",
    "LinearMomentum",
    "MultiStepMomentum",
    "StepMomentum",
    "PolyMomentum",
    "MomentumSchedulerMixin",
]
