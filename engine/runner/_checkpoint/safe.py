"""Checkpoints that ``torch.load(weights_only=True)`` reads.

Writing: :func:`make_weights_only_safe` turns the values that the
weights-only unpickler refuses, but that a runner puts in checkpoints, into
values it accepts:

* NumPy scalars become Python numbers (``np.float64(0.5)`` -> ``0.5``) and
  NumPy arrays nested lists (``ndarray.tolist()``);
* a :class:`~engine.logging.HistoryBuffer` becomes
  ``{'__history_buffer__': {'log_history': Tensor, 'count_history': Tensor,
  'max_length': int}}``, which :func:`restore_history_buffers` turns back
  into a HistoryBuffer when engine loads the checkpoint;
* dict subclasses other than ``OrderedDict`` and ``Counter`` (a
  ``ConfigDict``, a ``defaultdict``) become plain dicts.

Anything else that is not a tensor, a number, a string, bytes, None or a
dict/list/tuple/set of those is left as it is and reported.

Reading: :func:`torch_load` always passes ``weights_only`` to
:func:`torch.load`. With ``weights_only=True`` (the default, see
:func:`weights_only_scope`) it allows, for the duration of the call, exactly
the globals that MMEngine's checkpoints need: NumPy's array and scalar
reconstructors, ``numpy.ndarray``, ``numpy.dtype`` and its classes, and
``mmengine.logging.history_buffer.HistoryBuffer``, which is read into an
engine HistoryBuffer. No MMEngine code is imported or run.
"""

from __future__ import annotations

import pickle
import re
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import numpy as np
import torch

from engine.logging.history_buffer import HistoryBuffer

__all__ = [
    "HISTORY_BUFFER_KEY",
    "convert",
    "make_weights_only_safe",
    "restore_history_buffers",
    "torch_load",
    "unsafe_values",
    "weights_only_scope",
]

#: The single key of the dict that stands for a HistoryBuffer in a checkpoint.
HISTORY_BUFFER_KEY = "__history_buffer__"

_PRIMITIVES = frozenset({int, float, bool, complex, str, bytes, bytearray})
_TORCH_LEAVES = (torch.Size, torch.device, torch.dtype)
_KEPT_DICTS = (dict, OrderedDict, Counter)
_WEIGHTS_ONLY: ContextVar[bool] = ContextVar("weights_only", default=True)


# -- writing ----------------------------------------------------------------


def make_weights_only_safe(checkpoint: Any) -> Any:
    """``checkpoint`` with the values weights-only loading refuses converted.

    See the module docstring for the conversions. Containers in which
    nothing changes are returned as they are (no copy); changed ones are
    copied, keeping the type and the attributes of an ``OrderedDict`` (a
    state dict's ``_metadata``). The input is never modified.

    Args:
        checkpoint: The object to save, usually a dict.

    Returns:
        The converted object.

    Examples:
        >>> import numpy as np
        >>> make_weights_only_safe({'seed': np.int64(3), 'pal': np.eye(2)})
        {'seed': 3, 'pal': [[1.0, 0.0], [0.0, 1.0]]}
    """
    return _convert(checkpoint, "checkpoint", [])


def convert(checkpoint: Any) -> tuple[Any, list[str]]:
    """:func:`make_weights_only_safe` and :func:`unsafe_values` in one pass."""
    unsafe: list[str] = []
    return _convert(checkpoint, "checkpoint", unsafe), unsafe


def unsafe_values(checkpoint: Any) -> list[str]:
    """Where :func:`make_weights_only_safe` leaves a value weights-only refuses.

    Returns:
        One ``"<path>: <type>"`` entry per value, e.g.
        ``"checkpoint['meta']['fn']: builtins.function"``.

    Examples:
        >>> unsafe_values({'ok': 1, 'f': len})
        ["checkpoint['f']: builtins.builtin_function_or_method"]
    """
    found: list[str] = []
    _convert(checkpoint, "checkpoint", found)
    return found


def _convert(obj: Any, path: str, unsafe: list[str]) -> Any:
    kind = type(obj)
    if obj is None or kind in _PRIMITIVES:
        return obj
    if isinstance(obj, torch.Tensor):
        if kind is not torch.Tensor and kind is not torch.nn.Parameter:
            unsafe.append(f"{path}: {_qualname(kind)}")
        return obj
    if isinstance(obj, _TORCH_LEAVES):
        return obj
    if isinstance(obj, dict):
        return _convert_dict(obj, path, unsafe)
    if kind is list or kind is tuple or kind is set:
        return _convert_items(obj, path, unsafe)
    if isinstance(obj, HistoryBuffer):
        return _history_to_dict(obj)
    if isinstance(obj, np.generic):
        return _convert(obj.item(), path, unsafe)
    if isinstance(obj, np.ndarray):
        return _convert(obj.tolist(), path, unsafe)
    if not _user_allowed(kind):
        unsafe.append(f"{path}: {_qualname(kind)}")
    return obj


