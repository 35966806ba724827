"""Unit tests of ``AmpOptimWrapper`` (CPU bfloat16; float16 needs CUDA)."""

from __future__ import annotations

import pytest
import torch
import torch.nn as nn

from engine.optim import AmpOptimWrapper

CUDA = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")


def _amp(model: nn.Module, **kwargs: object) -> AmpOptimWrapper:
    return AmpOptimWrapper(
        optimizer=torch.optim.SGD(model.parameters(), lr=0.1), **kwargs
    )


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the CPU default")
def test_cpu_defaults_to_bfloat16_without_scaling() -> None:
    model = nn.Linear(2, 1)
    wrapper = _amp(model)
    assert wrapper.cast_dtype == torch.bfloat16
    assert not wrapper.loss_scaler.is_enabled()
    with wrapper.optim_context(model):
        out = model(torch.ones(3, 2))
    assert out.dtype == torch.bfloat16
    before = model.bias.detach().clone()
    wrapper.update_params(out.float().sum())
    assert model.bias.dtype == torch.float32
    assert model.bias.item() == pytest.approx(before.item() - 0.3, rel=1e-2)


def test_bfloat16_with_clipping_and_accumulation() -> None:
    model = nn.Linear(2, 1)
    wrapper = _amp(
        model, dtype="bfloat16", accumulative_counts=2, clip_grad=dict(max_norm=0.01)
    )
    start = [p.detach().clone() for p in model.parameters()]
    for _ in range(2):
        with wrapper.optim_context(model):
            loss = model(torch.ones(3, 2)).float().sum()
        wrapper.update_params(loss)
    moved = torch.sqrt(
        sum(((p - s) ** 2).sum() for p, s in zip(model.parameters(), start))
    )
    assert moved.item() == pytest.approx(0.1 * 0.01, rel=1e-2)


def test_state_dict_has_loss_scaler_and_loads() -> None:
    model = nn.Linear(1, 1)
    wrapper = _amp(model, dtype=torch.bfloat16)
    state = wrapper.state_dict()
    assert "loss_scaler" in state
    _amp(nn.Linear(1, 1), dtype="bfloat16").load_state_dict(state)


@pytest.mark.parametrize(
    ("loss_scale", "scale"), [("dynamic", 65536.0), (512.0, 512.0),
                              (dict(init_scale=8.0), 8.0)]
)  # fmt: skip
def test_float16_loss_scale_settings(loss_scale: object, scale: float) -> None:
    wrapper = _amp(nn.Linear(1, 1), dtype="float16", loss_scale=loss_scale)
    assert wrapper.loss_scaler.is_enabled()
    assert wrapper.loss_scaler.state_dict()["scale"] == scale


@pytest.mark.parametrize("kwargs", [dict(dtype="int8"), dict(dtype=torch.int8),
                                    dict(loss_scale="static")])  # fmt: skip
def test_bad_arguments(kwargs: dict) -> None:
    with pytest.raises((ValueError, TypeError), match="dtype|loss_scale"):
        _amp(nn.Linear(1, 1), **kwargs)


@CUDA
def test_float16_on_cuda_scales_the_loss() -> None:
    model = nn.Linear(1, 1).cuda()
    wrapper = _amp(model, dtype="float16")
    with wrapper.optim_context(model):
        out = model(torch.ones(2, 1).cuda())
    assert out.dtype == torch.float16
    wrapper.update_params(out.float().sum())
    assert wrapper.state_dict()["loss_scaler"]["scale"] == 65536.0
