"""MLflow, DVCLive, W&B, ClearML, Neptune and Aim backends against fakes.

Each tracker's package is replaced by a fake module that records the public
API calls the backend makes, so these tests pin down *which* calls carry
what, without the trackers installed. The real round trips are in
``test_trackers_roundtrip.py`` (a CI job with the trackers installed).
"""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from engine.config import Config
from engine.visualization import (
    AimVisBackend,
    ClearMLVisBackend,
    DVCLiveVisBackend,
    MLflowVisBackend,
    NeptuneVisBackend,
    Visualizer,
    WandbVisBackend,
)

CONFIG = Config(dict(model=dict(type="Net", depth=50), lr=0.1, steps=(1, 2)))
IMAGE = np.zeros((2, 3, 3), np.uint8)


class Log(list):
    """Calls as ``(name, args, kwargs)``; ``obj(name)`` makes a recording callable."""

    def __call__(self, name: str, result: Any = None) -> Any:
        def record(*args: Any, **kwargs: Any) -> Any:
            self.append((name, args, kwargs))
            return result

        return record

    def named(self, name: str) -> list[tuple]:
        return [(args, kwargs) for call, args, kwargs in self if call == name]


def _module(
    monkeypatch: pytest.MonkeyPatch, name: str, **attrs: Any
) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__dict__.update(attrs)
    monkeypatch.setitem(sys.modules, name, module)
    return module


# -- MLflow --


@pytest.fixture
def mlflow(monkeypatch: pytest.MonkeyPatch) -> Log:
    log = Log()
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    experiments: dict[str, Any] = {}

    class Client:
        def get_experiment_by_name(self, name: str) -> Any:
            return experiments.get(name)

        def create_experiment(self, name: str, artifact_location: Any = None) -> str:
            log.append(
                (
                    "create_experiment",
                    (name,),
                    dict(artifact_location=artifact_location),
                )
            )
            experiments[name] = types.SimpleNamespace(experiment_id="7")
            return "7"

    names = [
        "set_tracking_uri", "set_experiment", "start_run", "set_tags", "log_params",
        "log_metric", "log_metrics", "log_image", "log_text", "log_artifact", "end_run",
    ]  # fmt: skip
    _module(monkeypatch, "mlflow", MlflowClient=Client, **{n: log(n) for n in names})
    return log


def test_mlflow_defaults_to_a_local_store_in_save_dir(
    mlflow: Log, tmp_path: Path
) -> None:
    backend = MLflowVisBackend(
        str(tmp_path / "vis_data"), run_name="r", tags={"t": "1"}, params={"p": 2}
    )
    backend.add_scalar("loss", torch.tensor(0.5), step=3)
    root = tmp_path / "vis_data"
    assert mlflow.named("set_tracking_uri") == [((f"sqlite:///{root}/mlflow.db",), {})]
    assert mlflow.named("create_experiment") == [
        (("engine",), dict(artifact_location=str(root / "mlartifacts")))
    ]
    assert mlflow.named("set_experiment") == [((), dict(experiment_id="7"))]
    assert mlflow.named("start_run") == [((), dict(run_name="r"))]
    assert mlflow.named("set_tags") == [(({"t": "1"},), {})]
    assert mlflow.named("log_params") == [(({"p": 2},), {})]
    assert mlflow.named("log_metric") == [(("loss", 0.5), dict(step=3))]


