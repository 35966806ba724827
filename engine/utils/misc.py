"""Small helpers on types, sequences, imports and methods.

The names and signatures are MMEngine's ``mmengine.utils.misc``; the
decorators for deprecation and prerequisites live in
:mod:`engine.utils._deprecation` and :mod:`engine.utils._prerequisites` and
are re-exported here.
"""

from __future__ import annotations

import collections.abc
import copy
import importlib
import itertools
import warnings
from collections.abc import Callable, Iterable, Iterator
from types import ModuleType
from typing import Any

from engine.utils._deprecation import deprecated_api_warning, deprecated_function
from engine.utils._errors import CompatTypeError, CompatValueError
from engine.utils._prerequisites import (
    check_prerequisites,
    requires_executable,
    requires_package,
)

__all__ = [
    "apply_to",
    "check_prerequisites",
    "concat_list",
    "deprecated_api_warning",
    "deprecated_function",
    "get_object_from_string",
    "has_method",
    "import_modules_from_strings",
    "is_list_of",
    "is_method_overridden",
    "is_seq_of",
    "is_str",
    "is_tuple_of",
    "iter_cast",
    "list_cast",
    "requires_executable",
    "requires_package",
    "slice_list",
    "to_1tuple",
    "to_2tuple",
    "to_3tuple",
    "to_4tuple",
    "to_ntuple",
    "tuple_cast",
]


def to_ntuple(n: int) -> Callable[[Any], Any]:
    """Return a function that repeats a scalar ``n`` times.

    An iterable (a str included) is returned unchanged.

    Args:
        n: Length of the tuple to build.

    Returns:
        ``parse(x)``: ``x`` if it is iterable, else ``(x,) * n``.

    Examples:
        >>> to_ntuple(3)(1)
        (1, 1, 1)
        >>> to_ntuple(3)([1, 2])
        [1, 2]
    """

    def parse(x: Any) -> Any:
        if isinstance(x, collections.abc.Iterable):
            return x
        return tuple(itertools.repeat(x, n))

    return parse


to_1tuple = to_ntuple(1)
to_2tuple = to_ntuple(2)
to_3tuple = to_ntuple(3)
to_4tuple = to_ntuple(4)


def is_str(x: Any) -> bool:
    """Whether ``x`` is a str.

    Examples:
        >>> is_str('a'), is_str(b'a')
        (True, False)
    """
    return isinstance(x, str)


def iter_cast(inputs: Any, dst_type: Any, return_type: Any = None) -> Any:
    """Cast every element of an iterable to ``dst_type``.

    Args:
        inputs: The iterable to cast.
        dst_type: The type each element is cast to.
        return_type: Type of the result; when None, a lazy iterator is
            returned. Defaults to None.

    Returns:
        A ``map`` iterator, or ``return_type(map(...))``.

    Raises:
        TypeError: if ``inputs`` is not iterable or ``dst_type`` is not a type.

    Examples:
        >>> iter_cast(['1', '2'], int, tuple)
        (1, 2)
    """
    if not isinstance(inputs, collections.abc.Iterable):
        raise TypeError(f"inputs must be an iterable object, got {inputs!r}")
    if not isinstance(dst_type, type):
        raise TypeError(f'"dst_type" must be a valid type, got {dst_type!r}')
    out_iterable: Iterator[Any] = map(dst_type, inputs)
    if return_type is None:
        return out_iterable
    return return_type(out_iterable)


def list_cast(inputs: Any, dst_type: Any) -> list[Any]:
    """Cast every element of an iterable to ``dst_type`` into a list.

    Examples:
        >>> list_cast(('1', '2'), float)
        [1.0, 2.0]
    """
    return iter_cast(inputs, dst_type, return_type=list)


def tuple_cast(inputs: Any, dst_type: Any) -> tuple[Any, ...]:
    """Cast every element of an iterable to ``dst_type`` into a tuple.

    Examples:
        >>> tuple_cast(['1', '2'], int)
        (1, 2)
    """
    return iter_cast(inputs, dst_type, return_type=tuple)


