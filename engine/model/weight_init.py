"""Weight initialisation: functions, registered initialisers, ``initialize``.

The functions (``constant_init``, ``xavier_init``, ...) initialise the
``weight`` and ``bias`` of one module. The initialisers (``ConstantInit``
registered as ``'Constant'``, ...) are built from ``init_cfg`` dicts through
``WEIGHT_INITIALIZERS`` and select submodules by class name (``layer``);
:func:`initialize` applies a cfg or a list of them, with ``override`` for
named children. :func:`update_init_info` records which initialiser last
changed each parameter, for the log written by
:meth:`~engine.model.BaseModule.init_weights`.

Examples:
    >>> import torch.nn as nn
    >>> net = nn.Sequential(nn.Conv2d(3, 8, 3), nn.Linear(8, 2))
    >>> initialize(net, [dict(type='Kaiming', layer='Conv2d'),
    ...                  dict(type='Constant', val=0, layer='Linear')])
    >>> net[1].weight.abs().sum().item()
    0.0
"""

from engine.model._weight_init.functions import (
    bias_init_with_prob,
    caffe2_xavier_init,
    constant_init,
    kaiming_init,
    normal_init,
    trunc_normal_,
    trunc_normal_init,
    uniform_init,
    xavier_init,
)
from engine.model._weight_init.init_info import update_init_info
from engine.model._weight_init.initialize import initialize
from engine.model._weight_init.initializers import (
    BaseInit,
    Caffe2XavierInit,
    ConstantInit,
    KaimingInit,
    NormalInit,
    PretrainedInit,
    TruncNormalInit,
    UniformInit,
    XavierInit,
)
from engine.registry import WEIGHT_INITIALIZERS

__all__ = [
    "WEIGHT_INITIALIZERS",
    "BaseInit",
    "Caffe2XavierInit",
    "ConstantInit",
    "KaimingInit",
    "NormalInit",
    "PretrainedInit",
    "TruncNormalInit",
    "UniformInit",
    "XavierInit",
    "bias_init_with_prob",
    "caffe2_xavier_init",
    "constant_init",
    "initialize",
    "kaiming_init",
    "normal_init",
    "trunc_normal_",
    "trunc_normal_init",
    "uniform_init",
    "update_init_info",
    "xavier_init",
]

# Document and pickle the public classes and functions under this module.
for _name in __all__[1:]:
    globals()[_name].__module__ = __name__
del _name
