"""Unit tests of engine.model.wrappers: is_model_wrapper, MMDistributedDataParallel
and MMSeparateDistributedDataParallel (in a gloo world of one process)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import torch
import torch.distributed as torch_dist
import torch.nn as nn
from torch.nn.parallel import DataParallel, DistributedDataParallel

from engine.model.base_model import BaseDataPreprocessor, BaseModel
from engine.model.wrappers import (
    MMDistributedDataParallel,
    MMFullyShardedDataParallel,
    MMSeparateDistributedDataParallel,
    is_model_wrapper,
)
from engine.model.wrappers import distributed as ddp_module
from engine.optim import OptimWrapper, OptimWrapperDict
from engine.registry import MODEL_WRAPPERS, Registry


@pytest.fixture
def world_of_one() -> Iterator[None]:
    """A real gloo process group with this process as its only member."""
    torch_dist.init_process_group(
        "gloo", store=torch_dist.HashStore(), rank=0, world_size=1
    )
    yield
    torch_dist.destroy_process_group()


class Flags(BaseDataPreprocessor):
    """Records the ``training`` flag of every call."""

    def __init__(self) -> None:
        super().__init__()
        self.flags: list[bool] = []

    def forward(self, data: Any, training: bool = False) -> Any:
        self.flags.append(training)
        return super().forward(data, training)


class Regressor(BaseModel):
    def __init__(self, unused: bool = False) -> None:
        super().__init__(data_preprocessor=Flags())
        torch.manual_seed(0)
        self.lin = nn.Linear(2, 1)
        self.unused = nn.Linear(1, 1) if unused else None
        self.modes: list[str] = []

    def forward(
        self, inputs: torch.Tensor, labels: Any = None, mode: str = "tensor"
    ) -> Any:
        self.modes.append(mode)
        out = self.lin(inputs)
        if mode == "loss":
            return dict(loss=((out - labels) ** 2).mean())
        return [out]


def _batch() -> dict:
    return dict(inputs=torch.tensor([[1.0, 2.0], [3.0, 4.0]]), labels=torch.ones(2, 1))


# ------------------------------------------------------- is_model_wrapper


def test_registry_holds_mmengines_wrappers_and_torchs() -> None:
    assert set(MODEL_WRAPPERS.module_dict) >= {
        "DataParallel",
        "DistributedDataParallel",
        "MMDistributedDataParallel",
        "MMFullyShardedDataParallel",
        "MMSeparateDistributedDataParallel",
    }
    assert MODEL_WRAPPERS.get("DistributedDataParallel") is DistributedDataParallel
    assert (
        MODEL_WRAPPERS.get("MMFullyShardedDataParallel") is MMFullyShardedDataParallel
    )


def test_is_model_wrapper_recognises_registered_classes_and_subclasses() -> None:
    class MyDataParallel(DataParallel):
        pass

    assert not is_model_wrapper(nn.Linear(1, 1))
    assert is_model_wrapper(DataParallel(nn.Linear(1, 1)))
    assert is_model_wrapper(MyDataParallel(nn.Linear(1, 1)))
    assert not is_model_wrapper("not a module")  # type: ignore[arg-type]


def test_is_model_wrapper_searches_descendant_registries() -> None:
    child = Registry("model_wrapper", parent=MODEL_WRAPPERS, scope="_wrappers_child")
    grandchild = Registry("model_wrapper", parent=child, scope="_wrappers_grandchild")
    try:

        @grandchild.register_module()
        class Deep(nn.Module):
            pass

        assert is_model_wrapper(Deep())
        assert is_model_wrapper(Deep(), registry=child)
        assert not is_model_wrapper(DataParallel(nn.Linear(1, 1)), registry=child)
        assert not is_model_wrapper(Deep(), registry=Registry("other", scope="_other"))
    finally:
        MODEL_WRAPPERS.children.pop("_wrappers_child")


# ------------------------------------------------ MMDistributedDataParallel


def test_train_step_runs_the_loss_through_the_wrapper(world_of_one: None) -> None:
    model = Regressor()
    wrapper = MMDistributedDataParallel(model)
    assert wrapper.module is model and wrapper.detect_anomalous_params is False
    seen: list[list[str]] = []
    wrapper.register_forward_pre_hook(
        lambda mod, args, kwargs: seen.append(sorted(kwargs)), with_kwargs=True
    )
    optim_wrapper = OptimWrapper(torch.optim.SGD(wrapper.parameters(), lr=0.1))
    before = model.lin.weight.detach().clone()
    log_vars = wrapper.train_step(_batch(), optim_wrapper)
    assert seen == [["inputs", "labels", "mode"]]
    assert model.modes == ["loss"] and model.data_preprocessor.flags == [True]
    assert set(log_vars) == {"loss"}
    assert not torch.equal(model.lin.weight, before)  # the optimizer stepped


def test_tuple_data_is_unpacked_positionally(world_of_one: None) -> None:
    model = Regressor()
    wrapper = MMDistributedDataParallel(model)
    optim_wrapper = OptimWrapper(torch.optim.SGD(wrapper.parameters(), lr=0.1))
    batch = _batch()
    wrapper.train_step((batch["inputs"], batch["labels"]), optim_wrapper)
    assert model.modes == ["loss"]
    with pytest.raises(TypeError, match="list, tuple or dict, but got Tensor"):
        wrapper._run_forward(batch["inputs"], mode="loss")  # type: ignore[arg-type]


def test_accumulation_iterations_run_under_no_sync(
    world_of_one: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrapper = MMDistributedDataParallel(Regressor())
    optim_wrapper = OptimWrapper(
        torch.optim.SGD(wrapper.parameters(), lr=0.1), accumulative_counts=2
    )
    synced: list[bool] = []
    original = DistributedDataParallel.forward

    def forward(self: DistributedDataParallel, *args: Any, **kwargs: Any) -> Any:
        synced.append(self.require_backward_grad_sync)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(DistributedDataParallel, "forward", forward)
    for _ in range(4):
        wrapper.train_step(_batch(), optim_wrapper)
    assert synced == [False, True, False, True]


def test_val_and_test_steps_are_the_models(world_of_one: None) -> None:
    model = Regressor()
    wrapper = MMDistributedDataParallel(model)
    calls: list[str] = []
    wrapper.register_forward_pre_hook(lambda *args: calls.append("wrapper"))
    assert len(wrapper.val_step(dict(inputs=torch.ones(1, 2)))) == 1
    assert len(wrapper.test_step(dict(inputs=torch.ones(1, 2)))) == 1
    assert calls == [] and model.modes == ["predict", "predict"]
    assert model.data_preprocessor.flags == [False, False]


@pytest.mark.parametrize("detect", [False, True])
def test_detect_anomalous_params_checks_the_loss(
    world_of_one: None, monkeypatch: pytest.MonkeyPatch, detect: bool
) -> None:
    checked: list[tuple[torch.Tensor, nn.Module]] = []
    monkeypatch.setattr(
        ddp_module,
        "detect_anomalous_params",
        lambda loss, model: checked.append((loss, model)),
    )
    wrapper = MMDistributedDataParallel(
        Regressor(unused=True),
        detect_anomalous_params=detect,
        find_unused_parameters=True,
    )
    optim_wrapper = OptimWrapper(torch.optim.SGD(wrapper.parameters(), lr=0.1))
    wrapper.train_step(_batch(), optim_wrapper)
    assert len(checked) == int(detect)
    if detect:
        loss, model = checked[0]
        assert model is wrapper and loss.ndim == 0 and loss.requires_grad


def test_kwargs_reach_distributed_data_parallel(world_of_one: None) -> None:
    wrapper = MMDistributedDataParallel(
        Regressor(), bucket_cap_mb=1, find_unused_parameters=True
    )
    assert wrapper.find_unused_parameters is True
    assert wrapper.bucket_bytes_cap == 1024 * 1024


# ----------------------------------------- MMSeparateDistributedDataParallel


class Gan(BaseModel):
    def __init__(self) -> None:
        super().__init__()
        self.generator = nn.Linear(1, 1)
        self.discriminator = nn.Linear(1, 1)
        self.frozen = nn.Linear(1, 1).requires_grad_(False)
        self.act = nn.ReLU()
        self.seen: list[Any] = []

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        return self.generator(args[0])

    def train_step(self, data: Any, optim_wrapper: Any) -> dict:
        self.seen.append(("train", data, optim_wrapper))
        return dict(loss=torch.tensor(1.0))

    def val_step(self, data: Any) -> list:
        self.seen.append(("val", data))
        return ["val"]

    def test_step(self, data: Any) -> list:
        self.seen.append(("test", data))
        return ["test"]


def test_separate_wraps_each_trainable_child(world_of_one: None) -> None:
    model = Gan()
    wrapper = MMSeparateDistributedDataParallel(model, find_unused_parameters=True)
    assert wrapper.module is model
    kinds = {name: type(child).__name__ for name, child in model.named_children()}
    assert kinds == {
        "data_preprocessor": "BaseDataPreprocessor",
        "generator": "MMDistributedDataParallel",
        "discriminator": "MMDistributedDataParallel",
        "frozen": "Linear",
        "act": "ReLU",
    }
    generator = model.generator
    assert isinstance(generator, MMDistributedDataParallel)
    assert generator.find_unused_parameters is True
    assert generator.broadcast_buffers is False
    assert generator.device_ids is None  # CPU
    # No DDP state of its own: it only holds the wrapped children.
    assert not hasattr(wrapper, "reducer")


def test_separate_steps_are_the_models(world_of_one: None) -> None:
    model = Gan()
    wrapper = MMSeparateDistributedDataParallel(model)
    optim = OptimWrapperDict(
        generator=OptimWrapper(torch.optim.SGD(model.generator.parameters(), lr=0.1))
    )
    assert wrapper.train_step("batch", optim) == dict(loss=torch.tensor(1.0))
    assert wrapper.val_step("v") == ["val"] and wrapper.test_step("t") == ["test"]
    assert model.seen == [("train", "batch", optim), ("val", "v"), ("test", "t")]
    assert wrapper(torch.ones(1, 1)).shape == (1, 1)  # forward: the model's


def test_separate_no_sync_covers_every_wrapped_child(world_of_one: None) -> None:
    model = Gan()
    wrapper = MMSeparateDistributedDataParallel(model)
    with wrapper.no_sync():  # unwrapped children (ReLU, frozen) are skipped
        assert not model.generator.require_backward_grad_sync
        assert not model.discriminator.require_backward_grad_sync
    assert model.generator.require_backward_grad_sync
    assert model.discriminator.require_backward_grad_sync


def test_separate_train_mode(world_of_one: None) -> None:
    model = Gan()
    wrapper = MMSeparateDistributedDataParallel(model)
    assert wrapper.train(False) is wrapper
    assert not wrapper.training and not model.training and not model.generator.training
    assert not model.generator.module.training
    wrapper.train()
    assert wrapper.training and model.act.training
