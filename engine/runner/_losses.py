"""Losses that val/test steps report, averaged over the loop (``val_loss``)."""

from __future__ import annotations

from typing import Any

from engine.logging import HistoryBuffer

__all__ = ["parse_losses", "update_losses"]


def update_losses(
    outputs: list, losses: dict[str, HistoryBuffer]
) -> tuple[list, dict[str, HistoryBuffer]]:
    """Move the losses a step reported into ``losses``.

    A val/test step may end its list of outputs with a data element holding
    a ``loss`` dict; that element is removed and each loss recorded.

    Args:
        outputs: The outputs of ``val_step``/``test_step``.
        losses: The history of each loss so far (updated in place).

    Returns:
        The outputs without the loss element, and ``losses``.
    """
    if not isinstance(outputs, list) or not outputs:
        return outputs, losses
    last = outputs[-1]
    if not (hasattr(last, "keys") and hasattr(last, "metainfo") and "loss" in last):
        return outputs, losses
    for name, value in last.loss.items():
        buffer = losses.setdefault(name, HistoryBuffer())
        buffer.update(float(value.item() if hasattr(value, "item") else value))
    return outputs[:-1], losses


def parse_losses(losses: dict[str, HistoryBuffer], stage: str) -> dict[str, Any]:
    """The mean of each loss, plus ``<stage>_loss``: the sum of the ``loss`` keys.

    Args:
        losses: The history of each loss.
        stage: ``'val'`` or ``'test'``.

    Returns:
        ``{name: mean, ..., '<stage>_loss': total}``.
    """
    means: dict[str, Any] = {name: buffer.mean() for name, buffer in losses.items()}
    means[f"{stage}_loss"] = sum(v for name, v in means.items() if "loss" in name)
    return means