def is_seq_of(
    seq: Any, expected_type: type | tuple[type, ...], seq_type: type | None = None
) -> bool:
    """Whether ``seq`` is a sequence whose every item is of ``expected_type``.

    Args:
        seq: The object to check.
        expected_type: Type (or tuple of types) every item must have.
        seq_type: Type ``seq`` must have; any
            :class:`collections.abc.Sequence` when None. Defaults to None.

    Returns:
        True if ``seq`` has the right type and every item too (an empty
        sequence qualifies).

    Raises:
        TypeError: if ``seq_type`` is not a type.

    Examples:
        >>> is_seq_of([1, 2], int)
        True
        >>> is_seq_of((1, 2), int, list)
        False
    """
    if seq_type is None:
        exp_seq_type: Any = collections.abc.Sequence
    elif isinstance(seq_type, type):
        exp_seq_type = seq_type
    else:
        raise CompatTypeError(f"seq_type must be a type, got {seq_type!r}")
    if not isinstance(seq, exp_seq_type):
        return False
    return all(isinstance(item, expected_type) for item in seq)


def is_list_of(seq: Any, expected_type: type | tuple[type, ...]) -> bool:
    """Whether ``seq`` is a list whose every item is of ``expected_type``.

    Examples:
        >>> is_list_of([1, 2], int), is_list_of((1, 2), int)
        (True, False)
    """
    return is_seq_of(seq, expected_type, seq_type=list)


def is_tuple_of(seq: Any, expected_type: type | tuple[type, ...]) -> bool:
    """Whether ``seq`` is a tuple whose every item is of ``expected_type``.

    Examples:
        >>> is_tuple_of((1, 2), int), is_tuple_of([1, 2], int)
        (True, False)
    """
    return is_seq_of(seq, expected_type, seq_type=tuple)


