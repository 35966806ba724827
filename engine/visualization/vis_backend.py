"""Visualization backends: where a :class:`~engine.visualization.Visualizer` stores.

Every backend is registered in :data:`~engine.registry.VISBACKENDS` and
implements :class:`BaseVisBackend`: ``add_config``, ``add_graph``,
``add_image``, ``add_scalar``, ``add_scalars`` and ``close``, with its
writer created lazily on first use (:func:`force_init_env`).

=========================  ====================================================
Backend                    Writes
=========================  ====================================================
:class:`LocalVisBackend`   ``scalars.json``, ``config.py``, ``vis_image/*.png``
TensorboardVisBackend      TensorBoard event files (package ``tensorboard``)
MLflowVisBackend           an MLflow run (package ``mlflow``)
DVCLiveVisBackend          DVCLive files (package ``dvclive``)
WandbVisBackend            a Weights & Biases run (package ``wandb``)
ClearMLVisBackend          a ClearML task (package ``clearml``)
NeptuneVisBackend          a Neptune run (package ``neptune``)
AimVisBackend              an Aim run (package ``aim``)
=========================  ====================================================

The tracker packages are imported on first use only; a missing one raises an
:class:`ImportError` naming the package to install. Each backend lives in a
private module and is re-exported here.

Examples:
    >>> import tempfile
    >>> from engine.registry import VISBACKENDS
    >>> backend = VISBACKENDS.build(
    ...     dict(type='LocalVisBackend', save_dir=tempfile.mkdtemp()))
    >>> backend.add_scalar('acc', 0.9, step=2)
"""

from engine.visualization._aim_backend import AimVisBackend
from engine.visualization._base_backend import BaseVisBackend, force_init_env
from engine.visualization._clearml_backend import ClearMLVisBackend
from engine.visualization._dvclive_backend import DVCLiveVisBackend
from engine.visualization._local_backend import LocalVisBackend
from engine.visualization._mlflow_backend import MLflowVisBackend
from engine.visualization._neptune_backend import NeptuneVisBackend
from engine.visualization._tensorboard_backend import TensorboardVisBackend
from engine.visualization._wandb_backend import WandbVisBackend

__all__ = [
    "AimVisBackend",
    "BaseVisBackend",
    "ClearMLVisBackend",
    "DVCLiveVisBackend",
    "LocalVisBackend",
    "MLflowVisBackend",
    "NeptuneVisBackend",
    "TensorboardVisBackend",
    "WandbVisBackend",
    "force_init_env",
]

# The backends' public home is this module (as ``mmengine.visualization.
# vis_backend``): registry logs, reprs and pickles name it.
for _cls in (
    AimVisBackend,
    BaseVisBackend,
    ClearMLVisBackend,
    DVCLiveVisBackend,
    LocalVisBackend,
    MLflowVisBackend,
    NeptuneVisBackend,
    TensorboardVisBackend,
    WandbVisBackend,
):
    _cls.__module__ = __name__
del _cls
