"""Per-module, per-operator statistics of a traced model:
:class:`JitModelAnalysis`.

The model is traced once, lazily, on the first query (see
:mod:`engine.analysis._tracing`); each node of the graph is costed by the
handle registered for its kind (``"aten::linear"``) and booked to the
modules that own it. A query then only reads the stored
:class:`Statistics`; changing the handles discards them.

Per node, in graph order:

* ``prim::PythonOp`` nodes are named ``prim::PythonOp.<Function name>``;
* a kind with a handle: ``handle(inputs, outputs)`` is a number (booked
  under the kind's short name, ``"linear"``) or a mapping ``{name: count}``
  whose counts must be ``int``, ``float``, ``np.int64`` or ``np.float64``;
  counts are added to each owning module's ``Counter`` (so only positive
  counts remain);
* otherwise a kind in the ignored set, or any other ``prim::`` kind than
  ``prim::PythonOp*`` / ``prim::CallFunction``, is skipped;
* anything else is an unsupported operator, counted per owning module.

The owners of a node are, in ``"owner"`` ancestor mode (the default), the
module whose call recorded it and all of that module's ancestors by name;
in ``"caller"`` mode, the modules whose calls were running. A module that
owns no node at all (not even a constant) is *uncalled*.
"""

from __future__ import annotations

import logging
import numbers
from collections import Counter
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
from torch import nn

from engine.analysis._tracing import (
    TRACER_WARNING_MODES,
    module_aliases,
    scoped_trace_graph,
)
from engine.analysis.jit_handles import Handle
from engine.logging import print_log

__all__ = ["JitModelAnalysis", "Statistics"]

T = TypeVar("T", bound="JitModelAnalysis")

#: Operators that cost nothing and raise no "unsupported" warning.
_IGNORED_OPS: set[str] = {
    f"aten::{name}"
    for name in """
        Int ScalarImplicit __and__ arange bitwise_not cat chunk clamp clamp_
        constant_pad_nd contiguous copy_ detach dropout empty eq expand flatten
        floor floor_divide full full_like gather ge gt index index_put_
        masked_fill max narrow new_empty new_full new_zeros nonzero ones permute
        relu relu_ remainder reshape roll select size slice split
        split_with_sizes squeeze stack t to transpose type_as unbind unsqueeze
        unsqueeze_ view zeros zeros_like
    """.split()
}

_ANCESTOR_MODES = ("owner", "caller")
_COUNT_TYPES = (int, float, np.float64, np.int64)
_UNCALLED_MESSAGE = (
    "The following submodules of the model were never called during the "
    "trace of the graph. They may be unused, or they were accessed by direct "
    "calls to .forward() or via other python methods. In the latter case they "
    "will have zeros for statistics, though their statistics will still "
    "contribute to their parent calling module.\n"
)
# Classes whose forward is not expected to run: never "uncalled" in warnings.
_NO_FORWARD = (nn.Module.forward, nn.Identity.forward)


@dataclass
class Statistics:
    """The result of one analysis."""

    #: Canonical module name -> ``Counter`` of operator -> count.
    counts: dict[str, Counter[str]]
    #: Canonical module name -> ``Counter`` of unsupported kind -> occurrences.
    unsupported_ops: dict[str, Counter[str]]
    #: Canonical names of the modules that owned no traced node.
    uncalled_mods: set[str]


def _ancestors(name: str) -> list[str]:
    """``'a.b.c'`` -> ``['', 'a', 'a.b', 'a.b.c']``; ``''`` -> ``['']``."""
    if not name:
        return [""]
    parts = name.split(".")
    return [""] + [".".join(parts[: i + 1]) for i in range(len(parts))]


def _short_name(kind: str) -> str:
    """``'aten::linear'`` -> ``'linear'``."""
    return kind.split("::", 1)[1] if "::" in kind else kind


