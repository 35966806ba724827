"""Conformance of the optimizer wrappers and constructors (OPT-01..16).

Docs: "OptimWrapper" (L3629-3931) and "Optimizer wrapper constructor"
(L3958-4208), GAN example (L699-817). Expected values are closed forms of
tiny models (inputs of zeros, L1 loss) or independent torch computations.
"""

from __future__ import annotations

import copy
import logging
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from conformance.harness.impl import Impl

CUDA = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")


@pytest.fixture
def optim(impl: Impl) -> Any:
    return impl.mod("optim")


@pytest.fixture
def log_lines(impl: Impl) -> Iterator[list[str]]:
    """Messages logged through the current logger while the test runs."""
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    logger = impl.mod("logging").MMLogger.get_instance("optim-conformance")
    handler = Collect(level=logging.INFO)
    logger.addHandler(handler)
    yield lines
    logger.removeHandler(handler)


@pytest.fixture
def registries(impl: Impl) -> Iterator[Any]:
    """The registry module; constructors registered by a test are removed."""
    reg = impl.mod("registry")
    saved = dict(reg.OPTIM_WRAPPER_CONSTRUCTORS._module_dict)
    yield reg
    reg.OPTIM_WRAPPER_CONSTRUCTORS._module_dict.clear()
    reg.OPTIM_WRAPPER_CONSTRUCTORS._module_dict.update(saved)


class ToyModel(nn.Module):
    """The model of OPT-11/13 (doc L3980-4016)."""

    def __init__(self) -> None:
        super().__init__()
        self.backbone = nn.ModuleDict(
            dict(layer0=nn.Linear(1, 1), layer1=nn.Linear(1, 1))
        )
        self.head = nn.Sequential(
            OrderedDict(linear=nn.Linear(1, 1), bn=nn.BatchNorm1d(1))
        )


def _linear(bias: float = 0.0) -> nn.Linear:
    model = nn.Linear(1, 1)
    with torch.no_grad():
        model.weight.fill_(0.5)
        model.bias.fill_(bias)
    return model


def _fixture_losses(model: nn.Module, n: int = 10) -> Iterator[torch.Tensor]:
    inputs = [torch.zeros(10, 1, 1)] * n
    targets = [torch.ones(10, 1, 1)] * n
    for x, y in zip(inputs, targets):
        yield F.l1_loss(model(x), y)


def _group_of(optimizer: torch.optim.Optimizer, param: torch.Tensor) -> dict:
    groups = [g for g in optimizer.param_groups if any(p is param for p in g["params"])]
    assert len(groups) == 1
    return groups[0]


def _wd_by_name(model: nn.Module, optimizer: torch.optim.Optimizer) -> dict:
    return {
        name: _group_of(optimizer, p)["weight_decay"]
        for name, p in model.named_parameters()
    }


# --- OPT-01 .. OPT-05: the update ------------------------------------------


@pytest.mark.spec("OPT-01")
def test_update_params_equals_backward_step_zero_grad(optim: Any) -> None:
    model_a, model_b = _linear(), _linear()
    opt_a = torch.optim.SGD(model_a.parameters(), lr=0.01)
    for loss in _fixture_losses(model_a):
        opt_a.zero_grad()
        loss.backward()
        opt_a.step()
    wrapper = optim.OptimWrapper(
        optimizer=torch.optim.SGD(model_b.parameters(), lr=0.01)
    )
    for loss in _fixture_losses(model_b):
        wrapper.update_params(loss)
    for pa, pb in zip(model_a.parameters(), model_b.parameters()):
        assert torch.equal(pa, pb)
    assert model_b.weight.item() == 0.5
    assert model_b.bias.item() == pytest.approx(0.1, abs=1e-6)


@pytest.mark.spec("OPT-02", "OPT-16")
def test_optim_context_is_a_no_op_context_on_cpu(optim: Any) -> None:
    model = _linear()
    wrapper = optim.OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.01))
    with wrapper.optim_context(model):
        out = model(torch.ones(2, 1))
    assert out.dtype == torch.float32
    assert torch.equal(out, torch.full((2, 1), 0.5))


