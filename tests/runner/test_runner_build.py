"""Unit tests of what the Runner builds and refuses."""

from __future__ import annotations

import copy
import logging
from pathlib import Path
from typing import Any

import pytest
import torch

from engine.hooks import Hook
from engine.runner import IterBasedTrainLoop, Runner
from engine.runner._dataloader import build_dataloader
from engine.runner._hook_list import HookList
from tests.runner.conftest import Pairs


def test_train_trio_must_be_complete(job: dict) -> None:
    job["train_cfg"] = None
    with pytest.raises(
        ValueError, match="train_dataloader, train_cfg, and optim_wrapper"
    ):
        Runner(**job)


def test_scheduler_needs_an_optimizer(job: dict) -> None:
    for key in ("train_dataloader", "train_cfg", "optim_wrapper"):
        job[key] = None
    job["param_scheduler"] = dict(type="MultiStepLR", milestones=[1])
    with pytest.raises(ValueError, match="param_scheduler should be None"):
        Runner(**job)


def test_train_without_a_train_loop_is_a_clear_error(job: dict) -> None:
    for key in ("train_dataloader", "train_cfg", "optim_wrapper"):
        job[key] = None
    runner = Runner(**job)
    with pytest.raises(RuntimeError, match="train_dataloader"):
        runner.train()
    with pytest.raises(RuntimeError, match="val_dataloader"):
        runner.val()


def test_train_cfg_needs_type_or_by_epoch(job: dict) -> None:
    job["train_cfg"] = dict(max_epochs=2)
    runner = Runner(**job)
    with pytest.raises(KeyError, match="by_epoch"):
        runner.train()


def test_dataloader_config_errors_name_the_key() -> None:
    with pytest.raises(KeyError, match="'sampler'"):
        build_dataloader(dict(dataset=Pairs(4), batch_size=2))
    with pytest.raises(ValueError, match="'shuffle' is not allowed"):
        build_dataloader(
            dict(
                dataset=Pairs(4),
                batch_size=2,
                shuffle=True,
                sampler=dict(type="DefaultSampler"),
            )
        )
    with pytest.raises(KeyError, match="'nope'"):
        build_dataloader(
            dict(
                dataset=Pairs(4),
                sampler=dict(type="DefaultSampler"),
                collate_fn=dict(type="nope"),
            )
        )


def test_dataloader_defaults_to_pseudo_collate_and_seeds_workers() -> None:
    loader = build_dataloader(
        dict(
            dataset=Pairs(4),
            batch_size=2,
            sampler=dict(type="DefaultSampler", shuffle=False),
        ),
        seed=3,
    )
    batch = next(iter(loader))
    assert isinstance(batch["inputs"], list) and len(batch["inputs"]) == 2
    assert loader.worker_init_fn is not None
    assert loader.worker_init_fn.keywords["seed"] == 3  # type: ignore[attr-defined]
    unseeded = build_dataloader(
        dict(dataset=Pairs(4), sampler=dict(type="DefaultSampler"))
    )
    assert unseeded.worker_init_fn is None


def test_scheduler_end_defaults_to_the_loop_length(job: dict) -> None:
    job["param_scheduler"] = [
        dict(type="PolyLR"),
        dict(type="LinearLR", by_epoch=False),
        dict(type="StepLR", step_size=1, end=1),
    ]
    runner = Runner(**job)
    runner._train_loop = runner.build_train_loop(runner._train_loop)
    runner.optim_wrapper = runner.build_optim_wrapper(runner.optim_wrapper)
    schedulers = runner.build_param_scheduler(runner.param_schedulers)
    assert [s.end for s in schedulers] == [2, 8, 1]


def test_converted_scheduler_in_an_iteration_loop_is_not_bounded(job: dict) -> None:
    job["train_cfg"] = dict(by_epoch=False, max_iters=10)
    job["param_scheduler"] = dict(
        type="MultiStepLR", milestones=[3], by_epoch=True, convert_to_iter_based=True
    )
    runner = Runner(**job)
    runner._train_loop = runner.build_train_loop(runner._train_loop)
    assert isinstance(runner._train_loop, IterBasedTrainLoop)
    runner.optim_wrapper = runner.build_optim_wrapper(runner.optim_wrapper)
    (scheduler,) = runner.build_param_scheduler(runner.param_schedulers)
    assert scheduler.milestones == {12: 1} and scheduler.end > 10**8


def test_auto_scale_lr(job: dict, caplog: Any) -> None:
    job["auto_scale_lr"] = dict(base_batch_size=4, enable=True)
    runner = Runner(**job)
    runner._train_loop = runner.build_train_loop(runner._train_loop)
    wrapper = runner.build_optim_wrapper(runner.optim_wrapper)
    runner.scale_lr(wrapper, runner.auto_scale_lr)
    assert wrapper.get_lr()["lr"] == [pytest.approx(0.05)]  # 1 rank x 2 / 4
    with pytest.raises(KeyError, match="base_batch_size"):
        runner.scale_lr(wrapper, dict(enable=True))


