"""engine.runner.checkpoint: saving, loading into models, state dicts."""

from __future__ import annotations

import errno
import logging
import os
import resource
import signal
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import torch
from torch import nn

from engine.logging import MMLogger
from engine.registry import MODEL_WRAPPERS
from engine.runner import checkpoint as ckpt
from engine.utils import _reset_manager_instances


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.levelname} {record.getMessage()}")


@pytest.fixture(autouse=True)
def records() -> Iterator[Records]:
    """Messages logged on the current MMLogger during the test."""
    _reset_manager_instances()
    handler = Records()
    MMLogger.get_current_instance().addHandler(handler)
    yield handler
    _reset_manager_instances()


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(2, 3)
        self.bn = nn.BatchNorm1d(3)


class Wrapper(nn.Module):
    """A model wrapper: the model is its ``module``."""

    def __init__(self, module: nn.Module) -> None:
        super().__init__()
        self.module = module


@pytest.fixture
def wrapper_registered() -> Iterator[None]:
    MODEL_WRAPPERS.register_module(module=Wrapper, force=True)
    yield
    MODEL_WRAPPERS.module_dict.pop("Wrapper", None)


# -- save_checkpoint ----------------------------------------------------------


def test_save_creates_folders_and_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "epoch_1.pth"
    state = {"meta": {"epoch": 1}, "state_dict": {"w": torch.arange(3.0)}}
    ckpt.save_checkpoint(state, str(path))
    loaded = torch.load(path, weights_only=True)
    assert loaded["meta"] == {"epoch": 1}
    assert torch.equal(loaded["state_dict"]["w"], torch.arange(3.0))


def test_save_accepts_a_path_object(tmp_path: Path) -> None:
    ckpt.save_checkpoint({"a": 1}, tmp_path / "p.pth")
    assert torch.load(tmp_path / "p.pth", weights_only=True) == {"a": 1}


def test_save_leaves_no_temporary_file(tmp_path: Path) -> None:
    ckpt.save_checkpoint({"a": 1}, tmp_path / "a.pth")
    ckpt.save_checkpoint({"a": 2}, tmp_path / "a.pth")
    assert sorted(os.listdir(tmp_path)) == ["a.pth"]


def test_failing_torch_save_keeps_the_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "latest.pth"
    ckpt.save_checkpoint({"epoch": 1}, path)
    before = path.read_bytes()

    def half_then_fail(obj: Any, file: Any, *args: Any, **kwargs: Any) -> None:
        file.write(b"PK\x03\x04 partial")
        raise RuntimeError("killed midway")

    monkeypatch.setattr(torch, "save", half_then_fail)
    with pytest.raises(RuntimeError, match="killed midway"):
        ckpt.save_checkpoint({"epoch": 2}, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["latest.pth"]


@pytest.fixture
def small_file_size_limit() -> Iterator[int]:
    """Writes beyond 64 KiB fail with EFBIG, as on a full disk."""
    limit = 64 * 1024
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield limit
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)


@pytest.mark.usefixtures("small_file_size_limit")
def test_full_disk_keeps_the_previous_file(tmp_path: Path) -> None:
    path = tmp_path / "latest.pth"
    ckpt.save_checkpoint({"w": torch.zeros(10)}, path)
    before = path.read_bytes()
    with pytest.raises((OSError, RuntimeError)) as info:
        ckpt.save_checkpoint({"w": torch.zeros(100_000)}, path)
    chain: list[BaseException] = []
    error: BaseException | None = info.value
    while error is not None:
        chain.append(error)
        error = error.__cause__ or error.__context__
    assert any(getattr(e, "errno", None) == errno.EFBIG for e in chain)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["latest.pth"]


@pytest.fixture
def schemes() -> Iterator[None]:
    saved = ckpt.CheckpointLoader._schemes.copy()
    yield
    ckpt.CheckpointLoader._schemes = saved


