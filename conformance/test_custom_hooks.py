"""Conformance of the custom hooks EMAHook (HOOK-11, MODEL-09) and
SyncBuffersHook (HOOK-13), driven through a real Runner where it matters."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import torch
from torch import nn

from conformance.harness.distributed import run_on_ranks
from conformance.runner_toys import PairDataset, build_runner, checkpoints

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

#: With momentum 0.5 both conventions of the EMA update agree:
#: avg <- 0.5 * avg + 0.5 * weights (the first update copies the weights).
_MOMENTUM = 0.5


def _run(impl: Any, tmp_path: Path, hooks: list, **kw: Any) -> Any:
    torch.manual_seed(0)  # the toy model is built before the runner seeds
    runner = build_runner(impl, tmp_path, custom_hooks=hooks, **kw)
    runner.train()
    return runner


def _weights(model: nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def _spy(impl: Any) -> Any:
    """A LOWEST-priority hook recording the model around training and val."""
    hook_base = impl.attr("hooks.Hook")

    class Spy(hook_base):  # type: ignore[misc, valid-type]
        priority = "LOWEST"

        def __init__(self) -> None:
            self.trained: list[dict] = []
            self.in_val: list[dict] = []
            self.back: list[dict] = []

        def after_train_iter(self, runner: Any, *args: Any, **kw: Any) -> None:
            self.trained.append(_weights(runner.model))

        def before_val_epoch(self, runner: Any) -> None:
            self.in_val.append(_weights(runner.model))

        def after_val_epoch(self, runner: Any, metrics: Any = None) -> None:
            self.back.append(_weights(runner.model))

    return Spy()


def _ema(history: list[dict]) -> dict[str, torch.Tensor]:
    average = dict(history[0])
    for weights in history[1:]:
        average = {
            k: (1 - _MOMENTUM) * average[k] + _MOMENTUM * weights[k] for k in average
        }
    return average


def _mae(weights: dict[str, torch.Tensor]) -> float:
    dataset = PairDataset(8)
    errors = []
    for index in range(len(dataset)):
        sample = dataset[index]
        out = sample["inputs"] @ weights["linear.weight"].T + weights["linear.bias"]
        errors.append(float((out - sample["labels"]).abs()))
    return sum(errors) / len(errors)


def _close(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> bool:
    return a.keys() == b.keys() and all(torch.allclose(a[k], b[k]) for k in a)


@pytest.mark.spec("HOOK-11")
def test_ema_leaves_the_training_weights_unchanged(impl: Any, tmp_path: Path) -> None:
    plain = _run(impl, tmp_path / "plain", [])
    ema = _run(impl, tmp_path / "ema", [dict(type="EMAHook", momentum=_MOMENTUM)])
    expected, got = _weights(plain.model), _weights(ema.model)
    assert expected.keys() == got.keys()
    for key in expected:
        assert torch.equal(expected[key], got[key]), key


@pytest.mark.spec("HOOK-11")
def test_val_evaluates_the_ema_weights_and_swaps_back(
    impl: Any, tmp_path: Path
) -> None:
    spy = _spy(impl)
    seen: list[float] = []
    hook_base = impl.attr("hooks.Hook")

    class Metrics(hook_base):  # type: ignore[misc, valid-type]
        def after_val_epoch(self, runner: Any, metrics: Any = None) -> None:
            seen.append(float(metrics["mae"]))

    _run(impl, tmp_path, [dict(type="EMAHook", momentum=_MOMENTUM), spy, Metrics()])
    per_epoch = len(spy.trained) // 2  # 2 epochs, validation after each
    for epoch in range(2):
        history = spy.trained[: (epoch + 1) * per_epoch]
        assert _close(spy.in_val[epoch], _ema(history))
        assert not _close(spy.in_val[epoch], history[-1])
        assert _close(spy.back[epoch], history[-1])  # swapped back
        assert seen[epoch] == pytest.approx(_mae(_ema(history)), rel=1e-4)


@pytest.mark.spec("HOOK-11")
def test_checkpoint_state_dict_holds_the_ema_weights(impl: Any, tmp_path: Path) -> None:
    spy = _spy(impl)
    _run(
        impl,
        tmp_path,
        [dict(type="EMAHook", momentum=_MOMENTUM), spy],
        default_hooks=dict(checkpoint=dict(type="CheckpointHook", interval=2)),
    )
    assert checkpoints(tmp_path / "work") == ["epoch_2.pth"]
    saved = torch.load(tmp_path / "work" / "epoch_2.pth", weights_only=False)
    assert _close(dict(saved["state_dict"]), _ema(spy.trained))
    ema_state = saved["ema_state_dict"]
    assert int(ema_state["steps"]) == len(spy.trained)
    raw = {k[len("module.") :]: v for k, v in ema_state.items() if k != "steps"}
    assert _close(raw, spy.trained[-1])


@pytest.mark.spec("HOOK-11")
def test_resume_restores_training_and_ema_weights(impl: Any, tmp_path: Path) -> None:
    spy = _spy(impl)
    _run(
        impl,
        tmp_path,
        [dict(type="EMAHook", momentum=_MOMENTUM), spy],
        default_hooks=dict(checkpoint=dict(type="CheckpointHook", interval=1)),
        val_dataloader=None,
        val_cfg=None,
        val_evaluator=None,
    )
    resumed = build_runner(
        impl,
        tmp_path / "again",
        custom_hooks=[dict(type="EMAHook", momentum=_MOMENTUM)],
        load_from=str(tmp_path / "work" / "epoch_2.pth"),
        resume=True,
        train_cfg=dict(by_epoch=True, max_epochs=2),
        val_dataloader=None,
        val_cfg=None,
        val_evaluator=None,
    )
    resumed.train()  # already at epoch 2: loads and stops
    hook = next(h for h in resumed.hooks if type(h).__name__ == "EMAHook")
    assert _close(_weights(resumed.model), spy.trained[-1])
    assert _close(_weights(hook.ema_model.module), _ema(spy.trained))


@pytest.mark.spec("MODEL-09", "HOOK-11")
@pytest.mark.parametrize(
    "ema_type",
    ["ExponentialMovingAverage", "StochasticWeightAverage", "MomentumAnnealingEMA"],
)
def test_ema_types_resolve_and_train(impl: Any, tmp_path: Path, ema_type: str) -> None:
    models = impl.attr("registry.MODELS")
    assert models.get(ema_type) is not None
    runner = _run(impl, tmp_path, [dict(type="EMAHook", ema_type=ema_type)])
    hook = next(h for h in runner.hooks if type(h).__name__ == "EMAHook")
    assert type(hook.ema_model).__name__ == ema_type
    assert int(hook.ema_model.steps) == 8  # 2 epochs of 4 iterations


@pytest.mark.spec("HOOK-02")
@pytest.mark.parametrize("name", ["EMAHook", "EmptyCacheHook", "SyncBuffersHook"])
def test_custom_hooks_priority_is_normal(impl: Any, tmp_path: Path, name: str) -> None:
    runner = build_runner(impl, tmp_path, custom_hooks=[dict(type=name)])
    hook = next(h for h in runner.hooks if type(h).__name__ == name)
    priority = impl.attr("runner.get_priority")(hook.priority)
    assert priority == 50  # NORMAL (doc L4490-4593)


@pytest.mark.spec("HOOK-11")
def test_ema_hook_default_type(impl: Any) -> None:
    hook = impl.attr("hooks.EMAHook")()
    assert hook.ema_cfg == dict(type="ExponentialMovingAverage")


# --- HOOK-13: SyncBuffersHook ----------------------------------------------------


class _BNModel(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.bn = nn.BatchNorm1d(2)


@pytest.mark.spec("HOOK-13")
def test_sync_buffers_is_a_no_op_without_distribution(impl: Any) -> None:
    hook = impl.attr("hooks.SyncBuffersHook")()
    model = _BNModel()
    model.bn.get_buffer("running_mean").fill_(3.0)
    runner = SimpleNamespace(model=model)
    hook.after_train_epoch(runner)
    hook.before_val_epoch(runner)
    assert model.bn.get_buffer("running_mean").tolist() == [3.0, 3.0]
    assert model.bn.get_buffer("running_var").tolist() == [1.0, 1.0]


@pytest.mark.spec("HOOK-13")
def test_sync_buffers_through_a_single_process_runner(
    impl: Any, tmp_path: Path
) -> None:
    plain = _run(impl, tmp_path / "plain", [])
    synced = _run(impl, tmp_path / "sync", [dict(type="SyncBuffersHook")])
    assert _close(_weights(plain.model), _weights(synced.model))


def _rank_buffers(impl_name: str) -> list:
    """Each rank gets its own BN statistics, then a train epoch ends."""
    import importlib

    import torch.distributed as dist

    rank = dist.get_rank()
    hook = importlib.import_module(f"{impl_name}.hooks").SyncBuffersHook()
    model = _BNModel()
    model.bn.train()
    torch.manual_seed(rank)
    model.bn(torch.randn(16, 2) * (rank + 1) + 3 * rank)  # per-rank statistics
    before = [
        model.bn.get_buffer("running_mean").tolist(),
        model.bn.get_buffer("running_var").tolist(),
    ]
    hook.after_train_epoch(SimpleNamespace(model=model))
    after = [
        model.bn.get_buffer("running_mean").tolist(),
        model.bn.get_buffer("running_var").tolist(),
    ]
    return [before, after]


@pytest.mark.spec("HOOK-13")
def test_sync_buffers_two_gloo_ranks_agree(impl: Any) -> None:
    rank0, rank1 = run_on_ranks(_rank_buffers, impl.name, world_size=2)
    assert rank0[0] != rank1[0]  # the statistics differed
    assert rank0[1] == rank1[1]  # and agree after the epoch
    for stat in range(2):
        mean = (torch.tensor(rank0[0][stat]) + torch.tensor(rank1[0][stat])) / 2
        assert torch.allclose(torch.tensor(rank0[1][stat]), mean)
