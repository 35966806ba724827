"""Build functions: cfg handling, scopes, errors with key paths, DEBUG lines."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import torch.nn as nn

from engine.registry import (
    DefaultScope,
    Registry,
    build_from_cfg,
    build_model_from_cfg,
    build_runner_from_cfg,
    build_scheduler_from_cfg,
)
from engine.registry.build_functions import build_optimizer_from_cfg
from engine.utils import ManagerMixin


class Point:
    def __init__(self, x: int = 0, y: int = 0) -> None:
        self.x, self.y = x, y


class Node:
    """Builds its children from cfgs, as models build their submodules."""

    registry: Registry

    def __init__(self, child: Any = None, children: Any = ()) -> None:
        self.child = self.registry.build(child) if child is not None else None
        self.children = [self.registry.build(c) for c in children]


class Failing:
    def __init__(self, value: int = 0) -> None:
        raise ValueError(f"bad value {value}")


@pytest.fixture
def things() -> Registry:
    registry = Registry("thing", scope="demo")
    for cls in (Point, Failing):
        registry.register_module(module=cls)
    node = type("Node", (Node,), {"registry": registry})
    registry.register_module(module=node)
    return registry


# -- build_from_cfg ------------------------------------------------------------


def test_default_args_fill_missing_keys_only(things: Registry) -> None:
    point = build_from_cfg(dict(type="Point", x=1), things, dict(x=5, y=6))
    assert (point.x, point.y) == (1, 6)
    point = build_from_cfg(dict(x=2), things, dict(type="Point"))
    assert (type(point), point.x) == (Point, 2)


def test_cfg_is_not_modified(things: Registry) -> None:
    cfg = dict(type="Point", x=1, _scope_="demo")
    before = copy.deepcopy(cfg)
    things.build(cfg)
    assert cfg == before


def test_type_may_be_a_class_a_function_or_a_callable(things: Registry) -> None:
    assert type(things.build(dict(type=Point, x=3))) is Point
    assert things.build(dict(type=lambda a: a * 2, a=4)) == 8
    with pytest.raises(TypeError, match="type must be a str or valid type"):
        things.build(dict(type=3))


@pytest.mark.parametrize(
    ("cfg", "default_args"), [([1], None), ("x", None), (dict(type="P"), [1])]
)
def test_cfg_and_default_args_must_be_dicts(
    things: Registry, cfg: Any, default_args: Any
) -> None:
    with pytest.raises(TypeError) as info:
        build_from_cfg(cfg, things, default_args)
    assert isinstance(info.value, AssertionError)


def test_missing_type(things: Registry) -> None:
    with pytest.raises(KeyError, match='must contain the key "type"'):
        build_from_cfg(dict(x=1), things, dict(y=2))


def test_registry_must_be_a_registry() -> None:
    with pytest.raises(TypeError, match="registry must be a Registry"):
        build_from_cfg(dict(type="Point"), "registry")  # type: ignore[arg-type]


def test_manager_mixin_classes_are_built_with_get_instance() -> None:
    class Managed(ManagerMixin):
        def __init__(self, name: str, value: int = 0) -> None:
            super().__init__(name)
            self.value = value

    registry = Registry("managed", scope="demo")
    registry.register_module(module=Managed)
    first = registry.build(dict(type="Managed", name="a", value=3))
    assert registry.build(dict(type="Managed", name="a")) is first
    assert Managed.get_current_instance() is first and first.value == 3


def test_scope_of_cfg_wins_over_default_args() -> None:
    root = Registry("thing", scope="root")
    left = Registry("thing", parent=root, scope="left")
    right = Registry("thing", parent=root, scope="right")
    left.register_module(name="T", module=int)
    right.register_module(name="T", module=float)
    assert root.build(dict(type="T"), default_args=dict(_scope_="left")) == 0
    cfg = dict(type="T", _scope_="right")
    assert type(root.build(cfg, default_args=dict(_scope_="left"))) is float
    assert DefaultScope.get_current_instance() is None


# -- error messages ------------------------------------------------------------


def test_unknown_type_names_registry_scopes_and_close_names(things: Registry) -> None:
    with pytest.raises(KeyError) as info:
        things.build(dict(type="Piont"))
    message = info.value.args[0]
    assert message.startswith("type: 'Piont' is not registered:")
    assert "the 'thing' registry (scope 'demo')" in message
    assert "searched scopes: demo" in message
    assert "did you mean 'Point'?" in message


def test_unknown_type_suggests_the_scope_that_has_it() -> None:
    root = Registry("thing", scope="root")
    alpha = Registry("thing", parent=root, scope="alpha")
    beta = Registry("thing", parent=root, scope="beta")
    alpha.register_module(name="LogSoftmax", module=int)
    with pytest.raises(KeyError) as info:
        beta.build(dict(type="LogSoftmax"))
    assert "searched scopes: beta, root" in info.value.args[0]
    assert "did you mean 'alpha.LogSoftmax'?" in info.value.args[0]


def test_unknown_scope_lists_the_scopes_of_the_tree() -> None:
    root = Registry("thing", scope="root")
    Registry("thing", parent=root, scope="alpha")
    with pytest.raises(KeyError) as info:
        root.build(dict(type="nowhere.X"))
    assert "no registry of scope 'nowhere'" in info.value.args[0]
    assert "(scopes: root, alpha)" in info.value.args[0]


def test_nested_unknown_type_names_the_key_path(things: Registry) -> None:
    cfg = dict(
        type="Node",
        child=dict(type="Node", children=[{"type": "Point"}, {"type": "Pnt"}]),
    )
    with pytest.raises(KeyError) as info:
        things.build(cfg)
    assert info.value.args[0].startswith("child.children[1].type: 'Pnt'")
    assert info.value.__cause__ is None


def test_key_path_falls_back_to_a_question_mark(things: Registry) -> None:
    class Copying:
        def __init__(self, sub: dict) -> None:
            things.build(copy.deepcopy(sub))

    things.register_module(module=Copying)
    with pytest.raises(KeyError, match=r"^\"\?\.type: 'Nope'"):
        things.build(dict(type="Copying", sub=dict(type="Nope")))


def test_constructor_error_is_rewrapped_once_with_class_and_path(
    things: Registry,
) -> None:
    cfg = dict(
        type="Node", children=[dict(type="Point"), dict(type="Failing", value=7)]
    )
    with pytest.raises(ValueError) as info:
        things.build(cfg)
    message = str(info.value)
    assert message.startswith(
        f"children[1]: building class `Failing` ({__name__}) from the 'thing' "
        "registry (scope 'demo') failed: bad value 7"
    )
    assert type(info.value.__cause__) is ValueError
    assert str(info.value.__cause__) == "bad value 7"


def test_function_errors_are_wrapped_too(things: Registry) -> None:
    def explode() -> None:
        raise RuntimeError("boom")

    things.register_module(module=explode)
    with pytest.raises(RuntimeError, match=r"^building function `.*explode`.*: boom$"):
        things.build(dict(type="explode"))


def test_exception_that_cannot_be_rebuilt_is_reraised_as_is(things: Registry) -> None:
    original = UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")

    def decode() -> None:
        raise original

    things.register_module(module=decode)
    with pytest.raises(UnicodeDecodeError) as info:
        things.build(dict(type="decode"))
    assert info.value is original


def test_build_logs_lookup_and_origin(things: Registry, caplog) -> None:
    with caplog.at_level("DEBUG", logger="engine"):
        things.build(dict(type="Point"))
        things.build(dict(type=Point))
    assert caplog.messages == [
        'Get class `Point` from "thing" registry in "demo"',
        "An `Point` instance is built from registry, its implementation can be "
        f"found in {__name__}",
        "An `Point` instance is built from registry, its implementation can be "
        f"found in {__name__}",
    ]
    assert {r.name for r in caplog.records} == {"engine"}


# -- the other build functions ------------------------------------------------


def test_build_model_from_a_list_is_sequential() -> None:
    layers = Registry("layer", scope="demo", build_func=build_model_from_cfg)
    layers.register_module(module=nn.ReLU)
    model = layers.build(
        [dict(type="ReLU"), dict(type="ReLU")], default_args=dict(inplace=True)
    )
    assert isinstance(model, nn.Sequential) and len(model) == 2
    assert all(layer.inplace for layer in model)
    assert isinstance(build_model_from_cfg(dict(type="ReLU"), layers), nn.ReLU)
    assert len(build_model_from_cfg([], layers)) == 0


def test_build_optimizer_is_build_from_cfg(things: Registry) -> None:
    assert build_optimizer_from_cfg(dict(type="Point"), things, dict(x=2)).x == 2


class Runner:
    received: Any = None

    @classmethod
    def from_cfg(cls, cfg: Any) -> str:
        Runner.received = (cfg, DefaultScope.get_current_instance())
        return "runner"


def test_build_runner_uses_from_cfg_of_runner_type() -> None:
    runners = Registry("runner", scope="root", build_func=build_runner_from_cfg)
    child = Registry("runner", parent=runners, scope="child")
    runners.register_module(module=Runner)
    child.register_module(name="ChildRunner", module=type("ChildRunner", (Runner,), {}))
    assert runners.build(dict(work_dir="w")) == "runner"
    assert Runner.received[0] == dict(work_dir="w")
    assert runners.build(dict(runner_type=Runner)) == "runner"
    assert runners.build(dict(runner_type="ChildRunner", _scope_="child")) == "runner"
    cfg, scope = Runner.received
    assert cfg == dict(runner_type="ChildRunner") and scope.scope_name == "child"
    with pytest.raises(KeyError, match="'ChildRunner' is not registered"):
        runners.build(dict(runner_type="ChildRunner"))
    with pytest.raises(TypeError):
        runners.build([1])


class Scheduler:
    def __init__(self, by_epoch: bool = True, **kwargs: Any) -> None:
        self.by_epoch, self.kwargs = by_epoch, kwargs

    @classmethod
    def build_iter_from_epoch(cls, epoch_length: int, **kwargs: Any) -> Any:
        return ("iter", epoch_length, kwargs)


@pytest.fixture
def schedulers() -> Registry:
    registry = Registry("scheduler", scope="demo", build_func=build_scheduler_from_cfg)
    registry.register_module(module=Scheduler)
    return registry


def test_scheduler_conversion(schedulers: Registry) -> None:
    cfg = dict(type="Scheduler", convert_to_iter_based=True, begin=1)
    built = schedulers.build(cfg, default_args=dict(epoch_length=5, optimizer="o"))
    assert built == ("iter", 5, dict(begin=1, optimizer="o"))
    cfg = dict(type="Scheduler", convert_to_iter_based=True, epoch_length=3)
    assert schedulers.build(cfg)[1] == 3


def test_scheduler_without_conversion_drops_epoch_length(schedulers: Registry) -> None:
    built = schedulers.build(
        dict(type="Scheduler", epoch_length=3, a=1), default_args=dict(epoch_length=5)
    )
    assert isinstance(built, Scheduler) and built.kwargs == dict(a=1)


@pytest.mark.parametrize(
    ("cfg", "default_args"),
    [
        (dict(by_epoch=False), dict(epoch_length=5)),
        ({}, {}),
    ],
)
def test_scheduler_conversion_needs_by_epoch_and_length(
    schedulers: Registry, cfg: dict, default_args: dict
) -> None:
    cfg = dict(type="Scheduler", convert_to_iter_based=True, **cfg)
    with pytest.raises(
        ValueError, match="convert_to_iter_based: only an epoch-based"
    ) as info:
        schedulers.build(cfg, default_args=default_args)
    assert isinstance(info.value, AssertionError)


def test_scheduler_missing_type(schedulers: Registry) -> None:
    with pytest.raises(KeyError, match='must contain the key "type"'):
        schedulers.build(dict(convert_to_iter_based=True))
