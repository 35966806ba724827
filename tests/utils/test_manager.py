"""ManagerMixin: named instances per class, the current instance, the lock."""

import threading
import time

import pytest

from engine.utils import ManagerMeta, ManagerMixin, _reset_manager_instances
from engine.utils.manager import ManagerMixin as ManagerMixinFromModule


class GlobalClass(ManagerMixin):
    builds = 0

    def __init__(self, name: str, value: int = 0) -> None:
        super().__init__(name)
        type(self).builds += 1
        self.value = value


class SubGlobal(GlobalClass):
    pass


def test_public_path_is_the_same_object() -> None:
    assert ManagerMixinFromModule is ManagerMixin
    assert type(ManagerMixin) is ManagerMeta


def test_get_instance_builds_then_returns_the_same_object() -> None:
    first = GlobalClass.get_instance("a", value=50)
    assert first.value == 50
    assert first.instance_name == "a"
    assert GlobalClass.get_instance("a") is first


def test_get_instance_builds_once_per_name() -> None:
    GlobalClass.builds = 0
    GlobalClass.get_instance("a", value=1)
    GlobalClass.get_instance("a")
    GlobalClass.get_instance("b", value=2)
    assert GlobalClass.builds == 2


def test_current_instance_is_the_last_built_not_the_last_fetched() -> None:
    GlobalClass.get_instance("a", value=50)
    GlobalClass.get_instance("b", value=100)
    assert GlobalClass.get_current_instance().value == 100
    GlobalClass.get_instance("a")
    assert GlobalClass.get_current_instance().instance_name == "b"


def test_current_instance_before_any_raises_runtime_error() -> None:
    with pytest.raises(RuntimeError, match=r"GlobalClass\.get_current_instance"):
        GlobalClass.get_current_instance()


def test_existing_name_with_kwargs_raises_naming_class_and_instance() -> None:
    GlobalClass.get_instance("a", value=50)
    with pytest.raises(TypeError, match=r"GlobalClass instance 'a' already exists"):
        GlobalClass.get_instance("a", value=1000)
    assert GlobalClass.get_instance("a").value == 50


def test_positional_construction_argument_is_a_type_error() -> None:
    GlobalClass.get_instance("a", value=50)
    with pytest.raises(TypeError):
        GlobalClass.get_instance("a", 1000)  # type: ignore[misc]


def test_check_instance_created() -> None:
    assert not GlobalClass.check_instance_created("a")
    GlobalClass.get_instance("a")
    assert GlobalClass.check_instance_created("a")


def test_instances_are_per_class() -> None:
    GlobalClass.get_instance("a", value=1)
    assert not SubGlobal.check_instance_created("a")
    with pytest.raises(RuntimeError):
        SubGlobal.get_current_instance()
    sub = SubGlobal.get_instance("a", value=2)
    assert isinstance(sub, SubGlobal)
    assert GlobalClass.get_instance("a").value == 1


def test_direct_construction_does_not_register() -> None:
    GlobalClass("direct", 3)
    assert not GlobalClass.check_instance_created("direct")


@pytest.mark.parametrize("name", ["", 3, None])
def test_invalid_name_is_rejected(name: object) -> None:
    with pytest.raises(TypeError) as info:
        GlobalClass.get_instance(name)  # type: ignore[arg-type]
    assert isinstance(info.value, AssertionError)  # MMEngine raises AssertionError


def test_class_without_name_argument_is_rejected_at_definition() -> None:
    with pytest.raises(TypeError, match="must accept a `name` argument") as info:

        class NoName(ManagerMixin):
            def __init__(self, value: int) -> None:
                super().__init__("fixed")

    assert isinstance(info.value, AssertionError)


def test_kwargs_only_init_is_rejected() -> None:
    with pytest.raises(TypeError):

        class OnlyKwargs(ManagerMixin):
            def __init__(self, **kwargs: object) -> None:
                super().__init__(**kwargs)  # type: ignore[arg-type]


def test_keyword_only_name_is_accepted() -> None:
    class KeywordOnly(ManagerMixin):
        def __init__(self, *, name: str) -> None:
            super().__init__(name)

    assert KeywordOnly.get_instance("k").instance_name == "k"


def test_inherited_init_is_accepted() -> None:
    class Plain(ManagerMixin):
        pass

    assert Plain.get_instance("p").instance_name == "p"


def test_failed_construction_registers_nothing() -> None:
    class Fails(ManagerMixin):
        def __init__(self, name: str, ok: bool = True) -> None:
            if not ok:
                raise ValueError("boom")
            super().__init__(name)

    with pytest.raises(ValueError, match="boom"):
        Fails.get_instance("x", ok=False)
    assert not Fails.check_instance_created("x")
    assert Fails.get_instance("x").instance_name == "x"


def test_reset_forgets_instances_and_the_current_one() -> None:
    GlobalClass.get_instance("a")
    SubGlobal.get_instance("b")
    _reset_manager_instances()
    assert not GlobalClass.check_instance_created("a")
    assert not SubGlobal.check_instance_created("b")
    with pytest.raises(RuntimeError):
        GlobalClass.get_current_instance()


def test_construction_may_build_other_managed_instances() -> None:
    class Inner(ManagerMixin):
        pass

    class Outer(ManagerMixin):
        def __init__(self, name: str) -> None:
            super().__init__(name)
            self.inner = Inner.get_instance(f"{name}-inner")

    outer = Outer.get_instance("o")
    assert outer.inner is Inner.get_current_instance()


def test_concurrent_get_instance_builds_exactly_one_instance() -> None:
    class Slow(ManagerMixin):
        builds = 0

        def __init__(self, name: str) -> None:
            super().__init__(name)
            type(self).builds += 1
            time.sleep(0.01)  # widen the race window

    barrier = threading.Barrier(16)
    seen: list[ManagerMixin] = []

    def worker() -> None:
        barrier.wait()
        seen.append(Slow.get_instance("shared"))

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Slow.builds == 1
    assert len(seen) == 16
    assert all(inst is seen[0] for inst in seen)


def test_a_failed_lookup_does_not_block_other_threads() -> None:
    # MMEngine 0.10.7 keeps its lock after get_current_instance() raises, so
    # another thread then blocks forever; engine releases it.
    with pytest.raises(RuntimeError):
        GlobalClass.get_current_instance()
    GlobalClass.get_instance("a", value=1)
    seen: list[int] = []
    thread = threading.Thread(
        target=lambda: seen.append(GlobalClass.get_current_instance().value),
        daemon=True,
    )
    thread.start()
    thread.join(timeout=30)  # a hang guard, not a timing assertion
    assert seen == [1]
