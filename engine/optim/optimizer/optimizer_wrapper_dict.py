"""``OptimWrapperDict``: several named optimizer wrappers (e.g. a GAN's)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import torch
import torch.nn as nn

from engine.optim.optimizer.optimizer_wrapper import OptimWrapper

__all__ = ["OptimWrapperDict"]


def _separately(name: str) -> NoReturn:
    raise NotImplementedError(
        f"`{name}` should be called by each optimizer separately: use "
        f"optim_wrapper[key].{name}(...)"
    )


class OptimWrapperDict(OptimWrapper):
    """A dict of :class:`OptimWrapper` s, each updated on its own.

    Learning rates, momenta and state dicts are gathered from every wrapper
    under ``'<key>.'`` prefixes. Methods that act on one optimizer
    (``update_params``, ``backward``, ``step``, ``optim_context``,
    ``scale_loss``, ...) raise ``NotImplementedError``: call them on
    ``optim_wrapper[key]``.

    Args:
        **optim_wrapper_dict: The wrappers, by name.

    Examples:
        >>> import torch
        >>> gen, disc = torch.nn.Linear(1, 1), torch.nn.Linear(1, 1)
        >>> wrappers = OptimWrapperDict(
        ...     gen=OptimWrapper(torch.optim.SGD(gen.parameters(), lr=0.01)),
        ...     disc=OptimWrapper(torch.optim.SGD(disc.parameters(), lr=0.01)))
        >>> wrappers.get_lr()
        {'gen.lr': [0.01], 'disc.lr': [0.01]}
    """

    def __init__(self, **optim_wrapper_dict: OptimWrapper) -> None:
        for key, wrapper in optim_wrapper_dict.items():
            if not isinstance(wrapper, OptimWrapper):
                raise TypeError(
                    f"`OptimWrapperDict` only accepts OptimWrapper instances, "
                    f"but got {key}: {type(wrapper)}"
                )
        self.optim_wrappers = optim_wrapper_dict

    def update_params(
        self,
        loss: torch.Tensor,
        step_kwargs: dict | None = None,
        zero_kwargs: dict | None = None,
    ) -> None:
        """Not supported: call it on each wrapper."""
        _separately("update_params")

    def backward(self, loss: torch.Tensor, **kwargs: Any) -> None:
        """Not supported: call it on each wrapper."""
        _separately("backward")

    def step(self, **kwargs: Any) -> None:
        """Not supported: call it on each wrapper."""
        _separately("step")

    def zero_grad(self, **kwargs: Any) -> None:
        """Zero the gradients of every wrapper."""
        for wrapper in self.optim_wrappers.values():
            wrapper.zero_grad(**kwargs)

    @contextmanager
    def optim_context(self, model: nn.Module) -> Iterator[None]:
        """Not supported: call it on each wrapper."""
        _separately("optim_context")
        yield  # pragma: no cover

    def scale_loss(self, loss: torch.Tensor) -> torch.Tensor:
        """Not supported: call it on each wrapper."""
        _separately("scale_loss")

    def should_update(self) -> bool:
        """Not supported: call it on each wrapper."""
        _separately("should_update")

    def should_sync(self) -> bool:
        """Not supported: call it on each wrapper."""
        _separately("should_sync")

    @property
    def inner_count(self) -> int:
        """Not supported: read it on each wrapper."""
        _separately("inner_count")

    @property
    def defaults(self) -> dict:
        """Not supported: read it on each wrapper."""
        _separately("defaults")

    def initialize_count_status(
        self, model: nn.Module, cur_iter: int, max_iters: int
    ) -> None:
        """Initialise the counters of every wrapper.

        Args:
            model: The trained model.
            cur_iter: Calls already made.
            max_iters: Total calls of the run.
        """
        for wrapper in self.optim_wrappers.values():
            wrapper.initialize_count_status(model, cur_iter, max_iters)

    @property
    def param_groups(self) -> dict[str, list[dict]]:  # type: ignore[override]
        """``{key: param_groups}`` of every wrapper."""
        return {k: w.param_groups for k, w in self.optim_wrappers.items()}

    def get_lr(self) -> dict[str, list[float]]:
        """Every wrapper's ``get_lr`` with keys prefixed ``'<key>.'``."""
        return self._prefixed("get_lr")

    def get_momentum(self) -> dict[str, list[float]]:
        """Every wrapper's ``get_momentum`` with keys prefixed ``'<key>.'``."""
        return self._prefixed("get_momentum")

    def _prefixed(self, method: str) -> dict[str, list[float]]:
        result = {}
        for key, wrapper in self.optim_wrappers.items():
            for name, values in getattr(wrapper, method)().items():
                result[f"{key}.{name}"] = values
        return result

    def state_dict(self) -> dict:
        """``{key: state_dict}`` of every wrapper."""
        return {k: w.state_dict() for k, w in self.optim_wrappers.items()}

    def load_state_dict(self, state_dict: dict) -> None:
        """Load ``{key: state_dict}`` into the wrappers of those keys."""
        for key, state in state_dict.items():
            if key not in self.optim_wrappers:
                raise KeyError(
                    f"state_dict has key {key!r}, which is not one of the "
                    f"wrappers {list(self.optim_wrappers)}"
                )
            self.optim_wrappers[key].load_state_dict(state)

    def items(self) -> Iterator[tuple[str, OptimWrapper]]:
        """``(key, wrapper)`` pairs."""
        yield from self.optim_wrappers.items()

    def values(self) -> Iterator[OptimWrapper]:
        """The wrappers."""
        yield from self.optim_wrappers.values()

    def keys(self) -> Iterator[str]:
        """The keys."""
        yield from self.optim_wrappers.keys()

    def __getitem__(self, key: str) -> OptimWrapper:
        if key not in self.optim_wrappers:
            raise KeyError(
                f"{key!r} is not one of the wrappers {list(self.optim_wrappers)}"
            )
        return self.optim_wrappers[key]

    def __contains__(self, key: str) -> bool:
        return key in self.optim_wrappers

    def __len__(self) -> int:
        return len(self.optim_wrappers)

    def __repr__(self) -> str:
        return "".join(
            f"name: {key}\n{wrapper!r}" for key, wrapper in self.optim_wrappers.items()
        )
