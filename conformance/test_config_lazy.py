"""Conformance of pure-Python ("lazy import") config files.

Reference-derived (GAP G-26): the docs do not describe this config style.
The expected values are those of the doc's inheritance examples (CFG-03,
CFG-04, CFG-05, CFG-11), written in the lazy style: bases are imported in a
``with read_base():`` block instead of listed in ``_base_``, classes are
imported instead of named. What the docs do not say (that a plain
assignment replaces an inherited dict, the error for mixing styles) follows
MMEngine 0.10.7.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch
import torch.nn as nn

from conformance.harness.impl import Impl

OPTIMIZER_CFG = (
    "optimizer = dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=0.0001)\n"
)
OPTIMIZER_TEXT = "{'type': 'SGD', 'lr': 0.02, 'momentum': 0.9, 'weight_decay': 0.0001}"

Load = Callable[..., Any]
Write = Callable[[str, str], None]


@pytest.fixture
def write(tmp_path: Path, impl: Impl) -> Write:
    """Write a file under tmp_path; ``{impl}`` becomes the package name."""

    def write(rel_path: str, source: str) -> None:
        path = tmp_path / rel_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source).replace("{impl}", impl.name))

    return write


@pytest.fixture
def load(tmp_path: Path, impl: Impl, write: Write) -> Load:
    """Write ``{name: source}`` configs, then ``Config.fromfile`` the first."""

    def load(**files: str) -> Any:
        for name, source in files.items():
            write(f"{name}.py", source)
        first = next(iter(files))
        return impl.attr("config.Config").fromfile(str(tmp_path / f"{first}.py"))

    return load


def data_fields(cfg: Any) -> list[str]:
    """The config's fields less the functions it imported (``read_base``)."""
    return [key for key, value in cfg.items() if not callable(value)]


RESNET50 = """\
    from {impl}.config import read_base

    with read_base():
        from .optimizer_cfg import *

    model = dict(type='ResNet', depth=50)
"""


@pytest.mark.spec("CFG-04")
def test_single_base(load: Load) -> None:
    cfg = load(resnet50=RESNET50, optimizer_cfg=OPTIMIZER_CFG)
    assert str(cfg.optimizer) == OPTIMIZER_TEXT
    assert cfg.model == {"type": "ResNet", "depth": 50}


@pytest.mark.spec("CFG-05")
def test_multiple_bases(load: Load) -> None:
    cfg = load(
        resnet50_runtime="""\
            from {impl}.config import read_base

            with read_base():
                from .optimizer_cfg import *
                from .runtime_cfg import *

            model = dict(type='ResNet', depth=50)
        """,
        optimizer_cfg=OPTIMIZER_CFG,
        runtime_cfg="gpu_ids = [0, 1]\n",
    )
    assert data_fields(cfg) == ["optimizer", "gpu_ids", "model"]
    assert str(cfg.optimizer) == OPTIMIZER_TEXT
    assert cfg.gpu_ids == [0, 1]


@pytest.mark.spec("CFG-05")
def test_bases_in_parent_and_nested_folders(write: Write, load: Load) -> None:
    write("schedules/sgd.py", OPTIMIZER_CFG)
    write("models/resnet.py", RESNET50.replace(".optimizer_cfg", "..schedules.sgd"))
    cfg = load(
        child="""\
            from {impl}.config import read_base

            with read_base():
                from .models.resnet import model, optimizer
                from .runtime import *
        """,
        runtime="gpu_ids = [0]\n",
    )
    assert data_fields(cfg) == ["model", "optimizer", "gpu_ids"]
    assert str(cfg.optimizer) == OPTIMIZER_TEXT


@pytest.mark.spec("CFG-11")
def test_modify_a_base_variable(load: Load) -> None:
    cfg = load(
        modify_base_var="""\
            from {impl}.config import read_base

            with read_base():
                from .resnet50 import *

            a = model
            a.type = 'MobileNet'
            optimizer.lr = 0.01
        """,
        resnet50=RESNET50,
        optimizer_cfg=OPTIMIZER_CFG,
    )
    assert cfg.a == {"type": "MobileNet", "depth": 50}
    assert cfg.model == {"type": "MobileNet", "depth": 50}  # the same dict
    assert str(cfg.optimizer) == OPTIMIZER_TEXT.replace("0.02", "0.01")


@pytest.mark.spec("CFG-11")
def test_plain_assignment_replaces_an_inherited_dict(load: Load) -> None:
    cfg = load(
        child="""\
            from {impl}.config import read_base

            with read_base():
                from .optimizer_cfg import *

            optimizer = dict(lr=0.01)
        """,
        optimizer_cfg=OPTIMIZER_CFG,
    )
    assert cfg.optimizer == {"lr": 0.01}


@pytest.mark.spec("CFG-03")
def test_imported_class_builds_an_optimizer(load: Load, impl: Impl) -> None:
    cfg = load(
        config_sgd="""\
            from torch.optim import SGD

            optimizer = dict(type=SGD, lr=0.1, momentum=0.9, weight_decay=0.0001)
        """
    )
    assert cfg.optimizer.type is torch.optim.SGD
    model = nn.Conv2d(1, 1, 1)
    cfg.optimizer.params = model.parameters()
    optimizer = impl.attr("registry.OPTIMIZERS").build(cfg.optimizer)
    assert isinstance(optimizer, torch.optim.SGD)
    group = optimizer.param_groups[0]
    assert (group["lr"], group["momentum"], group["weight_decay"]) == (0.1, 0.9, 1e-4)


@pytest.mark.spec("CFG-04")
def test_plain_config_cannot_inherit_a_lazy_one(load: Load) -> None:
    with pytest.raises(RuntimeError):
        load(
            child="_base_ = ['resnet50.py']\n",
            resnet50=RESNET50,
            optimizer_cfg=OPTIMIZER_CFG,
        )


@pytest.mark.spec("CFG-04")
def test_lazy_config_cannot_inherit_a_base_list(load: Load) -> None:
    with pytest.raises(RuntimeError):
        load(
            child="""\
                from {impl}.config import read_base

                with read_base():
                    from .resnet50 import *
            """,
            resnet50="_base_ = ['optimizer_cfg.py']\nmodel = dict(type='ResNet')\n",
            optimizer_cfg=OPTIMIZER_CFG,
        )