@CUDA
@pytest.mark.spec("OPT-02")
@pytest.mark.parametrize("dtype", [None, "float16", "bfloat16"])
def test_amp_autocast_on_cuda(optim: Any, dtype: str | None) -> None:
    model = nn.Linear(1, 1).cuda()
    wrapper = optim.AmpOptimWrapper(
        optimizer=torch.optim.SGD(model.parameters(), lr=0.01), dtype=dtype
    )
    with wrapper.optim_context(model):
        out = model(torch.ones(2, 1).cuda())
    expected = torch.bfloat16 if dtype == "bfloat16" else torch.float16
    assert out.dtype == expected
    assert model.weight.dtype == torch.float32
    wrapper.update_params(out.float().sum())
    assert "loss_scaler" in wrapper.state_dict()


def _count_steps(wrapper: Any) -> list[int]:
    """Record the iteration of each optimizer.step call."""
    calls: list[int] = []
    original = wrapper.optimizer.step
    state = {"it": 0}

    def step(*args: Any, **kwargs: Any) -> Any:
        calls.append(state["it"])
        return original(*args, **kwargs)

    wrapper.optimizer.step = step
    wrapper._test_state = state
    return calls


@pytest.mark.spec("OPT-03")
def test_accumulation_steps_every_second_iteration(optim: Any) -> None:
    model = _linear()
    wrapper = optim.OptimWrapper(
        optimizer=torch.optim.SGD(model.parameters(), lr=0.01),
        accumulative_counts=2,
    )
    calls = _count_steps(wrapper)
    for it, loss in enumerate(_fixture_losses(model), start=1):
        wrapper._test_state["it"] = it
        wrapper.update_params(loss)
    assert calls == [2, 4, 6, 8, 10]
    assert model.bias.item() == pytest.approx(0.05, abs=1e-6)


@pytest.mark.spec("OPT-03")
def test_accumulation_scales_the_last_shorter_window(optim: Any) -> None:
    # 7 iterations, windows of 3: loss / 3 for iterations 1-6, / 1 for 7.
    model = _linear()
    wrapper = optim.OptimWrapper(
        optimizer=torch.optim.SGD(model.parameters(), lr=1.0),
        accumulative_counts=3,
    )
    wrapper.initialize_count_status(model, 0, 7)
    calls = _count_steps(wrapper)
    bias_grads = []
    for it in range(1, 8):
        wrapper._test_state["it"] = it
        wrapper.backward(wrapper.scale_loss(model.bias.sum() * 6.0))
        bias_grads.append(model.bias.grad.item())
        if wrapper.should_update():
            wrapper.step()
            wrapper.zero_grad()
    assert calls == [3, 6, 7]
    assert bias_grads == pytest.approx([2.0, 4.0, 6.0, 2.0, 4.0, 6.0, 6.0])


@pytest.mark.spec("OPT-04")
def test_fine_grained_backward_step_zero_grad(optim: Any) -> None:
    model = _linear()
    wrapper = optim.OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.01))
    loss = next(_fixture_losses(model))
    wrapper.backward(loss)
    assert model.bias.grad.item() == pytest.approx(-1.0)
    wrapper.step()
    assert model.bias.item() == pytest.approx(0.01)
    wrapper.zero_grad()
    assert model.bias.grad is None or model.bias.grad.item() == 0.0


def _big_grad_model() -> nn.Linear:
    model = nn.Linear(2, 1)
    with torch.no_grad():
        model.weight.zero_()
        model.bias.zero_()
    return model


def _grads_at_step(wrapper: Any, model: nn.Module) -> list[torch.Tensor]:
    seen: list[torch.Tensor] = []
    original = wrapper.optimizer.step

    def step(*args: Any, **kwargs: Any) -> Any:
        seen.extend(p.grad.clone() for p in model.parameters())
        return original(*args, **kwargs)

    wrapper.optimizer.step = step
    wrapper.update_params((model(torch.ones(1, 2)) * 10).sum())
    return seen


