"""``ParamSchedulerHook``: steps the parameter schedulers of training.

``runner.param_schedulers`` is a list of schedulers, or a dict of such lists
(one per optimizer of an ``OptimWrapperDict``). Each scheduler is stepped
where its ``by_epoch`` says:

* iteration-based schedulers (``by_epoch=False``) after every training
  iteration;
* epoch-based schedulers after every training epoch;
* schedulers that need the validation metrics (``need_val_args``, e.g.
  ``ReduceOnPlateauLR``) and are epoch-based after every validation, with
  the metrics: ``scheduler.step(metrics)``. An iteration-based one of them
  is stepped after every training iteration without metrics, which changes
  nothing.

Nothing happens when ``runner.param_schedulers`` is None.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from engine.hooks.hook import DATA_BATCH, Hook
from engine.registry import HOOKS
from engine.utils._errors import CompatTypeError

__all__ = ["ParamSchedulerHook"]


def _iter_schedulers(schedulers: Any) -> Iterator[Any]:
    """Every scheduler of a list, or of the lists of a dict, in order."""
    if isinstance(schedulers, list):
        yield from schedulers
    elif isinstance(schedulers, dict):
        for name, group in schedulers.items():
            if not isinstance(group, list):
                raise CompatTypeError(
                    f"runner.param_schedulers[{name!r}] should be a list of "
                    f"ParamScheduler, but got {type(group).__name__} {group!r}"
                )
            yield from group
    else:
        raise TypeError(
            "runner.param_schedulers should be list of ParamScheduler or "
            "a dict containing list of ParamScheduler, "
            f"but got {schedulers}"
        )


def _step(runner: Any, selected: Callable[[Any], bool], *args: Any) -> None:
    """``step(*args)`` each of the runner's schedulers that ``selected`` keeps."""
    if runner.param_schedulers is None:
        return
    for scheduler in _iter_schedulers(runner.param_schedulers):
        if selected(scheduler):
            scheduler.step(*args)


def _needs_metrics(scheduler: Any) -> bool:
    from engine.optim.scheduler._base import _ParamScheduler

    return (
        isinstance(scheduler, _ParamScheduler)
        and getattr(scheduler, "need_val_args", False)
        and scheduler.by_epoch
    )


@HOOKS.register_module()
class ParamSchedulerHook(Hook):
    """Step ``runner.param_schedulers`` after iterations, epochs and validation.

    Its priority is ``LOW``, after the ``LoggerHook`` has logged the
    learning rate of the iteration and before the ``CheckpointHook`` saves
    the schedulers' state.

    Examples:
        >>> from types import SimpleNamespace
        >>> class Scheduler:
        ...     by_epoch, steps = True, 0
        ...     def step(self):
        ...         self.steps += 1
        >>> scheduler = Scheduler()
        >>> runner = SimpleNamespace(param_schedulers=[scheduler])
        >>> ParamSchedulerHook().after_train_epoch(runner)
        >>> scheduler.steps
        1
    """

    priority = "LOW"

    def after_train_iter(
        self,
        runner: Any,
        batch_idx: int,
        data_batch: DATA_BATCH = None,
        outputs: dict | None = None,
    ) -> None:
        """Step the iteration-based schedulers."""
        _step(runner, lambda scheduler: not scheduler.by_epoch)

    def after_train_epoch(self, runner: Any) -> None:
        """Step the epoch-based schedulers."""
        _step(runner, lambda scheduler: scheduler.by_epoch)

    def after_val_epoch(
        self, runner: Any, metrics: dict[str, float] | None = None
    ) -> None:
        """Step the epoch-based schedulers that need metrics with ``metrics``."""
        if metrics is None:
            return
        _step(runner, _needs_metrics, metrics)
