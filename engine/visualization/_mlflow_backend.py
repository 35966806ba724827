""":class:`MLflowVisBackend`: an MLflow run through MLflow's fluent API.

Tracking store: ``tracking_uri`` if given, else ``$MLFLOW_TRACKING_URI`` if
set, else a local store inside ``save_dir``: ``sqlite:///<save_dir>/mlflow.db``
with artifacts in ``<save_dir>/mlartifacts`` (MLflow 3 refuses plain
``./mlruns`` file stores unless ``MLFLOW_ALLOW_FILE_STORE=true``; a
``file:`` URI still works where it is allowed). ``mlflow ui
--backend-store-uri sqlite:///<save_dir>/mlflow.db`` shows the run.

Scalars are metrics with their step, images are artifacts
``<name>_<step>.png``, the config is logged as flattened params
(``model.backbone.depth``) and as the artifact ``config.py``. On
:meth:`~MLflowVisBackend.close` the run's files ending with
``artifact_suffix`` are uploaded and the run ends.
"""

from __future__ import annotations

import os
import os.path as osp
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.registry import VISBACKENDS
from engine.utils._errors import CompatTypeError
from engine.visualization._base_backend import (
    BaseVisBackend,
    artifact_files,
    force_init_env,
    import_tracker,
    to_builtin,
    to_plain,
)

if TYPE_CHECKING:
    from engine.config import Config

__all__ = ["MLflowVisBackend"]

#: The experiment used when ``exp_name`` is None.
DEFAULT_EXPERIMENT = "engine"
#: MLflow's limit on the length of a param value.
MAX_PARAM_LENGTH = 6000