def _convert_dict(obj: dict, path: str, unsafe: list[str]) -> dict:
    changed = type(obj) not in _KEPT_DICTS
    items = []
    for key, value in obj.items():
        new_key = _convert(key, f"{path} key {key!r}", unsafe)
        new_value = _convert(value, f"{path}[{key!r}]", unsafe)
        changed = changed or new_key is not key or new_value is not value
        items.append((new_key, new_value))
    if not changed:
        return obj
    if isinstance(obj, Counter):
        return Counter(dict(items))
    if isinstance(obj, OrderedDict):
        result: dict = OrderedDict(items)
        result.__dict__.update(obj.__dict__)  # e.g. a state dict's _metadata
        return result
    return dict(items)


def _convert_items(obj: Any, path: str, unsafe: list[str]) -> Any:
    if type(obj) is set:
        items = list(obj)
        new = [_convert(x, f"{path} item", unsafe) for x in items]
    else:
        items = list(obj)
        new = [_convert(x, f"{path}[{i}]", unsafe) for i, x in enumerate(items)]
    if all(a is b for a, b in zip(new, items)):
        return obj
    return type(obj)(new)


def _history_to_dict(buffer: HistoryBuffer) -> dict[str, dict[str, Any]]:
    values, counts = buffer.data
    return {
        HISTORY_BUFFER_KEY: {
            "log_history": torch.from_numpy(np.array(values)),
            "count_history": torch.from_numpy(np.array(counts)),
            "max_length": int(buffer.max_length),
        }
    }


def _qualname(kind: type) -> str:
    return f"{kind.__module__}.{kind.__qualname__}"


def _user_allowed(kind: type) -> bool:
    """Whether ``kind`` was marked safe with ``torch.serialization``."""
    get = getattr(torch.serialization, "get_safe_globals", None)
    if get is None:
        return False
    for entry in get():
        if entry is kind or (isinstance(entry, tuple) and entry[0] is kind):
            return True
    return False


# -- reading ----------------------------------------------------------------


def restore_history_buffers(checkpoint: Any) -> Any:
    """Turn the dicts :func:`make_weights_only_safe` wrote back into buffers.

    Containers without such a dict are returned as they are.

    Examples:
        >>> saved = make_weights_only_safe({'loss': HistoryBuffer([1.0], [1])})
        >>> restore_history_buffers(saved)['loss'].data
        (array([1.]), array([1]))
    """
    kind = type(checkpoint)
    if kind is dict or kind is OrderedDict:
        if len(checkpoint) == 1 and HISTORY_BUFFER_KEY in checkpoint:
            return _dict_to_history(checkpoint[HISTORY_BUFFER_KEY])
        items = [(k, restore_history_buffers(v)) for k, v in checkpoint.items()]
        if all(new is checkpoint[k] for k, new in items):
            return checkpoint
        result = kind(items)
        if kind is OrderedDict:
            result.__dict__.update(checkpoint.__dict__)
        return result
    if kind is list or kind is tuple:
        new = [restore_history_buffers(x) for x in checkpoint]
        if all(a is b for a, b in zip(new, checkpoint)):
            return checkpoint
        return kind(new)
    return checkpoint


def _dict_to_history(state: Any) -> HistoryBuffer:
    try:
        values, counts = state["log_history"], state["count_history"]
        max_length = state["max_length"]
    except (KeyError, TypeError) as e:
        raise ValueError(
            f"a {HISTORY_BUFFER_KEY!r} entry needs log_history, count_history "
            f"and max_length, got {state!r}"
        ) from e
    return HistoryBuffer(_as_array(values), _as_array(counts), int(max_length))


def _as_array(values: Any) -> Any:
    if isinstance(values, torch.Tensor):
        return values.cpu().numpy()
    return np.asarray(values)


@contextmanager
def weights_only_scope(weights_only: bool) -> Iterator[None]:
    """Make :func:`torch_load` use ``weights_only`` inside the block.

    The loaders registered with ``CheckpointLoader`` take only
    ``(filename, map_location)``; this carries the caller's choice to them.

    Examples:
        >>> with weights_only_scope(False):
        ...     pass
    """
    token = _WEIGHTS_ONLY.set(bool(weights_only))
    try:
        yield
    finally:
        _WEIGHTS_ONLY.reset(token)


