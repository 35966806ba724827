"""The Runner's hooks: ordered by priority, dispatched by mount point."""

from __future__ import annotations

from typing import Any

__all__ = ["DEFAULT_HOOKS", "HookList"]

#: The default hooks by ``default_hooks`` key, in registration order.
DEFAULT_HOOKS: dict[str, Any] = {
    "runtime_info": {"type": "RuntimeInfoHook"},
    "timer": {"type": "IterTimerHook"},
    "sampler_seed": {"type": "DistSamplerSeedHook"},
    "logger": {"type": "LoggerHook"},
    "param_scheduler": {"type": "ParamSchedulerHook"},
    "checkpoint": {"type": "CheckpointHook", "interval": 1},
}


def _acts_at(hook: Any, stage: str) -> bool:
    """Whether calling ``stage`` on ``hook`` can do anything.

    For the 22 mount points this is what ``get_triggered_stages`` says (a
    hook that overrides ``_after_iter`` acts after train, val and test
    iterations) or a method set on the instance; for other (custom) mount
    points, whether the hook has the method at all.
    """
    from engine.hooks import Hook

    if stage not in Hook.stages:
        return hasattr(hook, stage)
    return stage in vars(hook) or stage in hook.get_triggered_stages()


class HookList:
    """Hooks sorted by priority (stable), with a per-stage dispatch table.

    The table of the hooks that act at each mount point is filled on first
    use and cleared when a hook is registered, so calling a mount point no
    hook implements costs one dictionary lookup.
    """

    def __init__(self) -> None:
        self.hooks: list[Any] = []
        self._table: dict[str, list[Any]] = {}

    def insert(self, hook: Any) -> None:
        """Insert ``hook`` after every hook of the same or higher priority."""
        from engine.runner.priority import get_priority

        priority = get_priority(hook.priority)
        index = len(self.hooks)
        while index > 0 and get_priority(self.hooks[index - 1].priority) > priority:
            index -= 1
        self.hooks.insert(index, hook)
        self._table = {}

    def at(self, stage: str) -> list[Any]:
        """The hooks that act at ``stage``, in call order."""
        found = self._table.get(stage)
        if found is None:
            found = [hook for hook in self.hooks if _acts_at(hook, stage)]
            self._table[stage] = found
        return found

    def info(self) -> str:
        """The table of hooks per mount point that the Runner logs."""
        from engine.hooks import Hook
        from engine.runner.priority import Priority, get_priority

        blocks = []
        for stage in Hook.stages:
            lines = []
            for hook in self.hooks:
                if stage not in hook.get_triggered_stages():
                    continue
                value = get_priority(hook.priority)
                try:
                    priority: Any = Priority(value).name
                except ValueError:
                    priority = value
                lines.append(f"({priority:<12}) {type(hook).__name__:<35}")
            if lines:
                blocks.append(
                    f"{stage}:\n" + "\n".join(lines) + "\n -------------------- "
                )
        return "\n".join(blocks)
