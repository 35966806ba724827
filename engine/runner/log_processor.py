"""Turn the message hub's scalars into log lines and logged values.

The :class:`LogProcessor` reads ``runner.message_hub`` (the scalars prefixed
with the mode, ``train/``, ``val/`` or ``test/``) and returns a dict of
values for the visualizer and a line for the logger. A train line reads
(wrapped here)::

    Epoch(train) [1][10/25]  lr: 1.0000e-02  eta: 0:00:05  time: 0.1000
    data_time: 0.0100  loss: 0.5000

What it needs from ``runner``: ``message_hub``, ``iter`` and ``epoch``
(0-based, of training), ``max_iters``, ``max_epochs``, ``<mode>_loop``
(whose ``dataloader`` has a length) and, optionally, ``_train_loop``: when
that is None or still a config dict, training was not built and the epoch
and iteration are taken as 0. ``model`` is read on CUDA only, for the
``output_device`` of a distributed wrapper.
"""

from __future__ import annotations

import datetime
import re
import sys
from collections import OrderedDict
from typing import Any

import numpy as np

from engine.logging._custom_stats import CustomStat, parse_custom_cfg
from engine.logging.history_buffer import HistoryBuffer
from engine.registry import LOG_PROCESSORS
from engine.utils._errors import CompatTypeError, CompatValueError

__all__ = ["LogProcessor"]

_MODES = ("train", "val", "test")
_TIMES = ("time", "data_time")
_UNSEEN: Any = object()


def _train_built(runner: Any) -> bool:
    """Whether ``runner``'s training loop exists (not None or a config)."""
    loop = getattr(runner, "_train_loop", True)
    return loop is not None and not isinstance(loop, dict)


def _is_tensor(value: Any) -> bool:
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(value, torch.Tensor)


