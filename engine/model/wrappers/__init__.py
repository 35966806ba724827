"""Model wrappers for distributed training, and ``is_model_wrapper``.

Importing this package registers ``MMDistributedDataParallel``,
``MMSeparateDistributedDataParallel``, ``MMFullyShardedDataParallel`` (where
torch has distributed support) and
torch's ``DistributedDataParallel`` and ``DataParallel`` in
``MODEL_WRAPPERS``.
"""

import torch.distributed

from engine.model.wrappers.distributed import MMDistributedDataParallel
from engine.model.wrappers.seperate_distributed import MMSeparateDistributedDataParallel
from engine.model.wrappers.utils import is_model_wrapper

__all__ = [
    "MMDistributedDataParallel",
    "is_model_wrapper",
    "MMSeparateDistributedDataParallel",
]

# torch builds without distributed support (some macOS wheels) lack FSDP.
if torch.distributed.is_available():
    from engine.model.wrappers.fully_sharded_distributed import (
        MMFullyShardedDataParallel,
    )

    __all__ += ["MMFullyShardedDataParallel"]
