"""Unit tests of MMFullyShardedDataParallel (FSDP1 on CPU, gloo world of one).

torch's FSDP runs on CPU when given ``device_id=torch.device('cpu')``; the
2-process equivalence with single-process training is in
conformance/test_model_wrappers.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

import pytest
import torch
import torch.distributed as torch_dist
import torch.nn as nn
from torch.distributed.fsdp import (
    BackwardPrefetch,
    CPUOffload,
    FullyShardedDataParallel,
    ShardingStrategy,
)
from torch.distributed.fsdp.wrap import size_based_auto_wrap_policy

from engine.model.base_model import BaseDataPreprocessor, BaseModel
from engine.model.wrappers import MMFullyShardedDataParallel
from engine.optim import OptimWrapper
from engine.registry import FUNCTIONS

CPU = torch.device("cpu")

# In a world of one process FSDP does not shard (and says so).
pytestmark = pytest.mark.filterwarnings("ignore:FSDP is switching to use `NO_SHARD`")


@pytest.fixture
def world_of_one() -> Iterator[None]:
    torch_dist.init_process_group(
        "gloo", store=torch_dist.HashStore(), rank=0, world_size=1
    )
    yield
    torch_dist.destroy_process_group()


@pytest.fixture
def policy_registered() -> Iterator[str]:
    FUNCTIONS.register_module(name="_size_policy", module=size_based_auto_wrap_policy)
    yield "_size_policy"
    FUNCTIONS.module_dict.pop("_size_policy")


class Flags(BaseDataPreprocessor):
    def __init__(self) -> None:
        super().__init__()
        self.flags: list[bool] = []

    def forward(self, data: Any, training: bool = False) -> Any:
        self.flags.append(training)
        return super().forward(data, training)


class TwoLayers(BaseModel):
    def __init__(self) -> None:
        super().__init__(data_preprocessor=Flags())
        torch.manual_seed(0)
        self.lin = nn.Linear(2, 2)
        self.head = nn.Linear(2, 1)
        self.modes: list[str] = []

    def forward(
        self, inputs: torch.Tensor, labels: Any = None, mode: str = "tensor"
    ) -> Any:
        self.modes.append(mode)
        out = self.head(self.lin(inputs))
        return dict(loss=out.sum()) if mode == "loss" else [out]


@pytest.fixture
def fsdp_kwargs(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What MMFullyShardedDataParallel passes to torch's FSDP (not run)."""
    seen: dict[str, Any] = {}

    def init(self: nn.Module, **kwargs: Any) -> None:
        nn.Module.__init__(self)
        seen.update(kwargs)

    monkeypatch.setattr(FullyShardedDataParallel, "__init__", init)
    return seen


def test_names_and_bools_become_torch_objects(fsdp_kwargs: dict[str, Any]) -> None:
    model = TwoLayers()
    MMFullyShardedDataParallel(
        model,
        device_id=CPU,
        sharding_strategy="SHARD_GRAD_OP",
        cpu_offload=True,
        backward_prefetch="BACKWARD_POST",
        mixed_precision=dict(param_dtype="float32", reduce_dtype=torch.bfloat16),
        sync_module_states=True,
    )
    assert fsdp_kwargs["module"] is model
    assert fsdp_kwargs["sharding_strategy"] is ShardingStrategy.SHARD_GRAD_OP
    assert fsdp_kwargs["cpu_offload"] == CPUOffload(offload_params=True)
    assert fsdp_kwargs["backward_prefetch"] is BackwardPrefetch.BACKWARD_POST
    precision = fsdp_kwargs["mixed_precision"]
    assert precision.param_dtype is torch.float32
    assert precision.reduce_dtype is torch.bfloat16
    assert precision.buffer_dtype is None
    assert fsdp_kwargs["device_id"] == CPU and fsdp_kwargs["sync_module_states"] is True


def test_defaults(fsdp_kwargs: dict[str, Any]) -> None:
    MMFullyShardedDataParallel(TwoLayers())
    assert {
        key: value for key, value in fsdp_kwargs.items() if key != "module"
    } == dict(
        process_group=None,
        sharding_strategy=None,
        cpu_offload=None,
        auto_wrap_policy=None,
        backward_prefetch=None,
        mixed_precision=None,
        param_init_fn=None,
        use_orig_params=True,  # MMEngine's default, not torch's (False)
    )


