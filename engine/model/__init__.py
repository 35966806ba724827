"""Models: ``BaseModule`` and its initialisation, ``BaseModel`` and its data
preprocessors, model wrappers for distributed training, averaged models
(EMA/SWA), test-time augmentation and model utilities.

Importing this package imports torch and registers the initialisers in
``WEIGHT_INITIALIZERS``, the data preprocessors, averaged models and
``BaseTTAModel`` in ``MODELS``, and the wrappers in ``MODEL_WRAPPERS``.
"""

import torch.distributed as _torch_dist

from engine.model.averaged_model import (
    BaseAveragedModel,
    ExponentialMovingAverage,
    MomentumAnnealingEMA,
    StochasticWeightAverage,
)
from engine.model.base_model import BaseDataPreprocessor, BaseModel, ImgDataPreprocessor
from engine.model.base_module import BaseModule, ModuleDict, ModuleList, Sequential
from engine.model.test_time_aug import BaseTTAModel
from engine.model.utils import (
    convert_sync_batchnorm,
    detect_anomalous_params,
    merge_dict,
    revert_sync_batchnorm,
    stack_batch,
)
from engine.model.weight_init import (
    BaseInit,
    Caffe2XavierInit,
    ConstantInit,
    KaimingInit,
    NormalInit,
    PretrainedInit,
    TruncNormalInit,
    UniformInit,
    XavierInit,
    bias_init_with_prob,
    caffe2_xavier_init,
    constant_init,
    initialize,
    kaiming_init,
    normal_init,
    trunc_normal_init,
    uniform_init,
    update_init_info,
    xavier_init,
)
from engine.model.wrappers import (
    MMDistributedDataParallel,
    MMSeparateDistributedDataParallel,
    is_model_wrapper,
)

__all__ = [
    "BaseAveragedModel",
    "BaseTTAModel",
    "ExponentialMovingAverage",
    "MMDistributedDataParallel",
    "MMSeparateDistributedDataParallel",
    "MomentumAnnealingEMA",
    "StochasticWeightAverage",
    "is_model_wrapper",
    "BaseDataPreprocessor",
    "BaseInit",
    "BaseModel",
    "BaseModule",
    "Caffe2XavierInit",
    "ConstantInit",
    "ImgDataPreprocessor",
    "KaimingInit",
    "ModuleDict",
    "ModuleList",
    "NormalInit",
    "PretrainedInit",
    "Sequential",
    "TruncNormalInit",
    "UniformInit",
    "XavierInit",
    "bias_init_with_prob",
    "caffe2_xavier_init",
    "constant_init",
    "convert_sync_batchnorm",
    "detect_anomalous_params",
    "initialize",
    "kaiming_init",
    "merge_dict",
    "normal_init",
    "revert_sync_batchnorm",
    "stack_batch",
    "trunc_normal_init",
    "uniform_init",
    "update_init_info",
    "xavier_init",
]

if _torch_dist.is_available():
    from engine.model.wrappers import MMFullyShardedDataParallel

    __all__ += ["MMFullyShardedDataParallel"]
