"""``BaseModel``: preprocessor building, the steps, parse_losses, devices."""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import pytest
import torch
import torch.nn as nn
from hypothesis import given
from hypothesis import strategies as st

from engine.model import BaseDataPreprocessor, BaseModel, ImgDataPreprocessor
from engine.optim import OptimWrapper


class Toy(BaseModel):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fc = nn.Linear(2, 1)

    def forward(
        self, inputs: torch.Tensor, labels: Any = None, mode: str = "tensor"
    ) -> Any:
        out = self.fc(inputs)
        if mode == "loss":
            return dict(loss_mse=(out - labels).pow(2), acc=out.detach().mean())
        if mode == "predict":
            return [out]
        return out


class RecordingWrapper:
    """An optimizer wrapper that records the order of the calls."""

    def __init__(self, log: list) -> None:
        self.log = log

    @contextlib.contextmanager
    def optim_context(self, model: nn.Module) -> Iterator[None]:
        self.log.append("enter")
        yield
        self.log.append("exit")

    def update_params(self, loss: torch.Tensor) -> None:
        self.log.append(("update", float(loss.detach())))


class RecordingPreprocessor(BaseDataPreprocessor):
    def __init__(self, log: list) -> None:
        super().__init__()
        self.log = log

    def forward(self, data: Any, training: bool = False) -> Any:
        self.log.append(("pre", training))
        return super().forward(data, training)


def test_default_and_given_preprocessors() -> None:
    assert type(Toy().data_preprocessor) is BaseDataPreprocessor
    module = nn.Identity()
    assert Toy(data_preprocessor=module).data_preprocessor is module
    built = Toy(data_preprocessor=dict(type="ImgDataPreprocessor", mean=[1], std=[2]))
    assert isinstance(built.data_preprocessor, ImgDataPreprocessor)
    with pytest.raises(TypeError, match="should be a `dict` or `nn.Module`"):
        Toy(data_preprocessor=3)  # type: ignore[arg-type]


def test_forward_is_abstract() -> None:
    with pytest.raises(TypeError, match="abstract"):
        BaseModel()  # type: ignore[abstract]


def test_train_step_order() -> None:
    log: list = []
    model = Toy(data_preprocessor=RecordingPreprocessor(log))
    x, y = torch.ones(3, 2), torch.zeros(3, 1)
    log_vars = model.train_step(dict(inputs=x, labels=y), RecordingWrapper(log))  # type: ignore[arg-type]
    assert log[:3] == ["enter", ("pre", True), "exit"]
    assert log[3][0] == "update" and log[3][1] == pytest.approx(
        float(log_vars["loss"].detach())
    )
    assert isinstance(log_vars, OrderedDict)
    assert list(log_vars) == ["loss", "loss_mse", "acc"]


@pytest.mark.parametrize("data", ["dict", "tuple", "list"])
def test_train_step_updates_parameters(data: str) -> None:
    model = Toy()
    x, y = torch.ones(3, 2), torch.zeros(3, 1)
    batch: Any = {"dict": dict(inputs=x, labels=y), "tuple": (x, y), "list": [x, y]}[
        data
    ]
    before = model.fc.weight.detach().clone()
    model.train_step(batch, OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1)))
    assert not torch.equal(before, model.fc.weight)


def test_val_and_test_step() -> None:
    log: list = []
    model = Toy(data_preprocessor=RecordingPreprocessor(log))
    x = torch.ones(3, 2)
    for step in (model.val_step, model.test_step):
        (out,) = step(dict(inputs=x))
        torch.testing.assert_close(out, model.fc(x))
    assert log == [("pre", False), ("pre", False)]


def test_run_forward_rejects_other_types() -> None:
    with pytest.raises(TypeError, match="should be list, tuple or dict"):
        Toy()._run_forward(torch.ones(1, 2), mode="tensor")  # type: ignore[arg-type]
    out = Toy()._run_forward((torch.ones(1, 2),), mode="tensor")
    assert out.shape == (1, 1)  # type: ignore[union-attr]