def test_mlflow_respects_a_given_uri_and_the_environment(
    mlflow: Log, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert (
        MLflowVisBackend(
            str(tmp_path), exp_name="e", tracking_uri="http://server"
        ).experiment
        is sys.modules["mlflow"]
    )
    assert mlflow.named("set_tracking_uri") == [(("http://server",), {})]
    assert mlflow.named("create_experiment") == [(("e",), dict(artifact_location=None))]
    mlflow.clear()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://env")
    assert MLflowVisBackend(str(tmp_path), exp_name="e").experiment  # "e" exists now
    assert (
        mlflow.named("set_tracking_uri") == []
        and mlflow.named("create_experiment") == []
    )


def test_mlflow_logging_calls(mlflow: Log, tmp_path: Path) -> None:
    backend = MLflowVisBackend(str(tmp_path), tracked_config_keys={"model": 1})
    backend.add_scalars({"a": np.float32(0.5), "b": 2}, step=4)
    backend.add_image("pred", IMAGE, step=5)
    backend.add_config(CONFIG)
    assert mlflow.named("log_metrics") == [(({"a": 0.5, "b": 2},), dict(step=4))]
    (image_call,) = mlflow.named("log_image")
    assert image_call[0][1] == "pred_5.png"
    assert mlflow.named("log_params") == [
        (({"model.type": "Net", "model.depth": "50"},), {})
    ]
    ((text, name),) = [args for args, _ in mlflow.named("log_text")]
    assert name == "config.py" and "lr = 0.1" in text


def test_mlflow_flatten_every_key_when_not_tracked(mlflow: Log, tmp_path: Path) -> None:
    MLflowVisBackend(str(tmp_path)).add_config(CONFIG)
    ((params,), _) = mlflow.named("log_params")[-1]
    assert params == {
        "model.type": "Net",
        "model.depth": "50",
        "lr": "0.1",
        "steps": "[1, 2]",
    }


def test_mlflow_close_uploads_the_run_files(mlflow: Log, tmp_path: Path) -> None:
    vis_data = tmp_path / "vis_data"
    backend = MLflowVisBackend(str(vis_data))
    backend.add_scalar("x", 1)
    (tmp_path / "20240101.log").write_text("log")
    (vis_data / "scalars.json").write_text("{}")
    (vis_data / "mlartifacts").mkdir()
    (vis_data / "mlartifacts" / "skip.json").write_text("{}")  # the store itself
    (tmp_path / "weights.pth").write_text("no")
    backend.close()
    uploaded = [
        (Path(args[0]).name, kwargs["artifact_path"])
        for args, kwargs in mlflow.named("log_artifact")
    ]
    assert uploaded == [("20240101.log", None), ("scalars.json", "vis_data")]
    assert len(mlflow.named("end_run")) == 1
    backend.close()  # closed: no second end_run
    assert len(mlflow.named("end_run")) == 1


# -- DVCLive --


@pytest.fixture
def dvclive(monkeypatch: pytest.MonkeyPatch) -> Log:
    log = Log()

    class Live:
        def __init__(self, **kwargs: Any) -> None:
            log.append(("Live", (), kwargs))
            self.step = 0

        def log_metric(self, name: str, value: Any) -> None:
            log.append(("log_metric", (name, value, self.step), {}))

        def log_image(self, name: str, image: Any) -> None:
            log.append(("log_image", (name, self.step), {}))

        log_params = property(lambda self: log("log_params"))
        log_artifact = property(lambda self: log("log_artifact"))
        end = property(lambda self: log("end"))

    _module(monkeypatch, "dvclive", Live=Live)
    return log


def test_dvclive_calls(dvclive: Log, tmp_path: Path) -> None:
    backend = DVCLiveVisBackend(
        str(tmp_path / "vis_data"), init_kwargs=dict(save_dvc_exp=False)
    )
    backend.add_scalars({"loss": torch.tensor(0.5), "acc": 1}, step=3)
    backend.add_image("pred", IMAGE, step=4)
    backend.add_config(CONFIG)
    assert dvclive.named("Live") == [
        ((), dict(dir=str(tmp_path / "vis_data"), save_dvc_exp=False))
    ]
    assert dvclive.named("log_metric") == [(("loss", 0.5, 3), {}), (("acc", 1, 3), {})]
    assert dvclive.named("log_image") == [(("pred_4.png", 4), {})]
    assert dvclive.named("log_params") == [
        (({"model": {"type": "Net", "depth": 50}, "lr": 0.1, "steps": [1, 2]},), {})
    ]
    assert (tmp_path / "vis_data" / "config.py").exists()
    (tmp_path / "run.log").write_text("log")
    (tmp_path / "extra.json").write_text("{}")
    backend.close()
    assert [Path(args[0]).name for args, _ in dvclive.named("log_artifact")] == [
        "extra.json"
    ]
    assert len(dvclive.named("end")) == 1


# -- W&B --


@pytest.fixture
def wandb(monkeypatch: pytest.MonkeyPatch) -> Log:
    log = Log()
    run = types.SimpleNamespace(
        define_metric=log("define_metric"),
        config=types.SimpleNamespace(update=log("config.update")),
        log=log("log"),
        watch=log("watch"),
        log_code=log("log_code"),
        finish=log("finish"),
    )
    _module(
        monkeypatch,
        "wandb",
        init=log("init", run),
        Image=lambda array: ("Image", array.shape),
    )
    return log


def test_wandb_calls(wandb: Log, tmp_path: Path) -> None:
    backend = WandbVisBackend(
        str(tmp_path),
        init_kwargs=dict(mode="offline", project="p"),
        define_metric_cfg={"acc": "max"},
        commit=False,
        log_code_name="code",
        watch_kwargs=dict(log="all"),
    )
    backend.add_scalar("loss", np.float64(0.5), step=9)
    backend.add_scalars({"acc": torch.tensor(0.25)}, step=10)
    backend.add_image("pred", IMAGE, step=11)
    backend.add_config(CONFIG)
    model = torch.nn.Linear(1, 1)
    backend.add_graph(model, [{}])
    backend.close()
    assert wandb.named("init") == [
        ((), dict(dir=str(tmp_path), mode="offline", project="p"))
    ]
    assert wandb.named("define_metric") == [(("acc",), dict(summary="max"))]
    assert wandb.named("log") == [
        (({"loss": 0.5},), dict(commit=False)),
        (({"acc": 0.25},), dict(commit=False)),
        (({"pred": ("Image", (2, 3, 3))},), dict(commit=False)),
    ]
    ((config,), kwargs) = wandb.named("config.update")[0]
    assert config["model"] == {"type": "Net", "depth": 50} and kwargs == dict(
        allow_val_change=True
    )
    assert wandb.named("log_code") == [((), dict(name="code"))]
    assert wandb.named("watch") == [((model,), dict(log="all"))]
    assert len(wandb.named("finish")) == 1


def test_wandb_define_metric_list(wandb: Log, tmp_path: Path) -> None:
    cfg = [dict(name="loss", step_metric="iter"), dict(name="acc", summary="max")]
    assert WandbVisBackend(str(tmp_path), define_metric_cfg=cfg).experiment
    assert wandb.named("define_metric") == [((), cfg[0]), ((), cfg[1])]


# -- ClearML, Neptune, Aim --


def test_clearml_calls(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    log = Log()
    logger = types.SimpleNamespace(
        report_scalar=log("report_scalar"), report_image=log("report_image")
    )
    task = types.SimpleNamespace(
        get_logger=lambda: logger,
        connect_configuration=log("connect_configuration"),
        upload_artifact=log("upload_artifact"),
        close=log("close"),
    )
    _module(
        monkeypatch, "clearml", Task=types.SimpleNamespace(init=log("Task.init", task))
    )
    backend = ClearMLVisBackend(
        str(tmp_path / "vis_data"), init_kwargs=dict(project_name="p")
    )
    backend.add_scalars({"loss": 0.5}, step=2)
    backend.add_image("pred", IMAGE, step=3)
    backend.add_config(CONFIG)
    (tmp_path / "cfg.py").write_text("a = 1")
    backend.close()
    assert log.named("Task.init") == [((), dict(project_name="p"))]
    assert log.named("report_scalar") == [
        ((), dict(title="loss", series="loss", value=0.5, iteration=2))
    ]
    ((_, kwargs),) = log.named("report_image")
    assert kwargs["title"] == "pred" and kwargs["iteration"] == 3
    assert log.named("connect_configuration")[0][1] == dict(name="config")
    assert [kw["name"] for _, kw in log.named("upload_artifact")] == ["cfg.py"]
    assert len(log.named("close")) == 1


def test_neptune_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    log = Log()

    class Run(dict):
        def __getitem__(self, key: str) -> Any:
            return types.SimpleNamespace(
                append=lambda value, step: log.append(
                    ("append", (key, value, step), {})
                )
            )

        def __setitem__(self, key: str, value: Any) -> None:
            log.append(("set", (key, value), {}))

        stop = property(lambda self: log("stop"))

    _module(monkeypatch, "neptune", init_run=log("init_run", Run()))
    _module(
        monkeypatch, "neptune.utils", stringify_unsupported=lambda value: ("str", value)
    )
    as_image = staticmethod(lambda pixels: ("File", float(pixels.max())))
    _module(monkeypatch, "neptune.types", File=type("File", (), {"as_image": as_image}))
    backend = NeptuneVisBackend(init_kwargs=dict(mode="offline"))
    backend.add_scalar("loss", torch.tensor(0.5), step=2)
    backend.add_image("pred", np.full((2, 2, 3), 255, np.uint8), step=3)
    backend.add_config(Config(dict(a=1)))
    backend.close()
    assert log.named("init_run") == [((), dict(mode="offline"))]
    assert log.named("append") == [
        (("loss", 0.5, 2), {}),
        (("pred", ("File", 1.0), 3), {}),
    ]
    assert log.named("set") == [(("config", ("str", {"a": 1})), {})]
    assert len(log.named("stop")) == 1


def test_aim_calls(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    log = Log()

    class Run:
        def __init__(self, **kwargs: Any) -> None:
            log.append(("Run", (), kwargs))

        def track(self, **kwargs: Any) -> None:
            log.append(("track", (), kwargs))

        def __setitem__(self, key: str, value: Any) -> None:
            log.append(("set", (key, value), {}))

        close = property(lambda self: log("close"))

    _module(monkeypatch, "aim", Run=Run, Image=lambda array: ("Image", array.shape))
    backend = AimVisBackend(str(tmp_path / "aim"))
    backend.add_scalars({"loss": np.float32(0.5)}, step=2)
    backend.add_image("pred", IMAGE, step=3)
    backend.add_config(Config(dict(a=(1, 2))))
    backend.close()
    assert log.named("Run") == [((), dict(repo=str(tmp_path / "aim")))]
    assert log.named("track") == [
        ((), dict(name="loss", value=0.5, step=2)),
        ((), dict(name="pred", value=("Image", (2, 3, 3)), step=3)),
    ]
    assert log.named("set") == [(("hparams", {"a": [1, 2]}), {})]
    assert len(log.named("close")) == 1


# -- missing packages --


@pytest.mark.parametrize(
    ("backend_cls", "module", "pip"),
    [
        (MLflowVisBackend, "mlflow", "pip install mlflow"),
        (DVCLiveVisBackend, "dvclive", "pip install dvclive"),
        (WandbVisBackend, "wandb", "pip install wandb"),
        (ClearMLVisBackend, "clearml", "pip install clearml"),
        (NeptuneVisBackend, "neptune", "pip install -U neptune"),
        (AimVisBackend, "aim", "pip install aim"),
    ],
)
def test_missing_tracker_package_is_named(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    backend_cls: Any,
    module: str,
    pip: str,
) -> None:
    monkeypatch.setitem(sys.modules, module, None)
    backend = backend_cls(str(tmp_path))
    with pytest.raises(ImportError, match=f"'{module}' package.*`{pip}`"):
        backend.add_scalar("loss", 1.0)
    backend.close()  # never started: a no-op
    vis = Visualizer(vis_backends=backend_cls(str(tmp_path)))
    with pytest.raises(ImportError, match=module):  # not swallowed by the guard
        vis.add_scalar("loss", 1.0)
