"""``BaseLoop``: what every train, val and test loop shares."""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from typing import Any

__all__ = ["BaseLoop"]


class BaseLoop(metaclass=ABCMeta):
    """A loop over one dataloader, driven by its :meth:`run`.

    Args:
        runner: The runner that owns the loop.
        dataloader: A ``DataLoader`` or its config dict, built with
            ``runner.build_dataloader`` (seeded with the runner's seed).

    Examples:
        >>> class Once(BaseLoop):
        ...     def run(self):
        ...         return [batch for batch in self.dataloader]
    """

    def __init__(self, runner: Any, dataloader: Any) -> None:
        self._runner = runner
        if isinstance(dataloader, dict):
            diff_rank_seed = runner._randomness_cfg.get("diff_rank_seed", False)
            self.dataloader = runner.build_dataloader(
                dataloader, seed=runner.seed, diff_rank_seed=diff_rank_seed
            )
        else:
            self.dataloader = dataloader

    @property
    def runner(self) -> Any:
        """The runner that owns the loop."""
        return self._runner

    @abstractmethod
    def run(self) -> Any:
        """Run the loop."""
