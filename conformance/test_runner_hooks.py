"""Conformance of the hooks as the Runner drives them (HOOK-03..10, 14, 17),
and of the Runner parts of SCH-03/07, DATA-03/04 and LOG-08."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch

from conformance.runner_toys import (
    PairDataset,
    build_runner,
    checkpoints,
    loader,
    log_messages,
    make_toys,
)

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

_NO_VAL = dict(val_dataloader=None, val_cfg=None, val_evaluator=None)


# --- HOOK-03: default and custom hooks --------------------------------------------


@pytest.mark.spec("HOOK-03", "HOOK-02")
def test_registered_hook_order(impl: Any, tmp_path: Path) -> None:
    runner = build_runner(
        impl,
        tmp_path,
        default_hooks=dict(
            runtime_info=dict(type="RuntimeInfoHook"),
            timer=dict(type="IterTimerHook"),
            sampler_seed=dict(type="DistSamplerSeedHook"),
            logger=dict(type="LoggerHook"),
            param_scheduler=dict(type="ParamSchedulerHook"),
            checkpoint=dict(type="CheckpointHook", interval=1),
        ),
        custom_hooks=[dict(type="EmptyCacheHook")],
    )
    assert [type(h).__name__ for h in runner.hooks] == [
        "RuntimeInfoHook",
        "IterTimerHook",
        "DistSamplerSeedHook",
        "EmptyCacheHook",
        "LoggerHook",
        "ParamSchedulerHook",
        "CheckpointHook",
    ]


@pytest.mark.spec("HOOK-03")
def test_default_hooks_exist_when_omitted_and_none_removes_one(
    impl: Any, tmp_path: Path
) -> None:
    runner = build_runner(impl, tmp_path, default_hooks=None)
    names = [type(h).__name__ for h in runner.hooks]
    assert names == [
        "RuntimeInfoHook",
        "IterTimerHook",
        "DistSamplerSeedHook",
        "LoggerHook",
        "ParamSchedulerHook",
        "CheckpointHook",
    ]
    runner = build_runner(impl, tmp_path / "b", default_hooks=dict(checkpoint=None))
    assert "CheckpointHook" not in [type(h).__name__ for h in runner.hooks]


# --- HOOK-04 / HOOK-05: checkpoint interval and retention ----------------------------


@pytest.mark.spec("HOOK-05")
def test_max_keep_ckpts_keeps_the_last_two(impl: Any, tmp_path: Path) -> None:
    seen: dict[int, list[str]] = {}
    hook_base = impl.attr("hooks.Hook")
    work = tmp_path / "work"

    class Lister(hook_base):  # type: ignore[misc, valid-type]
        priority = "LOWEST"

        def after_train_epoch(self, runner: Any) -> None:
            seen[runner.epoch + 1] = checkpoints(work)

    runner = build_runner(
        impl,
        tmp_path,
        train_dataloader=loader(n=2),
        train_cfg=dict(by_epoch=True, max_epochs=20, val_interval=100),
        default_hooks=dict(
            checkpoint=dict(type="CheckpointHook", interval=5, max_keep_ckpts=2),
            logger=dict(type="LoggerHook", interval=50),
        ),
        custom_hooks=[Lister()],
    )
    runner.train()
    assert seen[10] == ["epoch_10.pth", "epoch_5.pth"]
    assert seen[15] == ["epoch_10.pth", "epoch_15.pth"]
    assert checkpoints(work) == ["epoch_15.pth", "epoch_20.pth"]


@pytest.mark.spec("HOOK-04")
def test_iteration_checkpoints_every_five(impl: Any, tmp_path: Path) -> None:
    runner = build_runner(
        impl,
        tmp_path,
        train_cfg=dict(by_epoch=False, max_iters=10, val_interval=100),
        default_hooks=dict(
            checkpoint=dict(type="CheckpointHook", interval=5, by_epoch=False)
        ),
    )
    runner.train()
    assert checkpoints(tmp_path / "work") == ["iter_10.pth", "iter_5.pth"]


# --- HOOK-06 / HOOK-07 / HOOK-08: best, out_dir, published ---------------------------


def _scripted_metric(impl: Any, values: list[float], key: str = "acc") -> Any:
    base_metric = impl.attr("evaluator.BaseMetric")
    script = iter(values)

    class Scripted(base_metric):  # type: ignore[misc, valid-type]
        def process(self, data_batch: Any, data_samples: Any) -> None:
            self.results.append(1)

        def compute_metrics(self, results: list) -> dict:
            return {key: next(script), "other": 0.0}

    return Scripted


@pytest.mark.spec("HOOK-06")
@pytest.mark.parametrize(
    ("save_best", "rule", "best_epoch"),
    [("auto", None, 2), ("acc", "greater", 2), ("acc", "less", 1)],
)
def test_save_best_tracks_the_best_epoch(
    impl: Any, tmp_path: Path, save_best: str, rule: str | None, best_epoch: int
) -> None:
    checkpoint = dict(type="CheckpointHook", interval=1, save_best=save_best)
    if rule is not None:
        checkpoint["rule"] = rule
    runner = build_runner(
        impl,
        tmp_path,
        train_cfg=dict(by_epoch=True, max_epochs=3, val_interval=1),
        val_evaluator=dict(type=_scripted_metric(impl, [0.5, 0.7, 0.6])),
        default_hooks=dict(checkpoint=checkpoint),
    )
    runner.train()
    best = [name for name in checkpoints(tmp_path / "work") if name.startswith("best_")]
    assert best == [f"best_acc_epoch_{best_epoch}.pth"]


@pytest.mark.spec("HOOK-07")
def test_out_dir_receives_the_checkpoints(impl: Any, tmp_path: Path) -> None:
    out = tmp_path / "elsewhere"
    runner = build_runner(
        impl,
        tmp_path,
        default_hooks=dict(
            checkpoint=dict(type="CheckpointHook", interval=1, out_dir=str(out))
        ),
        **_NO_VAL,
    )
    runner.train()
    assert checkpoints(out / "work") == ["epoch_1.pth", "epoch_2.pth"]
    assert checkpoints(tmp_path / "work") == []


@pytest.mark.spec("HOOK-08")
def test_published_checkpoint_holds_only_the_published_keys(
    impl: Any, tmp_path: Path
) -> None:
    runner = build_runner(
        impl,
        tmp_path,
        val_evaluator=dict(type=_scripted_metric(impl, [0.5, 0.7], key="accuracy")),
        default_hooks=dict(
            checkpoint=dict(
                type="CheckpointHook",
                interval=1,
                save_best="accuracy",
                rule="less",
                published_keys=["meta", "state_dict"],
            )
        ),
    )
    runner.train()
    names = checkpoints(tmp_path / "work")
    published = [n for n in names if n not in ("epoch_1.pth", "epoch_2.pth")]
    published = [n for n in published if not n.startswith("best_accuracy_epoch_")]
    assert published, names
    for name in published:
        content = torch.load(
            tmp_path / "work" / name, map_location="cpu", weights_only=False
        )
        assert sorted(content) == ["meta", "state_dict"]


# --- HOOK-10: what the default hooks record ---------------------------------------


@pytest.mark.spec("HOOK-10")
def test_runtime_info_in_the_message_hub(impl: Any, tmp_path: Path) -> None:
    runner = build_runner(impl, tmp_path, **_NO_VAL)
    runner.train()
    hub = runner.message_hub
    # recorded before each epoch/iteration, 0-based (reference behaviour)
    assert hub.get_info("epoch") == 1
    assert hub.get_info("iter") == 7
    assert hub.get_info("max_epochs") == 2
    assert hub.get_info("max_iters") == 8
    assert "train/lr" in hub.log_scalars
    assert "train/time" in hub.log_scalars and "train/data_time" in hub.log_scalars


@pytest.mark.spec("HOOK-10", "DATA-05")
def test_shuffle_changes_with_the_epoch(impl: Any, tmp_path: Path) -> None:
    orders: list[list[float]] = []
    hook_base = impl.attr("hooks.Hook")

    class Order(hook_base):  # type: ignore[misc, valid-type]
        def before_train_iter(
            self, runner: Any, batch_idx: int, data_batch: Any = None
        ) -> None:
            if batch_idx == 0:
                orders.append([])
            orders[-1].extend(float(x[0]) for x in data_batch["inputs"])

    runner = build_runner(
        impl,
        tmp_path,
        train_dataloader=loader(n=16, batch_size=4, shuffle=True),
        custom_hooks=[Order()],
        **_NO_VAL,
    )
    runner.train()
    assert len(orders) == 2 and sorted(orders[0]) == sorted(orders[1])
    assert orders[0] != orders[1]


# --- HOOK-14: a custom hook ------------------------------------------------------


@pytest.mark.spec("HOOK-14")
def test_check_invalid_loss_hook_stops_on_nan(impl: Any, tmp_path: Path) -> None:
    hook_base = impl.attr("hooks.Hook")
    seen: list[Any] = []

    class CheckInvalidLossHook(hook_base):  # type: ignore[misc, valid-type]
        priority = "ABOVE_NORMAL"

        def __init__(self, interval: int = 50) -> None:
            self.interval = interval

        def after_train_iter(
            self,
            runner: Any,
            batch_idx: int,
            data_batch: Any = None,
            outputs: Any = None,
        ) -> None:
            seen.append(outputs)
            if self.every_n_train_iters(runner, self.interval):
                assert torch.isfinite(outputs["loss"]), runner.logger.info(
                    "loss become infinite or NaN!"
                )

    toys = make_toys(impl)

    class NanAfterTwo(toys.ToyModel):  # type: ignore[misc, valid-type, name-defined]
        def forward(self, inputs: Any, labels: Any, mode: str = "tensor") -> Any:
            out = super().forward(inputs, labels, mode)
            if mode == "loss" and len(seen) >= 3:
                return dict(loss=out["loss"] * float("nan"))
            return out

    runner = build_runner(
        impl,
        tmp_path,
        model=NanAfterTwo(),
        custom_hooks=[CheckInvalidLossHook(interval=2)],
        **_NO_VAL,
    )
    names = [type(h).__name__ for h in runner.hooks]
    assert names.index("CheckInvalidLossHook") < names.index("IterTimerHook")
    with pytest.raises(AssertionError):
        runner.train()
    assert "loss" in seen[0]
    assert (
        len(seen) == 4
    )  # iterations 1..3 finite, the NaN one is the 4th (a multiple of 2)


# --- HOOK-17: the order of the mount points in a run ---------------------------------


@pytest.mark.spec("HOOK-17")
def test_mount_points_are_called_in_the_documented_order(
    impl: Any, tmp_path: Path
) -> None:
    toys = make_toys(impl)
    recorder = toys.Recorder()
    runner = build_runner(
        impl,
        tmp_path,
        train_dataloader=loader(n=4),
        val_dataloader=loader(n=2),
        custom_hooks=[recorder],
    )
    runner.train()
    stages = [stage for stage, _, _ in recorder.calls]
    epoch = (
        ["before_train_epoch"]
        + ["before_train_iter", "after_train_iter"] * 2
        + ["after_train_epoch", "before_save_checkpoint"]
        + ["before_val", "before_val_epoch"]
        + ["before_val_iter", "after_val_iter"]
        + ["after_val_epoch", "after_val"]
    )
    assert stages == ["before_run", "before_train"] + epoch * 2 + [
        "after_train",
        "after_run",
    ]


@pytest.mark.spec("HOOK-17")
def test_after_load_checkpoint_is_called_when_resuming(
    impl: Any, tmp_path: Path
) -> None:
    build_runner(impl, tmp_path, **_NO_VAL).train()
    recorder = make_toys(impl).Recorder()
    runner = build_runner(
        impl,
        tmp_path,
        train_cfg=dict(by_epoch=True, max_epochs=3),
        resume=True,
        custom_hooks=[recorder],
        **_NO_VAL,
    )
    runner.train()
    stages = [stage for stage, _, _ in recorder.calls]
    assert stages[:3] == ["before_run", "after_load_checkpoint", "before_train"]


# --- SCH-03 / SCH-07: schedulers through the Runner ----------------------------------


def _lr_per_epoch(impl: Any, tmp_path: Path, **overrides: Any) -> list[float]:
    lrs: list[float] = []
    hook_base = impl.attr("hooks.Hook")

    class Probe(hook_base):  # type: ignore[misc, valid-type]
        def before_train_epoch(self, runner: Any) -> None:
            lrs.append(runner.optim_wrapper.get_lr()["lr"][0])

    runner = build_runner(
        impl,
        tmp_path,
        train_dataloader=loader(n=2, batch_size=1),
        custom_hooks=[Probe()],
        default_hooks=dict(logger=dict(type="LoggerHook", interval=50)),
        **_NO_VAL,
        **overrides,
    )
    runner.train()
    return lrs


@pytest.mark.spec("SCH-03")
def test_scheduler_instance_on_an_optimizer_in_a_dict(
    impl: Any, tmp_path: Path
) -> None:
    toys = make_toys(impl)
    model = toys.ToyModel()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    scheduler = impl.attr("optim.scheduler.MultiStepLR")(
        optimizer, milestones=[8, 11], gamma=0.1
    )
    lrs = _lr_per_epoch(
        impl,
        tmp_path,
        model=model,
        optim_wrapper=dict(optimizer=optimizer),
        param_scheduler=scheduler,
        train_cfg=dict(by_epoch=True, max_epochs=12),
    )
    assert lrs == pytest.approx([0.01] * 8 + [0.001] * 3 + [0.0001])


@pytest.mark.spec("SCH-07")
def test_convert_to_iter_based_steps_per_iteration(impl: Any, tmp_path: Path) -> None:
    lrs: list[float] = []
    hook_base = impl.attr("hooks.Hook")

    class Probe(hook_base):  # type: ignore[misc, valid-type]
        def before_train_iter(
            self, runner: Any, batch_idx: int, data_batch: Any = None
        ) -> None:
            lrs.append(runner.optim_wrapper.get_lr()["lr"][0])

    runner = build_runner(
        impl,
        tmp_path,
        train_dataloader=loader(n=4, batch_size=2),  # 2 iterations per epoch
        train_cfg=dict(by_epoch=True, max_epochs=4),
        optim_wrapper=dict(optimizer=dict(type="SGD", lr=0.01)),
        param_scheduler=dict(
            type="MultiStepLR",
            by_epoch=True,
            milestones=[1, 3],
            convert_to_iter_based=True,
        ),
        custom_hooks=[Probe()],
        **_NO_VAL,
    )
    runner.train()
    assert lrs == pytest.approx([0.01] * 2 + [0.001] * 4 + [0.0001] * 2)


# --- DATA-03 / DATA-04: dataloaders in the Runner -------------------------------------


class _Exploding(torch.utils.data.Dataset):
    def __init__(self) -> None:
        raise RuntimeError("built")


@pytest.mark.spec("DATA-03")
def test_dataloaders_are_built_lazily(impl: Any, tmp_path: Path) -> None:
    datasets = impl.attr("registry.DATASETS")
    name = f"Exploding{id(tmp_path)}"
    datasets.register_module(name=name, module=_Exploding, force=True)
    try:
        runner = build_runner(
            impl,
            tmp_path,
            train_dataloader=dict(
                dataset=dict(type=name),
                batch_size=2,
                sampler=dict(type="DefaultSampler"),
            ),
            **_NO_VAL,
        )
        with pytest.raises(RuntimeError, match="built"):
            runner.train()
    finally:
        datasets.module_dict.pop(name, None)
    built = build_runner(impl, tmp_path / "b", **_NO_VAL)
    built.train()
    assert isinstance(built.train_dataloader, torch.utils.data.DataLoader)


@pytest.mark.spec("DATA-04")
def test_dict_dataloader_follows_the_default_sampler(impl: Any, tmp_path: Path) -> None:
    order: list[float] = []
    hook_base = impl.attr("hooks.Hook")

    class Order(hook_base):  # type: ignore[misc, valid-type]
        def before_train_iter(
            self, runner: Any, batch_idx: int, data_batch: Any = None
        ) -> None:
            order.extend(float(x[0]) for x in data_batch["inputs"])

    dataset = PairDataset(10)
    runner = build_runner(
        impl,
        tmp_path,
        train_dataloader=dict(
            dataset=dataset,
            batch_size=4,
            sampler=dict(type="DefaultSampler", shuffle=True),
        ),
        train_cfg=dict(by_epoch=True, max_epochs=1),
        randomness=dict(seed=7),
        custom_hooks=[Order()],
        **_NO_VAL,
    )
    runner.train()
    sampler = impl.attr("dataset.DefaultSampler")(dataset, shuffle=True, seed=7)
    expected = [float(dataset[i]["inputs"][0]) for i in sampler]
    assert order == expected


@pytest.mark.spec("DATA-04")
def test_dict_dataloader_needs_a_sampler(impl: Any, tmp_path: Path) -> None:
    build = impl.attr("runner.Runner").build_dataloader
    with pytest.raises(KeyError):
        build(dict(dataset=PairDataset(4), batch_size=2))


# --- LOG-08: DEBUG build messages through a Runner ---------------------------------


@pytest.mark.spec("LOG-08", "REG-16")
def test_debug_level_logs_registry_lookups(impl: Any, tmp_path: Path) -> None:
    runner = build_runner(impl, tmp_path, log_level="DEBUG", **_NO_VAL)
    text = "\n".join(log_messages(runner))
    scope = impl.scope
    for cls, registry in (
        ("LocalVisBackend", "vis_backend"),
        ("RuntimeInfoHook", "hook"),
        ("IterTimerHook", "hook"),
    ):
        assert f'Get class `{cls}` from "{registry}" registry in "{scope}"' in text


@pytest.mark.spec("LOG-08", "REG-16")
@pytest.mark.diverges(
    "mmengine",
    reason="the doc (L7513-7515) prints 'its implementation can be found in'; "
    "mmengine 0.10.7 prints 'and its implementation can be found in'",
)
def test_debug_level_logs_where_built_classes_live(impl: Any, tmp_path: Path) -> None:
    runner = build_runner(impl, tmp_path, log_level="DEBUG", **_NO_VAL)
    text = "\n".join(log_messages(runner))
    root = impl.root.__name__
    assert (
        "An `RuntimeInfoHook` instance is built from registry, its implementation "
        f"can be found in {root}.hooks.runtime_info_hook"
    ) in text
    assert (
        "An `LocalVisBackend` instance is built from registry, its implementation "
        f"can be found in {root}.visualization.vis_backend"
    ) in text


@pytest.mark.spec("VIS-05")
def test_default_visualizer_has_a_local_backend(impl: Any, tmp_path: Path) -> None:
    runner = build_runner(impl, tmp_path, **_NO_VAL)
    backend = runner.visualizer.get_backend("LocalVisBackend")
    assert type(backend).__name__ == "LocalVisBackend"
    runner.train()
    assert (Path(runner.log_dir) / "vis_data" / "scalars.json").is_file()


@pytest.mark.spec("DATA-22")
def test_batch_sampler_config_receives_sampler_and_batch_size(
    impl: Any, tmp_path: Path
) -> None:
    samplers = impl.attr("registry.DATA_SAMPLERS")
    seen: dict[str, Any] = {}

    class PairsBatchSampler(torch.utils.data.BatchSampler):
        def __init__(
            self, sampler: Any, batch_size: int, drop_last: bool = False
        ) -> None:
            seen.update(sampler=type(sampler).__name__, batch_size=batch_size)
            super().__init__(sampler, batch_size, drop_last)

    name = f"PairsBatchSampler{id(seen)}"
    samplers.register_module(name=name, module=PairsBatchSampler, force=True)
    try:
        loader = impl.attr("runner.Runner").build_dataloader(
            dict(
                dataset=PairDataset(6),
                batch_size=3,
                num_workers=0,
                sampler=dict(type="DefaultSampler", shuffle=False),
                batch_sampler=dict(type=name),
            )
        )
    finally:
        samplers.module_dict.pop(name, None)
    assert seen == {"sampler": "DefaultSampler", "batch_size": 3}
    assert loader.batch_size is None
    assert [len(batch["inputs"]) for batch in loader] == [3, 3]


# --- HOOK-09 / HOOK-12 / HOOK-18 -----------------------------------------------


@pytest.mark.spec("HOOK-09", "RUN-12")
def test_logger_hook_interval_twenty_writes_terminal_and_json(
    impl: Any, tmp_path: Path
) -> None:
    import json

    runner = build_runner(
        impl,
        tmp_path,
        train_dataloader=loader(n=80),
        train_cfg=dict(by_epoch=True, max_epochs=1),
        default_hooks=dict(logger=dict(type="LoggerHook", interval=20)),
        **_NO_VAL,
    )
    runner.train()
    lines = [line for line in log_messages(runner) if line.startswith("Epoch(train)")]
    assert [line.split("  ")[0] for line in lines] == [
        "Epoch(train) [1][20/40]",
        "Epoch(train) [1][40/40]",
    ]
    json_log = Path(runner.log_dir) / "vis_data" / f"{runner.timestamp}.json"
    records = [json.loads(line) for line in json_log.read_text().splitlines()]
    assert [r["step"] for r in records] == [20, 40]
    assert all({"lr", "loss", "time", "data_time"} <= set(r) for r in records)


@pytest.mark.spec("HOOK-12")
def test_empty_cache_hook_after_each_epoch(
    impl: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hook's mount points, called as a 3-epoch run of 2 iterations calls
    them, with CUDA reported available and ``empty_cache`` counted."""
    runner = build_runner(impl, tmp_path, **_NO_VAL)
    hook = impl.attr("registry.HOOKS").build(
        dict(type="EmptyCacheHook", after_epoch=True)
    )
    calls: list[int] = []
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "empty_cache", lambda: calls.append(1))
    for _ in range(3):
        hook.before_train_epoch(runner)
        for idx in range(2):
            hook.before_train_iter(runner, batch_idx=idx)
            hook.after_train_iter(runner, batch_idx=idx, outputs={})
        hook.after_train_epoch(runner)
    assert len(calls) == 3


@pytest.mark.spec("HOOK-18")
def test_visualization_slot_of_default_hooks(impl: Any, tmp_path: Path) -> None:
    hooks = impl.attr("registry.HOOKS")
    hook_base = impl.attr("hooks.Hook")

    class DetVisualizationHook(hook_base):  # type: ignore[misc, valid-type]
        pass

    name = f"DetVisualizationHook{id(tmp_path)}"
    hooks.register_module(name=name, module=DetVisualizationHook, force=True)
    try:
        runner = build_runner(
            impl, tmp_path, default_hooks=dict(visualization=dict(type=name))
        )
    finally:
        hooks.module_dict.pop(name, None)
    names = [type(h).__name__ for h in runner.hooks]
    assert "DetVisualizationHook" in names and len(names) == 7
