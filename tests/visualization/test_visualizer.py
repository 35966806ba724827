"""Visualizer: backends, storage dispatch, tracker failures, show(), close()."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from engine.config import Config
from engine.registry import VISBACKENDS, VISUALIZERS
from engine.visualization import BaseVisBackend, LocalVisBackend, Visualizer, _show


class Recorder(BaseVisBackend):
    """Records every call; ``fail_on`` names a method that raises."""

    def __init__(self, save_dir: str = "unused", fail_on: str | None = None) -> None:
        super().__init__(save_dir)
        self.calls: list[tuple] = []
        self.fail_on = fail_on

    def _init_env(self) -> None:
        pass

    @property
    def experiment(self) -> Recorder:
        return self

    def _record(self, method: str, *args: Any) -> None:
        if method == self.fail_on:
            raise OSError(f"tracker down in {method}")
        self.calls.append((method, *args))

    def add_config(self, config: Any, **kwargs: Any) -> None:
        self._record("add_config", config)

    def add_graph(self, model: Any, data_batch: Any, **kwargs: Any) -> None:
        self._record("add_graph", model, data_batch)

    def add_image(self, name: str, image: Any, step: int = 0, **kwargs: Any) -> None:
        self._record("add_image", name, step)

    def add_scalar(self, name: str, value: Any, step: int = 0, **kwargs: Any) -> None:
        self._record("add_scalar", name, value, step)

    def add_scalars(
        self, scalar_dict: dict, step: int = 0, file_path: Any = None, **kwargs: Any
    ) -> None:
        self._record("add_scalars", scalar_dict, step, file_path)

    def close(self) -> None:
        self._record("close")


class MissingTracker(Recorder):
    def add_scalar(self, name: str, value: Any, step: int = 0, **kwargs: Any) -> None:
        raise ImportError("MissingTracker needs the 'nothere' package")


# -- construction --


def test_defaults_match_mmengine() -> None:
    vis = Visualizer()
    assert vis.instance_name == "visualizer"
    assert vis.fig_save_cfg == {"frameon": False} == vis.fig_show_cfg
    assert vis._vis_backends == {} and vis.dataset_meta is None


def test_backend_configs_get_vis_data_under_save_dir(tmp_path: Path) -> None:
    vis = Visualizer(
        vis_backends=[
            dict(type="LocalVisBackend", name="a"),
            dict(type="LocalVisBackend", name="b", save_dir=str(tmp_path / "own")),
        ],
        save_dir=str(tmp_path),
    )
    assert vis.get_backend("a")._save_dir == str(tmp_path / "vis_data")  # type: ignore[union-attr]
    assert vis.get_backend("b")._save_dir == str(tmp_path / "own")  # type: ignore[union-attr]
    assert list(tmp_path.iterdir()) == []  # nothing written yet


def test_single_dict_and_instances(tmp_path: Path) -> None:
    one = Visualizer(vis_backends=dict(type="LocalVisBackend"), save_dir=str(tmp_path))
    assert isinstance(one.get_backend("LocalVisBackend"), LocalVisBackend)
    recorder = Recorder()
    assert Visualizer(vis_backends=recorder).get_backend("Recorder") is recorder


def test_config_dict_entries_are_not_mutated(tmp_path: Path) -> None:
    cfg = dict(type="LocalVisBackend", name="x")
    Visualizer(vis_backends=[cfg], save_dir=str(tmp_path))
    assert cfg == dict(type="LocalVisBackend", name="x")


def test_missing_save_dir_skips_the_backend_with_a_warning() -> None:
    with pytest.warns(UserWarning, match="Failed to add LocalVisBackend.*save_dir"):
        vis = Visualizer(vis_backends=[dict(type="LocalVisBackend")])
    assert vis._vis_backends == {}


@pytest.mark.parametrize("bad", [[1], 5, "LocalVisBackend", [dict(), 3]])
def test_bad_vis_backends_type(bad: Any) -> None:
    with pytest.raises(TypeError, match="list of dicts or a list of BaseBackend"):
        Visualizer(vis_backends=bad, save_dir="unused")


def test_duplicate_names_raise(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="LocalVisBackend already exists"):
        Visualizer(
            vis_backends=[dict(type="LocalVisBackend")] * 2, save_dir=str(tmp_path)
        )


def test_unknown_backend_type_is_a_registry_error(tmp_path: Path) -> None:
    with pytest.raises(KeyError, match="NoSuchBackend"):
        Visualizer(vis_backends=[dict(type="NoSuchBackend")], save_dir=str(tmp_path))


def test_registered_in_visualizers_and_every_backend_in_visbackends() -> None:
    assert VISUALIZERS.get("Visualizer") is Visualizer
    for name in [
        "LocalVisBackend",
        "TensorboardVisBackend",
        "MLflowVisBackend",
        "DVCLiveVisBackend",
        "WandbVisBackend",
        "ClearMLVisBackend",
        "NeptuneVisBackend",
        "AimVisBackend",
    ]:
        assert issubclass(VISBACKENDS.get(name), BaseVisBackend)


def test_get_instance_and_dataset_meta() -> None:
    vis = Visualizer.get_instance("mine", image=np.zeros((4, 4, 3), np.uint8))
    assert Visualizer.get_current_instance() is vis
    assert Visualizer.get_instance("mine") is vis
    vis.dataset_meta = dict(classes=("cat",), palette=[(255, 0, 0)])
    assert vis.dataset_meta == dict(classes=("cat",), palette=[(255, 0, 0)])


# -- storage --


def test_storage_calls_reach_every_backend() -> None:
    first, second = Recorder(), Recorder()
    second_name = Recorder.__name__
    vis = Visualizer(vis_backends=[first])
    vis._vis_backends["second"] = second  # two instances of one class
    config = Config(dict(a=1))
    vis.add_config(config)
    vis.add_graph("model", [{}])
    vis.add_image("img", np.zeros((2, 2, 3), np.uint8), step=3)
    vis.add_scalar("loss", 0.5, step=1)
    vis.add_scalars({"acc": 0.9}, step=2, file_path="f.json")
    expected = [
        ("add_config", config),
        ("add_graph", "model", [{}]),
        ("add_image", "img", 3),
        ("add_scalar", "loss", 0.5, 1),
        ("add_scalars", {"acc": 0.9}, 2, "f.json"),
    ]
    assert first.calls == expected == second.calls
    assert second_name in vis._vis_backends


def test_add_datasample_is_a_no_op_hook() -> None:
    recorder = Recorder()
    vis = Visualizer(vis_backends=recorder)
    assert vis.add_datasample("x", np.zeros((2, 2, 3), np.uint8)) is None
    assert recorder.calls == []


def test_storage_runs_on_the_main_process_only(monkeypatch: pytest.MonkeyPatch) -> None:
    import engine.logging._dist_info as dist_info

    recorder = Recorder()
    vis = Visualizer(vis_backends=recorder)
    monkeypatch.setattr(dist_info, "rank_and_world_size", lambda: (1, 2))
    vis.add_scalar("loss", 1.0)
    vis.add_scalars({"loss": 1.0})
    assert recorder.calls == []
    monkeypatch.setattr(dist_info, "rank_and_world_size", lambda: (0, 2))
    vis.add_scalar("loss", 1.0)
    assert recorder.calls == [("add_scalar", "loss", 1.0, 0)]


def test_a_failing_backend_is_logged_once_and_disabled(
    log_records: list[logging.LogRecord], tmp_path: Path
) -> None:
    broken, healthy = Recorder(fail_on="add_scalars"), Recorder()
    vis = Visualizer(vis_backends=[broken, LocalVisBackend(str(tmp_path))])
    vis._vis_backends["healthy"] = healthy
    vis.add_scalars({"loss": 1.0}, step=1)  # training goes on
    vis.add_scalars({"loss": 0.5}, step=2)
    vis.add_scalar("lr", 0.1, step=2)
    vis.close()
    errors = [r for r in log_records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    message = errors[0].getMessage()
    assert "'Recorder'" in message and "add_scalars()" in message
    assert "OSError: tracker down in add_scalars" in message
    assert "Traceback" in message
    assert broken.calls == []  # disabled: not even close() is called
    assert healthy.calls[-1] == ("close",) and len(healthy.calls) == 4
    lines = (tmp_path / "scalars.json").read_text().splitlines()
    assert [json.loads(line)["step"] for line in lines] == [1, 2, 2]


def test_a_failing_close_is_logged_too(log_records: list[logging.LogRecord]) -> None:
    vis = Visualizer(vis_backends=Recorder(fail_on="close"))
    vis.close()
    assert sum("close()" in r.getMessage() for r in log_records) == 1


def test_a_missing_tracker_package_still_raises() -> None:
    vis = Visualizer(vis_backends=MissingTracker())
    with pytest.raises(ImportError, match="nothere"):
        vis.add_scalar("loss", 1.0)


# -- show / close --


def test_show_headless_returns_at_once_and_logs_once(
    monkeypatch: pytest.MonkeyPatch, log_records: list[logging.LogRecord]
) -> None:
    monkeypatch.setattr(_show, "_warned", False)
    waits: list[Any] = []
    monkeypatch.setattr(_show, "wait_continue", lambda *a, **k: waits.append(a))
    vis = Visualizer(image=np.zeros((8, 8, 3), np.uint8))
    vis.show()  # wait_time 0 would wait for a key in a window
    vis.show(np.zeros((3, 3, 3), np.uint8), wait_time=0)
    assert waits == []  # never waited for a key
    notes = [r for r in log_records if "nothing is shown" in r.getMessage()]
    assert len(notes) == 1 and notes[0].levelno == logging.WARNING


def test_show_with_a_window_draws_and_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    import matplotlib.pyplot as plt

    waited: list[tuple] = []
    monkeypatch.setattr(_show, "has_display", lambda: True)
    monkeypatch.setattr(_show, "interactive_backend", lambda: True)
    monkeypatch.setattr(
        _show,
        "wait_continue",
        lambda fig, timeout, continue_key: waited.append((timeout, continue_key)),
    )
    vis = Visualizer(image=np.zeros((8, 8, 3), np.uint8))
    vis.show(win_name="preview", wait_time=2, continue_key="q")
    assert waited == [(2, "q")]
    assert plt.fignum_exists(vis._fig_show.number)
    vis.close()
    assert vis._fig_show is None
    assert plt.get_fignums() == []


def test_show_backend_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    vis = Visualizer(image=np.zeros((8, 8, 3), np.uint8))
    with pytest.raises(ValueError, match="'matplotlib' or 'cv2'"):
        vis.show(backend="qt")
    monkeypatch.setitem(sys.modules, "cv2", None)  # import cv2 fails
    with pytest.raises(ImportError, match="opencv-python"):
        vis.show(backend="cv2")


def test_show_cv2_headless_is_a_no_op(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    fake = type("cv2", (), {"imshow": lambda *a: calls.append("imshow")})
    monkeypatch.setitem(sys.modules, "cv2", fake)
    monkeypatch.setattr(_show, "has_display", lambda: False)
    Visualizer(image=np.zeros((8, 8, 3), np.uint8)).show(backend="cv2")
    assert calls == []


def test_has_display_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert not _show.has_display()
    monkeypatch.setenv("DISPLAY", ":0")
    assert _show.has_display()
