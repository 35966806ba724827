"""Checkpoints cross between MMEngine 0.10.7 and engine, both ways.

MMEngine runs in the reference virtualenv (``.venv-ref``) as a subprocess:
it trains a tiny model with its ``Runner`` and writes its checkpoint, which
engine then loads; and it loads a runner-style checkpoint engine wrote. The
tests are skipped when the reference virtualenv is absent.
"""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import textwrap
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from torch import nn

from engine.logging import HistoryBuffer, MessageHub
from engine.optim import LinearLR, MultiStepLR, OptimWrapper
from engine.runner import checkpoint as ckpt
from engine.utils import _reset_manager_instances

REF_PYTHON = Path(__file__).resolve().parents[2] / ".venv-ref" / "bin" / "python"

pytestmark = pytest.mark.skipif(
    not REF_PYTHON.exists(), reason=f"reference MMEngine venv not found: {REF_PYTHON}"
)


def run_reference(script: str, cwd: Path, **env: str) -> str:
    """Run ``script`` with the reference Python in ``cwd``; return stdout."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("TORCH_FORCE")}
    environ.update(env, PYTHONWARNINGS="ignore", PYTHONPATH="")
    done = subprocess.run(
        [str(REF_PYTHON), "-c", textwrap.dedent(script)],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


# -- MMEngine writes, engine reads -------------------------------------------------

TRAIN_WITH_MMENGINE = """
    import json
    import numpy as np
    import torch
    from torch import nn
    from torch.utils.data import Dataset
    from mmengine.model import BaseModel
    from mmengine.runner import Runner

    class Toy(BaseModel):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(2, 1)

        def forward(self, x, y, mode='tensor'):
            out = self.fc(x)
            if mode == 'loss':
                return {'loss': ((out - y) ** 2).mean()}
            return out

    class Data(Dataset):
        metainfo = dict(classes=('a', 'b'), palette=np.array([[1, 2, 3]]))
        def __len__(self):
            return 8
        def __getitem__(self, i):
            return dict(x=torch.ones(2) * i, y=torch.ones(1))

    runner = Runner(
        model=Toy(), work_dir='work',
        train_dataloader=dict(
            dataset=Data(), batch_size=4,
            sampler=dict(type='DefaultSampler', shuffle=False),
            collate_fn=dict(type='default_collate')),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01, momentum=0.9)),
        param_scheduler=[
            dict(type='MultiStepLR', milestones=[1], by_epoch=True),
            dict(type='LinearLR', start_factor=0.5, end=1, by_epoch=True)],
        train_cfg=dict(by_epoch=True, max_epochs=2),
        default_hooks=dict(checkpoint=dict(type='CheckpointHook', interval=1)),
        randomness=dict(seed=3))
    runner.message_hub.update_info('np_info', np.float32(0.25))
    runner.train()
    loss = runner.message_hub.get_scalar('train/loss')
    torch.save(
        {'fc.weight': runner.model.fc.weight.detach(),
         'fc.bias': runner.model.fc.bias.detach(),
         'loss_history': torch.from_numpy(loss.data[0].copy()),
         'momentum': runner.optim_wrapper.optimizer.state_dict()['state'][0]
             ['momentum_buffer']},
        'expected.pth')
    print(json.dumps({'lr': runner.optim_wrapper.get_lr()['lr'][0]}))
"""


@pytest.fixture(scope="module")
def mmengine_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """A checkpoint MMEngine's Runner wrote, and values MMEngine reported."""
    root = tmp_path_factory.mktemp("mmengine_run")
    # MMEngine itself runs with weights_only off: its own loader needs it.
    out = run_reference(TRAIN_WITH_MMENGINE, root, TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD="1")
    expected = torch.load(root / "expected.pth", weights_only=True)
    expected.update(json.loads(out.strip().splitlines()[-1]))
    return root, expected


@pytest.fixture(autouse=True)
def _no_instances() -> Any:
    _reset_manager_instances()
    yield
    _reset_manager_instances()


def test_mmengine_runner_checkpoint_needs_more_than_weights_only(
    mmengine_run: tuple[Path, dict],
) -> None:
    root, _ = mmengine_run
    unsafe = set(
        torch.serialization.get_unsafe_globals_in_checkpoint(root / "work/epoch_2.pth")
    )
    assert "mmengine.logging.history_buffer.HistoryBuffer" in unsafe
    assert any(name.startswith("numpy") for name in unsafe)


