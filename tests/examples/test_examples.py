"""The examples run (scaled down) and learn something."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from engine.registry import DATASETS, METRICS, MODELS
from engine.utils import _reset_manager_instances

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def _clean() -> Iterator[None]:
    _reset_manager_instances()
    yield
    _reset_manager_instances()
    sys.modules.pop("my_awesome_model", None)
    for registry, name in (
        (MODELS, "MyAwesomeModel"),
        (DATASETS, "MyDataset"),
        (METRICS, "Accuracy"),
    ):
        registry.module_dict.pop(name, None)


def test_quickstart_trains_and_writes_checkpoints(tmp_path: Path) -> None:
    quickstart = _load("quickstart")
    accuracy = quickstart.main(
        [
            "--epochs",
            "2",
            "--work-dir",
            str(tmp_path),
            "--train-size",
            "512",
            "--val-size",
            "256",
        ]
    )
    assert accuracy > 20.0  # 10 classes: well above chance after 2 epochs
    assert (tmp_path / "epoch_2.pth").is_file()


def test_my_awesome_model_in_python(tmp_path: Path) -> None:
    example = _load("my_awesome_model")
    runner = example.main(
        ["--work-dir", str(tmp_path), "--epochs", "3", "--train-size", "640"]
    )
    assert runner.epoch == 3
    assert runner.message_hub.get_scalar("val/accuracy").current() > 50.0


def test_example_config_through_train_script(tmp_path: Path) -> None:
    train = _load("train")
    train.main(
        [
            str(EXAMPLES / "example_config.py"),
            "--work-dir",
            str(tmp_path),
            "--cfg-options",
            "train_cfg.max_epochs=2",
            "train_dataloader.dataset.size=640",
            "train_dataloader.num_workers=0",
            "val_dataloader.num_workers=0",
        ]
    )
    assert (tmp_path / "epoch_2.pth").is_file()
    assert (tmp_path / "example_config.py").is_file()
