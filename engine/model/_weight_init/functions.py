"""Functions that initialise the ``weight`` and ``bias`` of one module.

Each function touches ``module.weight`` and ``module.bias`` only when the
module has the attribute and it is not None, so it can be applied to any
module (an ``nn.ReLU`` is left alone). Random draws go through
``torch.nn.init`` so a seeded run matches one that calls ``torch.nn.init``
directly.
"""

from __future__ import annotations

import math
import warnings

import torch
import torch.nn as nn
from torch import Tensor

from engine.utils._errors import CompatValueError

_DISTRIBUTIONS = ("uniform", "normal")


def _has(module: nn.Module, name: str) -> bool:
    return getattr(module, name, None) is not None


def _init_bias(module: nn.Module, bias: float) -> None:
    if _has(module, "bias"):
        nn.init.constant_(module.bias, bias)  # type: ignore[arg-type]


def _check_distribution(distribution: str) -> None:
    if distribution not in _DISTRIBUTIONS:
        raise CompatValueError(
            f"distribution must be one of {_DISTRIBUTIONS}, got {distribution!r}"
        )


def constant_init(module: nn.Module, val: float, bias: float = 0) -> None:
    """Fill ``module.weight`` with ``val`` and ``module.bias`` with ``bias``.

    Args:
        module: The module.
        val: Value of every weight.
        bias: Value of every bias. Defaults to 0.

    Examples:
        >>> import torch.nn as nn
        >>> layer = nn.Linear(2, 2)
        >>> constant_init(layer, 1, bias=2)
        >>> layer.bias.tolist()
        [2.0, 2.0]
    """
    if _has(module, "weight"):
        nn.init.constant_(module.weight, val)  # type: ignore[arg-type]
    _init_bias(module, bias)


def xavier_init(
    module: nn.Module, gain: float = 1, bias: float = 0, distribution: str = "normal"
) -> None:
    """Xavier (Glorot) initialisation of ``module.weight``.

    Args:
        module: The module.
        gain: Scaling factor. Defaults to 1.
        bias: Value of every bias. Defaults to 0.
        distribution: ``'normal'`` or ``'uniform'``. Defaults to ``'normal'``.

    Raises:
        ValueError: for another ``distribution`` (also an AssertionError).

    Examples:
        >>> import torch.nn as nn
        >>> xavier_init(nn.Linear(2, 2), distribution='uniform')
    """
    _check_distribution(distribution)
    if _has(module, "weight"):
        weight: Tensor = module.weight  # type: ignore[assignment]
        if distribution == "uniform":
            nn.init.xavier_uniform_(weight, gain=gain)
        else:
            nn.init.xavier_normal_(weight, gain=gain)
    _init_bias(module, bias)


def normal_init(
    module: nn.Module, mean: float = 0, std: float = 1, bias: float = 0
) -> None:
    """Draw ``module.weight`` from ``N(mean, std**2)``.

    Args:
        module: The module.
        mean: Mean of the distribution. Defaults to 0.
        std: Standard deviation. Defaults to 1.
        bias: Value of every bias. Defaults to 0.

    Examples:
        >>> import torch.nn as nn
        >>> normal_init(nn.Linear(2, 2), std=0.01)
    """
    if _has(module, "weight"):
        nn.init.normal_(module.weight, mean, std)  # type: ignore[arg-type]
    _init_bias(module, bias)


def trunc_normal_(
    tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0
) -> Tensor:
    """Fill ``tensor`` in place from ``N(mean, std**2)`` truncated to ``[a, b]``.

    Inverse-transform sampling: a uniform draw between the CDF values of the
    bounds is mapped back through the inverse error function, then clamped.
    Warns when ``mean`` lies more than two standard deviations outside
    ``[a, b]`` (the samples are then unreliable).

    Args:
        tensor: The tensor to fill.
        mean: Mean of the normal distribution. Defaults to 0.
        std: Standard deviation. Defaults to 1.
        a: Lower bound. Defaults to -2.
        b: Upper bound. Defaults to 2.

    Returns:
        ``tensor`` itself.

    Examples:
        >>> import torch
        >>> t = trunc_normal_(torch.empty(100), std=0.02, a=-0.04, b=0.04)
        >>> bool(t.abs().max() <= 0.04)
        True
    """
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn(
            "mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
            "The distribution of values may be incorrect.",
            stacklevel=2,
        )
    low, high = _normal_cdf((a - mean) / std), _normal_cdf((b - mean) / std)
    with torch.no_grad():
        tensor.uniform_(2 * low - 1, 2 * high - 1)
        tensor.erfinv_()
        tensor.mul_(std * math.sqrt(2.0))
        tensor.add_(mean)
        tensor.clamp_(min=a, max=b)
    return tensor


