"""``BaseModule``: an ``nn.Module`` initialised from ``init_cfg``.

:meth:`BaseModule.init_weights` runs, in this order::

    apply every init_cfg except 'Pretrained' ones      # initialize(self, ...)
    for child in children:                             # each child once
        if child has init_weights and not child.is_init:
            child.init_weights()
    apply the 'Pretrained' init_cfgs                   # checkpoints win
    is_init = True

so a checkpoint overwrites the other initialisers and a child's own
``init_cfg`` overwrites its parent's. The top-level call (the first one in
the recursion) also logs, for every parameter, the initialiser that last
changed it: into each file handler of the current ``MMLogger`` when it has
one, else as INFO lines.
"""

from __future__ import annotations

import copy
import logging
from abc import ABCMeta
from collections.abc import Iterable
from typing import Any, cast

import torch.nn as nn

from engine.dist import master_only
from engine.logging import MMLogger, print_log
from engine.model._weight_init.init_info import (
    INFO_ATTR,
    attach_init_info,
    detach_init_info,
    format_init_info,
    update_init_info,
)
from engine.model._weight_init.initialize import initialize
from engine.model._weight_init.initializers import PretrainedInit

_HEADER = "Name of parameter - Initialization information\n"


def _is_pretrained(cfg: dict) -> bool:
    kind = cfg.get("type")
    return kind == "Pretrained" or kind is PretrainedInit


def _unwrap(module: nn.Module) -> nn.Module:
    """The wrapped module of a model wrapper without ``init_weights``."""
    try:
        from engine.model.wrappers import is_model_wrapper
    except ImportError as e:  # engine.model.wrappers is absent or partial
        if e.name != "engine.model.wrappers":
            raise
        return module
    if is_model_wrapper(module) and not hasattr(module, "init_weights"):
        return module.module  # type: ignore[return-value]
    return module


class BaseModule(nn.Module, metaclass=ABCMeta):
    """A module whose parameters are initialised by ``init_cfg``.

    Args:
        init_cfg: An initialiser cfg (``dict(type='Kaiming', layer='Conv2d')``)
            or a list of them; see :func:`~engine.model.initialize`. It is
            deep-copied. Defaults to None.

    Examples:
        >>> import torch.nn as nn
        >>> class Net(BaseModule):
        ...     def __init__(self):
        ...         super().__init__(init_cfg=dict(
        ...             type='Constant', layer='Linear', val=1, bias=2))
        ...         self.fc = nn.Linear(2, 2)
        >>> net = Net()
        >>> net.init_weights()  # doctest: +SKIP
        >>> net.fc.bias.tolist()  # doctest: +SKIP
        [2.0, 2.0]
    """

    def __init__(self, init_cfg: dict | list[dict] | None = None) -> None:
        super().__init__()
        self._is_init = False
        self.init_cfg = copy.deepcopy(init_cfg)

    @property
    def is_init(self) -> bool:
        """Whether :meth:`init_weights` has run."""
        return self._is_init

    @is_init.setter
    def is_init(self, value: bool) -> None:
        self._is_init = value

    def init_weights(self) -> None:
        """Initialise the parameters (see the module docstring for the order).

        A second call leaves the parameters alone and logs a warning.
        """
        top_level = not hasattr(self, INFO_ATTR)
        if top_level:
            attach_init_info(self)
        logger_name = MMLogger.get_current_instance().instance_name
        if self._is_init:
            print_log(
                f"init_weights of {type(self).__name__} has been called "
                "more than once.",
                logger=logger_name,
                level=logging.WARNING,
            )
        else:
            self._run_init_cfg(logger_name)
            self._is_init = True
        if top_level:
            self._dump_init_info()
            detach_init_info(self)

    def _run_init_cfg(self, logger_name: str) -> None:
        cfgs: list[dict] = []
        if self.init_cfg:
            print_log(
                f"initialize {type(self).__name__} with init_cfg {self.init_cfg}",
                logger=logger_name,
                level=logging.DEBUG,
            )
            cfgs = [self.init_cfg] if isinstance(self.init_cfg, dict) else self.init_cfg
            initialize(self, [cfg for cfg in cfgs if not _is_pretrained(cfg)])
        for child in self.children():
            child = _unwrap(child)
            if hasattr(child, "init_weights") and not getattr(child, "is_init", False):
                cast(Any, child).init_weights()
                update_init_info(
                    child,
                    init_info="Initialized by user-defined `init_weights` "
                    f"in {type(child).__name__} ",
                )
        pretrained = [cfg for cfg in cfgs if _is_pretrained(cfg)]
        if pretrained:
            initialize(self, pretrained)

    @master_only
    def _dump_init_info(self) -> None:
        """Log the initialisation information of every parameter."""
        logger = MMLogger.get_current_instance()
        blocks = format_init_info(self)
        files = [h for h in logger.handlers if isinstance(h, logging.FileHandler)]
        for handler in files:
            if handler.stream is None:  # a handler opened with delay=True
                handler.stream = handler._open()
            handler.stream.write(_HEADER + "".join(blocks))
            handler.stream.flush()
        if not files:  # the terminal lines end with a space, as MMEngine's
            for block in blocks:
                print_log(block + " ", logger=logger.instance_name)

    def __repr__(self) -> str:
        text = super().__repr__()
        if self.init_cfg:
            text += f"\ninit_cfg={self.init_cfg}"
        return text


class Sequential(BaseModule, nn.Sequential):
    """``nn.Sequential`` with ``init_cfg``.

    Args:
        *args: The modules, or one ``OrderedDict`` of them.
        init_cfg: See :class:`BaseModule`. Defaults to None.

    Examples:
        >>> import torch.nn as nn
        >>> seq = Sequential(nn.Linear(2, 2), init_cfg=dict(type='Constant', val=1))
        >>> len(seq)
        1
    """

    def __init__(self, *args: Any, init_cfg: dict | None = None) -> None:
        BaseModule.__init__(self, init_cfg)
        nn.Sequential.__init__(self, *args)


class ModuleList(BaseModule, nn.ModuleList):
    """``nn.ModuleList`` with ``init_cfg``.

    Args:
        modules: The modules. Defaults to None.
        init_cfg: See :class:`BaseModule`. Defaults to None.

    Examples:
        >>> import torch.nn as nn
        >>> len(ModuleList([nn.Linear(2, 2), nn.ReLU()]))
        2
    """

    def __init__(
        self, modules: Iterable[nn.Module] | None = None, init_cfg: dict | None = None
    ) -> None:
        BaseModule.__init__(self, init_cfg)
        nn.ModuleList.__init__(self, modules)


class ModuleDict(BaseModule, nn.ModuleDict):
    """``nn.ModuleDict`` with ``init_cfg``.

    Args:
        modules: Name -> module. Defaults to None.
        init_cfg: See :class:`BaseModule`. Defaults to None.

    Examples:
        >>> import torch.nn as nn
        >>> list(ModuleDict(dict(fc=nn.Linear(2, 2))))
        ['fc']
    """

    def __init__(
        self, modules: dict[str, nn.Module] | None = None, init_cfg: dict | None = None
    ) -> None:
        BaseModule.__init__(self, init_cfg)
        nn.ModuleDict.__init__(self, modules)
