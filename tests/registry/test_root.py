"""The root registries, the package surface, and lazy location imports."""

from __future__ import annotations

import subprocess
import sys

import pytest

import engine.registry as registry_pkg
from engine._identity import ROOT_SCOPE
from engine.registry import root
from engine.registry.build_functions import (
    build_from_cfg,
    build_model_from_cfg,
    build_optimizer_from_cfg,
    build_runner_from_cfg,
    build_scheduler_from_cfg,
)
from engine.registry.registry import Registry

#: MMEngine's root registry variables with their names and build functions.
EXPECTED = {
    "RUNNERS": ("runner", build_runner_from_cfg),
    "RUNNER_CONSTRUCTORS": ("runner constructor", build_from_cfg),
    "LOOPS": ("loop", build_from_cfg),
    "HOOKS": ("hook", build_from_cfg),
    "STRATEGIES": ("strategy", build_from_cfg),
    "DATASETS": ("dataset", build_from_cfg),
    "DATA_SAMPLERS": ("data sampler", build_from_cfg),
    "TRANSFORMS": ("transform", build_from_cfg),
    "MODELS": ("model", build_model_from_cfg),
    "MODEL_WRAPPERS": ("model_wrapper", build_from_cfg),
    "WEIGHT_INITIALIZERS": ("weight initializer", build_from_cfg),
    "OPTIMIZERS": ("optimizer", build_optimizer_from_cfg),
    "OPTIM_WRAPPERS": ("optim_wrapper", build_from_cfg),
    "OPTIM_WRAPPER_CONSTRUCTORS": ("optimizer wrapper constructor", build_from_cfg),
    "PARAM_SCHEDULERS": ("parameter scheduler", build_scheduler_from_cfg),
    "METRICS": ("metric", build_from_cfg),
    "EVALUATOR": ("evaluator", build_from_cfg),
    "TASK_UTILS": ("task util", build_from_cfg),
    "VISUALIZERS": ("visualizer", build_from_cfg),
    "VISBACKENDS": ("vis_backend", build_from_cfg),
    "LOG_PROCESSORS": ("log_processor", build_from_cfg),
    "INFERENCERS": ("inferencer", build_from_cfg),
    "FUNCTIONS": ("function", build_from_cfg),
}

#: Subpackages the root registries may point at (MMEngine's module layout).
PLANNED = {
    "engine.runner", "engine.hooks", "engine._strategy", "engine.dataset",
    "engine.model", "engine.optim", "engine.evaluator", "engine.visualization",
    "engine.infer",
}  # fmt: skip


@pytest.mark.parametrize("variable", sorted(EXPECTED))
def test_root_registry(variable: str) -> None:
    registry = getattr(root, variable)
    name, build_func = EXPECTED[variable]
    assert isinstance(registry, Registry) and registry.parent is None
    assert (registry.name, registry.scope) == (name, ROOT_SCOPE)
    assert registry.build_func is build_func
    assert getattr(registry_pkg, variable) is registry


def test_no_other_root_registries() -> None:
    found = {n for n, v in vars(root).items() if isinstance(v, Registry)}
    assert found == set(EXPECTED)


def test_locations_table() -> None:
    assert set(root.LOCATIONS) == set(EXPECTED)
    for variable, locations in root.LOCATIONS.items():
        assert set(locations) <= PLANNED
        assert getattr(root, variable)._locations == root._present(variable)
    assert root.FUNCTIONS._locations == ["engine.dataset"]
    assert root.OPTIMIZERS._locations == ["engine.optim"]


def test_data_transforms_alias_and_all() -> None:
    assert registry_pkg.DATA_TRANSFORMS is registry_pkg.TRANSFORMS
    public = {n for n in vars(registry_pkg) if not n.startswith("_")}
    modules = {"build_functions", "default_scope", "registry", "root", "utils"}
    assert set(registry_pkg.__all__) == public - modules


def _run(code: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def test_import_does_not_import_torch_and_lookup_fills_lazily() -> None:
    code = (
        "import sys\n"
        "from engine.registry import FUNCTIONS, OPTIMIZERS\n"
        "print('torch' in sys.modules, len(FUNCTIONS), len(OPTIMIZERS))\n"
        "sgd = OPTIMIZERS.get('SGD')\n"
        "print(sgd.__module__, 'engine.dataset' in sys.modules)\n"
        "print(FUNCTIONS.get('pseudo_collate').__module__)\n"
    )
    assert _run(code).splitlines() == [
        "False 0 0",
        "torch.optim.sgd False",
        "engine.dataset.utils",
    ]


def test_root_scope_prefix_and_alias_build_the_same_class() -> None:
    code = (
        "import torch\n"
        "from engine.registry import OPTIMIZERS\n"
        "p = [torch.nn.Parameter(torch.zeros(1))]\n"
        "a = OPTIMIZERS.build(dict(type='mmengine.SGD', lr=0.1, params=p))\n"
        "b = OPTIMIZERS.build(dict(type='engine.SGD', lr=0.1, params=p))\n"
        "print(type(a).__name__, type(b).__name__)\n"
    )
    assert _run(code) == "SGD SGD"