def _normal_cdf(x: float) -> float:
    return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0


def trunc_normal_init(
    module: nn.Module,
    mean: float = 0,
    std: float = 1,
    a: float = -2,
    b: float = 2,
    bias: float = 0,
) -> None:
    """Draw ``module.weight`` from a normal distribution truncated to ``[a, b]``.

    Args:
        module: The module.
        mean: Mean of the normal distribution. Defaults to 0.
        std: Standard deviation. Defaults to 1.
        a: Lower bound. Defaults to -2.
        b: Upper bound. Defaults to 2.
        bias: Value of every bias. Defaults to 0.

    Examples:
        >>> import torch.nn as nn
        >>> trunc_normal_init(nn.Linear(2, 2), std=0.02)
    """
    if _has(module, "weight"):
        trunc_normal_(module.weight, mean, std, a, b)  # type: ignore[arg-type]
    _init_bias(module, bias)


def uniform_init(
    module: nn.Module, a: float = 0, b: float = 1, bias: float = 0
) -> None:
    """Draw ``module.weight`` from ``U(a, b)``.

    Args:
        module: The module.
        a: Lower bound. Defaults to 0.
        b: Upper bound. Defaults to 1.
        bias: Value of every bias. Defaults to 0.

    Examples:
        >>> import torch.nn as nn
        >>> uniform_init(nn.Linear(2, 2), a=-1, b=1)
    """
    if _has(module, "weight"):
        nn.init.uniform_(module.weight, a, b)  # type: ignore[arg-type]
    _init_bias(module, bias)


def kaiming_init(
    module: nn.Module,
    a: float = 0,
    mode: str = "fan_out",
    nonlinearity: str = "relu",
    bias: float = 0,
    distribution: str = "normal",
) -> None:
    """Kaiming (He) initialisation of ``module.weight``.

    Args:
        module: The module.
        a: Negative slope of the rectifier after this layer (for
            ``'leaky_relu'``). Defaults to 0.
        mode: ``'fan_in'`` or ``'fan_out'``. Defaults to ``'fan_out'``.
        nonlinearity: Name of the non-linear function. Defaults to ``'relu'``.
        bias: Value of every bias. Defaults to 0.
        distribution: ``'normal'`` or ``'uniform'``. Defaults to ``'normal'``.

    Raises:
        ValueError: for another ``distribution`` (also an AssertionError).

    Examples:
        >>> import torch.nn as nn
        >>> kaiming_init(nn.Conv2d(3, 8, 3))
    """
    _check_distribution(distribution)
    if _has(module, "weight"):
        init = (
            nn.init.kaiming_uniform_
            if distribution == "uniform"
            else nn.init.kaiming_normal_
        )
        init(module.weight, a=a, mode=mode, nonlinearity=nonlinearity)  # type: ignore[arg-type]
    _init_bias(module, bias)


def caffe2_xavier_init(module: nn.Module, bias: float = 0) -> None:
    """Caffe2's "XavierFill": Kaiming uniform with ``a=1`` and ``fan_in``.

    Args:
        module: The module.
        bias: Value of every bias. Defaults to 0.

    Examples:
        >>> import torch.nn as nn
        >>> caffe2_xavier_init(nn.Conv2d(3, 8, 3))
    """
    kaiming_init(
        module,
        a=1,
        mode="fan_in",
        nonlinearity="leaky_relu",
        bias=bias,
        distribution="uniform",
    )


def bias_init_with_prob(prior_prob: float) -> float:
    """The bias whose sigmoid is ``prior_prob``: ``-log((1 - p) / p)``.

    Args:
        prior_prob: Prior probability of the positive class.

    Returns:
        The bias value.

    Examples:
        >>> round(bias_init_with_prob(0.01), 4)
        -4.5951
    """
    odds = (1 - prior_prob) / prior_prob
    if odds <= 0:  # log(0) is -inf, log of a negative number is nan
        return math.inf if odds == 0 else math.nan
    return float(-math.log(odds))
