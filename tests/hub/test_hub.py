"""``get_config`` and ``get_model`` on a package written to tmp_path."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import torch

from engine.hub import get_config, get_model
from engine.registry import MODELS, DefaultScope

PACKAGE = "fakehubpkg"

FILES = {
    "__init__.py": "",
    "registry.py": """\
        from engine.registry import MODELS as ROOT_MODELS
        from engine.registry import Registry

        MODELS = Registry('model', parent=ROOT_MODELS, scope='fakehubpkg',
                          locations=['fakehubpkg.models'])
    """,
    "models.py": """\
        import torch.nn as nn

        from fakehubpkg.registry import MODELS


        @MODELS.register_module()
        class HubNet(nn.Module):

            def __init__(self, width=1, scale=1.0):
                super().__init__()
                self.fc = nn.Linear(width, 1)
                self.scale = scale
    """,
    ".mim/configs/net.py": "model = dict(type='HubNet', width=2)\n",
    ".mim/configs/remote.py": "model = dict(type='HubNet', width=2)\n",
    ".mim/configs/unlisted.py": "model = dict(type='HubNet', width=2)\n",
    ".mim/model-index.yml": "Import:\n  - configs/metafile.yml\n",
    ".mim/configs/metafile.yml": """\
        Models:
          - Name: net
            Config: configs/net.py
            Weights: file://{weights}
          - Name: remote
            Config: configs/remote.py
            Weights: https://example.invalid/remote.pth
    """,
}

MakePackage = Callable[..., Path]


@pytest.fixture
def make_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[MakePackage]:
    """Write the package (plus ``extra`` files); return its weights file."""
    monkeypatch.syspath_prepend(str(tmp_path))
    children = dict(MODELS.children)

    def make(**extra: str) -> Path:
        weights = tmp_path / "net.pth"
        torch.save({"state_dict": {"fc.weight": torch.full((1, 2), 7.0)}}, weights)
        for rel_path, source in {**FILES, **extra}.items():
            path = tmp_path / PACKAGE / rel_path
            path.parent.mkdir(parents=True, exist_ok=True)
            text = textwrap.dedent(source).replace("{weights}", str(weights))
            path.write_text(text)
        return weights

    yield make
    MODELS.children.clear()
    MODELS.children.update(children)
    for name in [m for m in sys.modules if m.split(".")[0] == PACKAGE]:
        del sys.modules[name]


def test_get_config(make_package: MakePackage) -> None:
    weights = make_package()
    cfg = get_config(f"{PACKAGE}::net.py")
    assert cfg.model == {"type": "HubNet", "width": 2}
    assert "model_path" not in cfg
    assert get_config(f"{PACKAGE}::net.py", pretrained=True).model_path == (
        f"file://{weights}"
    )


def test_unlisted_config_warns_and_has_no_model_path(
    make_package: MakePackage,
) -> None:
    make_package()
    with pytest.warns(UserWarning, match="lists no weights for this config"):
        cfg = get_config(f"{PACKAGE}::unlisted.py", pretrained=True)
    assert "model_path" not in cfg


def test_get_model_without_a_utils_module(make_package: MakePackage) -> None:
    make_package()
    model = get_model(f"{PACKAGE}::net.py", scale=2.0)
    assert type(model).__module__ == f"{PACKAGE}.models"
    assert (model.fc.in_features, model.scale) == (2, 2.0)
    assert DefaultScope.get_current_instance() is None  # scope restored


def test_get_model_pretrained_loads_a_file_url(make_package: MakePackage) -> None:
    make_package()
    model = get_model(f"{PACKAGE}::net.py", pretrained=True)
    assert torch.equal(model.fc.weight.data, torch.full((1, 2), 7.0))


def test_register_all_modules_is_called(make_package: MakePackage) -> None:
    make_package(
        **{
            "utils.py": """\
                CALLS = []

                def register_all_modules(init_default_scope=True):
                    CALLS.append(init_default_scope)
                    import fakehubpkg.models  # noqa: F401
            """
        }
    )
    get_model(f"{PACKAGE}::net.py")
    assert sys.modules[f"{PACKAGE}.utils"].CALLS == [True]


def test_broken_utils_module_is_not_hidden(make_package: MakePackage) -> None:
    make_package(**{"utils.py": "import no_such_module_q\n"})
    with pytest.raises(ModuleNotFoundError, match="no_such_module_q"):
        get_model(f"{PACKAGE}::net.py")


def test_remote_weights_name_the_url(make_package: MakePackage) -> None:
    make_package()
    with pytest.raises(RuntimeError, match="https://example.invalid/remote.pth"):
        get_model(f"{PACKAGE}::remote.py", pretrained=True)


def test_pretrained_without_weights(make_package: MakePackage) -> None:
    make_package()
    with pytest.warns(UserWarning), pytest.raises(ValueError, match="lists no weights"):
        get_model(f"{PACKAGE}::unlisted.py", pretrained=True)


def test_not_a_package_path() -> None:
    with pytest.raises(ValueError, match="'net.py'"):
        get_config("net.py")
