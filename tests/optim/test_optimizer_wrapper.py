"""Unit tests of ``engine.optim.optimizer.optimizer_wrapper``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import torch
import torch.nn as nn
from hypothesis import given
from hypothesis import strategies as st

from engine.logging import MessageHub
from engine.optim import OptimWrapper


def _wrapper(counts: int = 1, clip_grad: dict | None = None) -> OptimWrapper:
    model = nn.Linear(2, 1)
    return OptimWrapper(
        torch.optim.SGD(model.parameters(), lr=0.1),
        accumulative_counts=counts,
        clip_grad=clip_grad,
    )


@pytest.mark.parametrize("counts", [0, -1, 1.5])
def test_bad_accumulative_counts(counts: object) -> None:
    with pytest.raises(ValueError, match="accumulative_counts"):
        _wrapper(counts)  # type: ignore[arg-type]


def test_optimizer_must_be_an_optimizer() -> None:
    with pytest.raises(TypeError, match="torch.optim.Optimizer"):
        OptimWrapper(object())  # type: ignore[arg-type]


@pytest.mark.parametrize("clip", [dict(type="foo", max_norm=1), [1]])
def test_bad_clip_grad(clip: object) -> None:
    with pytest.raises((ValueError, TypeError), match="clip_grad"):
        _wrapper(clip_grad=clip)  # type: ignore[arg-type]


def test_clip_type_from_keys() -> None:
    assert _wrapper(clip_grad=dict(clip_value=1)).grad_name == "grad_value"
    assert _wrapper(clip_grad=dict(max_norm=1)).grad_name == "grad_norm"
    assert _wrapper(clip_grad=dict(type="value", clip_value=1)).clip_grad_kwargs == {
        "clip_value": 1
    }


def test_value_clipping_logs_nothing() -> None:
    wrapper = _wrapper(clip_grad=dict(clip_value=0.1))
    model_params = wrapper.param_groups[0]["params"]
    sum(p.sum() for p in model_params).backward()
    wrapper.step()
    assert "train/grad_value" not in MessageHub.get_current_instance().log_scalars


def test_clipping_without_grads_is_skipped() -> None:
    wrapper = _wrapper(clip_grad=dict(max_norm=1))
    wrapper.step()
    assert "train/grad_norm" not in MessageHub.get_current_instance().log_scalars


@given(
    counts=st.integers(1, 5),
    total=st.integers(1, 20),
)
def test_scale_factors_cover_every_window(counts: int, total: int) -> None:
    """The factors of a run sum to one per window (last window included)."""
    wrapper = _wrapper(counts)
    wrapper.initialize_count_status(nn.Linear(1, 1), 0, total)
    factors, steps = [], 0
    for _ in range(total):
        factors.append(wrapper.scale_loss(torch.tensor(1.0)).item())
        wrapper._inner_count += 1
        steps += wrapper.should_update()
    windows = -(-total // counts)
    assert steps == windows
    assert sum(factors) == pytest.approx(windows)


def test_scale_without_initialisation_uses_counts() -> None:
    wrapper = _wrapper(4)
    assert wrapper.scale_loss(torch.tensor(8.0)).item() == 2.0


def test_resume_warning_and_batch_norm_warning(log_lines: list[str]) -> None:
    wrapper = _wrapper(2)
    wrapper.initialize_count_status(nn.BatchNorm1d(1), 3, 10)
    assert any("Resumed iteration number" in line for line in log_lines)
    assert any("BatchNorm" in line for line in log_lines)
    assert wrapper.inner_count == 3


class _DDPLike(nn.Linear):
    def __init__(self) -> None:
        super().__init__(1, 1)
        self.synced: list[bool] = []
        self._sync = True

    @contextmanager
    def no_sync(self) -> Iterator[None]:
        self._sync = False
        yield
        self._sync = True

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.synced.append(self._sync)
        return super().forward(x)


def test_optim_context_skips_sync_on_accumulation_steps() -> None:
    model = _DDPLike()
    wrapper = OptimWrapper(
        torch.optim.SGD(model.parameters(), lr=0.1), accumulative_counts=3
    )
    wrapper.initialize_count_status(model, 0, 5)
    for _ in range(5):
        with wrapper.optim_context(model):
            loss = model(torch.ones(1, 1)).sum()
        wrapper.update_params(loss)
    assert model.synced == [False, False, True, False, True]


def test_several_groups_report_base_lr() -> None:
    model = nn.Linear(1, 1)
    optimizer = torch.optim.SGD(
        [{"params": [model.weight]}, {"params": [model.bias], "lr": 0.5}],
        lr=0.1,
        momentum=0.9,
    )
    wrapper = OptimWrapper(optimizer)
    assert wrapper.get_lr() == {"base_lr": [0.1], "lr": [0.1, 0.5]}
    assert wrapper.get_momentum() == {"momentum": [0.9, 0.9]}
    fresh = OptimWrapper(
        torch.optim.SGD([{"params": [model.weight]}, {"params": [model.bias]}], lr=0.3)
    )
    fresh.load_state_dict(wrapper.state_dict())
    assert fresh.get_lr() == {"base_lr": [0.1], "lr": [0.1, 0.5]}


def test_momentum_defaults_to_zero_without_one() -> None:
    model = nn.Linear(1, 1)
    wrapper = OptimWrapper(torch.optim.Adagrad(model.parameters(), lr=0.1))
    assert wrapper.get_momentum() == {"momentum": [0]}


def test_step_and_zero_kwargs_are_passed() -> None:
    wrapper = _wrapper()
    seen = {}
    wrapper.optimizer.zero_grad = lambda **kw: seen.update(kw)  # type: ignore[method-assign]
    params = wrapper.param_groups[0]["params"]
    wrapper.update_params(
        sum(p.sum() for p in params), zero_kwargs=dict(set_to_none=False)
    )
    assert seen == {"set_to_none": False}


def test_repr_and_defaults() -> None:
    wrapper = _wrapper(2)
    assert "_accumulative_counts: 2" in repr(wrapper)
    assert wrapper.defaults["lr"] == 0.1