@pytest.mark.usefixtures("schemes")
def test_save_and_load_through_an_fsspec_backend() -> None:
    pytest.importorskip("fsspec")
    # memory:// stands for s3://: both go through engine.fileio's backends.
    ckpt.CheckpointLoader.register_scheme("memory://", ckpt.load_from_ceph)
    uri = "memory://ckpt-test/epoch_1.pth"
    ckpt.save_checkpoint({"w": torch.ones(2)}, uri)
    loaded = ckpt.CheckpointLoader.load_checkpoint(uri, logger="silent")
    assert torch.equal(loaded["w"], torch.ones(2))


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_file_client_args_is_deprecated(tmp_path: Path, records: Records) -> None:
    path = tmp_path / "a.pth"
    ckpt.save_checkpoint({"a": 1}, path, file_client_args=dict(backend="disk"))
    assert torch.load(path, weights_only=True) == {"a": 1}
    assert (
        'WARNING "file_client_args" will be deprecated in future. Please use '
        '"backend_args" instead' in records.lines
    )


def test_file_client_args_and_backend_args_exclude_each_other(
    tmp_path: Path,
) -> None:
    with pytest.raises(ValueError, match="cannot be set at the same time"):
        ckpt.save_checkpoint(
            {}, tmp_path / "a.pth", file_client_args={}, backend_args={}
        )


def test_unsafe_values_are_saved_with_a_warning(
    tmp_path: Path, records: Records
) -> None:
    path = tmp_path / "a.pth"
    ckpt.save_checkpoint({"model": nn.Linear(1, 1)}, path)
    [line] = [x for x in records.lines if x.startswith("WARNING")]
    assert f"{path}: the checkpoint holds values" in line
    assert "checkpoint['model']: torch.nn.modules.linear.Linear" in line
    loaded = ckpt._load_checkpoint(path, weights_only=False, logger="silent")
    assert isinstance(loaded["model"], nn.Linear)


# -- loading --------------------------------------------------------------------


def test_load_checkpoint_strips_module_prefix(tmp_path: Path, capsys: Any) -> None:
    source = Net()
    state = {f"module.{k}": v for k, v in source.state_dict().items()}
    path = tmp_path / "a.pth"
    torch.save({"state_dict": state, "meta": {"epoch": 3}}, path)
    model = Net()
    checkpoint = ckpt.load_checkpoint(model, str(path), strict=True)
    assert checkpoint["meta"] == {"epoch": 3}
    assert torch.equal(model.fc.weight, source.fc.weight)
    assert capsys.readouterr().out == (
        f"Loads checkpoint by local backend from path: {path}\n"
    )


def test_load_checkpoint_of_a_bare_state_dict(tmp_path: Path) -> None:
    source = Net()
    torch.save(source.state_dict(), tmp_path / "a.pth")
    model = Net()
    ckpt.load_checkpoint(model, tmp_path / "a.pth", strict=True, logger="silent")
    assert torch.equal(model.fc.bias, source.fc.bias)


def test_load_checkpoint_revise_keys(tmp_path: Path) -> None:
    source = Net()
    state = {f"backbone.{k}": v for k, v in source.state_dict().items()}
    torch.save({"state_dict": state}, tmp_path / "a.pth")
    model = Net()
    ckpt.load_checkpoint(
        model,
        tmp_path / "a.pth",
        strict=True,
        logger="silent",
        revise_keys=[(r"^backbone\.", "")],
    )
    assert torch.equal(model.fc.weight, source.fc.weight)


def test_empty_revise_keys_on_a_plain_dict(tmp_path: Path) -> None:
    # MMEngine 0.10.7 raises AttributeError here; engine loads the keys as is.
    source = Net()
    torch.save({"state_dict": dict(source.state_dict())}, tmp_path / "a.pth")
    model = Net()
    ckpt.load_checkpoint(model, tmp_path / "a.pth", strict=True, revise_keys=[])
    assert torch.equal(model.fc.weight, source.fc.weight)


def test_revise_keys_renames_the_metadata(tmp_path: Path) -> None:
    seen: dict[str, Any] = {}

    class Spy(nn.Linear):
        def _load_from_state_dict(
            self, state_dict: Any, prefix: str, *args: Any
        ) -> None:
            seen[prefix] = args[0]
            super()._load_from_state_dict(state_dict, prefix, *args)

    state = OrderedDict(
        (f"module.0.{k}", v) for k, v in nn.Linear(2, 2).state_dict().items()
    )
    state._metadata = OrderedDict([("module.0", {"version": 7})])  # type: ignore[attr-defined]
    ckpt._load_checkpoint_to_model(nn.Sequential(Spy(2, 2)), {"state_dict": state})
    assert seen == {"0.": {"version": 7}}


