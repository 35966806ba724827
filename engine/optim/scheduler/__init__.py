"""Parameter schedulers: learning rate, momentum and any param-group value.

:mod:`~engine.optim.scheduler.param_scheduler` holds the generic
``XxxParamScheduler`` families (and the base :class:`_ParamScheduler`);
:mod:`~engine.optim.scheduler.lr_scheduler` and
:mod:`~engine.optim.scheduler.momentum_scheduler` fix ``param_name`` to
``'lr'`` and ``'momentum'``. All are registered in ``PARAM_SCHEDULERS``.
"""

from engine.optim.scheduler._base import _ParamScheduler
from engine.optim.scheduler.lr_scheduler import (
    ConstantLR,
    CosineAnnealingLR,
    CosineRestartLR,
    ExponentialLR,
    LinearLR,
    MultiStepLR,
    OneCycleLR,
    PolyLR,
    ReduceOnPlateauLR,
    StepLR,
)
from engine.optim.scheduler.momentum_scheduler import (
    ConstantMomentum,
    CosineAnnealingMomentum,
    CosineRestartMomentum,
    ExponentialMomentum,
    LinearMomentum,
    MultiStepMomentum,
    PolyMomentum,
    ReduceOnPlateauMomentum,
    StepMomentum,
)
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

__all__ = [
    "ConstantLR",
    "CosineAnnealingLR",
    "ExponentialLR",
    "LinearLR",
    "MultiStepLR",
    "StepLR",
    "ConstantMomentum",
    "CosineAnnealingMomentum",
    "ExponentialMomentum",
    "LinearMomentum",
    "MultiStepMomentum",
    "StepMomentum",
    "ConstantParamScheduler",
    "CosineAnnealingParamScheduler",
    "ExponentialParamScheduler",
    "LinearParamScheduler",
    "MultiStepParamScheduler",
    "StepParamScheduler",
    "_ParamScheduler",
    "PolyParamScheduler",
    "PolyLR",
    "PolyMomentum",
    "OneCycleParamScheduler",
    "OneCycleLR",
    "CosineRestartParamScheduler",
    "CosineRestartLR",
    "CosineRestartMomentum",
    "ReduceOnPlateauParamScheduler",
    "ReduceOnPlateauLR",
    "ReduceOnPlateauMomentum",
]