def torch_load(file: Any, map_location: Any = None, source: str = "") -> Any:
    """:func:`torch.load` with the weights-only setting of the current scope.

    Args:
        file: A path or a binary file object.
        map_location: As for :func:`torch.load`. Defaults to None.
        source: What to name in errors (the URL or path). Defaults to
            ``str(file)``.

    Raises:
        pickle.UnpicklingError: if weights-only loading refuses the file;
            the message names the file, what was refused and the opt-in.
    """
    if not _WEIGHTS_ONLY.get():
        return torch.load(file, map_location=map_location, weights_only=False)
    try:
        with _foreign_globals_allowed():
            return torch.load(file, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as e:
        raise pickle.UnpicklingError(
            f"{source or file}: weights-only loading refused the checkpoint "
            f"({_reason(e)}). engine reads tensors, Python containers and "
            "numbers, NumPy values and MMEngine HistoryBuffers; if you trust "
            "the file, load it with weights_only=False"
        ) from e


def _reason(error: Exception) -> str:
    """The line of torch's long message that says what was refused."""
    text = str(error)
    match = re.search(r"WeightsUnpickler error:\s*(.+?)(?: Please use|\n|$)", text)
    if match:
        return match.group(1).strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines:
        if "GLOBAL" in line or "allowed" in line:
            return line
    return lines[-1] if lines else type(error).__name__


# -- the allow-list for MMEngine's checkpoints -------------------------------


class _MMEngineHistoryBuffer(HistoryBuffer):
    """Read in place of ``mmengine.logging.history_buffer.HistoryBuffer``.

    Its state (``max_length``, ``_log_history``, ``_count_history`` and the
    names of the statistics methods) becomes an engine HistoryBuffer; the
    instance's class is then HistoryBuffer itself.
    """

    def __setstate__(self, state: dict) -> None:
        try:
            values, counts = state["_log_history"], state["_count_history"]
            max_length = state["max_length"]
        except (KeyError, TypeError) as e:
            raise pickle.UnpicklingError(
                "an MMEngine HistoryBuffer in the checkpoint lacks "
                f"_log_history, _count_history or max_length: {sorted(state)}"
            ) from e
        HistoryBuffer.__init__(self, values, counts, max_length)
        self.__class__ = HistoryBuffer  # type: ignore[assignment]


def _statistic_name(owner: Any, name: Any) -> str:
    """Stands for ``getattr`` while unpickling an MMEngine HistoryBuffer.

    MMEngine pickles the buffer's statistics methods as
    ``getattr(HistoryBuffer, 'mean')``; only their names are kept, and no
    other ``getattr`` is allowed.
    """
    if owner is _MMEngineHistoryBuffer and isinstance(name, str):
        return name
    raise pickle.UnpicklingError(
        f"getattr({owner!r}, {name!r}) is not allowed in a weights-only load"
    )


_HISTORY_NAME = "mmengine.logging.history_buffer.HistoryBuffer"


def _numpy_globals() -> list[Any]:
    core = getattr(np, "_core", None) or np.core  # NumPy 2 / NumPy 1
    entries: list[Any] = [np.ndarray, np.dtype]
    for module in ("numpy.core.multiarray", "numpy._core.multiarray"):
        entries.append((core.multiarray._reconstruct, f"{module}._reconstruct"))
        entries.append((core.multiarray.scalar, f"{module}.scalar"))
    dtypes = getattr(np, "dtypes", None)
    for name in dir(dtypes) if dtypes is not None else []:
        cls = getattr(dtypes, name)
        if isinstance(cls, type) and issubclass(cls, np.dtype):
            entries.append(cls)
    return entries


def _foreign_globals() -> list[Any]:
    getattr_shim: tuple[Callable[..., Any], str] = (
        _statistic_name,
        "builtins.getattr",
    )
    history = (_MMEngineHistoryBuffer, _HISTORY_NAME)
    return [*_numpy_globals(), history, getattr_shim]


@contextmanager
def _foreign_globals_allowed() -> Iterator[None]:
    """Allow :func:`_foreign_globals` during the block, and only them.

    Entries the user had already allowed stay allowed afterwards.
    """
    serialization = torch.serialization
    if not hasattr(serialization, "safe_globals"):  # torch < 2.5
        yield
        return
    present = set(serialization.get_safe_globals())
    added = [entry for entry in _foreign_globals() if entry not in present]
    with serialization.safe_globals(added):
        yield