def test_parse_losses_details() -> None:
    model = Toy()
    loss, log_vars = model.parse_losses(
        dict(
            loss_a=torch.tensor([1.0, 3.0]),
            acc=torch.tensor(5.0),
            loss_list=[torch.tensor([1.0, 2.0]), torch.tensor(4.0)],
        )
    )
    assert float(loss) == 7.5
    assert list(log_vars.items()) == [
        ("loss", loss),
        ("loss_a", torch.tensor(2.0)),
        ("acc", torch.tensor(5.0)),
        ("loss_list", torch.tensor(5.5)),
    ]
    # An entry called 'loss' keeps the first place but replaces the total.
    total, log_vars = model.parse_losses(
        dict(loss=torch.tensor(1.0), loss_b=torch.tensor(2.0))
    )
    assert float(total) == 3.0 and list(log_vars) == ["loss", "loss_b"]
    assert float(log_vars["loss"]) == 1.0
    # No loss at all: the total is the number 0.
    assert model.parse_losses({}) == (0, OrderedDict(loss=0))
    for bad in (1.0, [1.0], (torch.tensor(1.0),)):
        with pytest.raises(TypeError, match="x is not a tensor or list of tensors"):
            model.parse_losses(dict(x=bad))  # type: ignore[dict-item]


def test_parse_losses_keeps_the_graph() -> None:
    weight = torch.ones(2, requires_grad=True)
    loss, log_vars = Toy().parse_losses(dict(loss_x=weight * 2))
    loss.backward()
    assert torch.equal(weight.grad, torch.ones(2))  # type: ignore[arg-type]
    assert log_vars["loss_x"].requires_grad


@given(
    st.dictionaries(
        st.sampled_from(["loss", "loss_a", "b_loss", "acc", "top1", "aux"]),
        st.lists(st.floats(-10, 10), min_size=1, max_size=4),
        max_size=6,
    )
)
def test_parse_losses_total_is_sum_of_loss_means(
    values: dict[str, list[float]],
) -> None:
    losses = {k: torch.tensor(v, dtype=torch.float64) for k, v in values.items()}
    total, log_vars = Toy().parse_losses(losses)
    expected = sum(sum(v) / len(v) for k, v in values.items() if "loss" in k)
    assert float(total) == pytest.approx(expected, abs=1e-9)
    assert list(log_vars)[0] == "loss"
    assert set(log_vars) == {"loss", *values}


class Outer(BaseModel):
    def __init__(self) -> None:
        super().__init__()
        self.inner = Toy(data_preprocessor=ImgDataPreprocessor())

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        return None


def test_to_moves_every_preprocessor() -> None:
    model = Outer()
    assert model.to("meta") is model
    assert model.data_preprocessor.device == torch.device("meta")
    assert model.inner.data_preprocessor.device == torch.device("meta")
    assert model.inner.fc.weight.device.type == "meta"


def test_to_dtype_and_tensor() -> None:
    model = Toy()
    model.to(torch.float64)
    assert model.data_preprocessor.device == torch.device("cpu")
    assert model.fc.weight.dtype == torch.float64
    model.to(torch.zeros(1, device="meta"))
    assert model.data_preprocessor.device == torch.device("meta")
    model = Toy()
    model.to(device="meta", dtype=torch.float16)
    assert model.data_preprocessor.device == torch.device("meta")


def test_cpu_resets_device() -> None:
    model = Toy()
    model.data_preprocessor._device = torch.device("meta")
    assert model.cpu() is model
    assert model.data_preprocessor.device == torch.device("cpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks a CPU-only build")
def test_cuda_without_cuda_keeps_the_device() -> None:
    model = Toy()
    with pytest.raises((AssertionError, RuntimeError)):
        model.cuda()
    assert model.data_preprocessor.device == torch.device("cpu")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_moves_preprocessor() -> None:
    model = Toy().cuda()
    assert model.data_preprocessor.device.type == "cuda"
    out = model.data_preprocessor(dict(inputs=torch.ones(1)))
    assert out["inputs"].is_cuda


@pytest.mark.parametrize("kind", ["npu", "mlu", "musa"])
def test_missing_accelerators_raise(kind: str) -> None:
    if hasattr(nn.Module, kind):
        pytest.skip(f"this torch build has {kind}")
    with pytest.raises(AttributeError):
        getattr(Toy(), kind)()