@pytest.mark.spec("OPT-05")
def test_clip_grad_norm(impl: Impl, optim: Any) -> None:
    model = _big_grad_model()
    wrapper = optim.OptimWrapper(
        torch.optim.SGD(model.parameters(), lr=0.1), clip_grad=dict(max_norm=1)
    )
    grads = _grads_at_step(wrapper, model)
    total = torch.sqrt(sum((g**2).sum() for g in grads))
    assert total.item() == pytest.approx(1.0, rel=1e-4)
    hub = impl.mod("logging").MessageHub.get_current_instance()
    # Unclipped gradients: 10 for each of the 3 parameters, norm sqrt(300).
    assert hub.get_scalar("train/grad_norm").current() == pytest.approx(300**0.5)


@pytest.mark.spec("OPT-05")
def test_clip_grad_value_with_type(optim: Any) -> None:
    model = _big_grad_model()
    wrapper = optim.OptimWrapper(
        torch.optim.SGD(model.parameters(), lr=0.1),
        clip_grad=dict(type="value", clip_value=0.2),
    )
    grads = _grads_at_step(wrapper, model)
    assert all(torch.allclose(g, torch.full_like(g, 0.2)) for g in grads)


@pytest.mark.spec("OPT-05")
@pytest.mark.diverges(
    "mmengine",
    reason="AMB-18: doc says dict(clip_value=0.2) is value clipping; the "
    "reference needs type='value' (doc L3777-3785)",
)
def test_clip_grad_value_from_keys(optim: Any) -> None:
    model = _big_grad_model()
    wrapper = optim.OptimWrapper(
        torch.optim.SGD(model.parameters(), lr=0.1), clip_grad=dict(clip_value=0.2)
    )
    grads = _grads_at_step(wrapper, model)
    assert all(torch.allclose(g, torch.full_like(g, 0.2)) for g in grads)


@pytest.mark.spec("OPT-05")
def test_unknown_clip_type_raises(optim: Any) -> None:
    model = nn.Linear(1, 1)
    with pytest.raises(ValueError, match="foo"):
        optim.OptimWrapper(
            torch.optim.SGD(model.parameters(), lr=0.1),
            clip_grad=dict(type="foo", max_norm=1),
        )


# --- OPT-06 .. OPT-08: lr, state, dict --------------------------------------


