"""Trace a model into a TorchScript graph whose nodes know their module.

Every module gets a forward pre-hook that pushes its canonical name onto the
tracer's scope stack and a forward hook that pops it, so that
``node.scopeName()`` of each traced op reads ``"/layer1/layer1.0/..."``: the
names of the modules whose ``__call__`` was running, outermost first. A
module reached through ``.forward()`` directly runs no hooks and leaves no
scope.

A module registered under several names (shared, or aliased) is known by the
first name :meth:`torch.nn.Module.named_modules` meets: its *canonical*
name.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch
from torch import nn
from torch.jit._trace import TracerWarning, _get_trace_graph

__all__ = ["TRACER_WARNING_MODES", "module_aliases", "scoped_trace_graph"]

#: Accepted modes of ``JitModelAnalysis.tracer_warnings``.
TRACER_WARNING_MODES = ("all", "no_tracer_warning", "none")

_WRAPPERS = (nn.DataParallel, nn.parallel.DistributedDataParallel)


def module_aliases(model: nn.Module) -> dict[Any, str]:
    """Map every module and every module path to its canonical name.

    Args:
        model: The root module.

    Returns:
        ``{module: canonical name, path: canonical name}`` for every path
        under ``model`` (duplicates included), in ``named_modules`` order.
    """
    aliases: dict[Any, str] = {}
    for name, module in model.named_modules(remove_duplicate=False):
        canonical = aliases.setdefault(module, name)
        aliases[name] = canonical
    return aliases


def _push_scope(name: str) -> Any:
    def hook(module: nn.Module, args: Any) -> None:
        state = torch._C._get_tracing_state()
        if state:
            state.push_scope(name)

    return hook


def _pop_scope(module: nn.Module, args: Any, output: Any) -> None:
    state = torch._C._get_tracing_state()
    if state:
        state.pop_scope()


@contextmanager
def _scope_hooks(model: nn.Module, aliases: dict[Any, str]) -> Iterator[nn.Module]:
    """Hook every module of ``model``; yield the module to trace."""
    handles = []

    def hook(module: nn.Module, name: str) -> None:
        handles.append(module.register_forward_pre_hook(_push_scope(name)))
        handles.append(module.register_forward_hook(_pop_scope))

    traced = model
    if isinstance(model, _WRAPPERS):
        # Trace what the wrapper wraps; its root scope stands for the wrapper.
        traced = model.module
        hook(traced, aliases[model])
    for _, module in traced.named_modules():
        hook(module, aliases[module])
    try:
        yield traced
    finally:
        for handle in handles:
            handle.remove()


@contextmanager
def _warning_filter(mode: str) -> Iterator[None]:
    with warnings.catch_warnings():
        if mode == "none":
            warnings.simplefilter("ignore")
        elif mode == "no_tracer_warning":
            warnings.filterwarnings("ignore", category=TracerWarning)
        yield


def scoped_trace_graph(
    model: nn.Module, inputs: Any, aliases: dict[Any, str], warning_mode: str
) -> torch.Graph:
    """Trace ``model(*inputs)`` with module scopes on the graph's nodes.

    Args:
        model: The model; a ``DataParallel`` / ``DistributedDataParallel``
            wrapper is unwrapped.
        inputs: A tuple of positional arguments, or a single argument.
        aliases: :func:`module_aliases` of ``model``.
        warning_mode: One of :data:`TRACER_WARNING_MODES`: show every
            warning raised while tracing, all but ``TracerWarning``, or none.

    Returns:
        The trace graph.
    """
    with _warning_filter(warning_mode), _scope_hooks(model, aliases) as traced:
        graph, _ = _get_trace_graph(traced, inputs)
    return graph
