"""``BaseOptimWrapper``: the interface every optimizer wrapper implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import torch
from torch.optim import Optimizer

__all__ = ["BaseOptimWrapper"]


class BaseOptimWrapper(ABC):
    """An optimizer behind the training-step interface of the Runner.

    Subclasses implement :meth:`update_params`, :meth:`backward`,
    :meth:`step` and :meth:`zero_grad`; the optimizer's state, its parameter
    groups and the ``get_lr``/``get_momentum`` views are shared here. With
    several parameter groups an extra group without parameters keeps the
    optimizer's base settings, so that schedulers and loggers see the base
    lr (reported as ``base_lr``).

    Args:
        optimizer: The wrapped optimizer.

    Examples:
        >>> import torch
        >>> class Plain(BaseOptimWrapper):
        ...     def update_params(self, loss):
        ...         self.backward(loss); self.step(); self.zero_grad()
        ...     def backward(self, loss): loss.backward()
        ...     def step(self): self.optimizer.step()
        ...     def zero_grad(self): self.optimizer.zero_grad()
        >>> model = torch.nn.Linear(1, 1)
        >>> Plain(torch.optim.SGD(model.parameters(), lr=0.1)).get_lr()
        {'lr': [0.1]}
    """

    def __init__(self, optimizer: Optimizer) -> None:
        self.optimizer = optimizer
        self.base_param_settings: dict | None = None
        if len(optimizer.param_groups) > 1:
            self.base_param_settings = {"params": [], **optimizer.defaults}
            optimizer.param_groups.append(self.base_param_settings)

    @abstractmethod
    def update_params(self, loss: torch.Tensor, *args: Any, **kwargs: Any) -> None:
        """Backward ``loss`` and update the parameters when due."""

    @abstractmethod
    def backward(self, loss: torch.Tensor, **kwargs: Any) -> None:
        """Compute the gradients of ``loss``."""

    @abstractmethod
    def step(self, **kwargs: Any) -> None:
        """Update the parameters."""

    @abstractmethod
    def zero_grad(self, **kwargs: Any) -> None:
        """Reset the gradients."""

    # --- optimizer state -----------------------------------------------------

    @property
    def param_groups(self) -> list[dict]:
        """The optimizer's parameter groups."""
        return self.optimizer.param_groups

    @property
    def defaults(self) -> dict:
        """The optimizer's default hyper-parameters."""
        return self.optimizer.defaults

    def _groups(self) -> list[dict]:
        return [g for g in self.param_groups if g is not self.base_param_settings]

    def get_lr(self) -> dict[str, list[float]]:
        """``{'lr': [lr of each group]}`` (plus ``base_lr`` with several)."""
        result: dict[str, list[float]] = {}
        if self.base_param_settings is not None:
            result["base_lr"] = [self.base_param_settings["lr"]]
        result["lr"] = [group["lr"] for group in self._groups()]
        return result

    def get_momentum(self) -> dict[str, list[float]]:
        """``{'momentum': [...]}``: ``momentum``, Adam's beta1, or 0."""
        momentum = []
        for group in self._groups():
            if "momentum" in group:
                momentum.append(group["momentum"])
            elif "betas" in group:
                momentum.append(group["betas"][0])
            else:
                momentum.append(0)
        return {"momentum": momentum}

    def state_dict(self) -> dict:
        """The optimizer's state dict."""
        return self.optimizer.state_dict()

    def load_state_dict(self, state_dict: dict) -> None:
        """Load an optimizer state dict."""
        self.optimizer.load_state_dict(state_dict)
        self._rebind_base_group()

    def _rebind_base_group(self) -> None:
        # ``Optimizer.load_state_dict`` replaces the group dicts.
        if self.base_param_settings is not None:
            self.base_param_settings = self.optimizer.param_groups[-1]
