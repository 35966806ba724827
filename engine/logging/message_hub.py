"""A named, globally reachable store of training scalars and runtime info.

:class:`MessageHub` keeps two ordered dicts: ``log_scalars`` (key ->
:class:`~engine.logging.HistoryBuffer`; the logging system reads the keys
prefixed ``train/``, ``val/`` or ``test/``) and ``runtime_info`` (key -> any
value, overwritten on update). Each key remembers whether it is *resumed*:
:meth:`MessageHub.state_dict` saves only resumed keys.
"""

from __future__ import annotations

import copy
import logging
import sys
from collections import OrderedDict
from typing import Any

import numpy as np

from engine._identity import ROOT_SCOPE
from engine.logging.history_buffer import HistoryBuffer
from engine.logging.logger import print_log
from engine.utils._errors import CompatTypeError, CompatValueError
from engine.utils.manager import ManagerMixin

__all__ = ["MessageHub"]

_STATE_KEYS = ("log_scalars", "runtime_info", "resumed_keys")


def _scalar(value: Any, what: str) -> int | float:
    """``value`` as a Python number: a number, a 1-element array or tensor."""
    kind = type(value)
    if kind is float or kind is int or kind is bool:
        return value
    if isinstance(value, (np.ndarray, np.generic)):
        if value.size != 1:
            raise CompatTypeError(
                f"{what} must hold exactly one element, got an array of "
                f"shape {value.shape}"
            )
        return value.item()
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(value, torch.Tensor):
        if value.numel() != 1:
            raise CompatTypeError(
                f"{what} must hold exactly one element, got a tensor of "
                f"shape {tuple(value.shape)}"
            )
        return value.item()
    if isinstance(value, (int, float)):
        return value
    raise CompatTypeError(
        f"{what} must be an int, a float, or a one-element numpy array or "
        f"torch tensor, got {type(value).__name__} {value!r}"
    )


def _copy(key: str, value: Any) -> Any:
    """A deep copy of ``value``, or ``value`` itself if it cannot be copied."""
    try:
        return copy.deepcopy(value)
    except Exception:  # any object may refuse to be copied
        print_log(
            f"{key} in message_hub cannot be copied, just return its reference.",
            logger="current",
            level=logging.WARNING,
        )
        return value


