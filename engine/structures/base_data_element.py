"""``BaseDataElement``: the container predictions and annotations travel in.

A data element holds two kinds of fields, both read as attributes:

* **metainfo** fields describe the sample (image shape, file name, scale
  factor). They are set with :meth:`BaseDataElement.set_metainfo` or the
  ``metainfo=`` argument, and are deep-copied when set.
* **data** fields hold the sample's data (boxes, labels, masks, scores). They
  are set by plain attribute assignment, :meth:`BaseDataElement.set_data` or
  keyword arguments.

A name belongs to one kind only: setting a data field whose name is a
metainfo field (or the reverse) raises :class:`AttributeError`. Field order
is the order in which fields were first set.

Tensor-like data fields follow the element through :meth:`to`, :meth:`cpu`,
:meth:`cuda`, :meth:`detach`, :meth:`numpy` and :meth:`to_tensor`; each
returns a new element and leaves ``self`` unchanged. Elements nested as data
fields are converted recursively.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import numpy as np
import torch

from engine.structures._format import format_element
from engine.utils._errors import CompatTypeError, CompatValueError

_T = TypeVar("_T", bound="BaseDataElement")
_FIELD_SETS = ("_metainfo_fields", "_data_fields")
_FIELD_TYPES = ("metainfo", "data")


class BaseDataElement:
    """A sample's data fields together with its metainfo fields.

    Args:
        metainfo: Metainfo fields of the sample, deep-copied. Defaults to None.
        **kwargs: Data fields of the sample.

    Examples:
        >>> import torch
        >>> from engine.structures import BaseDataElement
        >>> sample = BaseDataElement(
        ...     metainfo=dict(img_shape=(800, 1196)), bboxes=torch.rand(2, 4)
        ... )
        >>> sample.img_shape
        (800, 1196)
        >>> sample.keys(), sample.metainfo_keys()
        (['bboxes'], ['img_shape'])
        >>> sample.scores = torch.ones(2)
        >>> 'scores' in sample
        True
        >>> sample.img_shape = (1, 1)
        Traceback (most recent call last):
        ...
        AttributeError: Cannot set img_shape to be a field of data because \