def test_checkpoint_that_is_not_a_dict(tmp_path: Path) -> None:
    torch.save([1, 2], tmp_path / "a.pth")
    with pytest.raises(RuntimeError, match="No state_dict found in checkpoint file"):
        ckpt.load_checkpoint(Net(), tmp_path / "a.pth", logger="silent")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nope.pth can not be found."):
        ckpt.load_checkpoint(Net(), str(tmp_path / "nope.pth"), logger="silent")


def test_map_location(tmp_path: Path) -> None:
    torch.save({"w": torch.ones(1)}, tmp_path / "a.pth")
    loaded = ckpt._load_checkpoint(tmp_path / "a.pth", map_location="meta")
    assert loaded["w"].device.type == "meta"


def test_load_checkpoint_with_prefix(tmp_path: Path, capsys: Any) -> None:
    state = {"backbone.w": torch.ones(1), "head.b": torch.zeros(1)}
    torch.save({"state_dict": state}, tmp_path / "a.pth")
    for prefix in ("backbone.", "backbone"):
        loaded = ckpt._load_checkpoint_with_prefix(prefix, tmp_path / "a.pth")
        assert list(loaded) == ["w"]
    assert "Loads checkpoint by local backend" in capsys.readouterr().out
    with pytest.raises(
        AssertionError, match=r"^neck\. is not in the pretrained model$"
    ):
        ckpt._load_checkpoint_with_prefix("neck", tmp_path / "a.pth")


# -- load_state_dict ---------------------------------------------------------------

HEADER = "The model and loaded state dict do not match exactly\n"


def mismatched_state() -> dict[str, torch.Tensor]:
    state = dict(Net().state_dict())
    state["fc.weight"] = torch.zeros(4, 2)
    state["zz"] = torch.zeros(1)
    state["aa"] = torch.zeros(1)
    del state["fc.bias"], state["bn.weight"]
    return state


EXPECTED_REPORT = (
    HEADER + "\nsize mismatch for fc.weight: copying a param with shape "
    "torch.Size([4, 2]) from checkpoint, the shape in current model is "
    "torch.Size([3, 2]).\n"
    "unexpected key in source state_dict: zz, aa\n\n"
    "missing keys in source state_dict: fc.bias, bn.weight\n"
)


def test_load_state_dict_reports_every_mismatch(records: Records) -> None:
    model = Net()
    weight = model.fc.weight.detach().clone()
    state = mismatched_state()
    ckpt.load_state_dict(model, state, logger="current")
    assert records.lines == [f"WARNING {EXPECTED_REPORT}"]
    assert torch.equal(model.fc.weight, weight)  # the mismatched one is skipped
    assert torch.equal(model.bn.running_var, state["bn.running_var"])


def test_load_state_dict_prints_without_a_logger(capsys: Any) -> None:
    ckpt.load_state_dict(Net(), mismatched_state())
    assert capsys.readouterr().out == EXPECTED_REPORT + "\n"


def test_load_state_dict_strict_raises_the_report() -> None:
    with pytest.raises(RuntimeError) as info:
        ckpt.load_state_dict(Net(), mismatched_state(), strict=True)
    assert str(info.value) == EXPECTED_REPORT


def test_missing_num_batches_tracked_is_not_reported(capsys: Any) -> None:
    state = dict(Net().state_dict())
    del state["bn.num_batches_tracked"]
    assert ckpt.load_state_dict(Net(), state, strict=True) is None
    assert capsys.readouterr().out == ""


def test_load_state_dict_runs_the_module_hooks() -> None:
    model = nn.Linear(1, 1)
    calls: list[Any] = []
    model.register_load_state_dict_post_hook(lambda m, keys: calls.append(keys))
    ckpt.load_state_dict(model, {"weight": torch.ones(1, 1)}, logger="silent")
    assert calls[0].missing_keys == ["bias"]


def test_load_state_dict_does_not_modify_its_input() -> None:
    state = {"module.weight": torch.ones(1, 1)}
    ckpt.load_state_dict(nn.Linear(1, 1), state, logger="silent")
    assert list(state) == ["module.weight"]


