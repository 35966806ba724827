"""model: averaged models, test-time augmentation, wrappers (MODEL-09..11).

* MODEL-09 (L4779-4799): the averaged models EMAHook uses resolve in the
  MODELS registry; their update rules are a [GAP] of the doc, checked here
  against closed forms (reference-derived: momentum is the weight of the new
  value, the first update copies).
* MODEL-10 (L8037-8155): ``BaseTTAModel.merge_preds`` receives, for a batch
  of B samples with n augmentations, B lists of n predictions; the call chain
  is ``wrapper.test_step -> tta.test_step -> model.test_step``.
* MODEL-11 (L1189-1238, L5139): ``MMDistributedDataParallel`` and
  ``MMFullyShardedDataParallel(cpu_offload=True)`` in MODEL_WRAPPERS; on 2
  gloo processes one ``train_step`` gives the gradients and parameters of a
  single-process step on the full batch (computed here with plain torch).
  FSDP runs on CPU with ``device_id=torch.device('cpu')``; the doc's
  ``cpu_offload=True`` wrapper is built but not run (offloading pins memory,
  which torch refuses without an accelerator).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import pytest

from conformance.harness.distributed import run_on_ranks
from conformance.harness.impl import Impl

_AVERAGED = (
    "ExponentialMovingAverage",
    "StochasticWeightAverage",
    "MomentumAnnealingEMA",
)
_INPUTS = [[1.0, 2.0, 0.5], [0.0, -1.0, 3.0], [2.0, 1.0, -2.0], [-1.0, 0.5, 1.0]]
_LABELS = [[1.0], [0.0], [2.0], [-1.0]]
_INPUTS_2 = [[0.5, 0.5, 0.5], [1.0, -2.0, 0.0], [3.0, 0.0, 1.0], [0.0, 1.0, 1.0]]


def _scalar_model(value: float) -> Any:
    import torch.nn as nn

    model = nn.Linear(1, 1, bias=False)
    model.weight.data.fill_(value)
    return model


def _feed(averaged: Any, model: Any, values: list[float]) -> float:
    for value in values:
        model.weight.data.fill_(value)
        averaged.update_parameters(model)
    return float(averaged.module.weight.item())


# ------------------------------------------------------------------ MODEL-09


@pytest.mark.spec("MODEL-09")
def test_averaged_models_resolve_in_the_models_registry(impl: Impl) -> None:
    module = impl.mod("model.averaged_model")
    models = impl.mod("registry").MODELS
    for name in _AVERAGED:
        assert models.get(name) is getattr(module, name)
    built = models.build(
        dict(type="ExponentialMovingAverage", model=_scalar_model(1.0))
    )
    assert isinstance(built, module.BaseAveragedModel)


@pytest.mark.spec("MODEL-09")
def test_ema_momentum_is_the_weight_of_the_new_value(impl: Impl) -> None:
    """Reference-derived [GAP]: averaged = (1 - m) * averaged + m * source."""
    ema_type = impl.attr("model.averaged_model.ExponentialMovingAverage")
    model = _scalar_model(0.0)
    ema = ema_type(model, momentum=0.1)
    assert _feed(ema, model, [4.0]) == 4.0  # the first update copies
    assert _feed(ema, model, [14.0]) == pytest.approx(0.9 * 4.0 + 0.1 * 14.0)
    assert int(ema.steps) == 2
    assert ema_type(model).momentum == 0.0002  # the default


@pytest.mark.spec("MODEL-09")
def test_swa_and_annealed_ema_follow_their_closed_forms(impl: Impl) -> None:
    module = impl.mod("model.averaged_model")
    model = _scalar_model(0.0)
    swa = module.StochasticWeightAverage(model)
    assert _feed(swa, model, [1.0, 2.0, 3.0, 6.0]) == pytest.approx(3.0)
    annealed = module.MomentumAnnealingEMA(model, momentum=0.01, gamma=2)
    values = [100.0, 200.0, 300.0, 400.0]
    expected = values[0]
    for steps, value in enumerate(values[1:], start=1):
        momentum = max(0.01, 2 / (2 + steps))
        expected = (1 - momentum) * expected + momentum * value
    assert _feed(annealed, model, values) == pytest.approx(expected, rel=1e-5)


@pytest.mark.spec("MODEL-09")
def test_interval_and_buffers(impl: Impl) -> None:
    import torch.nn as nn

    ema_type = impl.attr("model.averaged_model.ExponentialMovingAverage")
    model = _scalar_model(0.0)
    ema = ema_type(model, momentum=0.5, interval=2)
    seen = [_feed(ema, model, [v]) for v in (2.0, 4.0, 6.0)]
    assert seen == [2.0, 2.0, 4.0]  # copy, skip, average (steps 2)
    net = nn.BatchNorm1d(1)
    follows = ema_type(net, momentum=0.5)
    averages = ema_type(net, momentum=0.5, update_buffers=True)
    for mean in (2.0, 6.0):
        net.running_mean.fill_(mean)
        follows.update_parameters(net)
        averages.update_parameters(net)
    assert follows.module.running_mean.item() == 6.0
    assert averages.module.running_mean.item() == 4.0


# ------------------------------------------------------------------ MODEL-10


def _tta_classes(impl: Impl) -> tuple[type, type]:
    import torch

    base_model = impl.attr("model.BaseModel")
    element = impl.attr("structures.BaseDataElement")

    class Scorer(base_model):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            super().__init__()
            self.weight = torch.nn.Parameter(torch.ones(1))
            self.batches: list[Any] = []

        def forward(
            self, inputs: Any, data_samples: Any = None, mode: str = "tensor"
        ) -> Any:
            self.batches.append((inputs.tolist(), data_samples))
            return [element(score=row * self.weight) for row in inputs]

    class AverageScoreTTA(impl.attr("model.test_time_aug.BaseTTAModel")):  # type: ignore[misc]
        def merge_preds(self, data_samples_list: list) -> list:
            self.received = data_samples_list
            merged = []
            for data_samples in data_samples_list:
                sample = data_samples[0].new()
                sample.score = sum(d.score for d in data_samples) / len(data_samples)
                merged.append(sample)
            return merged

    return Scorer, AverageScoreTTA


def _augmented_batch() -> dict:
    import torch

    return dict(
        inputs=[
            torch.tensor([[1.0], [2.0], [3.0]]),
            torch.tensor([[3.0], [6.0], [9.0]]),
        ],
        data_samples=[["s0", "s1", "s2"], ["s0 flipped", "s1 flipped", "s2 flipped"]],
    )


@pytest.mark.spec("MODEL-10")
def test_merge_preds_gets_batch_size_lists_of_num_augs(impl: Impl) -> None:
    scorer, tta_type = _tta_classes(impl)
    tta = tta_type(module=scorer())
    merged = tta.test_step(_augmented_batch())
    assert len(tta.received) == 3 and all(len(views) == 2 for views in tta.received)
    assert [[v.score.item() for v in views] for views in tta.received] == [
        [1.0, 3.0],
        [2.0, 6.0],
        [3.0, 9.0],
    ]
    assert [m.score.item() for m in merged] == [2.0, 4.0, 6.0]
    # Each augmentation ran as one batch through the model's test_step.
    assert tta.module.batches == [
        ([[1.0], [2.0], [3.0]], ["s0", "s1", "s2"]),
        ([[3.0], [6.0], [9.0]], ["s0 flipped", "s1 flipped", "s2 flipped"]),
    ]


@pytest.mark.spec("MODEL-10")
@pytest.mark.diverges(
    "mmengine",
    reason="the doc shows merge_preds receiving lists, demo_results = "
    "[[data_0_0, data_0_1], ...] and List[List[ClsDataSample]] (doc L8095-8106); "
    "the reference passes tuples",
)
def test_merge_preds_gets_lists(impl: Impl) -> None:
    scorer, tta_type = _tta_classes(impl)
    tta = tta_type(module=scorer())
    tta.test_step(_augmented_batch())
    assert all(type(views) is list for views in tta.received)


@pytest.mark.spec("MODEL-10")
def test_tta_model_built_as_the_test_script_does(impl: Impl) -> None:
    """``cfg.model = ConfigDict(**cfg.tta_model, module=cfg.model)`` (L8137)."""
    scorer, tta_type = _tta_classes(impl)
    models = impl.mod("registry").MODELS
    assert models.get("BaseTTAModel") is impl.attr("model.test_time_aug.BaseTTAModel")
    models.register_module(name="_ConfScorer", module=scorer, force=True)
    models.register_module(name="AverageScoreTTA", module=tta_type, force=True)
    try:
        config_dict = impl.attr("config.ConfigDict")
        cfg_model = config_dict(type="_ConfScorer")
        tta = models.build(config_dict(type="AverageScoreTTA", module=cfg_model))
    finally:
        models.module_dict.pop("_ConfScorer")
        models.module_dict.pop("AverageScoreTTA")
    assert isinstance(tta, tta_type) and isinstance(tta.module, scorer)


@pytest.fixture
def world_of_one() -> Iterator[None]:
    """A gloo group of this process alone (conftest destroys it)."""
    import torch.distributed as torch_dist

    torch_dist.init_process_group(
        "gloo", store=torch_dist.HashStore(), rank=0, world_size=1
    )
    yield


@pytest.mark.spec("MODEL-10", "MODEL-11")
def test_call_chain_wrapper_then_tta_then_model(impl: Impl, world_of_one: None) -> None:
    """``DDPWrapper.test_step -> TTAModel.test_step -> model.test_step`` (L8155)."""
    scorer, tta_type = _tta_classes(impl)
    calls: list[str] = []

    class Traced(tta_type):  # type: ignore[misc, valid-type]
        def test_step(self, data: Any) -> list:
            calls.append("tta")
            return super().test_step(data)

    model = scorer()
    original = model.test_step
    model.test_step = lambda data: calls.append("model") or original(data)
    wrapper = impl.attr("model.wrappers.MMDistributedDataParallel")(
        Traced(module=model)
    )
    merged = wrapper.test_step(_augmented_batch())
    assert calls == ["tta", "model", "model"]
    assert [m.score.item() for m in merged] == [2.0, 4.0, 6.0]


# ------------------------------------------------------------------ MODEL-11


@pytest.mark.spec("MODEL-11")
def test_wrappers_are_registered(impl: Impl) -> None:
    import torch.nn as nn

    wrappers = impl.mod("model.wrappers")
    registry = impl.mod("registry").MODEL_WRAPPERS
    assert (
        registry.get("MMDistributedDataParallel") is wrappers.MMDistributedDataParallel
    )
    assert (
        registry.get("MMFullyShardedDataParallel")
        is wrappers.MMFullyShardedDataParallel
    )
    # [GAP] reference-derived: the separate wrapper and torch's own wrappers too.
    assert registry.get("MMSeparateDistributedDataParallel") is (
        wrappers.MMSeparateDistributedDataParallel
    )
    assert (
        registry.get("DistributedDataParallel") is nn.parallel.DistributedDataParallel
    )
    assert registry.get("DataParallel") is nn.DataParallel
    assert wrappers.is_model_wrapper(nn.DataParallel(nn.Linear(1, 1)))
    assert not wrappers.is_model_wrapper(nn.Linear(1, 1))


@pytest.mark.spec("MODEL-11")
def test_ddp_built_from_model_wrapper_cfg(impl: Impl, world_of_one: None) -> None:
    import torch.nn as nn

    impl.mod("model.wrappers")  # registers them
    model = nn.Linear(1, 1)
    wrapper = impl.mod("registry").MODEL_WRAPPERS.build(
        dict(type="MMDistributedDataParallel", module=model)
    )
    assert type(wrapper).__name__ == "MMDistributedDataParallel"
    assert wrapper.module is model
    assert impl.attr("model.wrappers.is_model_wrapper")(wrapper)


def _regressor(impl_name: str) -> Any:
    """A BaseModel with mean-squared-error loss, weights fixed by the seed."""
    import torch
    import torch.nn as nn

    base_model = importlib.import_module(f"{impl_name}.model").BaseModel

    class Regressor(base_model):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            super().__init__()
            torch.manual_seed(0)
            self.lin = nn.Linear(3, 1)

        def forward(self, inputs: Any, labels: Any = None, mode: str = "tensor") -> Any:
            out = self.lin(inputs)
            if mode == "loss":
                return dict(loss=((out - labels) ** 2).mean())
            return [out]

    return Regressor()


def _recording_sgd(params: list, lr: float) -> tuple[Any, list]:
    """SGD whose ``step`` first records every gradient."""
    import torch

    optimizer = torch.optim.SGD(params, lr=lr)
    grads: list[list[list[float]]] = []
    step = optimizer.step

    def recording_step(*args: Any, **kwargs: Any) -> Any:
        grads.append([p.grad.flatten().tolist() for p in params])
        return step(*args, **kwargs)

    optimizer.step = recording_step  # type: ignore[method-assign]
    return optimizer, grads


def _half(rows: list, rank: int) -> Any:
    import torch

    return torch.tensor(rows[2 * rank : 2 * rank + 2])


def _ddp_on_rank(impl_name: str) -> dict[str, Any]:
    """One step of MMDistributedDataParallel, then two accumulated ones."""
    import torch.distributed as torch_dist

    rank = torch_dist.get_rank()
    wrappers = importlib.import_module(f"{impl_name}.model.wrappers")
    optim_wrapper_type = importlib.import_module(f"{impl_name}.optim").OptimWrapper
    seen: dict[str, Any] = {}

    model = _regressor(impl_name)
    wrapper = wrappers.MMDistributedDataParallel(model)
    optimizer, grads = _recording_sgd(list(model.parameters()), lr=0.1)
    batch = dict(inputs=_half(_INPUTS, rank), labels=_half(_LABELS, rank))
    wrapper.train_step(batch, optim_wrapper_type(optimizer))
    seen["grads"] = grads[0]
    seen["params"] = [p.detach().flatten().tolist() for p in model.parameters()]

    model = _regressor(impl_name)
    wrapper = wrappers.MMDistributedDataParallel(model)
    optimizer, grads = _recording_sgd(list(model.parameters()), lr=0.1)
    optim_wrapper = optim_wrapper_type(optimizer, accumulative_counts=2)
    wrapper.train_step(
        dict(inputs=_half(_INPUTS, rank), labels=_half(_LABELS, rank)), optim_wrapper
    )
    seen["local_grads"] = [p.grad.flatten().tolist() for p in model.parameters()]
    wrapper.train_step(
        dict(inputs=_half(_INPUTS_2, rank), labels=_half(_LABELS, rank)), optim_wrapper
    )
    seen["accumulated_grads"] = grads[0]
    return seen


def _fsdp_on_rank(impl_name: str) -> dict[str, Any]:
    """The doc's FSDP config built from MODEL_WRAPPERS, and one train_step.

    ``cpu_offload=True`` pins host memory on the first forward, which torch
    2.13 refuses without an accelerator: that wrapper is only built; the
    step runs without offloading.
    """
    import torch
    import torch.distributed as torch_dist
    from torch.distributed.fsdp import FullyShardedDataParallel

    rank = torch_dist.get_rank()
    importlib.import_module(f"{impl_name}.model.wrappers")  # registers them
    registry = importlib.import_module(f"{impl_name}.registry").MODEL_WRAPPERS
    optim_wrapper_type = importlib.import_module(f"{impl_name}.optim").OptimWrapper
    cpu = torch.device("cpu")  # torch's FSDP needs it without a GPU
    offloaded = registry.build(
        dict(
            type="MMFullyShardedDataParallel",
            cpu_offload=True,
            module=_regressor(impl_name),
            device_id=cpu,
        )
    )
    model = _regressor(impl_name)
    wrapper = registry.build(
        dict(type="MMFullyShardedDataParallel", module=model, device_id=cpu)
    )
    optim_wrapper = optim_wrapper_type(torch.optim.SGD(wrapper.parameters(), lr=0.1))
    batch = dict(inputs=_half(_INPUTS, rank), labels=_half(_LABELS, rank))
    log_vars = wrapper.train_step(batch, optim_wrapper)
    predictions = wrapper.val_step(dict(inputs=torch.ones(1, 3)))
    with FullyShardedDataParallel.summon_full_params(wrapper):
        params = [p.detach().flatten().tolist() for p in model.parameters()]
    return dict(
        params=params,
        loss_keys=sorted(log_vars),
        predictions=len(predictions),
        offload=offloaded.cpu_offload.offload_params,
        types=[type(offloaded).__name__, type(wrapper).__name__],
    )


def _single_process_step(
    inputs: list, labels: list, scale: float = 1.0
) -> tuple[list, list]:
    """Gradients and SGD(lr=0.1) parameters of one full-batch step, plain torch."""
    import torch
    import torch.nn as nn

    torch.manual_seed(0)
    lin = nn.Linear(3, 1)
    loss = ((lin(torch.tensor(inputs)) - torch.tensor(labels)) ** 2).mean() * scale
    loss.backward()
    grads = [p.grad.flatten().tolist() for p in lin.parameters()]
    with torch.no_grad():
        params = [(p - 0.1 * p.grad).flatten().tolist() for p in lin.parameters()]
    return grads, params


def _close(actual: list, expected: list) -> bool:
    flat_a = [x for row in actual for x in row]
    flat_e = [x for row in expected for x in row]
    return flat_a == pytest.approx(flat_e, abs=1e-5)


def _on_rank(impl_name: str) -> dict[str, Any]:
    """Everything the 2-process tests look at (one spawn for all of them)."""
    return dict(ddp=_ddp_on_rank(impl_name), fsdp=_fsdp_on_rank(impl_name))


@pytest.fixture(scope="module")
def ranks(impl: Impl) -> list[dict[str, Any]]:
    return run_on_ranks(_on_rank, impl.name, world_size=2)


@pytest.fixture(scope="module")
def ddp_ranks(ranks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [seen["ddp"] for seen in ranks]


@pytest.mark.spec("MODEL-11")
def test_ddp_train_step_equals_a_full_batch_step(
    ddp_ranks: list[dict[str, Any]],
) -> None:
    grads, params = _single_process_step(_INPUTS, _LABELS)
    for seen in ddp_ranks:
        assert _close(seen["grads"], grads)
        assert _close(seen["params"], params)


@pytest.mark.spec("MODEL-11")
def test_ddp_accumulation_syncs_only_on_the_update(
    ddp_ranks: list[dict[str, Any]],
) -> None:
    """[GAP] of the doc: no_sync on accumulation iterations; loss / counts."""
    first, second = (seen["local_grads"] for seen in ddp_ranks)
    own_0, _ = _single_process_step(_INPUTS[:2], _LABELS[:2], scale=0.5)
    own_1, _ = _single_process_step(_INPUTS[2:], _LABELS[2:], scale=0.5)
    assert _close(first, own_0) and _close(second, own_1)  # not all-reduced
    grads_1, _ = _single_process_step(_INPUTS, _LABELS, scale=0.5)
    grads_2, _ = _single_process_step(_INPUTS_2, _LABELS, scale=0.5)
    expected = [[a + b for a, b in zip(g1, g2)] for g1, g2 in zip(grads_1, grads_2)]
    for seen in ddp_ranks:
        assert _close(seen["accumulated_grads"], expected)


@pytest.mark.spec("MODEL-11")
def test_fsdp_from_cfg_trains_like_a_full_batch_step(
    ranks: list[dict[str, Any]],
) -> None:
    _, params = _single_process_step(_INPUTS, _LABELS)
    for seen in (seen["fsdp"] for seen in ranks):
        assert seen["types"] == ["MMFullyShardedDataParallel"] * 2
        assert seen["offload"] is True  # cpu_offload=True -> CPUOffload(True)
        assert seen["loss_keys"] == ["loss"] and seen["predictions"] == 1
        assert _close(seen["params"], params)
