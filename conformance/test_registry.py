"""Conformance of the registry (docs: Registry, L4900-5318; REG-01..16).

Packages the docs take as installed (``mmalpha``, ``mmdet``) are written to
``tmp_path`` by :func:`make_package`. Registrations into the global root
registries are undone after each test by :func:`root_registries`.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import torch
import torch.nn as nn

from conformance.harness.impl import Impl

ROOT_NAMES = [
    "RUNNERS", "RUNNER_CONSTRUCTORS", "LOOPS", "HOOKS", "DATASETS",
    "DATA_SAMPLERS", "TRANSFORMS", "MODELS", "MODEL_WRAPPERS",
    "WEIGHT_INITIALIZERS", "OPTIMIZERS", "OPTIM_WRAPPERS",
    "OPTIM_WRAPPER_CONSTRUCTORS", "PARAM_SCHEDULERS", "METRICS", "EVALUATOR",
    "TASK_UTILS", "VISUALIZERS", "VISBACKENDS", "LOG_PROCESSORS", "FUNCTIONS",
    "INFERENCERS",
]  # fmt: skip


@pytest.fixture
def reg(impl: Impl) -> Any:
    """The ``registry`` package of the implementation."""
    return impl.mod("registry")


@pytest.fixture(autouse=True)
def root_registries(impl: Impl) -> Iterator[None]:
    """Undo registrations and children added to the root registries.

    The implementation's own modules register first (MMEngine on import,
    engine on the first lookup), so that only the test's additions are undone.
    """
    module = impl.mod("registry")
    impl.mod("optim")
    impl.mod("dataset")
    saved = {n: getattr(module, n) for n in ROOT_NAMES}
    for registry in saved.values():
        registry.get("__no_such_module__")
    before = {n: (dict(r.module_dict), dict(r.children)) for n, r in saved.items()}
    yield
    for name, registry in saved.items():
        modules, children = before[name]
        registry.module_dict.clear()
        registry.module_dict.update(modules)
        registry.children.clear()
        registry.children.update(children)


@pytest.fixture
def make_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, impl: Impl
) -> Iterator[Callable[[str, dict[str, str]], None]]:
    """Write a package ``name`` with ``{module: source}`` and make it importable.

    ``{impl}`` in a source is replaced by the implementation's package name.
    """
    monkeypatch.syspath_prepend(str(tmp_path))
    names: list[str] = []

    def make(name: str, files: dict[str, str]) -> None:
        names.append(name)
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("")
        for module, source in files.items():
            text = textwrap.dedent(source).replace("{impl}", impl.name)
            (tmp_path / name / f"{module}.py").write_text(text)

    yield make
    for module in list(sys.modules):
        if module.split(".")[0] in names:
            del sys.modules[module]


ACTIVATIONS = """
    import torch.nn as nn
    from {pkg}.registry import ACTIVATION

    @ACTIVATION.register_module()
    class Sigmoid(nn.Module):
        def forward(self, x):
            print('call Sigmoid.forward')
            return x

    @ACTIVATION.register_module()
    class ReLU(nn.Module):
        def __init__(self, inplace=False):
            super().__init__()
            self.inplace = inplace

        def forward(self, x):
            print('call ReLU.forward')
            return x

    @ACTIVATION.register_module()
    class Softmax(nn.Module):
        def forward(self, x):
            print('call Softmax.forward')
            return x
"""


@pytest.fixture
def activation(make_package: Callable) -> Any:
    """The doc's ACTIVATION registry, with classes in its ``locations``."""
    make_package(
        "tmp_acts",
        {
            "registry": """
                from {impl} import registry
                ACTIVATION = registry.Registry(
                    'activation', scope='mmengine',
                    locations=['tmp_acts.activations'])
            """,
            "activations": ACTIVATIONS.replace("{pkg}", "tmp_acts"),
        },
    )
    from tmp_acts.registry import ACTIVATION

    return ACTIVATION


@pytest.mark.spec("REG-01", "REG-03")
def test_locations_are_imported_on_first_build(activation: Any, capsys) -> None:
    assert "tmp_acts.activations" not in sys.modules
    x = torch.randn(2)
    out = activation.build(dict(type="Sigmoid"))(x)
    assert capsys.readouterr().out == "call Sigmoid.forward\n"
    assert torch.equal(out, x)
    acts = sys.modules["tmp_acts.activations"]
    assert activation.module_dict == {
        "Sigmoid": acts.Sigmoid,
        "ReLU": acts.ReLU,
        "Softmax": acts.Softmax,
    }
    assert list(activation.module_dict) == ["Sigmoid", "ReLU", "Softmax"]


