"""``Runner``: builds every component of a training job and runs its loops.

Everything may be given built or as a config; configs are built lazily, so
a job that only tests never builds its optimizer or train dataloader.
"""

from __future__ import annotations

import copy
import os.path as osp
from collections.abc import Callable
from typing import Any

from engine._identity import ROOT_SCOPE
from engine.registry import RUNNERS
from engine.runner import _build, _ckpt, _env
from engine.runner._args import as_config, check_components
from engine.runner._dataloader import build_dataloader
from engine.runner._hook_list import DEFAULT_HOOKS, HookList
from engine.runner._runner_parts import RunnerComponents, instance

__all__ = ["Runner"]

_DEFAULT_ENV = {"dist_cfg": {"backend": "nccl"}}


@RUNNERS.register_module()
class Runner(RunnerComponents):
    """Train, validate and test a model as MMEngine's ``Runner`` does.

    Args:
        model: The model (``nn.Module`` with ``train_step``/``val_step``/
            ``test_step``, e.g. a ``BaseModel``) or its config.
        work_dir: Where logs, configs and checkpoints go.
        train_dataloader: A ``DataLoader`` or its config (see
            :meth:`build_dataloader`); with ``train_cfg`` and
            ``optim_wrapper``, all or none.
        val_dataloader: Validation data; with ``val_cfg`` and
            ``val_evaluator``, all or none.
        test_dataloader: Test data; with ``test_cfg`` and ``test_evaluator``.
        train_cfg: The train loop: ``dict(by_epoch=True, max_epochs=...)``,
            ``dict(by_epoch=False, max_iters=...)`` or ``dict(type=...)``.
        val_cfg: The val loop config (``dict()`` for ``ValLoop``).
        test_cfg: The test loop config (``dict()`` for ``TestLoop``).
        auto_scale_lr: ``dict(base_batch_size=..., enable=True)`` scales the
            lr by the real total batch size over the base.
        optim_wrapper: An optimizer wrapper, an optimizer or a config.
        param_scheduler: A scheduler, a config or a list of them (a dict of
            lists with several optimizers).
        val_evaluator: An ``Evaluator``, a metric config or a list of them.
        test_evaluator: As ``val_evaluator``.
        default_hooks: Hooks by name, merged with the defaults
            (``runtime_info``, ``timer``, ``sampler_seed``, ``logger``,
            ``param_scheduler``, ``checkpoint``); ``None`` removes one.
        custom_hooks: More hooks (objects or configs).
        data_preprocessor: The model's data preprocessor config, used when
            ``model`` is a config without one.
        load_from: A checkpoint to load the weights from.
        resume: Resume training from ``load_from`` or, if unset, from the
            latest checkpoint in ``work_dir``.
        launcher: ``'none'``, ``'pytorch'``, ``'slurm'`` or ``'mpi'``.
        env_cfg: ``cudnn_benchmark``, ``mp_cfg`` and ``dist_cfg``.
        log_processor: The ``LogProcessor`` config.
        log_level: The logger's level.
        visualizer: A ``Visualizer`` or its config.
        default_scope: The registry scope of the job.
        randomness: ``seed`` (drawn and shared by the ranks when None),
            ``diff_rank_seed`` and ``deterministic``.
        experiment_name: The experiment's name (a timestamp is appended).
        cfg: The whole config, dumped into ``work_dir``.

    Examples:
        >>> # runner = Runner(model=MyModel(), work_dir='./work_dir',
        >>> #     train_dataloader=dict(dataset=..., batch_size=32,
        >>> #                           sampler=dict(type='DefaultSampler')),
        >>> #     train_cfg=dict(by_epoch=True, max_epochs=5),
        >>> #     optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01)))
        >>> # runner.train()
    """

    def __init__(
        self,
        model: Any,
        work_dir: str,
        train_dataloader: Any = None,
        val_dataloader: Any = None,
        test_dataloader: Any = None,
        train_cfg: dict | None = None,
        val_cfg: dict | None = None,
        test_cfg: dict | None = None,
        auto_scale_lr: dict | None = None,
        optim_wrapper: Any = None,
        param_scheduler: Any = None,
        val_evaluator: Any = None,
        test_evaluator: Any = None,
        default_hooks: dict | None = None,
        custom_hooks: list | None = None,
        data_preprocessor: Any = None,
        load_from: str | None = None,
        resume: bool = False,
        launcher: str = "none",
        env_cfg: dict = _DEFAULT_ENV,
        log_processor: dict | None = None,
        log_level: str = "INFO",
        visualizer: Any = None,
        default_scope: str = ROOT_SCOPE,
        randomness: dict = {"seed": None},  # noqa: B006 (MMEngine's default)
        experiment_name: str | None = None,
        cfg: Any = None,
    ) -> None:
        from engine.utils import mkdir_or_exist

        self._work_dir = osp.abspath(work_dir)
        mkdir_or_exist(self._work_dir)
        self.cfg = as_config(cfg)
        check_components(locals())
        self._train_dataloader = train_dataloader
        self._train_loop: Any = train_cfg
        self.optim_wrapper: Any = optim_wrapper
        self.auto_scale_lr = auto_scale_lr
        self.param_schedulers: Any = param_scheduler
        self._val_dataloader = val_dataloader
        self._val_loop: Any = val_cfg
        self._val_evaluator = val_evaluator
        self._test_dataloader = test_dataloader
        self._test_loop: Any = test_cfg
        self._test_evaluator = test_evaluator
        self._launcher = launcher
        self._distributed = launcher != "none"
        self._load_from = load_from
        self._resume = resume
        self._has_loaded = False
        env_cfg = copy.deepcopy(dict(env_cfg))
        self._start(env_cfg, randomness, experiment_name, default_scope)
        self.log_processor = self.build_log_processor(log_processor or {})
        self.logger = self.build_logger(log_level=log_level)
        self.logger.info(_env.env_banner(self, env_cfg))
        if self.cfg._cfg_dict:
            self.logger.info(f"Config:\n{self.cfg.pretty_text}")
        self.message_hub = self.build_message_hub()
        self.visualizer = self.build_visualizer(visualizer)
        if self.cfg._cfg_dict:
            self.visualizer.add_config(self.cfg)
        self._set_model(model, data_preprocessor)
        self._hooks = HookList()
        self.register_hooks(default_hooks, custom_hooks)
        self.logger.info(
            f"Hooks will be executed in the following order:\n{self.get_hooks_info()}"
        )
        self.dump_config()

    def _start(
        self, env_cfg: dict, randomness: dict, experiment_name: str | None, scope: str
    ) -> None:
        """Processes, seeds, the shared timestamp, the log dir and the scope."""
        from engine.dist import get_dist_info
        from engine.utils import mkdir_or_exist

        self.setup_env(env_cfg)
        self._rank, self._world_size = get_dist_info()
        self._randomness_cfg = dict(randomness)
        self.set_randomness(**self._randomness_cfg)
        self._timestamp = _env.shared_timestamp()
        self._experiment_name = self._name_experiment(experiment_name)
        self._log_dir = osp.join(self._work_dir, self._timestamp)
        mkdir_or_exist(self._log_dir)
        self._set_default_scope(scope)

    def _set_model(self, model: Any, data_preprocessor: Any) -> None:
        """Build (with ``data_preprocessor`` for a config) and wrap the model."""
        if isinstance(model, dict) and data_preprocessor is not None:
            model = copy.copy(model)
            model.setdefault("data_preprocessor", data_preprocessor)
        self.model = self.wrap_model(
            self.cfg.get("model_wrapper_cfg"), self.build_model(model)
        )
        bare = getattr(self.model, "module", self.model)
        self.model_name = type(bare).__name__

    @classmethod
    def from_cfg(cls, cfg: Any) -> Runner:
        """Build a Runner from a whole config (``Config`` or dict).

        Examples:
            >>> # runner = Runner.from_cfg(Config.fromfile('config.py'))
        """
        cfg = copy.deepcopy(cfg)
        return cls(
            model=cfg["model"],
            work_dir=cfg["work_dir"],
            train_dataloader=cfg.get("train_dataloader"),
            val_dataloader=cfg.get("val_dataloader"),
            test_dataloader=cfg.get("test_dataloader"),
            train_cfg=cfg.get("train_cfg"),
            val_cfg=cfg.get("val_cfg"),
            test_cfg=cfg.get("test_cfg"),
            auto_scale_lr=cfg.get("auto_scale_lr"),
            optim_wrapper=cfg.get("optim_wrapper"),
            param_scheduler=cfg.get("param_scheduler"),
            val_evaluator=cfg.get("val_evaluator"),
            test_evaluator=cfg.get("test_evaluator"),
            default_hooks=cfg.get("default_hooks"),
            custom_hooks=cfg.get("custom_hooks"),
            data_preprocessor=cfg.get("data_preprocessor"),
            load_from=cfg.get("load_from"),
            resume=cfg.get("resume", False),
            launcher=cfg.get("launcher", "none"),
            env_cfg=cfg.get("env_cfg", _DEFAULT_ENV),
            log_processor=cfg.get("log_processor"),
            log_level=cfg.get("log_level", "INFO"),
            visualizer=cfg.get("visualizer"),
            default_scope=cfg.get("default_scope", ROOT_SCOPE),
            randomness=cfg.get("randomness", {"seed": None}),
            experiment_name=cfg.get("experiment_name"),
            cfg=cfg,
        )

    def _name_experiment(self, experiment_name: str | None) -> str:
        if experiment_name is not None:
            return f"{experiment_name}_{self._timestamp}"
        if self.cfg.filename is not None:
            stem = osp.splitext(osp.basename(self.cfg.filename))[0]
            return f"{stem}_{self._timestamp}"
        return self._timestamp

    def _set_default_scope(self, default_scope: str) -> None:
        from engine.registry import DefaultScope

        self.default_scope = instance(
            DefaultScope, self._experiment_name, scope_name=default_scope
        )

    # --- running --------------------------------------------------------

    def train(self) -> Any:
        """Build what training needs, then run the train loop.

        Returns:
            The trained model.
        """
        bare = getattr(self.model, "module", self.model)
        if not hasattr(bare, "train_step"):
            raise RuntimeError(
                "If you want to train your model, please make sure your model "
                "has implemented `train_step`."
            )
        if self._val_loop is not None and not hasattr(bare, "val_step"):
            raise RuntimeError(
                "If you want to validate your model, please make sure your "
                "model has implemented `val_step`."
            )
        if self._train_loop is None:
            raise RuntimeError(
                "`self._train_loop` should not be None when calling train "
                "method. Please provide `train_dataloader`, `train_cfg`, "
                "`optimizer` and `param_scheduler` arguments when initializing "
                "runner."
            )
        self._train_loop = self.build_train_loop(self._train_loop)
        self.optim_wrapper = self.build_optim_wrapper(self.optim_wrapper)
        self.scale_lr(self.optim_wrapper, self.auto_scale_lr)
        if self.param_schedulers is not None:
            self.param_schedulers = self.build_param_scheduler(self.param_schedulers)
        if self._val_loop is not None:
            self._val_loop = self.build_val_loop(self._val_loop)
        self.call_hook("before_run")
        self._init_model_weights()
        self.load_or_resume()
        self.optim_wrapper.initialize_count_status(
            self.model, self._train_loop.iter, self._train_loop.max_iters
        )
        model = self.train_loop.run()
        self.call_hook("after_run")
        return model

    def _evaluate(self, stage: str) -> dict:
        if getattr(self, f"_{stage}_loop") is None:
            raise RuntimeError(
                f"`self._{stage}_loop` should not be None when calling {stage} "
                f"method. Please provide `{stage}_dataloader`, `{stage}_cfg` and "
                f"`{stage}_evaluator` arguments when initializing runner."
            )
        loop = _build.build_eval_loop(self, getattr(self, f"_{stage}_loop"), stage)
        setattr(self, f"_{stage}_loop", loop)
        self.call_hook("before_run")
        self.load_or_resume()
        metrics = loop.run()
        self.call_hook("after_run")
        return metrics

    def val(self) -> dict:
        """Run the validation loop once; return its metrics."""
        return self._evaluate("val")

    def test(self) -> dict:
        """Run the test loop once; return its metrics."""
        return self._evaluate("test")

    # --- hooks ----------------------------------------------------------

    @property
    def hooks(self) -> list[Any]:
        """The registered hooks, in call order."""
        return self._hooks.hooks

    def call_hook(self, fn_name: str, **kwargs: Any) -> None:
        """Call ``fn_name`` of every hook that implements it, in order.

        Args:
            fn_name: The mount point, e.g. ``'after_train_iter'``.
            **kwargs: Its arguments (after the runner).
        """
        for hook in self._hooks.at(fn_name):
            try:
                getattr(hook, fn_name)(self, **kwargs)
            except TypeError as e:
                raise TypeError(f"{e} in {hook}") from e

    def register_hook(self, hook: Any, priority: Any = None) -> None:
        """Add a hook (object or config) at its priority (stable for ties).

        Args:
            hook: A ``Hook`` or its config; a config may hold ``priority``.
            priority: Overrides the hook's priority.
        """
        from engine.hooks import Hook
        from engine.registry import HOOKS

        if not isinstance(hook, (Hook, dict)):
            raise TypeError(
                f"hook should be an instance of Hook or dict, but got {hook}"
            )
        if isinstance(hook, dict):
            hook = copy.copy(hook)
            cfg_priority = hook.pop("priority", None)
            hook = HOOKS.build(hook)
            if cfg_priority is not None:
                hook.priority = cfg_priority
        if priority is not None:
            hook.priority = priority
        self._hooks.insert(hook)

    def register_default_hooks(self, hooks: dict | None = None) -> None:
        """Register the default hooks, updated by ``hooks`` (None removes one)."""
        defaults = {**DEFAULT_HOOKS, **(hooks or {})}
        for hook in defaults.values():
            if hook is not None:
                self.register_hook(hook)

    def register_custom_hooks(self, hooks: list) -> None:
        """Register each of ``hooks``."""
        for hook in hooks:
            self.register_hook(hook)

    def register_hooks(
        self, default_hooks: dict | None = None, custom_hooks: list | None = None
    ) -> None:
        """Register the default hooks, then the custom ones."""
        self.register_default_hooks(default_hooks)
        if custom_hooks is not None:
            self.register_custom_hooks(custom_hooks)

    def get_hooks_info(self) -> str:
        """The hooks of every mount point, as the start-up log shows them."""
        return self._hooks.info()

    # --- checkpoints ----------------------------------------------------

    def load_or_resume(self) -> None:
        """Resume (``resume``) or load weights (``load_from``), once."""
        if self._has_loaded or (self._load_from is None and not self._resume):
            return
        if self._resume:
            resume_from = self._load_from
            if resume_from is None:
                from engine.runner.checkpoint import find_latest_checkpoint

                resume_from = find_latest_checkpoint(self.work_dir)
                self.logger.info(
                    f"Auto resumed from the latest checkpoint {resume_from}."
                )
            if resume_from is not None:
                self.resume(resume_from)
                self._has_loaded = True
        elif self._load_from is not None:
            self.load_checkpoint(self._load_from)
            self._has_loaded = True

    def save_checkpoint(
        self,
        out_dir: str,
        filename: str,
        file_client_args: dict | None = None,
        save_optimizer: bool = True,
        save_param_scheduler: bool = True,
        meta: dict | None = None,
        by_epoch: bool = True,
        backend_args: dict | None = None,
    ) -> None:
        """Save model, optimizer, schedulers, message hub and meta.

        Args:
            out_dir: The directory.
            filename: The file name in it.
            file_client_args: Deprecated; use ``backend_args``.
            save_optimizer: Save the optimizer state.
            save_param_scheduler: Save the scheduler states.
            meta: Extra meta information.
            by_epoch: Whether the run counts epochs (``meta['epoch']`` is
                then the next epoch, else ``meta['iter']`` the next iter).
            backend_args: Arguments of the file backend.
        """
        from engine.fileio import join_path

        if file_client_args is not None and backend_args is not None:
            raise ValueError(
                '"file_client_args" and "backend_args" cannot be set at the same time.'
            )
        filepath = str(join_path(out_dir, filename, backend_args=backend_args))
        _ckpt.save(
            self,
            filepath,
            save_optimizer,
            save_param_scheduler,
            meta,
            by_epoch,
            backend_args,
        )

    def resume(
        self,
        filename: str,
        resume_optimizer: bool = True,
        resume_param_scheduler: bool = True,
        map_location: str | Callable = "default",
    ) -> None:
        """Resume training from ``filename``: weights, counters and states."""
        _ckpt.resume(
            self, filename, resume_optimizer, resume_param_scheduler, map_location
        )

    def load_checkpoint(
        self,
        filename: str,
        map_location: str | Callable = "cpu",
        strict: bool = False,
        revise_keys: list = [(r"^module.", "")],  # noqa: B006 (MMEngine's default)
    ) -> dict:
        """Load the weights of ``filename`` into the model; return the checkpoint."""
        return _ckpt.load(self, filename, map_location, strict, revise_keys)

    def dump_config(self) -> None:
        """Write the config into ``work_dir`` (rank 0 only)."""
        if self._rank != 0:
            return
        if self.cfg.filename is not None:
            name = osp.basename(self.cfg.filename)
        else:
            name = f"{self._timestamp}.py"
        self.cfg.dump(osp.join(self.work_dir, name))

    # --- builders (static and per component) ----------------------------

    build_dataloader = staticmethod(build_dataloader)

    def build_optim_wrapper(self, optim_wrapper: Any) -> Any:
        """An optimizer wrapper from a wrapper, an optimizer or a config."""
        return _build.build_optim_wrapper(self.model, optim_wrapper)

    def build_param_scheduler(self, scheduler: Any) -> Any:
        """Schedulers from configs (a list, or a dict of lists)."""
        return _build.build_param_schedulers(self, scheduler)

    def build_evaluator(self, evaluator: Any) -> Any:
        """An ``Evaluator`` from an evaluator or metric config(s)."""
        return _build.build_evaluator(evaluator)

    def build_train_loop(self, loop: Any) -> Any:
        """The train loop from ``train_cfg``."""
        return _build.build_train_loop(self, loop)

    def build_val_loop(self, loop: Any) -> Any:
        """The val loop from ``val_cfg``."""
        return _build.build_eval_loop(self, loop, "val")

    def build_test_loop(self, loop: Any) -> Any:
        """The test loop from ``test_cfg``."""
        return _build.build_eval_loop(self, loop, "test")

    def scale_lr(self, optim_wrapper: Any, auto_scale_lr: dict | None = None) -> None:
        """Scale the lr by the total batch size (``auto_scale_lr``)."""
        _build.scale_lr(self, optim_wrapper, auto_scale_lr)

    def set_randomness(
        self,
        seed: int | None = None,
        diff_rank_seed: bool = False,
        deterministic: bool = False,
    ) -> None:
        """Seed every generator (see :func:`engine.runner.set_random_seed`)."""
        from engine.runner.utils import set_random_seed

        self._deterministic = deterministic
        self._seed = set_random_seed(
            seed=seed, deterministic=deterministic, diff_rank_seed=diff_rank_seed
        )

    def setup_env(self, env_cfg: dict) -> None:
        """Set up the processes (see the ``env_cfg`` argument)."""
        _env.setup_env(env_cfg, self._launcher, self._distributed)