class MessageHub(ManagerMixin):
    """Share scalars and runtime information between modules.

    Args:
        name: Name of the instance (see :class:`~engine.utils.ManagerMixin`).
        log_scalars: Initial scalars, key -> HistoryBuffer. Defaults to None.
        runtime_info: Initial runtime info. Defaults to None.
        resumed_keys: key -> whether :meth:`state_dict` saves it. Keys not
            listed are not saved. Defaults to None.

    Examples:
        >>> hub = MessageHub.get_instance('task')
        >>> hub.update_scalar('train/loss', 1)
        >>> hub.update_scalar('train/loss', 3)
        >>> float(hub.get_scalar('train/loss').mean())
        2.0
        >>> hub.update_info('iter', 1)
        >>> hub.get_info('iter')
        1
    """

    def __init__(
        self,
        name: str,
        log_scalars: dict | None = None,
        runtime_info: dict | None = None,
        resumed_keys: dict | None = None,
    ) -> None:
        super().__init__(name)
        self._log_scalars: OrderedDict[str, HistoryBuffer] = OrderedDict()
        for key, buffer in (log_scalars or {}).items():
            if not isinstance(buffer, HistoryBuffer):
                raise CompatTypeError(
                    f"MessageHub {name!r}: log_scalars[{key!r}] must be a "
                    f"HistoryBuffer, got {type(buffer).__name__}"
                )
            self._log_scalars[key] = buffer
        self._runtime_info: OrderedDict[str, Any] = OrderedDict(runtime_info or {})
        self._resumed_keys: OrderedDict[str, bool] = OrderedDict(resumed_keys or {})

    @classmethod
    def get_current_instance(cls) -> MessageHub:
        """The latest built hub; one named after the root scope if none.

        Returns:
            The current :class:`MessageHub`.

        Examples:
            >>> isinstance(MessageHub.get_current_instance(), MessageHub)
            True
        """
        if not cls._instance_dict:
            cls.get_instance(ROOT_SCOPE)
        return super().get_current_instance()

    # -- scalars ----------------------------------------------------------

    def update_scalar(
        self,
        key: str,
        value: int | float | np.ndarray | Any,
        count: int = 1,
        resumed: bool = True,
    ) -> None:
        """Append ``value`` to the history of ``key`` (created if new).

        Args:
            key: Scalar name, e.g. ``'train/loss'``.
            value: A number, or a one-element NumPy array or torch tensor.
            count: Weight of the value in means. Defaults to 1.
            resumed: Whether :meth:`state_dict` saves the key. Defaults to
                True.

        Raises:
            TypeError: if ``value`` or ``count`` is not a single number.

        Examples:
            >>> hub = MessageHub.get_instance('scalars')
            >>> hub.update_scalar('train/lr', 0.1)
            >>> float(hub.get_scalar('train/lr').current())
            0.1
        """
        value = _scalar(value, f"MessageHub.update_scalar({key!r}): value")
        weight: int | float = count
        if count.__class__ is not int:
            weight = _scalar(count, f"MessageHub.update_scalar({key!r}): count")
        buffer = self._log_scalars.get(key)
        if buffer is None:
            self._log_scalars[key] = HistoryBuffer([value], [weight])
        else:
            buffer.update(value, weight)
        if self._resumed_keys.get(key) is not resumed:
            self._resumed_keys[key] = resumed

    def update_scalars(self, log_dict: dict, resumed: bool = True) -> None:
        """Update several scalars: ``{key: value}`` or ``{key: {'value', 'count'}}``.

        Args:
            log_dict: Key -> value, or key -> ``dict(value=..., count=...)``
                (``count`` defaults to 1).
            resumed: Whether :meth:`state_dict` saves the keys. Defaults to
                True.

        Raises:
            TypeError: if ``log_dict`` is not a dict.
            ValueError: if a dict entry has no ``value``.

        Examples:
            >>> hub = MessageHub.get_instance('many')
            >>> hub.update_scalars({'train/b': 1, 'train/c': {'value': 2, 'count': 3}})
            >>> hub.get_scalar('train/c').data
            (array([2]), array([3]))
        """
        if not isinstance(log_dict, dict):
            raise CompatTypeError(
                f"`log_dict` must be a dict!, but got {type(log_dict)}"
            )
        for key, item in log_dict.items():
            if isinstance(item, dict):
                if "value" not in item:
                    raise CompatValueError(
                        f"MessageHub.update_scalars: value must be defined in "
                        f"{item!r} (key {key!r})"
                    )
                self.update_scalar(key, item["value"], item.get("count", 1), resumed)
            else:
                self.update_scalar(key, item, resumed=resumed)

    def get_scalar(self, key: str) -> HistoryBuffer:
        """The history of ``key``.

        Args:
            key: Scalar name.

        Returns:
            Its :class:`~engine.logging.HistoryBuffer`.

        Raises:
            KeyError: if ``key`` was never updated.

        Examples:
            >>> hub = MessageHub.get_instance('get')
            >>> hub.update_scalar('train/loss', 1)
            >>> hub.get_scalar('train/loss').data
            (array([1]), array([1]))
        """
        buffer = self._log_scalars.get(key)
        if buffer is None:
            raise KeyError(
                f"{key} is not found in MessageHub.log_scalars: instance name "
                f"is: {self.instance_name}"
            )
        return buffer

    @property
    def log_scalars(self) -> OrderedDict:
        """All scalars: key -> :class:`~engine.logging.HistoryBuffer`."""
        return self._log_scalars

    # -- runtime info -----------------------------------------------------

    def update_info(self, key: str, value: Any, resumed: bool = True) -> None:
        """Set runtime info ``key`` to ``value`` (overwriting it).

        Args:
            key: Info name.
            value: Any object; it is stored, not copied.
            resumed: Whether :meth:`state_dict` saves the key. Defaults to
                True.

        Examples:
            >>> hub = MessageHub.get_instance('info')
            >>> hub.update_info('iter', 1)
            >>> hub.update_info('iter', 2)
            >>> hub.get_info('iter')
            2
        """
        self._runtime_info[key] = value
        self._resumed_keys[key] = resumed

    def update_info_dict(self, info_dict: dict, resumed: bool = True) -> None:
        """Call :meth:`update_info` for every item of ``info_dict``.

        Args:
            info_dict: Key -> value.
            resumed: Whether :meth:`state_dict` saves the keys. Defaults to
                True.

        Examples:
            >>> hub = MessageHub.get_instance('infos')
            >>> hub.update_info_dict({'epoch': 1, 'iter': 10})
            >>> hub.get_info('iter')
            10
        """
        if not isinstance(info_dict, dict):
            raise CompatTypeError(
                f"`log_dict` must be a dict!, but got {type(info_dict)}"
            )
        for key, value in info_dict.items():
            self.update_info(key, value, resumed=resumed)

    def pop_info(self, key: str, default: Any | None = None) -> Any:
        """Remove runtime info ``key`` and return its value.

        Args:
            key: Info name.
            default: Returned if ``key`` is absent. Defaults to None.

        Returns:
            The removed value, or ``default``.

        Examples:
            >>> hub = MessageHub.get_instance('pop')
            >>> hub.update_info('x', 1)
            >>> hub.pop_info('x'), hub.pop_info('x', 'gone')
            (1, 'gone')
        """
        self._resumed_keys.pop(key, None)
        return self._runtime_info.pop(key, default)

    def get_info(self, key: str, default: Any | None = None) -> Any:
        """The runtime info ``key`` (the stored object itself).

        Args:
            key: Info name.
            default: Returned if ``key`` is absent. Defaults to None.

        Returns:
            The value, or ``default``.

        Examples:
            >>> MessageHub.get_instance('none').get_info('missing', 0)
            0
        """
        return self._runtime_info.get(key, default)

    @property
    def runtime_info(self) -> OrderedDict:
        """All runtime info: key -> value."""
        return self._runtime_info

    # -- state ------------------------------------------------------------

    def state_dict(self) -> dict:
        """Copies of the resumed scalars and info, and every key's flag.

        Returns:
            ``{'log_scalars': ..., 'runtime_info': ..., 'resumed_keys': ...}``.

        Examples:
            >>> hub = MessageHub.get_instance('state')
            >>> hub.update_scalar('train/loss', 1)
            >>> hub.update_info('tmp', 0, resumed=False)
            >>> state = hub.state_dict()
            >>> list(state['log_scalars']), list(state['runtime_info'])
            (['train/loss'], [])
        """
        resumed = self._resumed_keys
        return {
            "log_scalars": OrderedDict(
                (key, _copy(key, buffer))
                for key, buffer in self._log_scalars.items()
                if resumed.get(key)
            ),
            "runtime_info": OrderedDict(
                (key, _copy(key, value))
                for key, value in self._runtime_info.items()
                if resumed.get(key)
            ),
            "resumed_keys": copy.deepcopy(self._resumed_keys),
        }

    def load_state_dict(self, state_dict: MessageHub | dict) -> None:
        """Load a :meth:`state_dict`, or copy everything from another hub.

        Loaded keys overwrite existing ones; other existing keys stay.

        Args:
            state_dict: A dict from :meth:`state_dict`, or a MessageHub.

        Raises:
            ValueError: if the dict lacks one of its three keys.

        Examples:
            >>> src = MessageHub.get_instance('src')
            >>> src.update_info('epoch', 3)
            >>> dst = MessageHub.get_instance('dst')
            >>> dst.load_state_dict(src.state_dict())
            >>> dst.get_info('epoch')
            3
        """
        if isinstance(state_dict, MessageHub):
            self._log_scalars.update(copy.deepcopy(state_dict._log_scalars))
            self._runtime_info.update(copy.deepcopy(state_dict._runtime_info))
            self._resumed_keys.update(copy.deepcopy(state_dict._resumed_keys))
            return
        for name in _STATE_KEYS:
            if name not in state_dict:
                raise CompatValueError(
                    "The loaded `state_dict` of `MessageHub` must contain "
                    f"key: `{name}`, got keys {sorted(state_dict)}"
                )
        self._load_entries(state_dict)

    def _load_entries(self, state_dict: dict) -> None:
        """Load the scalars and info of a state dict, warning on oddities."""
        scalars, infos = state_dict["log_scalars"], state_dict["runtime_info"]
        for key, value in scalars.items():
            if not isinstance(value, HistoryBuffer):
                _warn(
                    f"{key} in message_hub is not HistoryBuffer, just skip resuming it."
                )
                continue
            self._log_scalars[key] = value
        self._runtime_info.update(infos)
        for key, resumed in state_dict["resumed_keys"].items():
            known = key in self._log_scalars or key in self._runtime_info
            if not known:
                _warn(
                    f"resumed key: {key} is not defined in message_hub, just "
                    "skip resuming this key."
                )
                continue
            if not resumed and (key in scalars or key in infos):
                _warn(
                    f"Although resumed key: {key} is False, {key} will still "
                    "be loaded this time. This key will not be saved by the "
                    "next calling of `MessageHub.state_dict()`"
                )
            self._resumed_keys[key] = resumed


def _warn(message: str) -> None:
    print_log(message, logger="current", level=logging.WARNING)