@VISBACKENDS.register_module()
class MLflowVisBackend(BaseVisBackend):
    """Log to an MLflow run.

    Args:
        save_dir: Local directory (the default store and the artifacts).
        exp_name: The experiment, created if missing. Defaults to None
            (``'engine'``).
        run_name: The run name. Defaults to None (MLflow picks one).
        tags: Tags of the run. Defaults to None.
        params: Params logged when the run starts. Defaults to None.
        tracking_uri: The tracking store. Defaults to None (see the module).
        artifact_suffix: Name endings of the run's files uploaded on
            :meth:`close`. Defaults to ``('.json', '.log', '.py', 'yaml')``.
        tracked_config_keys: Config keys (dotted, e.g. ``'optim_wrapper'``)
            whose values become params; None logs every key. Defaults to None.
        artifact_location: Artifact location of a new experiment. Defaults
            to None (``<save_dir>/mlartifacts`` for the local store).

    Examples:
        >>> backend = MLflowVisBackend('work_dir/vis_data', exp_name='demo')
        >>> backend.add_scalar('loss', 0.5, step=1)  # doctest: +SKIP
        >>> backend.close()
    """

    def __init__(
        self,
        save_dir: str,
        exp_name: str | None = None,
        run_name: str | None = None,
        tags: dict | None = None,
        params: dict | None = None,
        tracking_uri: str | None = None,
        artifact_suffix: Sequence[str] | str = (".json", ".log", ".py", "yaml"),
        tracked_config_keys: dict | None = None,
        artifact_location: str | None = None,
    ) -> None:
        super().__init__(save_dir)
        self._exp_name = exp_name
        self._run_name = run_name
        self._tags = tags
        self._params = params
        self._tracking_uri = tracking_uri
        self._artifact_suffix = artifact_suffix
        self._tracked_config_keys = tracked_config_keys
        self._artifact_location = artifact_location

    def _local_store(self) -> tuple[str, str]:
        """The default store URI and artifact location inside ``save_dir``."""
        root = osp.abspath(self._save_dir)
        return f"sqlite:///{root}/mlflow.db", osp.join(root, "mlartifacts")

    def _init_env(self) -> None:
        """Point MLflow at the store, pick the experiment, start the run."""
        mlflow = import_tracker("mlflow", "MLflowVisBackend")
        os.makedirs(self._save_dir, exist_ok=True)
        uri, artifacts = self._tracking_uri, self._artifact_location
        if uri is None and not os.environ.get("MLFLOW_TRACKING_URI"):
            uri, local_artifacts = self._local_store()
            artifacts = artifacts or local_artifacts
        if uri is not None:
            mlflow.set_tracking_uri(uri)
        name = self._exp_name or DEFAULT_EXPERIMENT
        client = mlflow.MlflowClient()
        experiment = client.get_experiment_by_name(name)
        if experiment is None:
            experiment_id = client.create_experiment(name, artifact_location=artifacts)
        else:
            experiment_id = experiment.experiment_id
        mlflow.set_experiment(experiment_id=experiment_id)
        self._run = mlflow.start_run(run_name=self._run_name)
        if self._tags is not None:
            mlflow.set_tags(self._tags)
        if self._params is not None:
            mlflow.log_params(self._params)
        self._mlflow = mlflow

    @property
    @force_init_env
    def experiment(self) -> Any:
        """The ``mlflow`` module, with this backend's run active."""
        return self._mlflow

    def _flatten(self, d: dict, parent_key: str = "", sep: str = ".") -> dict:
        """``{'a': {'b': 1}}`` -> ``{'a.b': 1}``; other values unchanged."""
        flat: dict = {}
        for key, value in d.items():
            path = f"{parent_key}{sep}{key}" if parent_key else str(key)
            if isinstance(value, dict):
                flat.update(self._flatten(value, path, sep))
            else:
                flat[path] = value
        return flat

    def _tracked(self, flat: dict) -> dict:
        keys = self._tracked_config_keys
        if keys is None:
            return flat
        return {
            path: value
            for path, value in flat.items()
            if any(path == key or path.startswith(f"{key}.") for key in keys)
        }

    @force_init_env
    def add_config(self, config: Config, **kwargs: Any) -> None:
        """Log the config as params and as the artifact ``config.py``.

        Args:
            config: The config.
            **kwargs: Unused.
        """
        flat = self._tracked(self._flatten(to_plain(config.to_dict())))
        params = {key: str(value)[:MAX_PARAM_LENGTH] for key, value in flat.items()}
        if params:
            self._mlflow.log_params(params)
        self._mlflow.log_text(config.pretty_text, "config.py")

    @force_init_env
    def add_image(
        self, name: str, image: np.ndarray, step: int = 0, **kwargs: Any
    ) -> None:
        """Log ``image`` as the artifact ``<name>_<step>.png``.

        Args:
            name: The image's name.
            image: An RGB uint8 ``(H, W, 3)`` image.
            step: The global step. Defaults to 0.
            **kwargs: Unused.
        """
        self._mlflow.log_image(np.asarray(image), f"{name}_{step}.png")

    @force_init_env
    def add_scalar(self, name: str, value: Any, step: int = 0, **kwargs: Any) -> None:
        """Log the metric ``name`` at ``step``.

        Args:
            name: The metric.
            value: A number, numpy scalar or one-element tensor.
            step: The global step. Defaults to 0.
            **kwargs: Unused.
        """
        self._mlflow.log_metric(name, to_builtin(value), step=step)

    @force_init_env
    def add_scalars(
        self,
        scalar_dict: dict,
        step: int = 0,
        file_path: str | None = None,
        **kwargs: Any,
    ) -> None:
        """Log every metric of ``scalar_dict`` at ``step``.

        Args:
            scalar_dict: Metric to value.
            step: The global step. Defaults to 0.
            file_path: Unused.
            **kwargs: Unused.
        """
        if not isinstance(scalar_dict, dict):
            raise CompatTypeError(
                f"scalar_dict must be a dict, got {type(scalar_dict).__name__}"
            )
        metrics = {key: to_builtin(value) for key, value in scalar_dict.items()}
        self._mlflow.log_metrics(metrics, step=step)

    def close(self) -> None:
        """Upload the run's files ending with ``artifact_suffix``; end the run."""
        if not getattr(self, "_env_initialized", False):
            return
        db, store = self._local_store()
        skip = [db.removeprefix("sqlite:///"), store]
        for path, folder in artifact_files(self._save_dir, self._artifact_suffix, skip):
            self._mlflow.log_artifact(path, artifact_path=folder or None)
        self._mlflow.end_run()
        self._env_initialized = False
