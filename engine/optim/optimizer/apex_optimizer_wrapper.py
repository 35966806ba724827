"""``ApexOptimWrapper``: mixed precision through NVIDIA Apex's ``amp``."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch
import torch.nn as nn

from engine.optim.optimizer.optimizer_wrapper import OptimWrapper
from engine.registry import OPTIM_WRAPPERS

__all__ = ["ApexOptimWrapper"]

_AMP_ARGS = (
    "opt_level",
    "loss_scale",
    "enabled",
    "cast_model_type",
    "patch_torch_functions",
    "keep_batchnorm_fp32",
    "master_weights",
    "cast_model_outputs",
    "num_losses",
    "verbosity",
    "min_loss_scale",
    "max_loss_scale",
)


class ApexNotInstalledError(ImportError, AssertionError):
    """Apex is needed but missing (also an ``AssertionError``, as in MMEngine)."""


def _apex_amp() -> Any:
    try:
        return importlib.import_module("apex.amp")
    except ImportError as e:
        raise ApexNotInstalledError(
            "ApexOptimWrapper needs NVIDIA Apex, which is not installed; "
            "see https://github.com/NVIDIA/apex#linux, or use "
            "AmpOptimWrapper (torch's native mixed precision) instead"
        ) from e


@OPTIM_WRAPPERS.register_module()
class ApexOptimWrapper(OptimWrapper):
    """An :class:`OptimWrapper` whose mixed precision comes from Apex ``amp``.

    The first :meth:`optim_context` calls ``apex.amp.initialize`` on the
    model (unwrapped from DDP-style wrappers) and the optimizer with the
    arguments below; :meth:`backward` runs under ``amp.scale_loss``. The
    amp state is saved as ``apex_amp`` in :meth:`state_dict`; one loaded
    before initialisation is applied right after it.

    Args:
        opt_level: Apex optimisation level, ``'O0'`` to ``'O3'``.
        loss_scale: ``'dynamic'`` or a static scale.
        enabled: Whether amp is on.
        cast_model_type: Overrides the level's model dtype.
        patch_torch_functions: Overrides the level's function patching.
        keep_batchnorm_fp32: Overrides the level's BatchNorm precision.
        master_weights: Overrides the level's fp32 master weights.
        cast_model_outputs: The dtype model outputs are cast to.
        num_losses: Number of losses scaled separately.
        verbosity: Apex's log verbosity.
        min_loss_scale: Lower bound of a dynamic loss scale.
        max_loss_scale: Upper bound of a dynamic loss scale.
        **kwargs: The arguments of :class:`OptimWrapper`.

    Raises:
        ImportError: Apex is not installed (the error is also an
            ``AssertionError``, which MMEngine raises).

    Examples:
        >>> # needs apex:
        >>> # optim_wrapper = dict(type='ApexOptimWrapper', opt_level='O1',
        >>> #                      optimizer=dict(type='SGD', lr=0.01))
    """

    def __init__(
        self,
        opt_level: str = "O1",
        loss_scale: float | str | None = "dynamic",
        enabled: bool | None = True,
        cast_model_type: torch.dtype | None = None,
        patch_torch_functions: bool | None = None,
        keep_batchnorm_fp32: bool | str | None = None,
        master_weights: bool | None = None,
        cast_model_outputs: torch.dtype | None = None,
        num_losses: int = 1,
        verbosity: int = 1,
        min_loss_scale: float | None = None,
        max_loss_scale: float | None = 2.0**24,
        **kwargs: Any,
    ) -> None:
        _apex_amp()
        super().__init__(**kwargs)
        values = locals()
        self._amp_kwargs = {name: values[name] for name in _AMP_ARGS}
        for name, value in self._amp_kwargs.items():
            setattr(self, name, value)
        self._apex_amp_state_dict: dict | None = None

    def backward(self, loss: torch.Tensor, **kwargs: Any) -> None:
        """Backward ``loss`` scaled by amp and count one accumulation call."""
        with _apex_amp().scale_loss(loss, self.optimizer) as scaled_loss:
            scaled_loss.backward(**kwargs)
        self._inner_count += 1

    def state_dict(self) -> dict:
        """The optimizer's state dict plus amp's as ``apex_amp``."""
        state = self.optimizer.state_dict()
        state["apex_amp"] = _apex_amp().state_dict()
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        """Load the optimizer state and amp's (now, or once initialised)."""
        state_dict = dict(state_dict)
        amp_state = state_dict.pop("apex_amp", None)
        if amp_state is not None:
            if self._amp_initialized():
                _apex_amp().load_state_dict(amp_state)
            else:
                self._apex_amp_state_dict = amp_state
        self.optimizer.load_state_dict(state_dict)
        self._rebind_base_group()

    def _amp_initialized(self) -> bool:
        return hasattr(self.optimizer, "_amp_stash")

    @contextmanager
    def optim_context(self, model: nn.Module) -> Iterator[None]:
        """Initialise amp on first use, then :meth:`OptimWrapper.optim_context`.

        Args:
            model: The model whose forward runs in the context.
        """
        with super().optim_context(model):
            if not self._amp_initialized():
                self._initialize(model)
            yield

    def _initialize(self, model: nn.Module) -> None:
        amp = _apex_amp()
        module = getattr(model, "module", model)
        module, self.optimizer = amp.initialize(
            module, self.optimizer, **self._amp_kwargs
        )
        if self._apex_amp_state_dict is not None:
            amp.load_state_dict(self._apex_amp_state_dict)
            self._apex_amp_state_dict = None