@pytest.mark.spec("REG-03")
def test_build_passes_extra_keys_as_kwargs(activation: Any, capsys) -> None:
    relu = activation.build(dict(type="ReLU", inplace=True))
    assert type(relu).__name__ == "ReLU" and relu.inplace is True
    x = torch.randn(2)
    assert torch.equal(relu(x), x)
    assert capsys.readouterr().out == "call ReLU.forward\n"


@pytest.mark.spec("REG-02")
def test_register_without_decorator(reg: Any) -> None:
    activation = reg.Registry("activation", scope="mmengine")

    class ReLU(nn.Module):
        pass

    assert activation.register_module(module=ReLU) is ReLU
    assert "ReLU" in activation.module_dict
    assert activation.module_dict["ReLU"] is ReLU


@pytest.mark.spec("REG-04")
def test_custom_build_func(reg: Any, capsys) -> None:
    seen = {}

    def build_activation(cfg, registry, *args, **kwargs):
        cfg_ = cfg.copy()
        act_type = cfg_.pop("type")
        print(f"build activation: {act_type}")
        seen["registry"] = registry
        act_cls = registry.get(act_type)
        return act_cls(*args, **kwargs, **cfg_)

    activation = reg.Registry(
        "activation", build_func=build_activation, scope="mmengine"
    )

    @activation.register_module()
    class Tanh(nn.Module):
        def forward(self, x):
            print("call Tanh.forward")
            return x

    assert activation.get("Tanh") is Tanh
    x = torch.randn(2)
    out = activation.build(dict(type="Tanh"))(x)
    assert capsys.readouterr().out == "build activation: Tanh\ncall Tanh.forward\n"
    assert torch.equal(out, x)
    assert seen["registry"] is activation


@pytest.mark.spec("REG-05")
def test_register_and_build_a_function(reg: Any, capsys) -> None:
    function = reg.Registry("function", scope="mmengine")

    @function.register_module()
    def print_args(**kwargs):
        print(kwargs)

    func_res = function.build(dict(type="print_args", a=1, b=2))
    assert capsys.readouterr().out == "{'a': 1, 'b': 2}\n"
    assert func_res is None


@pytest.mark.spec("REG-06")
@pytest.mark.parametrize("name", ROOT_NAMES)
def test_root_registries(reg: Any, impl: Impl, name: str) -> None:
    registry = getattr(reg, name)
    assert isinstance(registry, reg.Registry)
    assert registry.scope == impl.scope
    assert registry.parent is None


@pytest.mark.spec("REG-06")
def test_root_registries_are_distinct(reg: Any) -> None:
    assert len({id(getattr(reg, n)) for n in ROOT_NAMES}) == 22


@pytest.mark.spec("REG-06")
def test_functions_holds_the_collate_functions(reg: Any, impl: Impl) -> None:
    dataset = impl.mod("dataset")
    assert reg.FUNCTIONS.get("pseudo_collate") is dataset.pseudo_collate
    assert reg.FUNCTIONS.get("default_collate") is dataset.default_collate


@pytest.mark.spec("REG-06")
@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "LBFGS"])
def test_optimizers_holds_torch_optimizers(reg: Any, impl: Impl, name: str) -> None:
    impl.mod("optim")
    assert reg.OPTIMIZERS.get(name) is getattr(torch.optim, name)


@pytest.mark.spec("REG-06")
@pytest.mark.diverges(
    "mmengine", reason="the doc uses DATA_TRANSFORMS (L3310); MMEngine lacks it"
)
def test_data_transforms_is_transforms(reg: Any) -> None:
    assert reg.DATA_TRANSFORMS is reg.TRANSFORMS


class RReLU(nn.Module):
    def __init__(self, lower=0.125, upper=0.333, inplace=False):
        super().__init__()
        self.lower = lower

    def forward(self, x):
        print("call RReLU.forward")
        return x


class LogSoftmax(nn.Module):
    def __init__(self, dim=None):
        super().__init__()

    def forward(self, x):
        print("call LogSoftmax.forward")
        return x