def test_multi_optimizer_dict_must_hold_wrappers(job: dict) -> None:
    runner = Runner(**job)
    with pytest.raises(ValueError, match="gen="):
        runner.build_optim_wrapper(dict(gen=dict(lr=0.1)))


class _Mark(Hook):
    def __init__(self, name: str, priority: Any = "NORMAL") -> None:
        self.name = name
        self.priority = priority


class _Acts(_Mark):
    def after_train_iter(self, runner: Any, *args: Any, **kwargs: Any) -> None:
        pass


def test_hooks_sort_by_priority_stably_and_dispatch_only_actors() -> None:
    hooks = HookList()
    for hook in (
        _Acts("a", "LOW"),
        _Mark("b", 10),
        _Acts("c", "LOW"),
        _Acts("d", "HIGHEST"),
        _Mark("e", "LOW"),
    ):
        hooks.insert(hook)
    assert [h.name for h in hooks.hooks] == ["d", "b", "a", "c", "e"]
    assert [h.name for h in hooks.at("after_train_iter")] == ["d", "a", "c"]
    assert hooks.at("before_run") == []
    late = _Acts("f", "VERY_LOW")
    hooks.insert(late)
    assert hooks.at("after_train_iter")[-1] is late  # the table was rebuilt
    assert hooks.at("my_custom_point") == []


def test_hook_set_on_the_instance_is_called(job: dict) -> None:
    calls: list[int] = []
    hook = _Mark("patched")
    hook.after_train_iter = lambda runner, **kw: calls.append(kw["batch_idx"])  # type: ignore[method-assign]
    job["custom_hooks"] = [hook]
    Runner(**job).train()
    assert calls == [0, 1, 2, 3] * 2


def test_hook_type_error_names_the_hook(job: dict) -> None:
    class Bad(Hook):
        def before_run(self, runner: Any, extra: int) -> None:
            pass

    job["custom_hooks"] = [Bad()]
    with pytest.raises(TypeError, match="Bad"):
        Runner(**job).train()


def test_register_hook_from_config_with_priority(job: dict) -> None:
    runner = Runner(**job)
    runner.register_hook(dict(type="EmptyCacheHook", priority="HIGHEST"))
    assert type(runner.hooks[0]).__name__ == "EmptyCacheHook"
    with pytest.raises(TypeError, match="Hook or dict"):
        runner.register_hook("EmptyCacheHook")


def test_work_dir_layout_and_config_dump(job: dict) -> None:
    job["cfg"] = dict(note="hello")
    runner = Runner(**job)
    runner.train()
    work = Path(job["work_dir"])
    stamp = runner.timestamp
    assert (work / f"{stamp}.py").read_text().strip() == "note = 'hello'"
    assert (work / stamp / f"{stamp}.log").is_file()
    assert (work / stamp / "vis_data" / "scalars.json").is_file()
    assert (work / stamp / "vis_data" / f"{stamp}.json").is_file()
    assert (work / "last_checkpoint").read_text().strip().endswith("epoch_2.pth")


def test_runner_checkpoint_is_weights_only_safe(job: dict) -> None:
    runner = Runner(**job)
    runner.train()
    path = Path(job["work_dir"]) / "epoch_2.pth"
    checkpoint = torch.load(path, weights_only=True)
    assert checkpoint["meta"]["epoch"] == 2 and checkpoint["meta"]["iter"] == 8
    assert checkpoint["meta"]["mmengine_version"] == "0.10.7"
    assert set(checkpoint) == {"meta", "state_dict", "message_hub", "optimizer"}


def test_iteration_loop_restarts_the_dataloader_at_once(job: dict, caplog: Any) -> None:
    job["train_cfg"] = dict(by_epoch=False, max_iters=10)
    runner = Runner(**job)
    with caplog.at_level(logging.WARNING):
        runner.train()
    assert runner.iter == 10


def test_from_cfg_copies_the_config(job: dict) -> None:
    from engine.registry import DATASETS, MODELS
    from tests.runner.conftest import Tiny

    cfg = copy.deepcopy({k: v for k, v in job.items() if k != "model"})
    cfg["model"] = dict(type="Tiny")
    cfg["train_dataloader"]["dataset"] = dict(type="Pairs", n=4)
    MODELS.register_module(module=Tiny, force=True)
    DATASETS.register_module(module=Pairs, force=True)
    try:
        runner = Runner.from_cfg(cfg)
        runner.train()
    finally:
        MODELS.module_dict.pop("Tiny", None)
        DATASETS.module_dict.pop("Pairs", None)
    assert isinstance(runner.model, Tiny)
    assert cfg["model"] == dict(type="Tiny")
    assert runner.iter == 4
