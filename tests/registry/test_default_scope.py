"""DefaultScope and init_default_scope."""

from __future__ import annotations

import pytest

from engine.registry import DefaultScope, init_default_scope


def test_no_instance_means_no_default_scope() -> None:
    assert DefaultScope.get_current_instance() is None


def test_scope_name_is_read_only_and_checked() -> None:
    scope = DefaultScope.get_instance("task", scope_name="mmdet")
    assert (scope.instance_name, scope.scope_name) == ("task", "mmdet")
    with pytest.raises(AttributeError):
        scope.scope_name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError, match="scope_name should be a string") as info:
        DefaultScope.get_instance("bad", scope_name=3)
    assert isinstance(info.value, AssertionError)


def test_overwrite_is_temporary_and_nests() -> None:
    DefaultScope.get_instance("task", scope_name="mmdet")
    with DefaultScope.overwrite_default_scope("a"):
        with DefaultScope.overwrite_default_scope("b"):
            assert DefaultScope.get_current_instance().scope_name == "b"
        assert DefaultScope.get_current_instance().scope_name == "a"
    assert DefaultScope.get_current_instance().scope_name == "mmdet"
    assert list(DefaultScope._instance_dict) == ["task"]


def test_overwrite_restores_on_error_and_none_is_a_no_op() -> None:
    with pytest.raises(RuntimeError):
        with DefaultScope.overwrite_default_scope("a"):
            raise RuntimeError
    assert DefaultScope.get_current_instance() is None
    with DefaultScope.overwrite_default_scope(None):
        assert DefaultScope.get_current_instance() is None


def test_init_default_scope_creates_then_keeps() -> None:
    init_default_scope("mmdet")
    current = DefaultScope.get_current_instance()
    assert (current.instance_name, current.scope_name) == ("mmdet", "mmdet")
    init_default_scope("mmdet")
    assert DefaultScope.get_current_instance() is current


def test_init_default_scope_forces_an_existing_scope_back(caplog) -> None:
    init_default_scope("mmdet")
    init_default_scope("mmcls")
    assert DefaultScope.get_current_instance().instance_name == "mmcls"
    init_default_scope("mmdet")
    current = DefaultScope.get_current_instance()
    assert current.scope_name == "mmdet"
    assert current.instance_name.startswith("mmdet-")
    assert 'The current default scope "mmcls" is not "mmdet"' in caplog.text


def test_init_default_scope_treats_the_alias_as_the_root_scope(caplog) -> None:
    init_default_scope("engine")
    init_default_scope("mmengine")
    init_default_scope("engine")
    assert DefaultScope.get_current_instance().scope_name in ("engine", "mmengine")
    assert "is not" not in caplog.text


def test_init_default_scope_rejects_non_str() -> None:
    with pytest.raises(TypeError):
        init_default_scope(3)  # type: ignore[arg-type]
