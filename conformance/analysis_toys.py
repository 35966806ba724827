"""Models of the model-complexity documentation (inventory ANA-01..08).

* :class:`TestNet` / :class:`InnerNet`: the two-level ``nn.Linear`` toy of
  the "Model Complexity Analysis" page (doc L8206-8223).
* :func:`resnet50`: ResNet-50 v1.5 rebuilt in plain torch with
  torchvision's architecture, registration order and attribute names
  (``conv1, bn1, relu, maxpool, layer1..layer4, avgpool, fc``; Bottleneck
  blocks ``[3, 4, 6, 3]`` whose ``conv2`` carries the stride, and a
  ``downsample = Sequential(conv1x1, BatchNorm2d)`` on the first block of a
  stage), since torchvision cannot be installed beside the CPU torch here.
  :func:`torchvision_resnet50` returns torchvision's own model when it is
  importable, else ``None``.
* :func:`mm_resnet50`: the documented ``MMResNet50`` wrapper (doc L1418-1432)
  around either, built on the implementation's ``model.BaseModel``.
* :func:`hook_counts`: flops, activations and parameters by the counting
  rules the documented tables obey (inventory §3.14), computed with forward
  hooks and closed forms, independently of any tracing.

No weights are loaded and the initialisation does not matter for counts.
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from conformance.harness.impl import Impl


class InnerNet(nn.Module):
    """``fc1(fc2(x))`` with two ``Linear(10, 10)``."""

    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(10, 10)
        self.fc2 = nn.Linear(10, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc1(self.fc2(x))


class TestNet(nn.Module):
    """``fc1(fc2(inner(x)))``; ``inner`` is an :class:`InnerNet`."""

    __test__ = False  # not a pytest test class

    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(10, 10)
        self.fc2 = nn.Linear(10, 10)
        self.inner = InnerNet()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc1(self.fc2(self.inner(x)))


def _conv1x1(cin: int, cout: int, stride: int = 1) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, kernel_size=1, stride=stride, bias=False)


def _conv3x3(cin: int, cout: int, stride: int = 1) -> nn.Conv2d:
    return nn.Conv2d(
        cin, cout, kernel_size=3, stride=stride, padding=1, groups=1, bias=False
    )


class Bottleneck(nn.Module):
    """torchvision's ``Bottleneck`` (expansion 4, stride on ``conv2``)."""

    expansion = 4

    def __init__(
        self,
        inplanes: int,
        planes: int,
        stride: int = 1,
        downsample: nn.Module | None = None,
    ) -> None:
        super().__init__()
        width = planes
        self.conv1 = _conv1x1(inplanes, width)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = _conv3x3(width, width, stride)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = _conv1x1(width, planes * self.expansion)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity
        return self.relu(out)


class ResNet(nn.Module):
    """torchvision's ``ResNet`` with Bottleneck blocks."""

    def __init__(self, layers: list[int], num_classes: int = 1000) -> None:
        super().__init__()
        self.inplanes = 64
        self.conv1 = nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(64, layers[0])
        self.layer2 = self._make_layer(128, layers[1], stride=2)
        self.layer3 = self._make_layer(256, layers[2], stride=2)
        self.layer4 = self._make_layer(512, layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512 * Bottleneck.expansion, num_classes)

    def _make_layer(self, planes: int, blocks: int, stride: int = 1) -> nn.Sequential:
        out = planes * Bottleneck.expansion
        downsample = None
        if stride != 1 or self.inplanes != out:
            downsample = nn.Sequential(
                _conv1x1(self.inplanes, out, stride), nn.BatchNorm2d(out)
            )
        layers = [Bottleneck(self.inplanes, planes, stride, downsample)]
        self.inplanes = out
        layers += [Bottleneck(out, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        x = torch.flatten(self.avgpool(x), 1)
        return self.fc(x)


def resnet50() -> ResNet:
    """ResNet-50: Bottleneck stages ``[3, 4, 6, 3]``, 1000 classes."""
    return ResNet([3, 4, 6, 3])


def torchvision_resnet50() -> nn.Module | None:
    """``torchvision.models.resnet50()`` if torchvision imports, else None."""
    try:
        import torchvision
    except Exception:  # not installed, or built for another torch
        return None
    return torchvision.models.resnet50()


def mm_resnet50(impl: Impl, resnet: nn.Module | None = None) -> nn.Module:
    """The documented ``MMResNet50(BaseModel)`` wrapping ``resnet``."""
    base_model: Any = impl.attr("model.BaseModel")

    class MMResNet50(base_model):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            super().__init__()
            self.resnet = resnet if resnet is not None else resnet50()

        def forward(
            self, imgs: torch.Tensor, labels: Any = None, mode: str = "tensor"
        ) -> Any:
            x = self.resnet(imgs)
            if mode == "loss":
                return {"loss": F.cross_entropy(x, labels)}
            elif mode == "predict":
                return x, labels
            elif mode == "tensor":
                return x

    return MMResNet50()


def hook_counts(model: nn.Module, *inputs: Any) -> tuple[int, int, int]:
    """``(flops, activations, params)`` of one forward, by closed forms.

    Conv: ``numel(out) * C_in / groups * prod(kernel)``; Linear:
    ``numel(in) * out_features``; BatchNorm in training mode: 5 per input
    element; AdaptiveAvgPool2d: 1 per input element; everything else 0.
    Activations: the output elements of convolutions and linear layers.
    Params: the sum of ``numel``.
    """
    totals = {"flops": 0, "acts": 0}

    def count(module: nn.Module, args: tuple[Any, ...], out: torch.Tensor) -> None:
        x = args[0]
        if isinstance(module, nn.Conv2d):
            per_output = module.in_channels // module.groups
            totals["flops"] += out.numel() * per_output * math.prod(module.kernel_size)
            totals["acts"] += out.numel()
        elif isinstance(module, nn.Linear):
            totals["flops"] += x.numel() * module.out_features
            totals["acts"] += out.numel()
        elif isinstance(module, nn.BatchNorm2d):
            assert module.training and module.affine
            totals["flops"] += 5 * x.numel()
        elif isinstance(module, nn.AdaptiveAvgPool2d):
            totals["flops"] += x.numel()

    handles = [m.register_forward_hook(count) for m in model.modules()]
    try:
        with torch.no_grad():
            model(*inputs)
    finally:
        for handle in handles:
            handle.remove()
    params = sum(p.numel() for p in model.parameters())
    return totals["flops"], totals["acts"], params
