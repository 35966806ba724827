"""Sphinx extension: plot one learning-rate curve per scheduler family.

At ``builder-inited`` it steps each ``XxxLR`` scheduler of
:mod:`engine.optim.scheduler` on a one-parameter SGD optimizer (lr 0.1) for
100 steps and saves the curve to ``docs/_generated/schedulers/<name>.png``,
which ``docs/api/scheduler.md`` shows. A failure fails the build (``-W``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

STEPS = 100
BASE_LR = 0.1
FAMILIES: dict[str, dict[str, Any]] = {
    "ConstantLR": dict(factor=0.5, end=40),
    "LinearLR": dict(start_factor=0.1, end=50),
    "ExponentialLR": dict(gamma=0.97),
    "StepLR": dict(step_size=20, gamma=0.5),
    "MultiStepLR": dict(milestones=[30, 60, 80], gamma=0.3),
    "CosineAnnealingLR": dict(T_max=100, eta_min=0.001),
    "PolyLR": dict(power=2.0, eta_min=0.001, end=100),
    "OneCycleLR": dict(eta_max=0.5, total_steps=100),
    "CosineRestartLR": dict(
        periods=[30, 30, 40], restart_weights=[1, 0.7, 0.4], eta_min=0.001
    ),
}
#: ReduceOnPlateauLR reads a metric: a validation loss that falls, then stalls.
PLATEAU = dict(monitor="loss", patience=5, factor=0.5, cooldown=3)
OUT = Path(__file__).resolve().parent.parent / "_generated" / "schedulers"


def curve(name: str, kwargs: dict[str, Any]) -> list[float]:
    """The lr of every step of scheduler ``name`` built with ``kwargs``."""
    import torch

    from engine.optim import scheduler

    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([param], lr=BASE_LR)
    sched = getattr(scheduler, name)(optimizer, **kwargs)
    values = []
    for step in range(STEPS):
        values.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        if name == "ReduceOnPlateauLR":
            sched.step(metrics={"loss": plateau_loss(step)})
        else:
            sched.step()
    return values


def plateau_loss(step: int) -> float:
    """The metric fed to ReduceOnPlateauLR: falls for 30 steps, then flat."""
    return max(1.0 - step / 30, 0.0) + 0.2


def plot_all(out: Path = OUT) -> list[Path]:
    """Write one PNG per family into ``out``; return the paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, kwargs in {**FAMILIES, "ReduceOnPlateauLR": PLATEAU}.items():
        fig, ax = plt.subplots(figsize=(5, 2.6), dpi=80)
        ax.plot(range(STEPS), curve(name, kwargs))
        args = ", ".join(f"{k}={v}" for k, v in kwargs.items())
        ax.set_title(f"{name}({args})", fontsize=7)
        ax.set_xlabel("step")
        ax.set_ylabel("lr")
        if name == "ReduceOnPlateauLR":
            metric = ax.twinx()
            metric.plot(range(STEPS), [plateau_loss(s) for s in range(STEPS)], "--")
            metric.set_ylabel("val loss (dashed)")
        fig.tight_layout()
        path = out / f"{name}.png"
        fig.savefig(path)
        plt.close(fig)
        paths.append(path)
    return paths


def _on_builder_inited(app: Any) -> None:
    plot_all()


def setup(app: Any) -> dict[str, Any]:
    """Register the extension."""
    app.connect("builder-inited", _on_builder_inited)
    return {"parallel_read_safe": True, "version": "1"}
