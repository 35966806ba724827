"""Hooks: code the Runner calls at its 22 mount points.

:class:`Hook` is the base class; the default hooks, registered in
:data:`~engine.registry.HOOKS`, keep the runtime information
(:class:`RuntimeInfoHook`), time the iterations (:class:`IterTimerHook`),
reseed the sampler (:class:`DistSamplerSeedHook`), log
(:class:`LoggerHook`), step the parameter schedulers
(:class:`ParamSchedulerHook`) and save checkpoints (:class:`CheckpointHook`).
Custom hooks average the weights (:class:`EMAHook`), free the CUDA cache
(:class:`EmptyCacheHook`), synchronize buffers (:class:`SyncBuffersHook`),
stop early (:class:`EarlyStoppingHook`) and stop on a non-finite loss
(:class:`NanLossGuardHook`, beyond MMEngine).
"""

from engine.hooks.checkpoint_hook import CheckpointHook
from engine.hooks.early_stopping_hook import EarlyStoppingHook
from engine.hooks.ema_hook import EMAHook
from engine.hooks.empty_cache_hook import EmptyCacheHook
from engine.hooks.hook import Hook
from engine.hooks.iter_timer_hook import IterTimerHook
from engine.hooks.logger_hook import LoggerHook
from engine.hooks.nan_guard_hook import NanLossGuardHook
from engine.hooks.param_scheduler_hook import ParamSchedulerHook
from engine.hooks.runtime_info_hook import RuntimeInfoHook
from engine.hooks.sampler_seed_hook import DistSamplerSeedHook
from engine.hooks.sync_buffer_hook import SyncBuffersHook

__all__ = [
    "CheckpointHook",
    "DistSamplerSeedHook",
    "EMAHook",
    "EarlyStoppingHook",
    "EmptyCacheHook",
    "Hook",
    "IterTimerHook",
    "LoggerHook",
    "NanLossGuardHook",
    "ParamSchedulerHook",
    "RuntimeInfoHook",
    "SyncBuffersHook",
]
