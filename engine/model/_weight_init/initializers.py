"""Initialisers: callables built from ``init_cfg`` dicts through
``WEIGHT_INITIALIZERS``.

An initialiser is called with a module. Without ``layer`` it acts on nothing
unless :func:`~engine.model.weight_init.initialize` marks it ``wholemodule``
(as it does for ``override``); with ``layer`` it acts on every submodule whose
class name, or the name of one of its direct base classes, is listed.
Submodules are visited children first (``nn.Module.apply`` order), which
fixes the order of the random draws.
"""

from __future__ import annotations

from typing import Any

import torch.nn as nn

from engine.logging import print_log
from engine.model._weight_init.functions import (
    bias_init_with_prob,
    constant_init,
    kaiming_init,
    normal_init,
    trunc_normal_init,
    uniform_init,
    xavier_init,
)
from engine.model._weight_init.init_info import update_init_info
from engine.registry import WEIGHT_INITIALIZERS


def _layer_list(layer: Any) -> list[str]:
    if layer is None:
        return []
    if isinstance(layer, str):
        return [layer]
    if isinstance(layer, list):
        return layer
    raise TypeError(f"layer must be a str or a list of str, but got a {type(layer)}")


class BaseInit:
    """Common arguments of the initialisers.

    Args:
        bias: Value of every bias. Defaults to 0.
        bias_prob: If given, the bias is :func:`bias_init_with_prob` of it
            (overrides ``bias``). Defaults to None.
        layer: Class name(s) of the layers to initialise. Defaults to None
            (the whole module when ``wholemodule`` is set, else nothing).

    Raises:
        TypeError: for a non-numeric ``bias``, a non-float ``bias_prob`` or a
            ``layer`` that is neither a str nor a list.

    Examples:
        >>> ConstantInit(val=1, layer='Conv2d').layer
        ['Conv2d']
    """

    def __init__(
        self, *, bias: float = 0, bias_prob: float | None = None, layer: Any = None
    ) -> None:
        self.wholemodule = False
        if not isinstance(bias, (int, float)):
            raise TypeError(f"bias must be a number, but got a {type(bias)}")
        if bias_prob is not None:
            if not isinstance(bias_prob, float):
                raise TypeError(
                    f"bias_prob type must be float, but got {type(bias_prob)}"
                )
            bias = bias_init_with_prob(bias_prob)
        self.bias = bias
        self.layer = _layer_list(layer)

    def __call__(self, module: nn.Module) -> None:
        """Initialise the selected submodules of ``module``.

        Args:
            module: The module.
        """
        module.apply(self._visit)
        if hasattr(module, "_params_init_info"):
            update_init_info(module, init_info=self._get_init_info())

    def _visit(self, module: nn.Module) -> None:
        if self.wholemodule or self._selects(module):
            self._init_module(module)

    def _selects(self, module: nn.Module) -> bool:
        cls = type(module)
        names = {cls.__name__, *(base.__name__ for base in cls.__bases__)}
        return not names.isdisjoint(self.layer)

    def _init_module(self, module: nn.Module) -> None:
        """Initialise one selected module (subclasses override this)."""
        raise NotImplementedError(f"{type(self).__name__} does not initialise layers")

    def _get_init_info(self) -> str:
        return f"{type(self).__name__}, bias={self.bias}"


