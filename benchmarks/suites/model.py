"""Model: ``BaseDataPreprocessor`` + ``BaseModel.train_step`` overhead.

Each case runs N (smoke: 100; full: 2,000) iterations on a tiny MLP
(``Linear(8, 16) -> ReLU -> Linear(16, 1)``, MSE loss, SGD) with a fixed
batch of 4 samples:

* ``raw``: plain ``forward; loss.backward(); step(); zero_grad()`` (the
  baseline, identical for both implementations);
* ``preprocessor only``: ``BaseDataPreprocessor`` on the dict batch (a
  tensor, a list of 4 label tensors and a string);
* ``train_step``: ``BaseModel.train_step`` with the default preprocessor and
  an ``OptimWrapper`` (preprocess, forward in ``'loss'`` mode,
  ``parse_losses``, ``update_params``);
* ``train_step ImgDataPreprocessor``: the same on a list of 4 uint8 (3, 8, 8)
  images, normalised and stacked by ``ImgDataPreprocessor``;
* ``val_step``: ``BaseModel.val_step`` under ``torch.no_grad``.

The difference of ``train_step`` to ``raw`` is the per-iteration overhead of
the model contract. Torch runs on one thread (the tensors are tiny).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import torch
import torch.nn as nn
import torch.nn.functional as F

from benchmarks.suite import Case

NAME = "model"


def _mlp() -> nn.Sequential:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 1))


def _batch() -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    return torch.randn(4, 8, generator=generator), torch.randn(
        4, 1, generator=generator
    )


def _raw(iters: int) -> Case:
    net = _mlp()
    x, y = _batch()
    optimizer = torch.optim.SGD(net.parameters(), lr=1e-3)

    def case() -> None:
        for _ in range(iters):
            loss = F.mse_loss(net(x), y)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()

    return case


def _model_class(model: Any) -> type:
    class Tiny(model.BaseModel):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.net = _mlp()

        def forward(
            self, inputs: torch.Tensor, data_samples: Any = None, mode: str = "tensor"
        ) -> Any:
            out = self.net(inputs.flatten(1)[:, :8])
            if mode == "loss":
                return dict(loss=F.mse_loss(out, data_samples))
            return [out]

    return Tiny


def _preprocessor(model: Any, iters: int) -> Case:
    pre = model.BaseDataPreprocessor()
    x, y = _batch()
    data = dict(inputs=x, data_samples=list(y), meta="batch")

    def case() -> None:
        for _ in range(iters):
            pre(data, True)

    return case


def _train_step(model: Any, optim: Any, iters: int, images: bool) -> Case:
    x, y = _batch()
    if images:
        pre: Any = model.ImgDataPreprocessor(mean=[127.5] * 3, std=[127.5] * 3)
        generator = torch.Generator().manual_seed(0)
        inputs: Any = [
            torch.randint(0, 256, (3, 8, 8), dtype=torch.uint8, generator=generator)
            for _ in range(4)
        ]
        data: Any = dict(inputs=inputs, data_samples=y)
    else:
        pre = None
        data = dict(inputs=x, data_samples=y)
    net = _model_class(model)(data_preprocessor=pre)
    wrapper = optim.OptimWrapper(torch.optim.SGD(net.parameters(), lr=1e-3))

    def case() -> None:
        for _ in range(iters):
            net.train_step(data, wrapper)

    return case


def _val_step(model: Any, iters: int) -> Case:
    net = _model_class(model)()
    x, _ = _batch()
    data = dict(inputs=x)

    def case() -> None:
        with torch.no_grad():
            for _ in range(iters):
                net.val_step(data)

    return case


def cases(impl: str, workdir: Path, smoke: bool) -> dict[str, Case]:
    """The raw baseline and the model-contract cases for ``impl``."""
    torch.set_num_threads(1)  # tiny tensors: threads add only contention noise
    model = importlib.import_module(f"{impl}.model")
    optim = importlib.import_module(f"{impl}.optim")
    iters = 100 if smoke else 2000
    return {
        f"raw forward/backward/step x{iters}": _raw(iters),
        f"BaseDataPreprocessor only x{iters}": _preprocessor(model, iters),
        f"train_step x{iters}": _train_step(model, optim, iters, images=False),
        f"train_step ImgDataPreprocessor x{iters}": _train_step(
            model, optim, iters, images=True
        ),
        f"val_step x{iters}": _val_step(model, iters),
    }
