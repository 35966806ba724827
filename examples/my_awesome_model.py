"""The runner tutorial's job: a small MLP separating two rings of points.

It registers ``MyAwesomeModel`` (MODELS), ``MyDataset`` (DATASETS) and
``Accuracy`` (METRICS) so that ``example_config.py`` can name them, and
:func:`main` builds the same job in Python with objects::

    python examples/my_awesome_model.py --work-dir work_dirs/my_awesome_model
"""

from __future__ import annotations

import argparse
import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset

from engine.dataset import default_collate
from engine.evaluator import BaseMetric
from engine.model import BaseModel
from engine.registry import DATASETS, METRICS, MODELS
from engine.runner import Runner

_ACTIVATIONS: dict[str, type[nn.Module]] = {
    "relu": nn.ReLU,
    "silu": nn.SiLU,
    "none": nn.Identity,
}


@MODELS.register_module()
class MyAwesomeModel(BaseModel):
    """An MLP of ``layers`` hidden layers (64 wide) and a 2-class head.

    Args:
        layers: Number of hidden layers.
        activation: ``'relu'``, ``'silu'`` or ``'none'``.
    """

    def __init__(self, layers: int = 4, activation: str = "relu") -> None:
        super().__init__()
        if activation not in _ACTIVATIONS:
            raise NotImplementedError(
                f"activation {activation!r} is not one of {sorted(_ACTIVATIONS)}"
            )
        act = _ACTIVATIONS[activation]
        widths = [2] + [64] * layers
        blocks = [
            nn.Sequential(nn.Linear(a, b), act()) for a, b in zip(widths, widths[1:])
        ]
        self.mlp = nn.Sequential(*blocks)
        self.classifier = nn.Linear(64, 2)

    def forward(
        self, data: torch.Tensor, labels: torch.Tensor, mode: str = "tensor"
    ) -> Any:
        """``tensor``: logits; ``predict``: (probabilities, labels); ``loss``."""
        logits = self.classifier(self.mlp(data))
        if mode == "loss":
            return {"loss": F.cross_entropy(logits, labels)}
        if mode == "predict":
            return F.softmax(logits, dim=1), labels
        return logits


@DATASETS.register_module()
class MyDataset(Dataset):
    """Points on two noisy rings (radius 3 for class 0, 6 for class 1).

    Args:
        is_train: The training split (seed 0) or the validation one (3407).
        size: Number of points.
    """

    def __init__(self, is_train: bool, size: int) -> None:
        gen = torch.Generator().manual_seed(0 if is_train else 3407)
        self.labels = torch.randint(0, 2, (size,), generator=gen)
        radius = 3.0 * (self.labels + 1) + torch.randn(size, generator=gen)
        angle = torch.rand(size, generator=gen) * 2 * math.pi
        self.data = torch.stack([radius * angle.cos(), radius * angle.sin()], dim=1)

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        return self.data[index], self.labels[index]


@METRICS.register_module()
class Accuracy(BaseMetric):
    """Top-1 accuracy in percent."""

    def process(self, data_batch: Any, data_samples: Any) -> None:
        """Count the correct predictions of one batch."""
        score, gt = data_samples
        self.results.append(
            {"size": len(gt), "correct": int((score.argmax(1) == gt).sum())}
        )

    def compute_metrics(self, results: list) -> dict:
        """Accuracy over all batches."""
        correct = sum(item["correct"] for item in results)
        return {"accuracy": 100.0 * correct / sum(item["size"] for item in results)}


def main(argv: list[str] | None = None) -> Runner:
    """Build the tutorial's job from objects and train it; return the Runner."""
    parser = argparse.ArgumentParser(description="The runner tutorial's job")
    parser.add_argument("--work-dir", default="work_dirs/my_awesome_model")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--train-size", type=int, default=10000)
    args = parser.parse_args(argv)
    runner = Runner(
        model=MyAwesomeModel(layers=2, activation="relu"),
        work_dir=args.work_dir,
        train_dataloader=DataLoader(
            MyDataset(True, args.train_size),
            shuffle=True,
            collate_fn=default_collate,
            batch_size=64,
        ),
        train_cfg=dict(
            by_epoch=True, max_epochs=args.epochs, val_begin=2, val_interval=1
        ),
        optim_wrapper=dict(optimizer=dict(type=torch.optim.Adam, lr=0.001)),
        param_scheduler=dict(
            type="MultiStepLR", by_epoch=True, milestones=[4, 8], gamma=0.1
        ),
        val_dataloader=DataLoader(
            MyDataset(False, 1000), batch_size=1000, collate_fn=default_collate
        ),
        val_cfg=dict(),
        val_evaluator=dict(type=Accuracy),
        default_hooks=dict(checkpoint=dict(type="CheckpointHook", interval=1)),
        launcher="none",
        env_cfg=dict(cudnn_benchmark=False, mp_cfg=dict(mp_start_method="fork")),
        log_level="INFO",
    )
    runner.train()
    return runner


if __name__ == "__main__":
    main()