@WEIGHT_INITIALIZERS.register_module(name="Constant")
class ConstantInit(BaseInit):
    """Fill weights with ``val`` and biases with ``bias``.

    Args:
        val: Value of every weight.
        **kwargs: ``bias``, ``bias_prob`` and ``layer`` of :class:`BaseInit`.

    Examples:
        >>> import torch.nn as nn
        >>> layer = nn.Linear(2, 2)
        >>> ConstantInit(val=1, bias=2, layer='Linear')(layer)
        >>> layer.weight.tolist()
        [[1.0, 1.0], [1.0, 1.0]]
    """

    def __init__(self, val: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.val = val

    def _init_module(self, module: nn.Module) -> None:
        constant_init(module, self.val, self.bias)

    def _get_init_info(self) -> str:
        return f"{type(self).__name__}: val={self.val}, bias={self.bias}"


@WEIGHT_INITIALIZERS.register_module(name="Xavier")
class XavierInit(BaseInit):
    """Xavier initialisation (see :func:`xavier_init`).

    Args:
        gain: Scaling factor. Defaults to 1.
        distribution: ``'normal'`` or ``'uniform'``. Defaults to ``'normal'``.
        **kwargs: ``bias``, ``bias_prob`` and ``layer`` of :class:`BaseInit`.

    Examples:
        >>> import torch.nn as nn
        >>> XavierInit(gain=2, layer='Linear')(nn.Linear(2, 2))
    """

    def __init__(
        self, gain: float = 1, distribution: str = "normal", **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.gain = gain
        self.distribution = distribution

    def _init_module(self, module: nn.Module) -> None:
        xavier_init(module, self.gain, self.bias, self.distribution)

    def _get_init_info(self) -> str:
        return (
            f"{type(self).__name__}: gain={self.gain}, "
            f"distribution={self.distribution}, bias={self.bias}"
        )


@WEIGHT_INITIALIZERS.register_module(name="Normal")
class NormalInit(BaseInit):
    """Draw weights from ``N(mean, std**2)``.

    Args:
        mean: Mean. Defaults to 0.
        std: Standard deviation. Defaults to 1.
        **kwargs: ``bias``, ``bias_prob`` and ``layer`` of :class:`BaseInit`.

    Examples:
        >>> import torch.nn as nn
        >>> NormalInit(std=0.01, layer='Linear')(nn.Linear(2, 2))
    """

    def __init__(self, mean: float = 0, std: float = 1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mean = mean
        self.std = std

    def _init_module(self, module: nn.Module) -> None:
        normal_init(module, self.mean, self.std, self.bias)

    def _get_init_info(self) -> str:
        return (
            f"{type(self).__name__}: mean={self.mean}, std={self.std}, bias={self.bias}"
        )


@WEIGHT_INITIALIZERS.register_module(name="TruncNormal")
class TruncNormalInit(BaseInit):
    """Draw weights from a normal distribution truncated to ``[a, b]``.

    Args:
        mean: Mean. Defaults to 0.
        std: Standard deviation. Defaults to 1.
        a: Lower bound. Defaults to -2.
        b: Upper bound. Defaults to 2.
        **kwargs: ``bias``, ``bias_prob`` and ``layer`` of :class:`BaseInit`.

    Examples:
        >>> import torch.nn as nn
        >>> TruncNormalInit(std=0.02, layer='Linear')(nn.Linear(2, 2))
    """

    def __init__(
        self,
        mean: float = 0,
        std: float = 1,
        a: float = -2,
        b: float = 2,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.mean = mean
        self.std = std
        self.a = a
        self.b = b

    def _init_module(self, module: nn.Module) -> None:
        trunc_normal_init(module, self.mean, self.std, self.a, self.b, self.bias)

    def _get_init_info(self) -> str:
        return (
            f"{type(self).__name__}: a={self.a}, b={self.b}, mean={self.mean}, "
            f"std={self.std}, bias={self.bias}"
        )


@WEIGHT_INITIALIZERS.register_module(name="Uniform")
class UniformInit(BaseInit):
    """Draw weights from ``U(a, b)``.

    Args:
        a: Lower bound. Defaults to 0.
        b: Upper bound. Defaults to 1.
        **kwargs: ``bias``, ``bias_prob`` and ``layer`` of :class:`BaseInit`.

    Examples:
        >>> import torch.nn as nn
        >>> UniformInit(a=-1, b=1, layer='Linear')(nn.Linear(2, 2))
    """

    def __init__(self, a: float = 0, b: float = 1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.a = a
        self.b = b

    def _init_module(self, module: nn.Module) -> None:
        uniform_init(module, self.a, self.b, self.bias)

    def _get_init_info(self) -> str:
        return f"{type(self).__name__}: a={self.a}, b={self.b}, bias={self.bias}"


@WEIGHT_INITIALIZERS.register_module(name="Kaiming")
class KaimingInit(BaseInit):
    """Kaiming initialisation (see :func:`kaiming_init`).

    Args:
        a: Negative slope of the rectifier. Defaults to 0.
        mode: ``'fan_in'`` or ``'fan_out'``. Defaults to ``'fan_out'``.
        nonlinearity: Name of the non-linear function. Defaults to ``'relu'``.
        distribution: ``'normal'`` or ``'uniform'``. Defaults to ``'normal'``.
        **kwargs: ``bias``, ``bias_prob`` and ``layer`` of :class:`BaseInit`.

    Examples:
        >>> import torch.nn as nn
        >>> KaimingInit(layer='Conv2d')(nn.Conv2d(3, 8, 3))
    """

    def __init__(
        self,
        a: float = 0,
        mode: str = "fan_out",
        nonlinearity: str = "relu",
        distribution: str = "normal",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.a = a
        self.mode = mode
        self.nonlinearity = nonlinearity
        self.distribution = distribution

    def _init_module(self, module: nn.Module) -> None:
        kaiming_init(
            module, self.a, self.mode, self.nonlinearity, self.bias, self.distribution
        )

    def _get_init_info(self) -> str:
        # "distribution =" (with the space) is the text MMEngine logs.
        return (
            f"{type(self).__name__}: a={self.a}, mode={self.mode}, "
            f"nonlinearity={self.nonlinearity}, "
            f"distribution ={self.distribution}, bias={self.bias}"
        )


@WEIGHT_INITIALIZERS.register_module(name="Caffe2Xavier")
class Caffe2XavierInit(KaimingInit):
    """Caffe2's Xavier: Kaiming uniform with ``a=1``, ``fan_in``, ``leaky_relu``.

    Args:
        **kwargs: ``bias``, ``bias_prob`` and ``layer`` of :class:`BaseInit`.

    Examples:
        >>> import torch.nn as nn
        >>> Caffe2XavierInit(layer='Conv2d')(nn.Conv2d(3, 8, 3))
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            a=1,
            mode="fan_in",
            nonlinearity="leaky_relu",
            distribution="uniform",
            **kwargs,
        )


@WEIGHT_INITIALIZERS.register_module(name="Pretrained")
class PretrainedInit:
    """Load the weights of a module from a checkpoint.

    Without ``prefix`` the whole checkpoint is loaded into the module; with
    it, only the entries whose keys start with ``prefix`` (which is removed
    from them). Loading is not strict: missing and unexpected keys are
    logged, not raised.

    Args:
        checkpoint: Path or URL of the checkpoint.
        prefix: Key prefix of the sub-dict to load, e.g. ``'backbone.'``.
            Defaults to None (everything).
        map_location: Where the tensors are loaded. Defaults to ``'cpu'``.

    Examples:
        >>> import torch.nn as nn
        >>> init = PretrainedInit('backbone.pth', prefix='backbone.')
        >>> init(nn.Linear(2, 2))  # doctest: +SKIP
    """

    def __init__(
        self, checkpoint: str, prefix: str | None = None, map_location: Any = "cpu"
    ) -> None:
        self.checkpoint = checkpoint
        self.prefix = prefix
        self.map_location = map_location

    def __call__(self, module: nn.Module) -> None:
        """Load the checkpoint (or its ``prefix`` part) into ``module``.

        Args:
            module: The module.
        """
        from engine.runner import checkpoint as ckpt

        if self.prefix is None:
            print_log(f"load model from: {self.checkpoint}", logger="current")
            ckpt.load_checkpoint(
                module,
                self.checkpoint,
                map_location=self.map_location,
                strict=False,
                logger="current",
            )
        else:
            print_log(
                f"load {self.prefix} in model from: {self.checkpoint}", logger="current"
            )
            state_dict = ckpt._load_checkpoint_with_prefix(
                self.prefix, self.checkpoint, map_location=self.map_location
            )
            ckpt.load_state_dict(module, state_dict, strict=False, logger="current")
        if hasattr(module, "_params_init_info"):
            update_init_info(module, init_info=self._get_init_info())

    def _get_init_info(self) -> str:
        return f"{type(self).__name__}: load from {self.checkpoint}"