@pytest.mark.usefixtures("wrapper_registered")
def test_load_state_dict_looks_through_wrappers() -> None:
    source = Net()
    nested = nn.Sequential(Wrapper(Net()))
    state = {f"0.{k}": v for k, v in source.state_dict().items()}
    ckpt.load_state_dict(nested, state, strict=True)
    assert torch.equal(nested[0].module.fc.weight, source.fc.weight)
    top = Wrapper(Net())
    ckpt.load_state_dict(top, source.state_dict(), strict=True)
    with pytest.raises(RuntimeError, match="unexpected key in source state_dict: "):
        ckpt.load_state_dict(
            top, {f"module.{k}": v for k, v in source.state_dict().items()}, True
        )


def test_torch_wrappers_are_looked_through() -> None:
    model = nn.DataParallel(Net())
    assert list(ckpt.get_state_dict(model)) == list(Net().state_dict())


# -- get_state_dict / weights_to_cpu -------------------------------------------


@pytest.mark.usefixtures("wrapper_registered")
def test_get_state_dict_unwraps_one_wrapper_per_level() -> None:
    model = nn.Sequential(Wrapper(nn.Linear(1, 1)), nn.Linear(1, 1))
    state = ckpt.get_state_dict(model)
    assert list(state) == ["0.weight", "0.bias", "1.weight", "1.bias"]
    assert state._metadata == {
        "": {"version": 1},
        "0": {"version": 1},
        "1": {"version": 1},
    }
    double = Wrapper(Wrapper(nn.Linear(1, 1)))
    assert list(ckpt.get_state_dict(double)) == ["module.weight", "module.bias"]


def test_get_state_dict_prefix_keep_vars_and_hooks() -> None:
    model = nn.Linear(1, 1)
    model.register_buffer("scratch", torch.ones(1), persistent=False)
    model._register_state_dict_hook(
        lambda module, state, prefix, meta: state.__setitem__(f"{prefix}extra", 1)
    )
    state = ckpt.get_state_dict(model, prefix="p.", keep_vars=True)
    assert list(state) == ["p.weight", "p.bias", "p.extra"]
    assert isinstance(state["p.weight"], nn.Parameter)
    assert list(state._metadata) == ["p"]
    detached = ckpt.get_state_dict(model)
    assert not isinstance(detached["weight"], nn.Parameter)


def test_get_state_dict_into_a_given_dict() -> None:
    destination: dict[str, Any] = {}
    result = ckpt.get_state_dict(nn.Linear(1, 1), destination=destination)
    assert result is destination and list(destination) == ["weight", "bias"]


def test_weights_to_cpu_keeps_keys_metadata_and_nesting() -> None:
    state = nn.Linear(1, 1).state_dict()
    state["nested"] = {"t": [torch.ones(1)]}
    state["n"] = 3
    result = ckpt.weights_to_cpu(state)
    assert type(result) is OrderedDict
    assert list(result) == list(state)
    assert result._metadata == state._metadata  # type: ignore[attr-defined]
    assert torch.equal(result["nested"]["t"][0], torch.ones(1))
    assert result["n"] == 3
    assert type(ckpt.weights_to_cpu({"w": torch.ones(1)})) is OrderedDict


def test_save_to_state_dict_is_deprecated(records: Records) -> None:
    destination: OrderedDict = OrderedDict()
    ckpt._save_to_state_dict(nn.Linear(1, 1), destination, "p.", False)
    assert list(destination) == ["p.weight", "p.bias"]
    assert records.lines[0].startswith(
        "WARNING 'engine.runner._checkpoint.state_dict._save_to_state_dict' is "
        "deprecated in version 0.3.0"
    )


# -- find_latest_checkpoint --------------------------------------------------------


def test_find_latest_checkpoint(tmp_path: Path, capsys: Any) -> None:
    assert ckpt.find_latest_checkpoint(str(tmp_path)) is None
    assert capsys.readouterr().out == "Did not find last_checkpoint to be resumed.\n"
    (tmp_path / "last_checkpoint").write_text("  /w/epoch_3.pth \n\n")
    assert ckpt.find_latest_checkpoint(tmp_path) == "/w/epoch_3.pth"
    (tmp_path / "last_checkpoint").write_text("")
    assert ckpt.find_latest_checkpoint(tmp_path) == ""