@pytest.fixture
def alpha_beta(reg: Any) -> tuple[Any, Any]:
    """The doc's hierarchy: RReLU in the root, MMAlpha and MMBeta children."""
    reg.MODELS.register_module(module=RReLU)
    alpha = reg.Registry("model", parent=reg.MODELS, scope="mmalpha")
    beta = reg.Registry("model", parent=reg.MODELS, scope="mmbeta")
    alpha.register_module(module=LogSoftmax)
    return alpha, beta


@pytest.mark.spec("REG-07")
def test_register_into_root_models(reg: Any, capsys) -> None:
    assert reg.MODELS.register_module(module=RReLU) is RReLU
    model = reg.MODELS.build(dict(type="RReLU", lower=0.2))
    assert isinstance(model, RReLU) and model.lower == 0.2
    model(torch.randn(2))
    assert capsys.readouterr().out == "call RReLU.forward\n"


@pytest.mark.spec("REG-08")
def test_child_registry_and_count(reg: Any) -> None:
    alpha = reg.Registry(
        "model", parent=reg.MODELS, scope="mmalpha", locations=["mmalpha.models"]
    )
    assert alpha.parent is reg.MODELS
    assert reg.MODELS.children["mmalpha"] is alpha
    stats = reg.count_registered_modules(verbose=False)
    scopes = [info["scope"] for info in stats["registries"]["MODELS"]]
    assert "mmalpha" in scopes


@pytest.mark.spec("REG-09")
def test_child_falls_back_to_parent(alpha_beta: tuple, capsys) -> None:
    alpha, _ = alpha_beta
    assert isinstance(alpha.build(cfg=dict(type="LogSoftmax")), LogSoftmax)
    model = alpha.build(cfg=dict(type="RReLU", lower=0.2))
    assert isinstance(model, RReLU) and model.lower == 0.2
    model = alpha.build(cfg=dict(type="mmengine.RReLU"))
    x = torch.randn(2)
    assert torch.equal(model(x), x)
    assert capsys.readouterr().out == "call RReLU.forward\n"


@pytest.mark.spec("REG-09")
def test_prefix_selects_the_parent_when_both_define_it(
    reg: Any, impl: Impl, alpha_beta: tuple
) -> None:
    alpha, _ = alpha_beta

    @alpha.register_module(name="RReLU")
    class AlphaRReLU(nn.Module):
        pass

    assert type(alpha.build(dict(type="RReLU"))) is AlphaRReLU
    assert type(alpha.build(dict(type=f"{impl.scope}.RReLU"))) is RReLU


@pytest.mark.spec("REG-10")
def test_sibling_needs_a_prefix(alpha_beta: tuple, capsys) -> None:
    _, beta = alpha_beta
    model = beta.build(cfg=dict(type="mmalpha.LogSoftmax"))
    model(torch.randn(2))
    assert capsys.readouterr().out == "call LogSoftmax.forward\n"
    with pytest.raises(KeyError, match="LogSoftmax"):
        beta.build(cfg=dict(type="LogSoftmax"))


@pytest.mark.spec("REG-11")
def test_scope_key_switches_temporarily(reg: Any, alpha_beta: tuple, capsys) -> None:
    _, beta = alpha_beta
    before = reg.DefaultScope.get_current_instance()
    cfg = dict(type="LogSoftmax", _scope_="mmalpha")
    beta.build(cfg=cfg)(torch.randn(2))
    # MMEngine logs a warning to stdout first (no ``mmalpha.registry`` module)
    assert capsys.readouterr().out.splitlines()[-1] == "call LogSoftmax.forward"
    assert reg.DefaultScope.get_current_instance() is before
    assert cfg == dict(type="LogSoftmax", _scope_="mmalpha")
    with pytest.raises(KeyError):
        beta.build(cfg=dict(type="LogSoftmax"))