@LOG_PROCESSORS.register_module()
class LogProcessor:
    """Format the log of a training, validation or test step or epoch.

    By default a scalar whose name matches ``mean_pattern`` (losses, times,
    gradient norms) is averaged over the last ``window_size`` iterations and
    any other scalar shows its latest value; ``custom_cfg`` changes that per
    scalar (see :mod:`engine.logging._custom_stats`).

    Args:
        window_size: Iterations averaged by default. Defaults to 10.
        by_epoch: Show ``Epoch(mode) [epoch][iter/len]`` rather than
            ``Iter(mode) [iter/max_iters]``; keep it equal to the train
            loop's ``by_epoch``. Defaults to True.
        custom_cfg: Statistics per scalar, e.g. ``[dict(data_src='loss',
            method_name='mean', log_name='loss_global',
            window_size='global')]``. Defaults to None.
        num_digits: Decimals of logged floats. Defaults to 4.
        log_with_hierarchy: Keep the ``mode/`` prefix in the returned keys.
            Defaults to False.
        mean_pattern: Regex (searched in the unprefixed name) of the scalars
            averaged by default. Defaults to
            ``r'.*(loss|time|data_time|grad_norm).*'``.

    Raises:
        TypeError, ValueError: if an argument or a ``custom_cfg`` entry is
            invalid (unknown statistic, two entries writing one column, an
            ``'epoch'`` window without ``by_epoch``...).

    Examples:
        >>> processor = LogProcessor(window_size=10, custom_cfg=[
        ...     dict(data_src='loss', log_name='loss_min', method_name='min',
        ...          window_size=100)])
        >>> processor.custom_cfg[0]['log_name']
        'loss_min'
    """

    def __init__(
        self,
        window_size: int = 10,
        by_epoch: bool = True,
        custom_cfg: list[dict] | None = None,
        num_digits: int = 4,
        log_with_hierarchy: bool = False,
        mean_pattern: str | re.Pattern = r".*(loss|time|data_time|grad_norm).*",
    ) -> None:
        for name, value, low in (
            ("window_size", window_size, 1),
            ("num_digits", num_digits, 0),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise CompatValueError(
                    f"LogProcessor: {name} must be an int >= {low}, got {value!r}"
                )
        if not isinstance(mean_pattern, (str, re.Pattern)):
            raise CompatTypeError(
                f"LogProcessor: mean_pattern must be a regex, got {mean_pattern!r}"
            )
        self.window_size = window_size
        self.by_epoch = by_epoch
        self._stats: list[CustomStat] = parse_custom_cfg(custom_cfg, by_epoch)
        # Epoch summaries average the times over the epoch, unless custom_cfg
        # says how to compute them (even under another log_name).
        self._epoch_times = frozenset(_TIMES) - {s.data_src for s in self._stats}
        self.custom_cfg = list(custom_cfg) if custom_cfg else []
        self.num_digits = num_digits
        self.log_with_hierarchy = log_with_hierarchy
        self.mean_pattern = re.compile(mean_pattern)
        # mode -> scalar key -> (tag key, averaged by default), or None for
        # the keys of other modes; filled as keys appear, for the settings
        # in ``_plans_for`` (emptied when mean_pattern or the hierarchy flag
        # is changed on the instance).
        self._plans: dict[str, dict[str, tuple[str, bool] | None]] = {}
        self._plans_for: tuple[Any, bool] = (self.mean_pattern, log_with_hierarchy)
        self._cuda: bool | None = None

    # -- public API -------------------------------------------------------

    def get_log_after_iter(
        self, runner: Any, batch_idx: int, mode: str
    ) -> tuple[dict, str]:
        """Values and line after iteration ``batch_idx`` of ``mode``.

        Args:
            runner: The runner (see the module docstring).
            batch_idx: 0-based index of the batch in the epoch.
            mode: ``'train'``, ``'val'`` or ``'test'``.

        Returns:
            ``(tag, log_str)``: the logged values (plus ``epoch`` and
            ``iter``) and the line. Validation and test lines show only the
            learning rate, eta, times and memory.
        """
        _check_mode(mode, _MODES)
        hub = runner.message_hub
        cur_iter = runner.iter + 1 if _train_built(runner) else 0
        tag = self._collect_scalars(hub, mode, batch_idx + 1, cur_iter, False)
        # Iteration lines never show the mode prefix.
        view = tag
        if self.log_with_hierarchy:
            view = OrderedDict((self._bare(key, mode), v) for key, v in tag.items())
        head, skip = self._lr_eta_memory(runner, hub, view)
        line = f"{self._iter_prefix(runner, batch_idx, mode)}  {head}"
        if mode == "train":
            spec, number = f".{self.num_digits}f", float.__format__
            line += "  ".join(
                [
                    f"{name}: "
                    f"{number(value, spec) if isinstance(value, float) else value}"
                    for name, value in view.items()
                    if name not in skip
                ]
            )
        if "memory" in skip:
            tag["memory"] = view["memory"]
        if self.by_epoch and mode != "test":
            tag["epoch"] = self._epoch(runner, mode)
        tag["iter"] = cur_iter
        return tag, line

    def _lr_eta_memory(self, runner: Any, hub: Any, view: dict) -> tuple[str, set[str]]:
        """The learning rates, then eta, times and memory, and their names.

        The eta block is shown when the hub has an ``eta`` and ``view``
        both times; the memory (CUDA only) is added to ``view``.
        """
        lr_names = [name for name in view if name.endswith("lr")]
        spec = f".{self.num_digits}e"
        lrs = " ".join([f"{name}: {float(view[name]):{spec}}" for name in lr_names])
        head, skip = f"{lrs}  ", set(lr_names)
        if "time" not in view or "data_time" not in view:
            return head, skip
        if "eta" not in hub.runtime_info:
            return head, skip
        eta = datetime.timedelta(seconds=int(hub.get_info("eta")))
        time, data_time = self._fmt(view["time"]), self._fmt(view["data_time"])
        head += f"eta: {eta}  time: {time}  data_time: {data_time}  "
        skip.update(_TIMES)
        memory = self._get_max_memory(runner)
        if memory is not None:
            head += f"memory: {memory}  "
            view["memory"] = memory
            skip.add("memory")
        return head, skip

    def get_log_after_epoch(
        self,
        runner: Any,
        batch_idx: int,
        mode: str,
        with_non_scalar: bool = False,
    ) -> tuple[dict, str]:
        """Values and summary line after a validation or test epoch.

        Times are averaged over the whole epoch; the runtime info of the mode
        (``val/...`` non-scalar metrics) is shown too.

        Args:
            runner: The runner (see the module docstring).
            batch_idx: 0-based index of the last batch.
            mode: ``'val'`` or ``'test'``.
            with_non_scalar: Also return the runtime info in the tag.
                Defaults to False.

        Returns:
            ``(tag, log_str)``; the line reads ``Epoch(val) [1][10/10]``,
            four spaces, then ``accuracy: 35.7000  time: 0.0122  data_time:
            0.0047`` for instance.
        """
        _check_mode(mode, ("val", "test"))
        hub = runner.message_hub
        cur_iter = runner.iter + 1 if _train_built(runner) else 0
        tag = self._collect_scalars(hub, mode, batch_idx + 1, cur_iter, True)
        infos = self._collect_infos(hub, mode)
        times = [key for key in tag if self._bare(key, mode) in _TIMES]
        ordered: OrderedDict[str, Any] = OrderedDict(
            (key, value) for key, value in tag.items() if key not in times
        )
        ordered.update(infos)
        for key in times:
            ordered[key] = tag[key]
        parts = "  ".join(
            f"{key}: {self._fmt(value, True)}" for key, value in ordered.items()
        )
        line = f"{self._epoch_prefix(runner, mode)}    {parts}"
        if not with_non_scalar:
            for key in infos:
                if key not in tag:
                    del ordered[key]
        return ordered, line

    # -- collecting -------------------------------------------------------

    def _plan(self, key: str, mode: str) -> tuple[str, bool] | None:
        """Tag key of scalar ``key`` and whether it is averaged by default."""
        prefix = mode + "/"
        if not key.startswith(prefix):
            return None
        name = key[len(prefix) :]
        averaged = bool(self.mean_pattern.search(name))
        return (key if self.log_with_hierarchy else name), averaged

    def _collect_scalars(
        self, hub: Any, mode: str, epoch_iters: int, cur_iter: int, summary: bool
    ) -> OrderedDict:
        """The mode's scalars, by default statistic then by ``custom_cfg``."""
        settings = (self.mean_pattern, self.log_with_hierarchy)
        if settings != self._plans_for:
            self._plans, self._plans_for = {}, settings
        plans = self._plans.setdefault(mode, {})
        window = self.window_size
        epoch_times = self._epoch_times if summary else ()
        tag: OrderedDict[str, Any] = OrderedDict()
        for key, buffer in hub.log_scalars.items():
            plan = plans.get(key, _UNSEEN)
            if plan is _UNSEEN:
                plan = plans[key] = self._plan(key, mode)
            if plan is None:
                continue
            out, averaged = plan
            if epoch_times and key[len(mode) + 1 :] in epoch_times:
                tag[out] = buffer.mean(epoch_iters)
            else:
                tag[out] = buffer.mean(window) if averaged else buffer.current()
        prefix = mode + "/"
        for stat in self._stats:
            buffer = hub.log_scalars.get(prefix + stat.data_src)
            if buffer is not None:
                value = self._custom_value(buffer, stat, epoch_iters, cur_iter)
                tag[
                    prefix + stat.log_name if self.log_with_hierarchy else stat.log_name
                ] = value
        return tag

    @staticmethod
    def _custom_value(
        buffer: HistoryBuffer, stat: CustomStat, epoch_iters: int, cur_iter: int
    ) -> Any:
        """The statistic of ``stat``, with its window resolved."""
        if stat.window_size is None:
            return buffer.statistics(stat.method_name, **stat.kwargs)
        window: int | None
        if stat.window_size == "epoch":
            window = epoch_iters
        elif stat.window_size == "global":
            window = cur_iter or None
        else:
            window = int(stat.window_size)
        return buffer.statistics(stat.method_name, window_size=window, **stat.kwargs)

    def _collect_infos(self, hub: Any, mode: str) -> OrderedDict:
        """The mode's runtime info (non-scalar metrics and the like)."""
        prefix = mode + "/"
        return OrderedDict(
            (key if self.log_with_hierarchy else key[len(prefix) :], value)
            for key, value in hub.runtime_info.items()
            if key.startswith(prefix)
        )

    # -- formatting -------------------------------------------------------

    def _fmt(self, value: Any, multiline: bool = False) -> str:
        """A float with ``num_digits`` decimals; arrays on their own lines."""
        if isinstance(value, float):
            return float.__format__(value, f".{self.num_digits}f")
        if multiline and (isinstance(value, np.ndarray) or _is_tensor(value)):
            return f"\n{value}\n"
        return str(value)

    def _bare(self, key: str, mode: str) -> str:
        """``key`` without the ``mode/`` prefix."""
        prefix = mode + "/"
        return key[len(prefix) :] if key.startswith(prefix) else key

    def _epoch(self, runner: Any, mode: str) -> int:
        if mode == "train":
            return int(runner.epoch) + 1
        return int(runner.epoch) if _train_built(runner) else 0

    def _iter_prefix(self, runner: Any, batch_idx: int, mode: str) -> str:
        """``Epoch(mode) [e][i/len]``, ``Epoch(test) [i/len]``, ``Iter(mode) [i/n]``."""
        if mode == "train" and not self.by_epoch:
            total, current = runner.max_iters, runner.iter + 1
            return f"Iter(train) [{current:>{len(str(total))}}/{total}]"
        total = len(getattr(runner, f"{mode}_loop").dataloader)
        position = f"[{batch_idx + 1:>{len(str(total))}}/{total}]"
        if mode == "test" or not self.by_epoch:
            word = "Epoch" if self.by_epoch else "Iter"
            return f"{word}({mode}) {position}"
        width = len(str(runner.max_epochs)) + 3 if _train_built(runner) else 0
        return (
            f"Epoch({mode})" + f"[{self._epoch(runner, mode)}]".rjust(width) + position
        )

    def _epoch_prefix(self, runner: Any, mode: str) -> str:
        """``Epoch(val) [e][len/len]``, ``Epoch(test) [len/len]`` or ``Iter(...)``."""
        total = len(getattr(runner, f"{mode}_loop").dataloader)
        if mode == "val" and self.by_epoch:
            return f"Epoch(val) [{self._epoch(runner, mode)}][{total}/{total}]"
        word = "Epoch" if self.by_epoch else "Iter"
        return f"{word}({mode}) [{total}/{total}]"

    def _get_max_memory(self, runner: Any) -> int | None:
        """Peak CUDA memory in MB since the last call; None without CUDA."""
        torch = sys.modules.get("torch")
        if self._cuda is None:
            self._cuda = bool(torch is not None and torch.cuda.is_available())
        if not self._cuda or torch is None:
            return None
        device = getattr(getattr(runner, "model", None), "output_device", None)
        memory = torch.cuda.max_memory_allocated(device=device)
        torch.cuda.reset_peak_memory_stats(device)
        return int(memory / (1024 * 1024))


def _check_mode(mode: str, allowed: tuple[str, ...]) -> None:
    if mode not in allowed:
        raise CompatValueError(
            f"LogProcessor: mode must be one of {allowed}, got {mode!r}"
        )