class JitModelAnalysis:
    """Trace a model and count, per module and per operator, what the op
    handles return.

    With no handles every operator is unsupported; :class:`FlopAnalyzer`
    and :class:`ActivationAnalyzer` come with their handle tables.

    Args:
        model: The model to analyse.
        inputs: The positional inputs of ``model``: a tuple, or a single
            argument (a tensor).

    Examples:
        >>> import torch
        >>> from engine.analysis.jit_handles import linear_flop_jit
        >>> model = torch.nn.Sequential(torch.nn.Linear(10, 10))
        >>> analysis = JitModelAnalysis(model, torch.ones(1, 10))
        >>> analysis.set_op_handle('aten::linear', linear_flop_jit).total()
        100
        >>> analysis.by_module()
        Counter({'': 100, '0': 100})
    """

    def __init__(self, model: nn.Module, inputs: Any) -> None:
        self._model = model
        self._inputs = inputs
        self._op_handles: dict[str, Handle] = {}
        self._ignored_ops: set[str] = set(_IGNORED_OPS)
        self._aliases = module_aliases(model)
        self._modules = {
            name: mod
            for mod, name in self._aliases.items()
            if isinstance(mod, nn.Module)
        }
        self._stats: Statistics | None = None
        self._warn_unsupported = True
        self._warn_uncalled = True
        self._tracer_mode = "no_tracer_warning"
        self._ancestor = "owner"

    # -- queries -----------------------------------------------------------

    def total(self, module_name: str = "") -> Any:
        """The total count of a module (the whole model by default).

        Args:
            module_name: A module path (any alias). Defaults to ``''``.

        Returns:
            The sum of the module's counts (an int unless a handle returned
            floats).
        """
        counts = self._analyze().counts[self.canonical_module_name(module_name)]
        return sum(counts.values())

    def by_operator(self, module_name: str = "") -> Counter[str]:
        """The counts of a module, per operator short name.

        Args:
            module_name: A module path. Defaults to ``''`` (the model).

        Returns:
            ``Counter`` of operator -> count (operators that counted
            nothing are absent).
        """
        return self._analyze().counts[self.canonical_module_name(module_name)]

    def by_module_and_operator(self) -> dict[str, Counter[str]]:
        """Every module's per-operator counts.

        Returns:
            Canonical module name -> ``Counter`` of operator -> count, for
            every module of the model (uncalled ones included), in
            ``named_modules`` order.
        """
        return self._analyze().counts

    def by_module(self) -> Counter[str]:
        """Every module's total count.

        Returns:
            ``Counter`` of canonical module name -> total, for every module
            (uncalled ones count 0), in ``named_modules`` order.
        """
        counts = self._analyze().counts
        return Counter({name: sum(c.values()) for name, c in counts.items()})

    def unsupported_ops(self, module_name: str = "") -> Counter[str]:
        """Occurrences of each operator that had no handle, in a module.

        Args:
            module_name: A module path. Defaults to ``''`` (the model).

        Returns:
            ``Counter`` of operator kind -> occurrences, in trace order.

        Raises:
            RuntimeError: if the model has not been analysed yet (call a
                counting query such as :meth:`total` first).
        """
        if self._stats is None:
            raise RuntimeError(
                "Analysis results should be computed before calling unsupported_ops()"
            )
        return self._stats.unsupported_ops[self.canonical_module_name(module_name)]

    def uncalled_modules(self) -> set[str]:
        """Canonical names of the modules that owned no traced op."""
        return self._analyze().uncalled_mods

    def canonical_module_name(self, name: str) -> str:
        """The canonical name of a module path.

        Args:
            name: A module path; a shared module answers to each of its
                paths.

        Returns:
            The first path of that module in ``named_modules`` order.

        Raises:
            KeyError: if ``name`` is not a module of the model.
        """
        assert isinstance(name, str), "Module name must be a string."
        if name not in self._aliases:
            raise KeyError(
                "Requested module name is not among the descendants of the "
                "analyzed model."
            )
        return self._aliases[name]

    # -- settings ------------------------------------------------------------

    def set_op_handle(self, *args: Any, **kwargs: Handle | None) -> JitModelAnalysis:
        """Set handles for operator kinds; discards any computed results.

        Args:
            *args: Alternating kinds and handles:
                ``set_op_handle('aten::linear', handle, ...)``.
            **kwargs: Kind -> handle. A handle of None adds the kind to the
                ignored operators (a handle set for it still counts, until
                :meth:`clear_op_handles`).

        Returns:
            This analyser.

        Raises:
            TypeError: if ``args`` does not come in pairs.
        """
        if len(args) % 2:
            raise TypeError(
                "set_op_handle should be called with pairs of names andhandles!"
            )
        handles = dict(zip(args[::2], args[1::2], strict=True))
        handles.update(kwargs)
        for kind, handle in handles.items():
            if handle is None:
                self._ignored_ops.add(kind)
            else:
                self._op_handles[kind] = handle
        self._stats = None
        return self

    def clear_op_handles(self) -> JitModelAnalysis:
        """Remove every handle and restore the default ignored operators;
        discards the results."""
        self._op_handles = {}
        self._ignored_ops = set(_IGNORED_OPS)
        self._stats = None
        return self

    def copy(
        self, new_model: nn.Module | None = None, new_inputs: Any = None
    ) -> JitModelAnalysis:
        """A fresh :class:`JitModelAnalysis` with the same handles and
        warning settings (not the ignored kinds nor the ancestor mode).

        Args:
            new_model: Analyse this model instead. Defaults to None (the
                same model).
            new_inputs: Use these inputs instead. Defaults to None (the
                same inputs).

        Returns:
            The new analyser, not analysed yet.
        """
        model = self._model if new_model is None else new_model
        inputs = self._inputs if new_inputs is None else new_inputs
        return (
            JitModelAnalysis(model, inputs)
            .set_op_handle(**self._op_handles)
            .unsupported_ops_warnings(self._warn_unsupported)
            .uncalled_modules_warnings(self._warn_uncalled)
            .tracer_warnings(self._tracer_mode)
        )

    def tracer_warnings(self: T, mode: str) -> T:
        """Which Python warnings to let through while tracing.

        Args:
            mode: ``'all'``, ``'no_tracer_warning'`` (the default: all but
                ``torch.jit.TracerWarning``) or ``'none'``.

        Returns:
            This analyser.
        """
        if mode not in TRACER_WARNING_MODES:
            raise ValueError(f"Unrecognized tracer warning mode {mode}.")
        self._tracer_mode = mode
        return self

    def ancestor_mode(self: T, mode: str) -> T:
        """Which modules a traced op counts towards (see the module doc).

        Takes effect at the next analysis: results already computed stay.

        Args:
            mode: ``'owner'`` (the default) or ``'caller'``.

        Returns:
            This analyser.
        """
        if mode not in _ANCESTOR_MODES:
            raise ValueError(f"Unrecognized ancestor mode: {mode}")
        self._ancestor = mode
        return self

    def unsupported_ops_warnings(self: T, enabled: bool) -> T:
        """Log (or not) a warning per unsupported operator. Returns self."""
        self._warn_unsupported = enabled
        return self

    def uncalled_modules_warnings(self: T, enabled: bool) -> T:
        """Log (or not) a warning naming the uncalled modules. Returns self."""
        self._warn_uncalled = enabled
        return self

    # -- analysis ------------------------------------------------------------

    def _trace(self) -> Any:
        """The scoped trace graph of the model (runs its forward once)."""
        return scoped_trace_graph(
            self._model, self._inputs, self._aliases, self._tracer_mode
        )

    def _analyze(self, graph: Any = None) -> Statistics:
        """The statistics, from ``graph`` (a :meth:`_trace` of this model
        with these inputs) or from a new trace; computed once."""
        if self._stats is not None:
            return self._stats
        stats = self._count((graph if graph is not None else self._trace()).nodes())
        self._stats = stats
        self._warn_unsupported_ops(stats.unsupported_ops[""])
        self._warn_uncalled_mods(stats.uncalled_mods)
        return stats

    def _count(self, nodes: Any) -> Statistics:
        names = list(self._modules)
        counts: dict[str, Counter[str]] = {name: Counter() for name in names}
        unsupported: dict[str, Counter[str]] = {name: Counter() for name in names}
        seen: set[str] = set()
        owners_of: dict[str, list[str]] = {}
        for node in nodes:
            scope = node.scopeName()
            owners = owners_of.get(scope)
            if owners is None:
                owners = owners_of[scope] = self._owners(scope)
                seen.update(scope.split("/"), owners)
            kind = node.kind()
            if kind == "prim::PythonOp":
                kind = f"{kind}.{node.pyname()}"
            handle = self._op_handles.get(kind)
            if handle is not None:
                result = handle(list(node.inputs()), list(node.outputs()))
                booked = self._booked(kind, result)
                for owner in owners:
                    # '+=' keeps positive counts only, after every addition.
                    counts[owner] += booked
            elif not self._ignored(kind):
                for owner in owners:
                    unsupported[owner][kind] += 1
        return Statistics(counts, unsupported, set(names) - seen)

    def _owners(self, scope: str) -> list[str]:
        names = scope.split("/")
        if self._ancestor == "caller":
            return list(dict.fromkeys(names))
        return _ancestors(names[-1])

    @staticmethod
    def _booked(kind: str, result: Any) -> Any:
        if isinstance(result, numbers.Number):
            result = Counter({_short_name(kind): result})
        for value in result.values():
            if not isinstance(value, _COUNT_TYPES):
                raise ValueError(
                    f"Invalid type {type(value)} for the flop count! Please use "
                    "a wider type to avoid overflow."
                )
        return result

    def _ignored(self, kind: str) -> bool:
        if kind in self._ignored_ops:
            return True
        if kind.startswith(("prim::PythonOp", "prim::CallFunction")):
            return False
        return kind.startswith("prim::")

    def _warn_unsupported_ops(self, ops: Counter[str]) -> None:
        if not self._warn_unsupported:
            return
        for kind, times in ops.items():
            print_log(
                f"Unsupported operator {kind} encountered {times} time(s)",
                logger="current",
                level=logging.WARNING,
            )

    def _warn_uncalled_mods(self, uncalled: set[str]) -> None:
        if not self._warn_uncalled:
            return
        expected = sorted(n for n in uncalled if self._has_forward(n))
        if expected:
            print_log(
                _UNCALLED_MESSAGE + ", ".join(expected),
                logger="current",
                level=logging.WARNING,
            )

    def _has_forward(self, name: str) -> bool:
        forward = type(self._modules[name]).forward
        return all(forward is not f for f in _NO_FORWARD)
