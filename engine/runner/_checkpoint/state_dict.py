"""A module's state dict to and from a dict of tensors, through wrappers.

A model wrapper (``MMDistributedDataParallel``, torch's ``DataParallel``...:
a class registered in ``MODEL_WRAPPERS``) keeps the model in its ``module``
attribute. :func:`get_state_dict` and
:func:`load_state_dict` look through one wrapper at every level of the
module tree, so a checkpoint's keys never carry the wrapper's ``module.``.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import torch
from torch import nn
from torch.nn.modules.module import _IncompatibleKeys

from engine.dist import get_dist_info
from engine.logging import print_log
from engine.utils import apply_to, deprecated_function

__all__ = [
    "_IncompatibleKeys",
    "_save_to_state_dict",
    "get_state_dict",
    "load_state_dict",
    "model_wrapper_check",
    "weights_to_cpu",
]

_MISMATCH_HEADER = "The model and loaded state dict do not match exactly\n"


def model_wrapper_check() -> Callable[[Any], bool]:
    """:func:`engine.model.wrappers.utils.is_model_wrapper`, imported lazily.

    A module is a wrapper if its class is registered in ``MODEL_WRAPPERS``
    (or a child registry); torch's ``DataParallel`` and
    ``DistributedDataParallel`` are.
    """
    from engine.model.wrappers.utils import is_model_wrapper

    return is_model_wrapper


def load_state_dict(
    module: nn.Module,
    state_dict: Any,
    strict: bool = False,
    logger: logging.Logger | str | None = None,
) -> None:
    """Copy ``state_dict`` into ``module``, reporting what does not fit.

    Unlike :meth:`torch.nn.Module.load_state_dict`, a tensor whose shape
    differs from the parameter's is skipped and reported rather than
    raising, and model wrappers are looked through. Missing
    ``num_batches_tracked`` buffers are not reported. The report is, in
    this order, torch's ``size mismatch for <key>: ...`` lines, then
    ``unexpected key in source state_dict: <keys>`` and
    ``missing keys in source state_dict: <keys>``, under the header
    ``The model and loaded state dict do not match exactly``. Only rank 0
    reports.

    Args:
        module: The module to load into.
        state_dict: Key -> tensor; its ``_metadata`` (module versions) is used
            when present.
        strict: Raise the report as a RuntimeError instead of logging it.
            Defaults to False.
        logger: Where the report is logged (see
            :func:`~engine.logging.print_log`; None prints it). Logged at
            WARNING. Defaults to None.

    Raises:
        RuntimeError: with ``strict``, if the keys or shapes do not match.

    Examples:
        >>> import torch
        >>> linear = torch.nn.Linear(1, 1)
        >>> load_state_dict(linear, {'weight': torch.ones(1, 1)}, logger='silent')
        >>> linear.weight.item()
        1.0
    """
    missing: list[str] = []
    unexpected: list[str] = []
    errors: list[str] = []
    metadata = getattr(state_dict, "_metadata", None)
    state = OrderedDict(state_dict)
    loader = _Loader(model_wrapper_check(), metadata, missing, unexpected, errors)
    loader.load(module, state, "")
    missing = [key for key in missing if "num_batches_tracked" not in key]
    report = _mismatch_report(errors, unexpected, missing)
    rank, _ = get_dist_info()
    if report is None or rank != 0:
        return
    if strict:
        raise RuntimeError(report)
    print_log(report, logger=logger, level=logging.WARNING)


def _mismatch_report(
    errors: list[str], unexpected: list[str], missing: list[str]
) -> str | None:
    lines = list(errors)
    if unexpected:
        lines.append(f"unexpected key in source state_dict: {', '.join(unexpected)}\n")
    if missing:
        lines.append(f"missing keys in source state_dict: {', '.join(missing)}\n")
    if not lines:
        return None
    return "\n".join([_MISMATCH_HEADER, *lines])


class _Loader:
    """One recursive load; the key lists are filled in place."""

    def __init__(
        self,
        is_wrapper: Callable[[Any], bool],
        metadata: Any,
        missing: list[str],
        unexpected: list[str],
        errors: list[str],
    ) -> None:
        self.is_wrapper = is_wrapper
        self.metadata = metadata
        self.missing, self.unexpected, self.errors = missing, unexpected, errors

    def load(self, module: Any, state: dict[str, Any], prefix: str) -> None:
        if self.is_wrapper(module):
            module = module.module
        local_metadata = {}
        if self.metadata is not None:
            local_metadata = self.metadata.get(prefix[:-1], {})
        module._load_from_state_dict(
            state,
            prefix,
            local_metadata,
            True,
            self.missing,
            self.unexpected,
            self.errors,
        )
        for name, child in module._modules.items():
            if child is not None:
                child_prefix = f"{prefix}{name}."
                child_state = {
                    k: v for k, v in state.items() if k.startswith(child_prefix)
                }
                self.load(child, child_state, child_prefix)
        incompatible = _IncompatibleKeys(self.missing, self.unexpected)
        for hook in module._load_state_dict_post_hooks.values():
            hook(module, incompatible)


def get_state_dict(
    module: nn.Module,
    destination: Any = None,
    prefix: str = "",
    keep_vars: bool = False,
) -> Any:
    """The state dict of ``module``, with model wrappers looked through.

    Like :meth:`torch.nn.Module.state_dict` (its hooks run, the result has a
    ``_metadata`` of module versions), except that a model wrapper at any
    level contributes its wrapped module's entries under its own prefix.

    Args:
        module: The module.
        destination: The dict to fill. Defaults to None (a new
            ``OrderedDict``).
        prefix: Prepended to every key. Defaults to ``''``.
        keep_vars: Keep parameters as :class:`~torch.nn.Parameter` (not
            detached). Defaults to False.

    Returns:
        ``destination``, or the dict a state-dict hook returned.

    Examples:
        >>> import torch
        >>> list(get_state_dict(torch.nn.Linear(1, 1)))
        ['weight', 'bias']
    """
    if destination is None:
        destination = OrderedDict()
        destination._metadata = OrderedDict()
    return _collect(module, destination, prefix, keep_vars, model_wrapper_check())


def _collect(
    module: Any,
    destination: Any,
    prefix: str,
    keep_vars: bool,
    is_wrapper: Callable[[Any], bool],
) -> Any:
    if is_wrapper(module):
        module = module.module
    local_metadata = dict(version=module._version)
    metadata = getattr(destination, "_metadata", None)
    if metadata is not None:
        metadata[prefix[:-1]] = local_metadata
    for pre_hook in module._state_dict_pre_hooks.values():
        pre_hook(module, prefix, keep_vars)
    module._save_to_state_dict(destination, prefix, keep_vars)
    for name, child in module._modules.items():
        if child is not None:
            _collect(child, destination, f"{prefix}{name}.", keep_vars, is_wrapper)
    for hook in module._state_dict_hooks.values():
        result = hook(module, destination, prefix, local_metadata)
        if result is not None and not getattr(hook, "_from_public_api", False):
            destination = result
    return destination


def weights_to_cpu(state_dict: Any) -> OrderedDict:
    """A copy of ``state_dict`` with every tensor, however nested, on the CPU.

    Args:
        state_dict: Key -> tensor (or containers of tensors).

    Returns:
        An ``OrderedDict`` with the same keys and ``_metadata``.

    Examples:
        >>> import torch
        >>> dict(weights_to_cpu({'w': torch.ones(1)}))
        {'w': tensor([1.])}
    """
    result = OrderedDict(
        (key, apply_to(value, _is_tensor, _to_cpu)) for key, value in state_dict.items()
    )
    metadata = getattr(state_dict, "_metadata", None)
    if metadata is not None:
        result._metadata = metadata  # type: ignore[attr-defined]
    return result


def _is_tensor(value: Any) -> bool:
    return isinstance(value, torch.Tensor)


def _to_cpu(value: torch.Tensor) -> torch.Tensor:
    return value.cpu()


@deprecated_function(
    since="0.3.0",
    removed_in="0.5.0",
    instructions="`_save_to_state_dict` will be deprecated in the future, "
    "please use `nn.Module._save_to_state_dict` directly.",
)
def _save_to_state_dict(
    module: nn.Module, destination: Any, prefix: str, keep_vars: bool
) -> None:
    """Add ``module``'s own parameters and persistent buffers to ``destination``.

    Children are not visited; use :meth:`torch.nn.Module._save_to_state_dict`.
    """
    module._save_to_state_dict(destination, prefix, keep_vars)
