"""The 15-minute example: a ResNet-shaped classifier trained with the Runner.

MMEngine's "15 minutes" tutorial trains a ResNet-50 on CIFAR-10. This
example keeps its structure -- a ``BaseModel`` whose ``forward`` handles the
``loss`` and ``predict`` modes, a ``BaseMetric`` for accuracy, and a
``Runner`` with train and val dataloaders -- on a built-in synthetic
CIFAR-like dataset (3x32x32 images of 10 classes, made in memory, nothing
downloaded) and a small ResNet, so that it trains in about a minute on a CPU.

Run::

    python examples/quickstart.py --epochs 3 --work-dir work_dirs/quickstart

It prints MMEngine-style logs and writes ``epoch_N.pth`` checkpoints; run it
again with ``--resume`` to continue from the last one.
"""

from __future__ import annotations

import argparse
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset

from engine.evaluator import BaseMetric
from engine.model import BaseModel
from engine.runner import Runner


class SyntheticCIFAR(Dataset):
    """CIFAR-shaped images whose class sets a colour tint and a stripe.

    Args:
        size: Number of images.
        seed: Seed of the generator (train and val use different ones).
    """

    def __init__(self, size: int, seed: int) -> None:
        gen = torch.Generator().manual_seed(seed)
        self.labels = torch.randint(0, 10, (size,), generator=gen)
        noise = 2.5 * torch.randn(size, 3, 32, 32, generator=gen)
        tint = torch.stack(
            [torch.arange(10) % 3, torch.arange(10) // 3 % 3, torch.arange(10) % 2]
        )
        images = noise + 0.3 * tint[:, self.labels].T[:, :, None, None].float()
        rows = (self.labels * 3)[:, None] + torch.arange(3)[None, :]
        images[torch.arange(size)[:, None], :, rows, :] += 0.5
        self.images = images

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        return self.images[index], self.labels[index]


class BasicBlock(nn.Module):
    """Two 3x3 convolutions with a shortcut, as in ResNet."""

    def __init__(self, cin: int, cout: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut: nn.Module = nn.Identity()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(
                nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout)
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(out)) + self.shortcut(x))


class MMResNet(BaseModel):
    """A small ResNet (16-32-64 channels) for 32x32 images."""

    def __init__(self, num_classes: int = 10) -> None:
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU()
        )
        self.layers = nn.Sequential(
            BasicBlock(16, 16, 1), BasicBlock(16, 32, 2), BasicBlock(32, 64, 2)
        )
        self.head = nn.Linear(64, num_classes)

    def forward(
        self, imgs: torch.Tensor, labels: torch.Tensor, mode: str = "tensor"
    ) -> Any:
        """``loss``: the cross-entropy; ``predict``: (logits, labels)."""
        x = self.layers(self.stem(imgs))
        logits = self.head(F.adaptive_avg_pool2d(x, 1).flatten(1))
        if mode == "loss":
            return {"loss": F.cross_entropy(logits, labels)}
        if mode == "predict":
            return logits, labels
        return logits


class Accuracy(BaseMetric):
    """Top-1 accuracy in percent."""

    def process(self, data_batch: Any, data_samples: Any) -> None:
        """Count the correct predictions of one batch."""
        score, gt = data_samples
        self.results.append(
            {"batch_size": len(gt), "correct": (score.argmax(dim=1) == gt).sum().cpu()}
        )

    def compute_metrics(self, results: list) -> dict:
        """Accuracy over every batch."""
        correct = sum(item["correct"] for item in results)
        size = sum(item["batch_size"] for item in results)
        return {"accuracy": 100 * correct / size}


def build_runner(args: argparse.Namespace) -> Runner:
    """The Runner of the example, as the tutorial writes it."""
    train = DataLoader(
        SyntheticCIFAR(args.train_size, seed=0), batch_size=64, shuffle=True
    )
    val = DataLoader(SyntheticCIFAR(args.val_size, seed=1), batch_size=128)
    return Runner(
        model=MMResNet(),
        work_dir=args.work_dir,
        train_dataloader=train,
        optim_wrapper=dict(optimizer=dict(type=torch.optim.SGD, lr=0.05, momentum=0.9)),
        train_cfg=dict(by_epoch=True, max_epochs=args.epochs, val_interval=1),
        val_dataloader=val,
        val_cfg=dict(),
        val_evaluator=dict(type=Accuracy),
        default_hooks=dict(logger=dict(type="LoggerHook", interval=10)),
        randomness=dict(seed=0),
        resume=args.resume,
    )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--work-dir", default="work_dirs/quickstart")
    parser.add_argument("--train-size", type=int, default=2000)
    parser.add_argument("--val-size", type=int, default=500)
    parser.add_argument(
        "--resume", action="store_true", help="resume from the last checkpoint"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> float:
    """Train, validating after every epoch; return the last accuracy."""
    runner = build_runner(parse_args(argv))
    runner.train()
    return float(runner.message_hub.get_scalar("val/accuracy").current())


if __name__ == "__main__":
    main()
