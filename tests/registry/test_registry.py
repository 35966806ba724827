"""Registry: construction, registration, lookup rules, locations, repr."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine._identity import ROOT_SCOPE
from engine.registry import MODELS, DefaultScope, Registry

#: The fixture ``make_package(name, {module: source})`` of conftest.py.
MakePackage = Callable[[str, dict[str, str]], None]
#: Scope of a registry created in this module.
HERE = __name__.split(".")[0]


class Thing:
    pass


def _tree() -> tuple[Registry, Registry, Registry, Registry]:
    """root <- alpha <- alpha2, root <- beta; 'Shared' in root and alpha."""
    top = Registry("demo", scope="top")
    alpha = Registry("demo", parent=top, scope="alpha")
    alpha2 = Registry("demo", parent=alpha, scope="alpha2")
    beta = Registry("demo", parent=top, scope="beta")
    for node in (top, alpha, alpha2, beta):
        node.register_module(name=f"In_{node.scope}", module=type(node.scope, (), {}))
    top.register_module(name="Shared", module=int)
    alpha.register_module(name="Shared", module=float)
    return top, alpha, alpha2, beta


# -- construction ------------------------------------------------------------


def test_defaults_and_properties() -> None:
    registry = Registry("demo")
    assert (registry.name, registry.scope) == ("demo", HERE)
    assert registry.parent is None and registry.root is registry
    assert registry.module_dict == {} and registry.children == {}
    assert registry._locations == []
    from engine.registry.build_functions import build_from_cfg

    assert registry.build_func is build_from_cfg


def test_child_inherits_build_func_and_joins_parent() -> None:
    def build(cfg, registry):  # pragma: no cover - never called
        return None

    parent = Registry("demo", build_func=build, scope="p")
    child = Registry("demo", parent=parent, scope="c")
    assert child.build_func is build
    assert parent.children == {"c": child}
    assert child.root is parent and child._get_root_registry() is parent


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        (dict(name=3), TypeError),
        (dict(name="x", build_func=3), TypeError),
        (dict(name="x", parent=3), TypeError),
        (dict(name="x", scope=3), TypeError),
        (dict(name="x", locations="mod"), TypeError),
        (dict(name="x", locations=[1]), TypeError),
    ],
)
def test_bad_arguments(kwargs: dict, error: type) -> None:
    with pytest.raises(error):
        Registry(**kwargs)


def test_bad_parent_and_scope_are_also_assertion_errors() -> None:
    with pytest.raises(AssertionError):
        Registry("x", parent=3)  # type: ignore[arg-type]
    with pytest.raises(AssertionError):
        Registry("x", scope=3)  # type: ignore[arg-type]


def test_duplicate_child_scope() -> None:
    parent = Registry("demo", scope="p")
    Registry("demo", parent=parent, scope="c")
    with pytest.raises(ValueError, match="scope c exists in demo registry"):
        Registry("demo", parent=parent, scope="c")
    with pytest.raises(TypeError):
        parent._add_child(3)  # type: ignore[arg-type]


def test_add_child_does_not_set_parent() -> None:
    parent, orphan = Registry("demo", scope="p"), Registry("demo", scope="o")
    parent._add_child(orphan)
    assert parent.children["o"] is orphan and orphan.parent is None


def test_infer_scope_is_the_callers_top_level_package(
    make_package: MakePackage,
) -> None:
    make_package(
        "pkg_infer",
        {"sub": "from engine.registry import Registry\nR = Registry('x')\n"},
    )
    from pkg_infer.sub import R  # type: ignore[import-not-found]

    assert R.scope == "pkg_infer"


def test_infer_scope_without_module_falls_back_to_root(caplog) -> None:
    namespace: dict = {"Registry": Registry}
    exec("r = Registry('x')", {"__builtins__": __builtins__, **namespace}, namespace)
    assert namespace["r"].scope == ROOT_SCOPE
    assert "set scope as" in caplog.text


def test_infer_scope_direct_call() -> None:
    assert Registry.infer_scope() == HERE


@given(st.text())
def test_split_scope_key(key: str) -> None:
    scope, name = Registry.split_scope_key(key)
    if "." in key:
        assert f"{scope}.{name}" == key and "." not in (scope or "")
    else:
        assert (scope, name) == (None, key)


# -- registration ------------------------------------------------------------


def test_register_decorator_call_and_names() -> None:
    registry = Registry("demo", scope="s")

    @registry.register_module()
    class A:
        pass

    @registry.register_module(name=["B1", "B2"])
    def b() -> None:
        pass

    assert registry.register_module("C", module=Thing) is Thing
    registry.register_module(module=len)
    assert list(registry.module_dict) == ["A", "B1", "B2", "C", "len"]
    assert registry.module_dict["B2"] is b
    assert len(registry) == 5


def test_duplicate_name_message_and_force() -> None:
    registry = Registry("demo", scope="s")
    registry.register_module(name="T", module=Thing)
    with pytest.raises(
        KeyError, match=r"T is already registered in the 'demo' registry"
    ):
        registry.register_module(name="T", module=int)
    registry.register_module(name="T", module=int, force=True)
    assert registry.get("T") is int


def test_duplicate_in_a_name_list_registers_nothing() -> None:
    registry = Registry("demo", scope="s")
    registry.register_module(name="B", module=Thing)
    with pytest.raises(KeyError):
        registry.register_module(name=["A", "B"], module=int)
    assert list(registry.module_dict) == ["B"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(name=3, module=Thing), "name must be None, an instance of str"),
        (dict(force=1, module=Thing), "force must be a boolean"),
        (dict(module=3), "module must be Callable"),
    ],
)
def test_register_bad_arguments(kwargs: dict, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        Registry("demo", scope="s").register_module(**kwargs)


# -- lookup ------------------------------------------------------------------


def test_unprefixed_lookup_goes_up_the_chain() -> None:
    top, alpha, alpha2, beta = _tree()
    assert alpha2.get("Shared") is float
    assert beta.get("Shared") is int
    assert alpha2.get("In_top") is top.module_dict["In_top"]
    assert beta.get("In_alpha") is None


def test_prefixed_lookup_starts_at_that_scope() -> None:
    top, alpha, alpha2, beta = _tree()
    assert alpha.get("top.Shared") is int
    assert beta.get("alpha.Shared") is float
    assert beta.get("alpha.In_top") is top.module_dict["In_top"]
    assert beta.get("alpha2.Shared") is float  # a grandchild of the root
    assert top.get("alpha2.In_alpha2") is alpha2.module_dict["In_alpha2"]
    assert alpha.get("alpha.In_top") is top.module_dict["In_top"]
    assert top.get("top.In_alpha") is None
    assert beta.get("nowhere.Shared") is None


def test_root_scope_alias() -> None:
    MODELS.register_module(name="AliasThing", module=Thing)
    child = Registry("model", parent=MODELS, scope="aliaschild")
    assert child.get("mmengine.AliasThing") is Thing
    assert child.get(f"{ROOT_SCOPE}.AliasThing") is Thing
    assert MODELS._search_child("mmengine") is MODELS


def test_unknown_scope_imports_its_registry_module(make_package: MakePackage) -> None:
    make_package(
        "pkg_lazy",
        {
            "registry": """
                from engine.registry import MODELS, Registry
                LAZY = Registry('model', parent=MODELS, scope='pkg_lazy')
                @LAZY.register_module()
                class Lazy:
                    pass
            """
        },
    )
    assert "pkg_lazy.registry" not in sys.modules
    found = MODELS.get("pkg_lazy.Lazy")
    assert found is sys.modules["pkg_lazy.registry"].Lazy


def test_error_inside_a_scope_registry_module_propagates(
    make_package: MakePackage,
) -> None:
    make_package("pkg_broken", {"registry": "import not_a_module_anywhere\n"})
    with pytest.raises(ModuleNotFoundError, match="not_a_module_anywhere"):
        MODELS.get("pkg_broken.X")


def test_get_rejects_non_str() -> None:
    with pytest.raises(TypeError, match="must be a str"):
        Registry("demo", scope="s").get(Thing)  # type: ignore[arg-type]


def test_contains() -> None:
    top, alpha, _, beta = _tree()
    assert "Shared" in beta and "alpha.Shared" in beta
    assert "In_alpha" not in beta and 3 not in beta


def test_get_logs_where_it_found_the_class(caplog) -> None:
    top, alpha, _, _ = _tree()
    with caplog.at_level("DEBUG", logger="engine"):
        alpha.get("In_top")
    assert 'Get class `In_top` from "demo" registry in "top"' in caplog.messages


# -- locations ---------------------------------------------------------------


def test_locations_are_imported_once_on_first_lookup(make_package: MakePackage) -> None:
    make_package(
        "pkg_loc",
        {
            "reg": "from engine.registry import Registry\n"
            "R = Registry('x', scope='pkg_loc', locations=['pkg_loc.mods'])\n",
            "mods": "from pkg_loc.reg import R\n"
            "R.register_module(name='M', module=int)\n",
        },
    )
    from pkg_loc.reg import R  # type: ignore[import-not-found]

    assert R.module_dict == {} and "pkg_loc.mods" not in sys.modules
    assert R.get("M") is int and R._imported
    del sys.modules["pkg_loc.mods"]
    assert R.get("M") is int and "pkg_loc.mods" not in sys.modules


def test_concurrent_first_lookups_wait_for_the_import(
    make_package: MakePackage,
) -> None:
    make_package(
        "pkg_slow",
        {
            "reg": "from engine.registry import Registry\n"
            "R = Registry('x', scope='pkg_slow', locations=['pkg_slow.mods'])\n",
            "mods": "import time\nfrom pkg_slow.reg import R\n"
            "R.get('M')  # a lookup while the location is being imported\n"
            "time.sleep(0.2)\nR.register_module(name='M', module=int)\n",
        },
    )
    from pkg_slow.reg import R  # type: ignore[import-not-found]

    results: list = []
    threads = [
        threading.Thread(target=lambda: results.append(R.get("M"))) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [int] * 4


def test_failing_location_names_it_and_is_retried() -> None:
    registry = Registry("x", scope="s", locations=["no_such_module_for_tests"])
    for _ in range(2):
        with pytest.raises(ModuleNotFoundError) as info:
            registry.get("M")
        assert "'x' registry (scope 's')" in str(info.value)
        assert "no_such_module_for_tests" in str(info.value)
        assert isinstance(info.value.__cause__, ModuleNotFoundError)
        assert info.value.name == "no_such_module_for_tests"
    assert not registry._imported


def test_parent_locations_are_imported_when_the_chain_reaches_it(
    make_package: MakePackage,
) -> None:
    make_package(
        "pkg_parent",
        {"mods": "LOADED = True\n"},
    )
    parent = Registry("x", scope="pp", locations=["pkg_parent.mods"])
    child = Registry("x", parent=parent, scope="cc")
    child.register_module(name="Own", module=float)
    assert child.get("Own") is float
    assert "pkg_parent.mods" not in sys.modules
    assert child.get("Missing") is None
    assert "pkg_parent.mods" in sys.modules


# -- repr and scope switching -----------------------------------------------


def test_repr_is_a_plain_table() -> None:
    registry = Registry("demo", scope="s")
    registry.register_module(name="b", module=Thing)
    registry.register_module(name="a_long_name", module=int)
    assert repr(registry).splitlines() == [
        "Registry of demo (scope: s, 2 modules)",
        "  Names        Objects",
        "  a_long_name  <class 'int'>",
        f"  b            {Thing!r}",
    ]


def test_switch_scope_and_registry() -> None:
    top, alpha, _, beta = _tree()
    with beta.switch_scope_and_registry(None) as registry:
        assert registry is beta and DefaultScope.get_current_instance() is None
    with beta.switch_scope_and_registry("alpha2") as registry:
        assert registry.scope == "alpha2"
        assert DefaultScope.get_current_instance().scope_name == "alpha2"
    assert DefaultScope.get_current_instance() is None


def test_switch_to_an_unknown_scope_warns_and_keeps_the_registry(caplog) -> None:
    _, _, _, beta = _tree()
    with beta.switch_scope_and_registry("nope") as registry:
        assert registry is beta
        assert DefaultScope.get_current_instance().scope_name == "nope"
    assert 'Failed to search registry with scope "nope"' in caplog.text