DET_PACKAGE = {
    "registry": """
        from {impl} import registry
        MODELS = registry.Registry('model', parent=registry.MODELS, scope='fakedet')
        TRANSFORMS = registry.Registry(
            'transform', parent=registry.TRANSFORMS, scope='fakedet')
    """,
    "models": """
        from {impl}.registry import MODELS as ROOT_MODELS, TRANSFORMS
        from fakedet.registry import MODELS

        @MODELS.register_module()
        class Backbone:
            def __init__(self, depth=1):
                self.depth = depth

        @MODELS.register_module()
        class Head:
            def __init__(self, num_classes=1):
                self.num_classes = num_classes

        @MODELS.register_module()
        class Detector:
            # nested builds go through the *root* registries, as in MMEngine
            def __init__(self, backbone, head, pipeline=()):
                self.backbone = ROOT_MODELS.build(backbone)
                self.head = ROOT_MODELS.build(head)
                self.pipeline = [TRANSFORMS.build(t) for t in pipeline]

        @TRANSFORMS.register_module()
        class Resize:
            pass
    """,
}


def _tree(obj: Any) -> Any:
    if isinstance(obj, list):
        return [_tree(item) for item in obj]
    if not hasattr(obj, "__dict__"):
        return obj
    return (type(obj), {k: _tree(v) for k, v in vars(obj).items()})


@pytest.mark.spec("REG-12")
def test_top_level_scope_equals_prefixes_everywhere(
    reg: Any, make_package: Callable
) -> None:
    make_package("fakedet", DET_PACKAGE)
    import fakedet.models  # noqa: F401

    rotate = reg.Registry("model", parent=reg.MODELS, scope="fakerotate")
    prefixed = dict(
        type="fakedet.Detector",
        backbone=dict(type="fakedet.Backbone", depth=50),
        head=dict(type="fakedet.Head", num_classes=15),
        pipeline=[dict(type="fakedet.Resize")],
    )
    scoped = dict(
        type="Detector",
        _scope_="fakedet",
        backbone=dict(type="Backbone", depth=50),
        head=dict(type="Head", num_classes=15),
        pipeline=[dict(type="Resize")],
    )
    expected = _tree(rotate.build(prefixed))
    assert expected[0].__name__ == "Detector"
    assert _tree(rotate.build(scoped)) == expected
    with pytest.raises(KeyError):
        rotate.build(dict(scoped, _scope_=None))


@pytest.mark.spec("REG-13")
def test_non_model_registrations(reg: Any) -> None:
    class MySampler:
        def __init__(self, dataset=None):
            self.dataset = dataset

    reg.DATA_SAMPLERS.register_module(module=MySampler)
    sampler = reg.DATA_SAMPLERS.build(dict(type="MySampler"), default_args={})
    assert isinstance(sampler, MySampler)

    @reg.FUNCTIONS.register_module()
    def my_collate_func(data_batch):
        return list(data_batch)

    assert reg.FUNCTIONS.get("my_collate_func") is my_collate_func

    @reg.DATASETS.register_module(name="Cifar10", force=False)
    def build_torchvision_cifar10(transform=None, **kwargs):
        return ("cifar", transform, kwargs)

    built = reg.DATASETS.build(dict(type="Cifar10", root="data", transform=None))
    assert built == ("cifar", None, {"root": "data"})

    class RandomCrop:
        def __init__(self, size):
            self.size = size

    reg.TRANSFORMS.register_module("RandomCrop", module=RandomCrop)
    assert reg.TRANSFORMS.build(dict(type="RandomCrop", size=32)).size == 32


@pytest.mark.spec("REG-14")
def test_force_replaces_and_duplicates_raise(reg: Any) -> None:
    registry = reg.Registry("thing", scope="mmengine")

    @registry.register_module(name="Thing")
    class First:
        pass

    class Second:
        pass

    with pytest.raises(KeyError, match="Thing"):
        registry.register_module(name="Thing", module=Second)
    assert registry.get("Thing") is First
    registry.register_module(name="Thing", force=True, module=Second)
    assert registry.get("Thing") is Second


@pytest.mark.spec("REG-15")
def test_type_may_be_the_class_itself(reg: Any) -> None:
    params = [nn.Parameter(torch.zeros(1))]
    sgd = reg.OPTIMIZERS.build(dict(type=torch.optim.SGD, lr=0.01, params=params))
    assert type(sgd) is torch.optim.SGD and sgd.defaults["lr"] == 0.01
    adam = reg.OPTIMIZERS.build(dict(type=torch.optim.Adam, lr=0.001, params=params))
    assert type(adam) is torch.optim.Adam

    class Accuracy:
        pass

    assert type(reg.METRICS.build(dict(type=Accuracy))) is Accuracy
    assert "Accuracy" not in reg.METRICS.module_dict