def test_torch_objects_pass_unchanged(fsdp_kwargs: dict[str, Any]) -> None:
    offload = CPUOffload(offload_params=False)
    MMFullyShardedDataParallel(
        TwoLayers(),
        sharding_strategy=ShardingStrategy.NO_SHARD,
        cpu_offload=offload,
        use_orig_params=False,
    )
    assert fsdp_kwargs["sharding_strategy"] is ShardingStrategy.NO_SHARD
    assert fsdp_kwargs["cpu_offload"] is offload
    assert fsdp_kwargs["use_orig_params"] is False


def test_ignored_modules_by_name(fsdp_kwargs: dict[str, Any]) -> None:
    model = TwoLayers()
    MMFullyShardedDataParallel(model, ignored_modules=["head", model.lin])
    assert fsdp_kwargs["ignored_modules"] == [model.head, model.lin]


def test_policy_from_functions_name_or_dict(
    world_of_one: None, policy_registered: str
) -> None:
    by_name = MMFullyShardedDataParallel(
        TwoLayers(), device_id=CPU, auto_wrap_policy=policy_registered
    )  # default min_num_params (1e8): nothing is wrapped apart from the root
    assert not isinstance(by_name.module.lin, FullyShardedDataParallel)
    by_dict = MMFullyShardedDataParallel(
        TwoLayers(),
        device_id=CPU,
        auto_wrap_policy=dict(type=policy_registered, min_num_params=1),
    )
    assert isinstance(by_dict.module.lin, FullyShardedDataParallel)
    assert isinstance(by_dict.module.head, FullyShardedDataParallel)
    by_callable = MMFullyShardedDataParallel(
        TwoLayers(),
        device_id=CPU,
        auto_wrap_policy=partial(size_based_auto_wrap_policy, min_num_params=1),
    )
    assert isinstance(by_callable.module.head, FullyShardedDataParallel)


def test_param_init_fn_from_functions(world_of_one: None) -> None:
    seen: list[str] = []

    def materialize(module: nn.Module) -> None:
        seen.append(type(module).__name__)
        module.to_empty(device=CPU, recurse=False)

    FUNCTIONS.register_module(name="_materialize", module=materialize)
    try:
        with torch.device("meta"):
            model = TwoLayers()
        MMFullyShardedDataParallel(model, device_id=CPU, param_init_fn="_materialize")
    finally:
        FUNCTIONS.module_dict.pop("_materialize")
    assert "Linear" in seen


def test_steps_run_through_the_wrapper(world_of_one: None) -> None:
    model = TwoLayers()
    wrapper = MMFullyShardedDataParallel(model, device_id=CPU)
    calls: list[list[str]] = []
    wrapper.register_forward_pre_hook(
        lambda mod, args, kwargs: calls.append(sorted(kwargs)), with_kwargs=True
    )
    optim_wrapper = OptimWrapper(torch.optim.SGD(wrapper.parameters(), lr=0.1))
    before = [p.detach().clone() for p in wrapper.parameters()]
    log_vars = wrapper.train_step(dict(inputs=torch.ones(2, 2)), optim_wrapper)
    assert set(log_vars) == {"loss"}
    assert any(not torch.equal(a, b) for a, b in zip(before, wrapper.parameters()))
    assert len(wrapper.val_step(dict(inputs=torch.ones(2, 2)))) == 1
    assert len(wrapper.test_step(dict(inputs=torch.ones(2, 2)))) == 1
    assert calls == [["inputs", "mode"]] * 3
    assert model.modes == ["loss", "predict", "predict"]
    assert model.data_preprocessor.flags == [True, False, False]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            dict(sharding_strategy="FULL"),
            "sharding_strategy='FULL' is not a ShardingStrategy",
        ),
        (
            dict(backward_prefetch="PRE"),
            "backward_prefetch='PRE' is not a BackwardPrefetch",
        ),
        (
            dict(auto_wrap_policy="_nope"),
            "`auto_wrap_policy` is not registered: '_nope'",
        ),
        (
            dict(auto_wrap_policy=dict(min_num_params=1)),
            "auto_wrap_policy: a dict needs",
        ),
        (dict(param_init_fn="_nope"), "`param_init_fn` is not registered"),
        (
            dict(mixed_precision=dict(param_dtype="torch.half")),
            "param_dtype='torch.half'",
        ),
        (dict(ignored_modules=["tail"]), "no submodule 'tail'"),
    ],
)
def test_unknown_names_are_errors_naming_the_argument(
    kwargs: dict, message: str
) -> None:
    # Raised while converting, before FSDP needs a process group.
    with pytest.raises(KeyError, match=message) as info:
        MMFullyShardedDataParallel(TwoLayers(), device_id=CPU, **kwargs)
    assert isinstance(info.value, ValueError)
