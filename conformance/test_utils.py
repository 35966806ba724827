"""utils: ManagerMixin (UTIL-01) and the installed package (PKG-*).

UTIL-01 follows the doc's ``GlobalClass`` example (L7840-7909): one test
per documented statement. Expected values are the doc's comments.
"""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Any

import pytest

from conformance.harness.impl import Impl

# PEP 440, Appendix B (canonical public version pattern).
_PEP440 = re.compile(
    r"""^([1-9][0-9]*!)?(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*
    ((a|b|rc)(0|[1-9][0-9]*))?(\.post(0|[1-9][0-9]*))?(\.dev(0|[1-9][0-9]*))?$""",
    re.VERBOSE,
)


def _global_class(impl: Impl) -> Any:
    """The doc's ``GlobalClass`` (L7840), counting how often it is built."""
    mixin = impl.attr("utils.ManagerMixin")

    class GlobalClass(mixin):  # type: ignore[misc, valid-type]
        builds = 0

        def __init__(self, name: str, value: int = 0) -> None:
            super().__init__(name)
            type(self).builds += 1
            self.value = value

    return GlobalClass


@pytest.fixture
def global_class(impl: Impl) -> Any:
    return _global_class(impl)


@pytest.fixture
def two_instances(global_class: Any) -> Any:
    """The hook of L7866-7869: build ``'mmengine'`` (50), then ``'exp'`` (100)."""
    global_class.get_instance("mmengine", value=50)
    global_class.get_instance("exp", value=100)
    return global_class


@pytest.mark.spec("UTIL-01")
def test_manager_mixin_is_importable_from_utils(impl: Impl) -> None:
    mixin = impl.attr("utils.ManagerMixin")
    assert impl.attr("utils.manager.ManagerMixin") is mixin
    for name in ("get_instance", "get_current_instance", "instance_name"):
        assert hasattr(mixin, name), name


@pytest.mark.spec("UTIL-01")
def test_get_instance_builds_a_new_instance(global_class: Any) -> None:
    instance = global_class.get_instance("mmengine", value=50)
    assert isinstance(instance, global_class)
    assert instance.value == 50
    assert global_class.builds == 1


@pytest.mark.spec("UTIL-01")
def test_get_instance_with_another_name_builds_a_second_one(global_class: Any) -> None:
    first = global_class.get_instance("mmengine", value=50)
    second = global_class.get_instance("exp", value=100)
    assert second is not first
    assert (first.value, second.value) == (50, 100)
    assert global_class.builds == 2


@pytest.mark.spec("UTIL-01")
def test_current_instance_is_the_latest_built(two_instances: Any) -> None:
    assert two_instances.get_current_instance().value == 100


@pytest.mark.spec("UTIL-01")
def test_get_instance_of_existing_name_returns_it(two_instances: Any) -> None:
    current = two_instances.get_current_instance()
    assert two_instances.get_instance("mmengine").value == 50
    assert two_instances.builds == 2  # nothing new was built
    # fetching does not build, so the latest built instance stays current
    assert two_instances.get_current_instance() is current


@pytest.mark.spec("UTIL-01")
def test_existing_name_with_positional_argument_raises(two_instances: Any) -> None:
    # L7907-7909: ``get_instance('mmengine', 1000)`` raises an error.
    with pytest.raises(TypeError):
        two_instances.get_instance("mmengine", 1000)
    assert two_instances.get_instance("mmengine").value == 50


@pytest.mark.spec("UTIL-01")
@pytest.mark.diverges(
    "mmengine",
    reason="the doc says get_instance of a built name with construction "
    "parameters raises an error (doc L7908, L7920); mmengine only warns",
)
def test_existing_name_with_construction_kwargs_raises(two_instances: Any) -> None:
    with pytest.raises(TypeError, match="mmengine"):
        two_instances.get_instance("mmengine", value=1000)
    assert two_instances.get_instance("mmengine").value == 50


@pytest.mark.spec("UTIL-01")
def test_instance_name_is_the_given_name(two_instances: Any) -> None:
    assert two_instances.get_instance("mmengine").instance_name == "mmengine"
    assert two_instances.get_current_instance().instance_name == "exp"


@pytest.mark.spec("UTIL-01")
def test_check_instance_created(global_class: Any) -> None:
    assert not global_class.check_instance_created("mmengine")
    global_class.get_instance("mmengine", value=50)
    assert global_class.check_instance_created("mmengine")


@pytest.mark.spec("UTIL-01")
def test_current_instance_before_any_raises(global_class: Any) -> None:
    with pytest.raises(RuntimeError):
        global_class.get_current_instance()


@pytest.mark.spec("UTIL-01")
def test_instances_are_per_class(impl: Impl, two_instances: Any) -> None:
    class SubClass(two_instances):  # type: ignore[misc, valid-type]
        pass

    assert not SubClass.check_instance_created("mmengine")
    with pytest.raises(RuntimeError):
        SubClass.get_current_instance()
    other = _global_class(impl)
    assert not other.check_instance_created("exp")


@pytest.mark.spec("UTIL-01")
def test_subclass_must_accept_name(impl: Impl) -> None:
    mixin = impl.attr("utils.ManagerMixin")
    with pytest.raises(AssertionError):

        class NoName(mixin):  # type: ignore[misc, valid-type]
            def __init__(self, value: int) -> None:
                super().__init__("fixed")


@pytest.mark.spec("PKG-02")
def test_version_is_a_pep440_string(impl: Impl) -> None:
    version = impl.root.__version__
    assert isinstance(version, str)
    assert _PEP440.match(version), version


@pytest.mark.spec("PKG-02")
def test_version_command_prints_it(impl: Impl) -> None:
    # L147: python -c 'import mmengine;print(mmengine.__version__)'
    code = f"import {impl.name};print({impl.name}.__version__)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == impl.root.__version__
