"""Hooks: code the Runner calls at its 22 mount points.

:class:`Hook` is the base class; the default hooks, registered in
:data:`~engine.registry.HOOKS`, keep the runtime information
(:class:`RuntimeInfoHook`), time the iterations (:class:`IterTimerHook`),
reseed the sampler (:class:`DistSamplerSeedHook`), log
(:class:`LoggerHook`), step the parameter schedulers
(:class:`ParamSchedulerHook`) and save checkpoints (:class:`CheckpointHook`).
"""

from engine.hooks.checkpoint_hook import CheckpointHook
from engine.hooks.empty_cache_hook import EmptyCacheHook
from engine.hooks.hook import Hook
from engine.hooks.iter_timer_hook import IterTimerHook
from engine.hooks.logger_hook import LoggerHook
from engine.hooks.param_scheduler_hook import ParamSchedulerHook
from engine.hooks.runtime_info_hook import RuntimeInfoHook
from engine.hooks.sampler_seed_hook import DistSamplerSeedHook

__all__ = [
    "CheckpointHook",
    "DistSamplerSeedHook",
    "EmptyCacheHook",
    "Hook",
    "IterTimerHook",
    "LoggerHook",
    "ParamSchedulerHook",
    "RuntimeInfoHook",
]
