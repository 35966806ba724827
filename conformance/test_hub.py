"""Conformance of ``hub.get_config`` / ``hub.get_model`` (docs L6168-6205).

The doc's example needs mmdet and a download (CFG-25). The substitute is a
package written to ``tmp_path`` that follows the installation convention:
configs in ``<pkg>/.mim/configs/``, a model index ``<pkg>/.mim/model-index.yml``
importing a metafile whose ``Weights`` is a local checkpoint, a
``registry`` with a child ``MODELS`` of the package scope, and
``utils.register_all_modules``. MMEngine only resolves the OpenMMLab package
names, so the package is called ``mmflow``; it also needs distribution
metadata (``*.dist-info``). When MMEngine cannot find a package it runs
``pip install``: the fixture disables pip's index so nothing is downloaded.
"""

from __future__ import annotations

import os
import sys
import textwrap
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import torch

from conformance.harness.impl import Impl

PACKAGE = "mmflow"

FILES = {
    "__init__.py": "",
    "registry.py": """\
        from {impl}.registry import MODELS as ROOT_MODELS
        from {impl}.registry import Registry

        MODELS = Registry('model', parent=ROOT_MODELS, scope='mmflow',
                          locations=['mmflow.models'])
    """,
    "models.py": """\
        import torch.nn as nn

        from mmflow.registry import MODELS


        @MODELS.register_module()
        class ToyFlow(nn.Module):

            def __init__(self, width=1, scale=1.0):
                super().__init__()
                self.fc = nn.Linear(width, 1)
                self.scale = scale
    """,
    "utils.py": """\
        def register_all_modules(init_default_scope=True):
            import mmflow.models  # noqa: F401
    """,
    ".mim/configs/toy/toy_flow.py": "model = dict(type='ToyFlow', width=2)\n",
    ".mim/configs/toy/unlisted.py": "model = dict(type='ToyFlow', width=2)\n",
    ".mim/model-index.yml": "Import:\n  - configs/toy/metafile.yml\n",
    ".mim/configs/toy/metafile.yml": """\
        Collections:
          - Name: Toy
        Models:
          - Name: toy_flow
            In Collection: Toy
            Config: configs/toy/toy_flow.py
            Weights: {weights}
    """,
}


@pytest.fixture
def package(
    tmp_path: Path, impl: Impl, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """Install the toy package; return its checkpoint. Undo it afterwards."""
    weights = tmp_path / "toy_flow.pth"
    root = tmp_path / "site"
    for rel_path, source in FILES.items():
        path = root / PACKAGE / rel_path
        path.parent.mkdir(parents=True, exist_ok=True)
        text = textwrap.dedent(source).replace("{impl}", impl.name)
        path.write_text(text.replace("{weights}", str(weights)))
    dist_info = root / f"{PACKAGE}-0.0.1.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {PACKAGE}\nVersion: 0.0.1\n"
    )
    (dist_info / "top_level.txt").write_text(f"{PACKAGE}\n")
    torch.save(
        {"meta": {}, "state_dict": {"fc.weight": torch.full((1, 2), 3.0),
                                    "fc.bias": torch.full((1,), 5.0)}},
        weights,
    )  # fmt: skip
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.syspath_prepend(str(root))
    models = impl.attr("registry.MODELS")
    children = dict(models.children)
    yield weights
    models.children.clear()
    models.children.update(children)
    for name in [m for m in sys.modules if m.split(".")[0] == PACKAGE]:
        del sys.modules[name]


def hub(impl: Impl, name: str) -> Any:
    return impl.attr(f"hub.{name}")


@pytest.mark.spec("CFG-25")
def test_get_config_reads_the_package_config(impl: Impl, package: Path) -> None:
    cfg = hub(impl, "get_config")(f"{PACKAGE}::toy/toy_flow.py")
    assert cfg.model == {"type": "ToyFlow", "width": 2}
    assert "model_path" not in cfg


@pytest.mark.spec("CFG-25")
def test_get_config_pretrained_sets_model_path(impl: Impl, package: Path) -> None:
    cfg = hub(impl, "get_config")(f"{PACKAGE}::toy/toy_flow.py", pretrained=True)
    assert cfg.model_path == str(package)
    assert cfg.model == {"type": "ToyFlow", "width": 2}


@pytest.mark.spec("CFG-25")
def test_get_config_of_a_config_without_weights(impl: Impl, package: Path) -> None:
    # The model index does not list this config: it gets no model_path.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cfg = hub(impl, "get_config")(f"{PACKAGE}::toy/unlisted.py", pretrained=True)
    assert "model_path" not in cfg


@pytest.mark.spec("CFG-25")
def test_get_model_builds_the_registered_class(impl: Impl, package: Path) -> None:
    model = hub(impl, "get_model")(f"{PACKAGE}::toy/toy_flow.py")
    assert (
        f"{type(model).__module__}.{type(model).__qualname__}"
        == "mmflow.models.ToyFlow"
    )
    assert model.fc.in_features == 2


@pytest.mark.spec("CFG-25")
def test_get_model_pretrained_loads_the_weights(impl: Impl, package: Path) -> None:
    model = hub(impl, "get_model")(f"{PACKAGE}::toy/toy_flow.py", pretrained=True)
    assert torch.equal(model.fc.weight.data, torch.full((1, 2), 3.0))
    assert torch.equal(model.fc.bias.data, torch.full((1,), 5.0))


@pytest.mark.spec("CFG-25")
def test_get_model_passes_kwargs_to_the_model(impl: Impl, package: Path) -> None:
    model = hub(impl, "get_model")(f"{PACKAGE}::toy/toy_flow.py", scale=0.5)
    assert model.scale == 0.5
    assert model.fc.in_features == 2


@pytest.mark.spec("CFG-25")
def test_missing_config_is_file_not_found(impl: Impl, package: Path) -> None:
    with pytest.raises(FileNotFoundError):
        hub(impl, "get_config")(f"{PACKAGE}::toy/no_such.py")
