"""Runner: per-iteration framework overhead, and start-up time.

Each training case runs N iterations (smoke: 20; full: 400) on a fixed
in-memory dataset, batch size 8, SGD:

* ``raw``: a plain PyTorch loop over a ``DataLoader`` (forward, loss,
  backward, step, zero_grad) -- the baseline, identical for both
  implementations;
* ``Runner epoch``: ``Runner.train()`` with the default hooks, one epoch of
  N iterations over a dict dataloader with ``DefaultSampler``;
* ``Runner iter``: the same as an iteration-based run (``by_epoch=False``).

Two models: a tiny MLP (``Linear(16, 16)``-ReLU-``Linear(16, 1)``), where the
framework's overhead dominates, and a small CNN (two 3x3 convs on 3x32x32
images). The Runner cases time ``train()`` only (the Runner is built
outside the measured span, but inside the case so that each repeat starts
fresh); the per-iteration overhead is (Runner - raw) / N. A short job runs
first, untimed, so that one-time imports are not measured. Torch runs on one
thread. ``Runner start-up``
times building a Runner (environment banner, hooks, logger, config dump).
Output of the Runner goes to a discarded buffer.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import time
import uuid
from pathlib import Path
from typing import Any

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

from benchmarks.suite import Case

NAME = "runner"


class _Data(Dataset):
    def __init__(self, shape: tuple[int, ...], n: int) -> None:
        gen = torch.Generator().manual_seed(0)
        self.x = torch.randn(n, *shape, generator=gen)
        self.y = torch.randn(n, 1, generator=gen)

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        return self.x[i], self.y[i]


def _mlp() -> nn.Module:
    return nn.Sequential(nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 1))


def _cnn() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(8, 8, 3, padding=1),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(8, 1),
    )


_MODELS = {"tiny MLP": (_mlp, (16,)), "small CNN": (_cnn, (3, 32, 32))}


def _raw(make: Any, shape: tuple[int, ...], iters: int) -> Case:
    def case() -> float:
        torch.manual_seed(0)
        net = make()
        opt = torch.optim.SGD(net.parameters(), lr=1e-3)
        loader = DataLoader(_Data(shape, iters * 8), batch_size=8, shuffle=True)
        start = time.perf_counter()
        net.train()
        for x, y in loader:
            loss = nn.functional.mse_loss(net(x), y)
            loss.backward()
            opt.step()
            opt.zero_grad()
        return time.perf_counter() - start

    return case


def _wrapped_model(impl: str, make: Any) -> Any:
    base_model = importlib.import_module(f"{impl}.model").BaseModel

    class Wrapped(base_model):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            super().__init__()
            self.net = make()

        def forward(self, x: Any, y: Any, mode: str = "tensor") -> Any:
            out = self.net(x)
            if mode == "loss":
                return dict(loss=nn.functional.mse_loss(out, y))
            return out

    return Wrapped


def _runner_kwargs(
    impl: str,
    make: Any,
    shape: tuple[int, ...],
    iters: int,
    workdir: Path,
    by_epoch: bool,
) -> dict:
    sampler = "DefaultSampler" if by_epoch else "InfiniteSampler"
    train_cfg = (
        dict(by_epoch=True, max_epochs=1)
        if by_epoch
        else dict(by_epoch=False, max_iters=iters)
    )
    return dict(
        model=_wrapped_model(impl, make)(),
        work_dir=str(workdir / uuid.uuid4().hex),
        train_dataloader=dict(
            dataset=_Data(shape, iters * 8),
            batch_size=8,
            sampler=dict(type=sampler, shuffle=True),
            collate_fn=dict(type="default_collate"),
        ),
        train_cfg=train_cfg,
        optim_wrapper=dict(optimizer=dict(type="SGD", lr=1e-3)),
        default_hooks=dict(
            checkpoint=dict(type="CheckpointHook", interval=iters, by_epoch=by_epoch)
        ),
        experiment_name=uuid.uuid4().hex,
        randomness=dict(seed=0),
    )


def _runner(
    impl: str,
    make: Any,
    shape: tuple[int, ...],
    iters: int,
    workdir: Path,
    by_epoch: bool,
) -> Case:
    runner_cls = importlib.import_module(f"{impl}.runner").Runner

    def case() -> float:
        with (
            contextlib.redirect_stdout(io.StringIO()),
            contextlib.redirect_stderr(io.StringIO()),
        ):
            runner = runner_cls(
                **_runner_kwargs(impl, make, shape, iters, workdir, by_epoch)
            )
            start = time.perf_counter()
            runner.train()
            return time.perf_counter() - start

    return case


def _startup(impl: str, workdir: Path) -> Case:
    runner_cls = importlib.import_module(f"{impl}.runner").Runner

    def case() -> float:
        with (
            contextlib.redirect_stdout(io.StringIO()),
            contextlib.redirect_stderr(io.StringIO()),
        ):
            kwargs = _runner_kwargs(impl, _mlp, (16,), 10, workdir, True)
            start = time.perf_counter()
            runner_cls(**kwargs)
            return time.perf_counter() - start

    return case


def _warm_up(impl: str, workdir: Path) -> None:
    """One short job first: the first optimizer and the first Runner pay for
    one-time imports (``torch._dynamo``, hooks, backends) outside the timings."""
    _runner(impl, _mlp, (16,), 4, workdir, True)()
    _runner(impl, _mlp, (16,), 4, workdir, False)()


def cases(impl: str, workdir: Path, smoke: bool) -> dict[str, Case]:
    """Raw loops, Runner loops (epoch and iter) and Runner start-up for ``impl``."""
    iters = 20 if smoke else 400
    # One intra-op thread: OpenMP workers spinning against other processes
    # on a small machine make multi-threaded timings erratic.
    torch.set_num_threads(1)
    _warm_up(impl, workdir)
    result: dict[str, Case] = {}
    for name, (make, shape) in _MODELS.items():
        result[f"raw loop {name} x{iters}"] = _raw(make, shape, iters)
        result[f"Runner epoch {name} x{iters}"] = _runner(
            impl, make, shape, iters, workdir, True
        )
        result[f"Runner iter {name} x{iters}"] = _runner(
            impl, make, shape, iters, workdir, False
        )
    result["Runner start-up"] = _startup(impl, workdir)
    return result
