"""Finding weights in a package's model index, and loading them."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import torch
import torch.nn as nn

from engine.hub._checkpoint import load_weights, local_path
from engine.hub.metafile import find_weights
from engine.logging import MMLogger


def write_index(root: Path, metafile: str | None) -> None:
    (root / ".mim/configs/toy").mkdir(parents=True)
    (root / ".mim/model-index.yml").write_text(
        "Import:\n  - configs/toy/metafile.yml\n"
    )
    if metafile is not None:
        (root / ".mim/configs/toy/metafile.yml").write_text(metafile)


METAFILE = """\
Collections:
  - Name: Toy
Models:
  - Name: listed
    Config: configs/toy/listed.py
    Weights: https://example.invalid/listed.pth
  - Name: other_name
    Config: configs/toy/b.py
    Weights: /weights/b.pth
  - Name: dotted
    Config: ./configs/toy/dotted.py
    Weights: /weights/dotted.pth
  - Name: no_weights
    Config: configs/toy/no_weights.py
"""


@pytest.mark.parametrize(
    ("rel_path", "expected"),
    [
        ("toy/listed.py", "https://example.invalid/listed.pth"),
        ("toy/b.py", "/weights/b.pth"),  # matched by Config, not by Name
        ("toy/dotted.py", None),  # Config must match exactly
        ("toy/unlisted.py", None),
        ("toy/../toy/listed.py", None),
    ],
)
def test_find_weights(tmp_path: Path, rel_path: str, expected: str | None) -> None:
    write_index(tmp_path, METAFILE)
    assert find_weights(str(tmp_path), rel_path) == expected


def test_model_without_weights(tmp_path: Path) -> None:
    write_index(tmp_path, METAFILE)
    with pytest.raises(ValueError, match="model 'no_weights'.*has no `Weights`"):
        find_weights(str(tmp_path), "toy/no_weights.py")


def test_missing_model_index(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"model-index\.yml does not exist"):
        find_weights(str(tmp_path), "toy/listed.py")


def test_missing_metafile(tmp_path: Path) -> None:
    write_index(tmp_path, None)
    with pytest.raises(FileNotFoundError, match=r"metafile\.yml, imported by"):
        find_weights(str(tmp_path), "toy/listed.py")


def test_invalid_yaml(tmp_path: Path) -> None:
    write_index(tmp_path, "Models: [\n")
    with pytest.raises(ValueError, match="invalid YAML"):
        find_weights(str(tmp_path), "toy/listed.py")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("file:///tmp/w%20x.pth", "/tmp/w x.pth"),
        ("/tmp/w.pth", "/tmp/w.pth"),
        ("w.pth", "w.pth"),
        ("C:/w.pth", "C:/w.pth"),
        ("https://example.invalid/w.pth", None),
        ("s3://bucket/w.pth", None),
    ],
)
def test_local_path(url: str, expected: str | None) -> None:
    assert local_path(url) == expected


class Toy(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(2, 1)
        self.extra = nn.Linear(1, 1)


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.levelname} {record.getMessage()}")


def test_load_weights_from_a_state_dict_entry(tmp_path: Path) -> None:
    path = tmp_path / "w.pth"
    state = {"module.fc.weight": torch.full((1, 2), 3.0), "fc.bias": torch.ones(1)}
    torch.save({"meta": {}, "state_dict": state}, path)
    model = Toy()
    records = Records()
    MMLogger.get_current_instance().addHandler(records)
    load_weights(model, f"file://{path}", "pkg::toy.py")
    assert torch.equal(model.fc.weight.data, torch.full((1, 2), 3.0))
    assert torch.equal(model.fc.bias.data, torch.ones(1))
    assert records.lines == [
        f"INFO Loads checkpoint by local backend from path: {path}",
        f"WARNING {path}: missing keys in the model: ['extra.weight', "
        "'extra.bias']; unexpected keys in the checkpoint: []",
    ]


def test_load_weights_from_a_bare_state_dict(tmp_path: Path) -> None:
    path = tmp_path / "w.pth"
    torch.save(Toy().state_dict(), path)
    model = Toy()
    load_weights(model, str(path), "pkg::toy.py")
    assert torch.equal(model.fc.weight, torch.load(path)["fc.weight"])


def test_remote_weights_are_not_downloaded() -> None:
    url = "https://example.invalid/w.pth"
    with pytest.raises(RuntimeError, match=f"'pkg::toy.py' are at {url}, which"):
        load_weights(Toy(), url, "pkg::toy.py")


def test_missing_weights_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="can not be found"):
        load_weights(Toy(), str(tmp_path / "nope.pth"), "pkg::toy.py")


def test_checkpoint_without_state_dict(tmp_path: Path) -> None:
    path = tmp_path / "w.pth"
    torch.save([1, 2], path)
    with pytest.raises(ValueError, match="no state dict"):
        load_weights(Toy(), str(path), "pkg::toy.py")
