"""The generic parameter scheduler base, :class:`_ParamScheduler`.

A scheduler owns one hyper-parameter (``param_name``) of every
``optimizer.param_groups`` entry. It counts calls to :meth:`step` in
``_global_step`` and is *active* on the window ``begin <= _global_step <
end``; inside the window ``last_step`` counts the active steps from 0 and the
family's :meth:`_get_value` gives the new values from the current ones
(the chainable, PyTorch-style recursive form). Outside the window the values
are left as they are, which makes gaps hold the value and overlapping
schedulers multiply. The constructor performs the first step, so a freshly
built scheduler has already written the value for step 0.
"""

from __future__ import annotations

from typing import Any

from torch.optim import Optimizer

from engine.utils._errors import CompatTypeError, CompatValueError

#: ``end`` default: an "infinite" step count (MMEngine's value, 1e9).
INF = int(1e9)

OptimizerLike = Any  # a torch Optimizer or an object with ``.optimizer``


def _check_optimizer(optimizer: object) -> None:
    """Accept a torch optimizer or an optimizer wrapper (has ``.optimizer``)."""
    if isinstance(optimizer, Optimizer):
        return
    if hasattr(optimizer, "optimizer") and hasattr(optimizer, "param_groups"):
        return
    raise CompatTypeError(
        "``optimizer`` should be an Optimizer or an optimizer wrapper, but got "
        f"{type(optimizer).__name__}"
    )