img_shape is already a metainfo field
    """

    def __init__(self, *, metainfo: dict | None = None, **kwargs: Any) -> None:
        # Ordered "sets": dicts whose keys are the field names.
        self._metainfo_fields: dict[str, None] = {}
        self._data_fields: dict[str, None] = {}
        if metainfo is not None:
            self.set_metainfo(metainfo=metainfo)
        if kwargs:
            self.set_data(kwargs)

    # ------------------------------------------------------------------ set
    def set_metainfo(self, metainfo: dict) -> None:
        """Set or update metainfo fields; their values are deep-copied.

        Args:
            metainfo: Metainfo fields by name.

        Raises:
            AttributeError: If a name is already a data field.

        Examples:
            >>> from engine.structures import BaseDataElement
            >>> sample = BaseDataElement()
            >>> sample.set_metainfo(dict(img_id=3))
            >>> sample.metainfo
            {'img_id': 3}
        """
        if not isinstance(metainfo, dict):
            raise CompatTypeError(
                f"metainfo should be a ``dict`` but got {type(metainfo)}"
            )
        for name, value in copy.deepcopy(metainfo).items():
            self.set_field(name=name, value=value, field_type="metainfo")

    def set_data(self, data: dict) -> None:
        """Set or update data fields by attribute assignment.

        Args:
            data: Data fields by name.

        Raises:
            AttributeError: If a name is already a metainfo field.

        Examples:
            >>> from engine.structures import BaseDataElement
            >>> sample = BaseDataElement()
            >>> sample.set_data(dict(labels=[1, 2]))
            >>> sample.labels
            [1, 2]
        """
        if not isinstance(data, dict):
            raise CompatTypeError(f"data should be a `dict` but got {data}")
        for name, value in data.items():
            setattr(self, name, value)

    def update(self, instance: BaseDataElement) -> None:
        """Copy the metainfo and data fields of ``instance`` into this one.

        Args:
            instance: The element to take fields from.

        Examples:
            >>> from engine.structures import BaseDataElement
            >>> sample = BaseDataElement(x=1)
            >>> sample.update(BaseDataElement(metainfo=dict(m=0), x=2))
            >>> sample.metainfo, sample.x
            ({'m': 0}, 2)
        """
        if not isinstance(instance, BaseDataElement):
            raise CompatTypeError(
                f"instance should be a `BaseDataElement` but got {type(instance)}"
            )
        self.set_metainfo(dict(instance.metainfo_items()))
        self.set_data(dict(instance.items()))

    def set_field(
        self,
        value: Any,
        name: str,
        dtype: type | tuple[type, ...] | None = None,
        field_type: str = "data",
    ) -> None:
        """Set ``name`` as a field of kind ``field_type``, with no other check.

        Subclasses call it from property setters to store a typed field
        under a private name (``self.set_field(v, '_gt', dtype=Tensor)``).

        Args:
            value: The value of the field.
            name: The name of the field.
            dtype: Type(s) ``value`` must be an instance of. Defaults to None
                (any type).
            field_type: ``'data'`` or ``'metainfo'``. Defaults to ``'data'``.

        Raises:
            TypeError: If ``value`` is not an instance of ``dtype``.
            AttributeError: If ``name`` is already a field of the other kind.

        Examples:
            >>> from engine.structures import BaseDataElement
            >>> sample = BaseDataElement()
            >>> sample.set_field(3, 'num', dtype=int)
            >>> sample.num
            3
        """
        if field_type not in _FIELD_TYPES:
            raise CompatValueError(
                f"field_type should be one of {_FIELD_TYPES}, but got {field_type!r}"
            )
        if dtype is not None and not isinstance(value, dtype):
            raise CompatTypeError(f"{value} should be a {dtype} but got {type(value)}")
        if field_type == "metainfo":
            own, other, other_kind = self._metainfo_fields, self._data_fields, "data"
        else:
            own, other, other_kind = (
                self._data_fields,
                self._metainfo_fields,
                ("metainfo"),
            )
        if name in other:
            raise AttributeError(
                f"Cannot set {name} to be a field of {field_type} because "
                f"{name} is already a {other_kind} field"
            )
        object.__setattr__(self, name, value)
        own[name] = None

    def __setattr__(self, name: str, value: Any) -> None:
        """Set a data field; the two field registries cannot be replaced."""
        if name in _FIELD_SETS:
            if hasattr(self, name):
                raise AttributeError(
                    f"{name} has been used as a private attribute, which is immutable."
                )
            object.__setattr__(self, name, value)
        else:
            self.set_field(name=name, value=value, field_type="data")

    def __delattr__(self, item: str) -> None:
        """Delete a field of either kind."""
        if item in _FIELD_SETS:
            raise AttributeError(
                f"{item} has been used as a private attribute, which is immutable."
            )
        object.__delattr__(self, item)
        self._metainfo_fields.pop(item, None)
        self._data_fields.pop(item, None)

    __delitem__ = __delattr__

    # ----------------------------------------------------------------- read
    def get(self, key: str, default: Any = None) -> Any:
        """The field ``key`` (of either kind), or ``default`` if absent.

        Examples:
            >>> from engine.structures import BaseDataElement
            >>> BaseDataElement(x=1).get('x'), BaseDataElement().get('x', 0)
            (1, 0)
        """
        return getattr(self, key, default)

    def pop(self, *args: Any) -> Any:
        """Remove the field ``args[0]`` and return it.

        ``pop(name, default)`` returns ``default`` when there is no such
        field; ``pop(name)`` raises :class:`KeyError` then.

        Examples:
            >>> from engine.structures import BaseDataElement
            >>> sample = BaseDataElement(x=1)
            >>> sample.pop('x'), sample.pop('x', None), 'x' in sample
            (1, None, False)
        """
        if len(args) >= 3:
            raise CompatTypeError("``pop`` get more than 2 arguments")
        name = args[0]
        for fields in (self._metainfo_fields, self._data_fields):
            if name in fields:
                del fields[name]
                return self.__dict__.pop(name)
        if len(args) == 2:
            return args[1]
        raise KeyError(f"{args[0]} is not contained in metainfo or data")

    def __contains__(self, item: str) -> bool:
        """Whether ``item`` is a data or metainfo field."""
        return item in self._data_fields or item in self._metainfo_fields

    @property
    def metainfo(self) -> dict:
        """A new dict of the metainfo fields (the values are not copied)."""
        return dict(self.metainfo_items())

    def keys(self) -> list:
        """The names of the data fields.

        A private field that backs a property of the same name without the
        leading underscore (``_gt`` behind ``gt``) is listed as the property.
        """
        cls = type(self)
        backing = {
            "_" + name
            for name in self._data_fields
            if isinstance(getattr(cls, name, None), property)
        }
        return [name for name in self._data_fields if name not in backing]

    def metainfo_keys(self) -> list:
        """The names of the metainfo fields."""
        return list(self._metainfo_fields)

    def values(self) -> list:
        """The values of the data fields, in :meth:`keys` order."""
        return [getattr(self, name) for name in self.keys()]

    def metainfo_values(self) -> list:
        """The values of the metainfo fields."""
        return [getattr(self, name) for name in self.metainfo_keys()]

    def all_keys(self) -> list:
        """Metainfo field names followed by data field names."""
        return self.metainfo_keys() + self.keys()

    def all_values(self) -> list:
        """Metainfo field values followed by data field values."""
        return self.metainfo_values() + self.values()

    def items(self) -> Iterator[tuple[str, Any]]:
        """Iterate over ``(name, value)`` of the data fields."""
        for name in self.keys():
            yield name, getattr(self, name)

    def metainfo_items(self) -> Iterator[tuple[str, Any]]:
        """Iterate over ``(name, value)`` of the metainfo fields."""
        for name in self.metainfo_keys():
            yield name, getattr(self, name)

    def all_items(self) -> Iterator[tuple[str, Any]]:
        """Iterate over metainfo then data ``(name, value)`` pairs."""
        yield from self.metainfo_items()
        yield from self.items()

    # ----------------------------------------------------------------- copy
    def new(self: _T, *, metainfo: dict | None = None, **kwargs: Any) -> _T:
        """A new element of the same class.

        Args:
            metainfo: Metainfo of the new element. Defaults to None (a deep
                copy of this element's metainfo).
            **kwargs: Data of the new element. Defaults to this element's
                data fields (the values are shared, not copied).

        Examples:
            >>> from engine.structures import BaseDataElement
            >>> sample = BaseDataElement(metainfo=dict(id=1), x=[1])
            >>> other = sample.new(y=2)
            >>> other.metainfo, other.keys()
            ({'id': 1}, ['y'])
        """
        element = self.__class__()
        element.set_metainfo(
            dict(self.metainfo_items()) if metainfo is None else metainfo
        )
        element.set_data(kwargs if kwargs else dict(self.items()))
        return element

    def clone(self: _T) -> _T:
        """A copy with deep-copied metainfo and shared data values.

        Examples:
            >>> from engine.structures import BaseDataElement
            >>> sample = BaseDataElement(x=[1])
            >>> sample.clone().x is sample.x
            True
        """
        element = self.__class__()
        element.set_metainfo(dict(self.metainfo_items()))
        element.set_data(dict(self.items()))
        return element

    # ------------------------------------------------------------- convert
    def _convert(
        self: _T, fn: Callable[[Any], Any], accepts: Callable[[Any], bool]
    ) -> _T:
        """A new element whose data values ``v`` with ``accepts(v)`` are
        replaced by ``fn(v)``."""
        element = self.new()
        for name, value in self.items():
            if accepts(value):
                element.set_data({name: fn(value)})
        return element

    def _tensor_op(self: _T, method: str) -> _T:
        """Call ``value.<method>()`` on tensors and nested elements."""
        return self._convert(
            lambda value: getattr(value, method)(), _is_tensor_or_element
        )

    def to(self: _T, *args: Any, **kwargs: Any) -> _T:
        """Call ``value.to(*args, **kwargs)`` on every data value having ``to``.

        Examples:
            >>> import torch
            >>> from engine.structures import BaseDataElement
            >>> BaseDataElement(x=torch.ones(1)).to(torch.float64).x.dtype
            torch.float64
        """
        return self._convert(
            lambda value: value.to(*args, **kwargs),
            lambda value: hasattr(value, "to"),
        )

    def cpu(self: _T) -> _T:
        """Move tensor data (and nested elements) to the CPU."""
        return self._tensor_op("cpu")

    def cuda(self: _T) -> _T:
        """Move tensor data (and nested elements) to the current CUDA device."""
        return self._tensor_op("cuda")

    def npu(self: _T) -> _T:
        """Move tensor data (and nested elements) to the NPU."""
        return self._tensor_op("npu")

    def mlu(self: _T) -> _T:
        """Move tensor data (and nested elements) to the MLU."""
        return self._tensor_op("mlu")

    def musa(self: _T) -> _T:
        """Move tensor data (and nested elements) to the MUSA device."""
        return self._tensor_op("musa")

    def detach(self: _T) -> _T:
        """Detach tensor data (and nested elements) from the graph."""
        return self._tensor_op("detach")

    def numpy(self: _T) -> _T:
        """Convert tensor data (and nested elements) to numpy arrays.

        Examples:
            >>> import torch
            >>> from engine.structures import BaseDataElement
            >>> BaseDataElement(x=torch.ones(2)).numpy().x
            array([1., 1.], dtype=float32)
        """
        return self._convert(_to_numpy, _is_tensor_or_element)

    def to_tensor(self: _T) -> _T:
        """Convert numpy array data (and nested elements) to tensors.

        The tensors share memory with the arrays (``torch.from_numpy``).

        Examples:
            >>> import numpy as np
            >>> from engine.structures import BaseDataElement
            >>> BaseDataElement(x=np.zeros(2)).to_tensor().x
            tensor([0., 0.], dtype=torch.float64)
        """
        return self._convert(
            _to_tensor,
            lambda value: isinstance(value, (np.ndarray, BaseDataElement)),
        )

    def to_dict(self) -> dict:
        """All fields as one flat dict; nested elements become dicts too.

        Examples:
            >>> from engine.structures import BaseDataElement
            >>> BaseDataElement(metainfo=dict(id=1), x=2).to_dict()
            {'id': 1, 'x': 2}
        """
        return {
            name: value.to_dict() if isinstance(value, BaseDataElement) else value
            for name, value in self.all_items()
        }

    def __repr__(self) -> str:
        """Class name, metainfo block and data block, then the address."""
        return format_element(
            type(self).__name__, id(self), self.metainfo_items(), self.items()
        )


def _is_tensor_or_element(value: Any) -> bool:
    return isinstance(value, (torch.Tensor, BaseDataElement))


def _to_numpy(value: Any) -> Any:
    if isinstance(value, BaseDataElement):
        return value.numpy()
    return value.detach().cpu().numpy()


def _to_tensor(value: Any) -> Any:
    if isinstance(value, BaseDataElement):
        return value.to_tensor()
    return torch.from_numpy(value)