def test_engine_reads_the_mmengine_runner_checkpoint(
    mmengine_run: tuple[Path, dict],
) -> None:
    root, expected = mmengine_run
    path = root / "work" / "epoch_2.pth"
    assert (root / "work" / "last_checkpoint").read_text().endswith("epoch_2.pth")
    assert ckpt.find_latest_checkpoint(root / "work") == str(path)

    class Toy(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc = nn.Linear(2, 1)

    model = Toy()
    checkpoint = ckpt.load_checkpoint(model, path, strict=True, logger="silent")
    assert torch.equal(model.fc.weight, expected["fc.weight"])
    assert torch.equal(model.fc.bias, expected["fc.bias"])
    meta = checkpoint["meta"]
    assert (meta["epoch"], meta["iter"], meta["seed"]) == (2, 4, 3)
    np.testing.assert_array_equal(meta["dataset_meta"]["palette"], [[1, 2, 3]])

    hub = MessageHub.get_instance("resumed")
    hub.load_state_dict(checkpoint["message_hub"])
    loss = hub.get_scalar("train/loss")
    assert type(loss) is HistoryBuffer
    np.testing.assert_array_equal(loss.data[0], expected["loss_history"].numpy())
    assert hub.get_info("np_info") == np.float32(0.25)
    assert hub.get_info("epoch") == 1 and hub.get_info("max_iters") == 4

    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    wrapper = OptimWrapper(optimizer)
    wrapper.load_state_dict(checkpoint["optimizer"])
    assert wrapper.get_lr()["lr"] == [expected["lr"]]
    momentum = optimizer.state_dict()["state"][0]["momentum_buffer"]
    assert torch.equal(momentum, expected["momentum"])

    multistep = MultiStepLR(optimizer, milestones=[1], by_epoch=True)
    linear = LinearLR(optimizer, start_factor=0.5, end=1, by_epoch=True)
    multistep.load_state_dict(checkpoint["param_schedulers"][0])
    linear.load_state_dict(checkpoint["param_schedulers"][1])
    assert multistep.milestones == Counter({1: 1})
    assert multistep.last_step == 1 and linear.last_step == 0


def test_engine_resaves_the_mmengine_checkpoint_weights_only(
    mmengine_run: tuple[Path, dict], tmp_path: Path
) -> None:
    root, expected = mmengine_run
    checkpoint = ckpt._load_checkpoint(root / "work" / "epoch_2.pth", logger="silent")
    ckpt.save_checkpoint(checkpoint, tmp_path / "again.pth")
    assert (
        torch.serialization.get_unsafe_globals_in_checkpoint(tmp_path / "again.pth")
        == []
    )
    again = ckpt._load_checkpoint(tmp_path / "again.pth", logger="silent")
    loss = again["message_hub"]["log_scalars"]["train/loss"]
    np.testing.assert_array_equal(loss.data[0], expected["loss_history"].numpy())
    assert again["meta"]["dataset_meta"]["palette"] == [[1, 2, 3]]


# -- engine writes, MMEngine reads -------------------------------------------------


class Toy(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(2, 1)


def engine_runner_checkpoint() -> tuple[dict, nn.Module]:
    """What a runner saves after a few steps, built from engine's parts."""
    torch.manual_seed(0)
    model = Toy()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    wrapper = OptimWrapper(optimizer)
    schedulers = [
        MultiStepLR(optimizer, milestones=[1], by_epoch=True),
        LinearLR(optimizer, start_factor=0.5, end=1, by_epoch=True),
    ]
    hub = MessageHub.get_instance("engine_run")
    for step in range(3):
        loss = model.fc(torch.ones(1, 2) * step).pow(2).mean()
        wrapper.update_params(loss)
        hub.update_scalar("train/loss", loss.item())
    for scheduler in schedulers:
        scheduler.step()
    hub.update_info("eta", np.float64(1.5))
    hub.update_info("iter", 3)
    meta = {
        "epoch": 1,
        "iter": 3,
        "seed": np.int64(7),
        "dataset_meta": {"classes": ("a", "b"), "palette": np.array([[1, 2, 3]])},
    }
    checkpoint = {
        "meta": meta,
        "state_dict": ckpt.weights_to_cpu(ckpt.get_state_dict(model)),
        "message_hub": hub.state_dict(),
        "optimizer": wrapper.state_dict(),
        "param_schedulers": [s.state_dict() for s in schedulers],
    }
    return checkpoint, model


READ_WITH_MMENGINE = """
    import json, sys
    import torch
    from torch import nn
    from mmengine.logging import MessageHub
    from mmengine.optim import LinearLR, MultiStepLR, OptimWrapper
    from mmengine.runner.checkpoint import _load_checkpoint, load_checkpoint

    class Toy(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(2, 1)

    model = Toy()
    checkpoint = load_checkpoint(model, 'engine.pth', strict=True)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    OptimWrapper(optimizer).load_state_dict(checkpoint['optimizer'])
    lr = optimizer.param_groups[0]['lr']
    multistep = MultiStepLR(optimizer, milestones=[1], by_epoch=True)
    multistep.load_state_dict(checkpoint['param_schedulers'][0])
    linear = LinearLR(optimizer, start_factor=0.5, end=1, by_epoch=True)
    linear.load_state_dict(checkpoint['param_schedulers'][1])
    hub = MessageHub.get_instance('resumed')
    hub.load_state_dict(checkpoint['message_hub'])
    torch.save({'weight': model.fc.weight.detach(),
                'momentum': optimizer.state_dict()['state'][0]['momentum_buffer']},
               'seen.pth')
    print(json.dumps({
        'meta': {k: v for k, v in checkpoint['meta'].items()},
        'lr': lr,
        'last_steps': [multistep.last_step, linear.last_step],
        'eta': hub.get_info('eta'),
        'iter': hub.get_info('iter'),
        'scalars': sorted(hub.log_scalars),
    }))
"""


def test_mmengine_reads_an_engine_checkpoint_weights_only(tmp_path: Path) -> None:
    checkpoint, model = engine_runner_checkpoint()
    ckpt.save_checkpoint(checkpoint, tmp_path / "engine.pth")
    # No TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD: MMEngine's torch.load is weights-only.
    seen = json.loads(
        run_reference(READ_WITH_MMENGINE, tmp_path).strip().splitlines()[-1]
    )
    tensors = torch.load(tmp_path / "seen.pth", weights_only=True)
    assert torch.equal(tensors["weight"], model.fc.weight)
    momentum = checkpoint["optimizer"]["state"][0]["momentum_buffer"]
    assert torch.equal(tensors["momentum"], momentum)
    assert seen["meta"] == {
        "epoch": 1,
        "iter": 3,
        "seed": 7,
        "dataset_meta": {"classes": ["a", "b"], "palette": [[1, 2, 3]]},
    }
    assert seen["lr"] == checkpoint["optimizer"]["param_groups"][0]["lr"]
    saved_steps = [s["last_step"] for s in checkpoint["param_schedulers"]]
    assert seen["last_steps"] == saved_steps == [1, 0]
    assert (seen["eta"], seen["iter"]) == (1.5, 3)
    # MMEngine skips the log scalars: engine stores HistoryBuffers as dicts.
    assert seen["scalars"] == []


# -- the API ---------------------------------------------------------------------

SIGNATURES = """
    import inspect, json
    from mmengine.runner import checkpoint as module

    def describe(function):
        return [[p.name, p.kind.name, repr(p.default)]
                for p in inspect.signature(function).parameters.values()]

    table = {}
    for name, obj in vars(module).items():
        if getattr(obj, '__module__', None) != module.__name__:
            continue
        if inspect.isfunction(obj):
            table[name] = describe(obj)
        elif inspect.isclass(obj) and name == 'CheckpointLoader':
            for method in ('register_scheme', 'load_checkpoint'):
                table[f'{name}.{method}'] = describe(getattr(obj, method))
    print(json.dumps(table))
"""


def describe(function: Any) -> list[list[str]]:
    parameters = inspect.signature(function).parameters.values()
    return [[p.name, p.kind.name, repr(p.default)] for p in parameters]


def test_signatures_extend_mmengine_s(tmp_path: Path) -> None:
    reference = json.loads(run_reference(SIGNATURES, tmp_path).strip().splitlines()[-1])
    assert (
        "load_checkpoint" in reference
        and "CheckpointLoader.load_checkpoint" in reference
    )
    for name, expected in reference.items():
        owner, _, attribute = name.rpartition(".")
        function = getattr(getattr(ckpt, owner) if owner else ckpt, attribute)
        found = describe(function)
        assert found[: len(expected)] == expected, name
        for extra in found[len(expected) :]:  # engine's additions
            assert extra[1] == "KEYWORD_ONLY" and extra[2] != repr(inspect._empty)