class _ParamScheduler:
    """Base class of the parameter schedulers.

    Args:
        optimizer: A torch optimizer, or an optimizer wrapper (any object
            with ``.optimizer`` and ``.param_groups``).
        param_name: The key of ``param_groups`` to schedule.
        begin: First step (inclusive) the scheduler acts on. Defaults to 0.
        end: Step (exclusive) where it stops acting. Defaults to ``INF``.
        last_step: Index of the last step, -1 for a fresh start; otherwise
            the groups must hold ``initial_<param_name>``. Defaults to -1.
        by_epoch: Whether the steps count epochs (True) or iterations.
            Defaults to True.
        verbose: Log every update. Defaults to False.

    Examples:
        >>> import torch
        >>> from engine.optim.scheduler import LinearParamScheduler
        >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
        >>> s = LinearParamScheduler(opt, 'lr', start_factor=0.5, end=3)
        >>> [s.get_last_value()[0], (s.step(), s.get_last_value()[0])[1]]
        [0.5, 0.75]
    """

    def __init__(
        self,
        optimizer: OptimizerLike,
        param_name: str,
        begin: int = 0,
        end: int = INF,
        last_step: int = -1,
        by_epoch: bool = True,
        verbose: bool = False,
    ) -> None:
        _check_optimizer(optimizer)
        self.optimizer = optimizer
        self.param_name = param_name
        if end <= begin:
            raise CompatValueError(
                f"end should be larger than begin, but got begin={begin}, end={end}"
            )
        self.begin = begin
        self.end = end
        self.by_epoch = by_epoch
        self._init_initial_values(last_step)
        self.last_step = last_step
        self._global_step = last_step
        self.verbose = verbose
        self._last_value: list[float] = []
        self.step()

    def _init_initial_values(self, last_step: int) -> None:
        """Record ``initial_<param_name>`` per group and the base values."""
        key = f"initial_{self.param_name}"
        groups = self.optimizer.param_groups
        for i, group in enumerate(groups):
            if last_step == -1:
                group.setdefault(key, group[self.param_name])
            elif key not in group:
                raise KeyError(
                    f"param '{key}' is not specified in param_groups[{i}] "
                    "when resuming an optimizer"
                )
        self.base_values = [group[key] for group in groups]

    def _get_value(self) -> list[float]:
        """The values for the current ``last_step`` (one per group)."""
        raise NotImplementedError

    def _set_value(self, group: dict[str, Any], value: float) -> None:
        """Write ``value`` into one param group."""
        group[self.param_name] = value

    def _current(self) -> list[Any]:
        """The current value of every param group."""
        return [group[self.param_name] for group in self.optimizer.param_groups]

    def step(self) -> None:
        """Advance one step; update the values while inside the window."""
        self._global_step += 1
        groups = self.optimizer.param_groups
        if self.begin <= self._global_step < self.end:
            self.last_step += 1
            for i, (group, value) in enumerate(zip(groups, self._get_value())):
                self._set_value(group, value)
                if self.verbose:
                    self.print_value(True, i, value)
        name = self.param_name
        self._last_value = [group[name] for group in groups]

    def get_last_value(self) -> list[float]:
        """The values after the last :meth:`step` (one per param group).

        Returns:
            The list of values.
        """
        return self._last_value

    def print_value(self, is_verbose: bool, group: int, value: float) -> None:
        """Log the update of one group when ``is_verbose``.

        Args:
            is_verbose: Whether to log.
            group: The group index.
            value: The new value.
        """
        if is_verbose:
            from engine.logging import print_log

            print_log(
                f"Adjusting parameter value of group {group} to {value:.4e}.",
                logger="current",
            )

    def state_dict(self) -> dict[str, Any]:
        """The scheduler's state: every attribute but the optimizer.

        Returns:
            The state dict.
        """
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a state returned by :meth:`state_dict`.

        Args:
            state_dict: The state.
        """
        self.__dict__.update(state_dict)


class _EpochConvertible(_ParamScheduler):
    """A scheduler whose epoch-based arguments can be turned into iterations.

    Every family but ReduceOnPlateau derives from it.
    """

    @classmethod
    def build_iter_from_epoch(
        cls,
        *args: Any,
        begin: int = 0,
        end: int = INF,
        by_epoch: bool = True,
        epoch_length: int | None = None,
        **kwargs: Any,
    ) -> _EpochConvertible:
        """Build an iteration-based scheduler from epoch-based arguments.

        ``begin``, ``end`` (unless ``INF``) and the family's step-counting
        arguments (:meth:`_epoch_kwargs_to_iter`) are multiplied by
        ``epoch_length``.

        Args:
            *args: Positional arguments of the scheduler.
            begin: Begin epoch. Defaults to 0.
            end: End epoch. Defaults to ``INF``.
            by_epoch: Must be True. Defaults to True.
            epoch_length: Iterations per epoch, a positive integer.
            **kwargs: Other keyword arguments of the scheduler.

        Returns:
            The scheduler, with ``by_epoch=False``.

        Raises:
            ValueError: (also an AssertionError, as in MMEngine) when
                ``by_epoch`` is False or ``epoch_length`` is not positive.

        Examples:
            >>> import torch
            >>> from engine.optim.scheduler import MultiStepLR
            >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
            >>> s = MultiStepLR.build_iter_from_epoch(
            ...     opt, milestones=[8, 11], epoch_length=10)
            >>> sorted(s.milestones), s.by_epoch
            ([80, 110], False)
        """
        if not by_epoch:
            raise CompatValueError(
                "Only epoch-based kwargs whose `by_epoch=True` can be "
                "converted to iter-based."
            )
        if not isinstance(epoch_length, int) or epoch_length <= 0:
            raise CompatValueError(
                f"`epoch_length` must be a positive integer, but got {epoch_length}."
            )
        begin = int(begin * epoch_length)
        if end != INF:
            end = int(end * epoch_length)
        kwargs = cls._epoch_kwargs_to_iter(kwargs, epoch_length)
        kwargs.update(begin=begin, end=end, by_epoch=False)
        return cls(*args, **kwargs)

    @classmethod
    def _epoch_kwargs_to_iter(
        cls, kwargs: dict[str, Any], epoch_length: int
    ) -> dict[str, Any]:
        """Scale the family's step-counting kwargs by ``epoch_length``."""
        return kwargs


__all__ = ["INF", "_ParamScheduler"]