@pytest.mark.spec("OPT-06")
def test_get_lr_and_momentum(optim: Any) -> None:
    model = nn.Linear(1, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    wrapper = optim.OptimWrapper(optimizer)
    assert optimizer.param_groups[0]["lr"] == 0.01
    assert optimizer.param_groups[0]["momentum"] == 0
    assert wrapper.get_lr() == {"lr": [0.01]}
    assert wrapper.get_momentum() == {"momentum": [0]}


@pytest.mark.spec("OPT-06", "OPT-16")
def test_adam_beta1_is_the_momentum(optim: Any) -> None:
    model = nn.Linear(1, 1)
    wrapper = optim.OptimWrapper(
        torch.optim.Adam(model.parameters(), lr=0.0001, betas=(0.5, 0.999))
    )
    assert wrapper.get_lr() == {"lr": [0.0001]}
    assert wrapper.get_momentum() == {"momentum": [0.5]}


@pytest.mark.spec("OPT-06", "OPT-10")
def test_param_groups_report_each_lr(optim: Any) -> None:
    model = ToyModel()
    optimizer = torch.optim.SGD(
        [
            {"params": model.backbone.parameters()},
            {"params": model.head.parameters(), "lr": 1e-3},
        ],
        lr=0.01,
    )
    wrapper = optim.OptimWrapper(optimizer)
    assert wrapper.get_lr()["lr"] == [0.01, 1e-3]
    assert wrapper.get_momentum()["momentum"] == [0, 0]


@pytest.mark.spec("OPT-07")
def test_state_dict_round_trip(optim: Any) -> None:
    model = nn.Linear(1, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    wrapper = optim.OptimWrapper(optimizer=optimizer)
    state = wrapper.state_dict()
    assert state == optimizer.state_dict()
    assert state["state"] == {}
    group = state["param_groups"][0]
    expected = {"lr": 0.01, "momentum": 0, "dampening": 0, "weight_decay": 0,
                "nesterov": False, "maximize": False, "foreach": None,
                "params": [0, 1]}  # fmt: skip
    assert {k: group[k] for k in expected} == expected
    fresh = optim.OptimWrapper(torch.optim.SGD(nn.Linear(1, 1).parameters(), lr=0.5))
    fresh.load_state_dict(copy.deepcopy(state))
    assert fresh.get_lr() == {"lr": [0.01]}


@CUDA
@pytest.mark.spec("OPT-07")
def test_amp_state_dict_has_loss_scaler(optim: Any) -> None:
    model = nn.Linear(1, 1).cuda()
    wrapper = optim.AmpOptimWrapper(
        optimizer=torch.optim.SGD(model.parameters(), lr=0.01)
    )
    state = wrapper.state_dict()
    assert state["loss_scaler"] == {"scale": 65536.0, "growth_factor": 2.0,
                                    "backoff_factor": 0.5, "growth_interval": 2000,
                                    "_growth_tracker": 0}  # fmt: skip
    wrapper.load_state_dict(state)


def _gen_disc(optim: Any) -> tuple[Any, nn.Module, nn.Module]:
    gen, disc = nn.Linear(1, 1), nn.Linear(1, 1)
    wrappers = optim.OptimWrapperDict(
        gen=optim.OptimWrapper(torch.optim.SGD(gen.parameters(), lr=0.01)),
        disc=optim.OptimWrapper(torch.optim.SGD(disc.parameters(), lr=0.01)),
    )
    return wrappers, gen, disc


@pytest.mark.spec("OPT-08")
def test_optim_wrapper_dict_lr_and_access(optim: Any) -> None:
    wrappers, _, _ = _gen_disc(optim)
    assert wrappers.get_lr() == {"gen.lr": [0.01], "disc.lr": [0.01]}
    assert wrappers.get_momentum() == {"gen.momentum": [0], "disc.momentum": [0]}
    assert list(wrappers.keys()) == ["gen", "disc"]
    assert len(wrappers) == 2 and "gen" in wrappers
    assert dict(wrappers.items())["disc"] is wrappers["disc"]
    assert list(wrappers.values()) == [wrappers["gen"], wrappers["disc"]]


@pytest.mark.spec("OPT-08")
def test_optim_wrapper_dict_state_dict(optim: Any) -> None:
    wrappers, _, _ = _gen_disc(optim)
    state = wrappers.state_dict()
    assert list(state) == ["gen", "disc"]
    assert state["gen"] == wrappers["gen"].optimizer.state_dict()
    state["disc"]["param_groups"][0]["lr"] = 0.5
    wrappers.load_state_dict(state)
    assert wrappers.get_lr() == {"gen.lr": [0.01], "disc.lr": [0.5]}


@pytest.mark.spec("OPT-08")
@pytest.mark.parametrize("method", ["update_params", "backward", "step"])
def test_optim_wrapper_dict_refuses_single_methods(optim: Any, method: str) -> None:
    wrappers, _, _ = _gen_disc(optim)
    args = () if method == "step" else (torch.tensor(1.0),)
    with pytest.raises(NotImplementedError):
        getattr(wrappers, method)(*args)


@pytest.mark.spec("OPT-08")
def test_optim_wrapper_dict_refuses_optim_context(optim: Any) -> None:
    wrappers, gen, _ = _gen_disc(optim)
    with pytest.raises(NotImplementedError):
        with wrappers.optim_context(gen):
            pass


# --- OPT-09 .. OPT-15: configs and constructors ----------------------------


@pytest.mark.spec("OPT-09")
@pytest.mark.parametrize("with_type", [True, False])
def test_build_optim_wrapper_from_config(optim: Any, with_type: bool) -> None:
    cfg: dict = dict(optimizer=dict(type="SGD", lr=0.01, momentum=0.9,
                                    weight_decay=0.0001))  # fmt: skip
    if with_type:
        cfg["type"] = "OptimWrapper"
    wrapper = optim.build_optim_wrapper(nn.Linear(1, 1), cfg)
    assert type(wrapper) is optim.OptimWrapper
    assert type(wrapper.optimizer) is torch.optim.SGD
    group = wrapper.optimizer.param_groups[0]
    assert (group["lr"], group["momentum"], group["weight_decay"]) == (0.01, 0.9, 1e-4)


@pytest.mark.spec("OPT-09")
def test_torch_optimizers_are_registered(optim: Any) -> None:
    for name in ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"]:
        assert optim.OPTIMIZERS.get(name) is getattr(torch.optim, name)


@pytest.mark.spec("OPT-09")
def test_accumulative_counts_from_config(optim: Any) -> None:
    cfg = dict(type="OptimWrapper", optimizer=dict(type="SGD", lr=0.01),
               accumulative_counts=2)  # fmt: skip
    wrapper = optim.build_optim_wrapper(nn.Linear(1, 1), cfg)
    assert wrapper._accumulative_counts == 2


@pytest.mark.spec("OPT-09")
def test_unknown_optimizer_type_raises(optim: Any) -> None:
    with pytest.raises(TypeError):
        optim.build_optim_wrapper(
            nn.Linear(1, 1), dict(optimizer=dict(type="NoSuchOptim", lr=0.1))
        )


OPT11_LINES = [
    "backbone.layer0.bias:lr=0.01", "backbone.layer0.bias:weight_decay=0.0001",
    "backbone.layer1.bias:lr=0.01", "backbone.layer1.bias:weight_decay=0.0001",
    "head.linear.bias:lr=0.01", "head.linear.bias:weight_decay=0.0001",
    "head.bn.weight:weight_decay=0.0", "head.bn.bias:weight_decay=0.0",
]  # fmt: skip


def _paramwise_lines(lines: list[str]) -> list[str]:
    prefix = "paramwise_options -- "
    return [line[len(prefix) :] for line in lines if line.startswith(prefix)]


def _build_toy(optim: Any, paramwise_cfg: dict, model: nn.Module | None = None) -> Any:
    cfg = dict(optimizer=dict(type="SGD", lr=0.01, weight_decay=0.0001),
               paramwise_cfg=paramwise_cfg)  # fmt: skip
    return optim.build_optim_wrapper(model or ToyModel(), cfg)


@pytest.mark.spec("OPT-11")
@pytest.mark.diverges(
    "mmengine",
    reason="the doc logs lr/weight_decay of every non-norm bias; the reference "
    "logs only the norm lines (doc L3998-4016)",
)
def test_norm_decay_mult_log_lines(optim: Any, log_lines: list[str]) -> None:
    _build_toy(optim, dict(norm_decay_mult=0))
    assert _paramwise_lines(log_lines) == OPT11_LINES


@pytest.mark.spec("OPT-11")
def test_norm_decay_mult_groups(optim: Any) -> None:
    model = ToyModel()
    wrapper = _build_toy(optim, dict(norm_decay_mult=0), model)
    wd = _wd_by_name(model, wrapper.optimizer)
    assert wd.pop("head.bn.weight") == 0.0 and wd.pop("head.bn.bias") == 0.0
    assert set(wd.values()) == {0.0001}


@pytest.mark.spec("OPT-12")
def test_bias_lr_and_decay_mult(optim: Any) -> None:
    model = ToyModel()
    wrapper = _build_toy(optim, dict(bias_lr_mult=2, bias_decay_mult=0.5), model)
    opt = wrapper.optimizer
    assert _group_of(opt, model.backbone.layer0.bias)["lr"] == pytest.approx(0.02)
    assert _group_of(opt, model.backbone.layer0.bias)["weight_decay"] == 5e-5
    assert _group_of(opt, model.backbone.layer0.weight)["lr"] == 0.01
    # norm biases keep the base lr
    assert _group_of(opt, model.head.bn.bias)["lr"] == 0.01


@pytest.mark.spec("OPT-12")
def test_flat_decay_mult(optim: Any) -> None:
    model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    wrapper = _build_toy(optim, dict(flat_decay_mult=0), model)
    for name, wd in _wd_by_name(model, wrapper.optimizer).items():
        expected = 0.0 if name != "0.weight" else 0.0001
        assert wd == expected, name


@pytest.mark.spec("OPT-12")
def test_dwconv_decay_mult(optim: Any) -> None:
    model = nn.Sequential(nn.Conv2d(4, 4, 3, groups=4, bias=False), nn.Conv2d(4, 4, 3))
    wrapper = _build_toy(optim, dict(dwconv_decay_mult=0), model)
    wd = _wd_by_name(model, wrapper.optimizer)
    assert wd == {"0.weight": 0.0, "1.weight": 0.0001, "1.bias": 0.0001}


class Shared(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.a = nn.Linear(1, 1)
        self.b = nn.Linear(1, 1)
        self.b.weight = self.a.weight


@pytest.mark.spec("OPT-12")
def test_bypass_duplicate(optim: Any) -> None:
    model = Shared()
    wrapper = _build_toy(optim, dict(bias_lr_mult=2, bypass_duplicate=True), model)
    params = [p for g in wrapper.optimizer.param_groups for p in g["params"]]
    assert len(params) == 3 and len({id(p) for p in params}) == 3


@pytest.mark.spec("OPT-12")
def test_duplicate_without_bypass_raises(optim: Any) -> None:
    with pytest.raises(ValueError, match="more than one parameter group"):
        _build_toy(optim, dict(bias_lr_mult=2), Shared())


OPT13_LINES = [
    "backbone.layer0.weight:lr=0.0", "backbone.layer0.weight:weight_decay=0.0",
    "backbone.layer0.weight:lr_mult=0", "backbone.layer0.weight:decay_mult=0",
    "backbone.layer0.bias:lr=0.0", "backbone.layer0.bias:weight_decay=0.0",
    "backbone.layer0.bias:lr_mult=0", "backbone.layer0.bias:decay_mult=0",
    "backbone.layer1.weight:lr=0.01", "backbone.layer1.weight:weight_decay=0.0001",
    "backbone.layer1.weight:lr_mult=1",
    "backbone.layer1.bias:lr=0.01", "backbone.layer1.bias:weight_decay=0.0001",
    "backbone.layer1.bias:lr_mult=1",
    "head.linear.weight:lr=0.001", "head.linear.weight:weight_decay=0.0001",
    "head.linear.weight:lr_mult=0.1",
    "head.linear.bias:lr=0.001", "head.linear.bias:weight_decay=0.0001",
    "head.linear.bias:lr_mult=0.1",
    "head.bn.weight:lr=0.001", "head.bn.weight:weight_decay=0.0001",
    "head.bn.weight:lr_mult=0.1",
    "head.bn.bias:lr=0.001", "head.bn.bias:weight_decay=0.0001",
    "head.bn.bias:lr_mult=0.1",
]  # fmt: skip


@pytest.mark.spec("OPT-12", "OPT-13")
def test_custom_keys_log_lines(optim: Any, log_lines: list[str]) -> None:
    model = ToyModel()
    assert [n for n, _ in model.named_parameters()] == [
        "backbone.layer0.weight", "backbone.layer0.bias", "backbone.layer1.weight",
        "backbone.layer1.bias", "head.linear.weight", "head.linear.bias",
        "head.bn.weight", "head.bn.bias",
    ]  # fmt: skip
    custom_keys = {"backbone.layer0": dict(lr_mult=0, decay_mult=0),
                   "backbone": dict(lr_mult=1), "head": dict(lr_mult=0.1)}  # fmt: skip
    wrapper = _build_toy(optim, dict(custom_keys=custom_keys), model)
    assert _paramwise_lines(log_lines) == OPT13_LINES
    assert _group_of(wrapper.optimizer, model.head.bn.bias)["lr"] == 0.001


def _layer_decay_class(impl: Impl, reg: Any) -> type:
    """The documented LayerDecayOptimWrapperConstructor (doc L4133-4201)."""
    base = impl.attr("optim.DefaultOptimWrapperConstructor")
    log = impl.attr("logging.print_log")

    @reg.OPTIM_WRAPPER_CONSTRUCTORS.register_module(force=True)
    class LayerDecayOptimWrapperConstructor(base):  # type: ignore[misc, valid-type]
        def __init__(self, optim_wrapper_cfg: dict, paramwise_cfg: Any = None):
            super().__init__(optim_wrapper_cfg, paramwise_cfg=None)
            self.decay_factor = paramwise_cfg.get("decay_factor", 0.5)
            super().__init__(optim_wrapper_cfg, paramwise_cfg)

        def add_params(self, params: list, module: nn.Module, prefix: str = "",
                       lr: Any = None) -> None:  # fmt: skip
            if lr is None:
                lr = self.base_lr
            for name, param in module.named_parameters(recurse=False):
                param_group = dict(params=[param], lr=lr)
                params.append(param_group)
                full_name = f"{prefix}.{name}" if prefix else name
                log(f"{full_name} : lr={lr}", logger="current")
            for name, child in module.named_children():
                child_prefix = f"{prefix}.{name}" if prefix else name
                self.add_params(params, child, child_prefix, lr=lr * self.decay_factor)

    return LayerDecayOptimWrapperConstructor


@pytest.mark.spec("OPT-14")
def test_custom_constructor_layer_decay(
    impl: Impl, optim: Any, registries: Any, log_lines: list[str]
) -> None:
    _layer_decay_class(impl, registries)

    class Model(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layer = nn.ModuleDict(dict(linear=nn.Linear(1, 1)))
            self.linear = nn.Linear(1, 1)

    cfg = dict(optimizer=dict(type="SGD", lr=0.01, weight_decay=0.0001),
               paramwise_cfg=dict(decay_factor=0.5),
               constructor="LayerDecayOptimWrapperConstructor")  # fmt: skip
    optim.build_optim_wrapper(Model(), cfg)
    assert [line for line in log_lines if " : lr=" in line] == [
        "layer.linear.weight : lr=0.0025", "layer.linear.bias : lr=0.0025",
        "linear.weight : lr=0.005", "linear.bias : lr=0.005",
    ]  # fmt: skip


@pytest.mark.spec("OPT-15")
def test_constructor_returning_a_wrapper_dict(optim: Any, registries: Any) -> None:
    @registries.OPTIM_WRAPPER_CONSTRUCTORS.register_module()
    class MultipleOptimiWrapperConstructor:
        def __init__(self, optim_wrapper_cfg: dict, paramwise_cfg: Any = None):
            self.cfg = optim_wrapper_cfg

        def __call__(self, model: nn.Module) -> Any:
            return optim.OptimWrapperDict(**{
                name: optim.OptimWrapper(torch.optim.SGD(
                    getattr(model, name).parameters(), **self.cfg[name]))
                for name in ("generator", "discriminator")
            })  # fmt: skip

    model = nn.Module()
    model.generator, model.discriminator = nn.Linear(1, 1), nn.Linear(1, 1)
    cfg = dict(constructor="MultipleOptimiWrapperConstructor",
               generator=dict(lr=0.01), discriminator=dict(lr=0.02))  # fmt: skip
    wrappers = optim.build_optim_wrapper(model, cfg)
    assert isinstance(wrappers, optim.OptimWrapperDict)
    assert wrappers.get_lr() == {"generator.lr": [0.01], "discriminator.lr": [0.02]}


@pytest.mark.spec("OPT-16")
def test_gan_pattern(optim: Any) -> None:
    gen, disc = _linear(), _linear()
    wrappers = optim.OptimWrapperDict(
        generator=optim.OptimWrapper(
            torch.optim.Adam(gen.parameters(), lr=0.0001, betas=(0.5, 0.999))),
        discriminator=optim.OptimWrapper(
            torch.optim.Adam(disc.parameters(), lr=0.0001, betas=(0.5, 0.999))),
    )  # fmt: skip
    disc_wrapper = wrappers["discriminator"]
    with disc_wrapper.optim_context(disc):
        loss = disc(torch.ones(4, 1)).sum()
    disc_wrapper.update_params(loss)
    # Adam's first step moves each parameter by lr against its gradient sign.
    assert disc.bias.item() == pytest.approx(-0.0001, rel=1e-3)
    assert gen.bias.item() == 0.0