def slice_list(in_list: Any, lens: int | list[int]) -> list[Any]:
    """Cut a sequence into consecutive slices of the given lengths.

    Args:
        in_list: The sequence to cut.
        lens: Length of each slice, or one length for slices of equal size
            (which must divide ``len(in_list)``).

    Returns:
        The list of slices.

    Raises:
        TypeError: if ``lens`` is neither an int nor a list.
        ValueError: if the lengths do not add up to ``len(in_list)``.

    Examples:
        >>> slice_list([1, 2, 3, 4], [1, 3])
        [[1], [2, 3, 4]]
        >>> slice_list([1, 2, 3, 4], 2)
        [[1, 2], [3, 4]]
    """
    if isinstance(lens, int):
        if lens <= 0 or len(in_list) % lens != 0:
            raise CompatValueError(
                f"lens={lens} must be positive and divide the list length "
                f"{len(in_list)}"
            )
        lens = [lens] * (len(in_list) // lens)
    if not isinstance(lens, list):
        raise TypeError(
            f'"indices" must be an integer or a list of integers, got {lens!r}'
        )
    if sum(lens) != len(in_list):
        raise ValueError(
            f"sum of lens and list length does not match: {sum(lens)} != {len(in_list)}"
        )
    out_list = []
    idx = 0
    for length in lens:
        out_list.append(in_list[idx : idx + length])
        idx += length
    return out_list


def concat_list(in_list: Iterable[Iterable[Any]]) -> list[Any]:
    """Concatenate a list of iterables into one list.

    Examples:
        >>> concat_list([[1, 2], (3,)])
        [1, 2, 3]
    """
    return list(itertools.chain.from_iterable(in_list))


def import_modules_from_strings(
    imports: str | list[str] | None, allow_failed_imports: bool = False
) -> Any:
    """Import modules given by name.

    Args:
        imports: A module name or a list of them; None or an empty list
            imports nothing.
        allow_failed_imports: When True, a module that fails to import gives
            a warning and None in its place. Defaults to False.

    Returns:
        The module (for a str), the list of modules (for a list), or None.

    Raises:
        TypeError: if ``imports`` is not a str or list, or holds a non-str.
        ImportError: naming the module that failed to import.

    Examples:
        >>> import_modules_from_strings('os.path').__name__ == 'posixpath'
        True
        >>> [m.__name__ for m in import_modules_from_strings(['os', 'sys'])]
        ['os', 'sys']
    """
    if not imports:
        return None
    single = isinstance(imports, str)
    if single:
        imports = [imports]  # type: ignore[list-item]
    if not isinstance(imports, list):
        raise TypeError(f"custom_imports must be a list but got type {type(imports)}")
    modules = [_import_one(imp, allow_failed_imports) for imp in imports]
    return modules[0] if single else modules


def _import_one(imp: Any, allow_failed: bool) -> ModuleType | None:
    if not isinstance(imp, str):
        raise TypeError(f"{imp} is of type {type(imp)} and cannot be imported.")
    try:
        return importlib.import_module(imp)
    except ImportError as e:
        if not allow_failed:
            raise ImportError(f"Failed to import {imp}") from e
        warnings.warn(f"{imp} failed to import and is ignored.", UserWarning, 2)
        return None


def get_object_from_string(obj_name: str) -> Any:
    """Return the object a dotted path names, or None if it does not exist.

    The longest importable module prefix is imported, and the remaining
    parts are looked up as attributes.

    Args:
        obj_name: A dotted path such as ``'os.path.join'``.

    Returns:
        The object, or None.

    Examples:
        >>> import os
        >>> get_object_from_string('os.path.join') is os.path.join
        True
        >>> get_object_from_string('os.no_such_name') is None
        True
    """
    parts = obj_name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        except ValueError as e:  # empty module name
            raise ValueError(f"invalid object name {obj_name!r}") from e
        for attr in parts[cut:]:
            obj = getattr(obj, attr, _MISSING)
            if obj is _MISSING:
                return None
        return obj
    return None


_MISSING = object()


def is_method_overridden(method: str, base_class: type, derived_class: Any) -> bool:
    """Whether ``derived_class`` overrides ``base_class``'s ``method``.

    Args:
        method: Name of the method.
        base_class: The class that defines ``method``.
        derived_class: A subclass, or an instance of one.

    Returns:
        True if the subclass's ``method`` is not the base class's.

    Raises:
        TypeError: if ``base_class`` is not a class.
        AttributeError: if ``base_class`` has no attribute ``method``.

    Examples:
        >>> class Base:
        ...     def run(self): pass
        >>> class Sub(Base):
        ...     def run(self): pass
        >>> is_method_overridden('run', Base, Sub)
        True
        >>> is_method_overridden('run', Base, Base())
        False
    """
    if not isinstance(base_class, type):
        raise CompatTypeError(
            f"base_class must be a class, not an instance: got {base_class!r}"
        )
    if not isinstance(derived_class, type):
        derived_class = type(derived_class)
    base_method = getattr(base_class, method)
    derived_method = getattr(derived_class, method)
    return bool(derived_method != base_method)


def has_method(obj: object, method: str) -> bool:
    """Whether ``obj`` has a callable attribute called ``method``.

    Examples:
        >>> has_method([], 'append'), has_method([], 'missing')
        (True, False)
    """
    return hasattr(obj, method) and callable(getattr(obj, method))


def apply_to(data: Any, expr: Callable[[Any], bool], apply_func: Callable) -> Any:
    """Apply ``apply_func`` to every leaf of nested containers where ``expr``.

    Dicts, lists and tuples (named tuples included) are walked and rebuilt
    with their own type; other objects are leaves. A leaf is replaced by
    ``apply_func(leaf)`` when ``expr(leaf)`` is true and kept otherwise.

    Args:
        data: The (nested) data.
        expr: Predicate selecting the leaves to transform.
        apply_func: Transformation applied to the selected leaves.

    Returns:
        The transformed data; containers are new objects.

    Examples:
        >>> apply_to({'a': 1, 'b': [2, 'x']}, lambda x: isinstance(x, int), str)
        {'a': '1', 'b': ['2', 'x']}
    """
    if isinstance(data, dict):
        result = copy.copy(data)
        for key, value in data.items():
            result[key] = apply_to(value, expr, apply_func)
        return result
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(apply_to(v, expr, apply_func) for v in data))
    if isinstance(data, (tuple, list)):
        return type(data)(apply_to(v, expr, apply_func) for v in data)
    if expr(data):
        return apply_func(data)
    return data
