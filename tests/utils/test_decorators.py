"""Deprecation and prerequisite decorators."""

import logging
import warnings

import pytest

from engine.utils import (
    _deprecation,
    check_prerequisites,
    deprecated_api_warning,
    deprecated_function,
    requires_executable,
    requires_package,
)


def test_requires_package_passes_through() -> None:
    @requires_package(["json", "os"])
    def ok(x: int) -> int:
        """Doc."""
        return x + 1

    assert ok(1) == 2
    assert ok.__name__ == "ok" and ok.__doc__ == "Doc."


def test_requires_package_names_the_missing_ones() -> None:
    @requires_package(["json", "no_such_pkg_zz", "no_such_pkg_yy"])
    def needs() -> None:
        raise AssertionError("must not run")

    msg = (
        'Prerequisites "no_such_pkg_zz, no_such_pkg_yy" are required in method '
        '"needs" but not found, please install them first.'
    )
    with pytest.raises(RuntimeError) as info:
        needs()
    assert str(info.value) == msg


def test_requires_executable() -> None:
    @requires_executable("no-such-executable-zz")
    def run() -> None:
        raise AssertionError("must not run")

    with pytest.raises(RuntimeError, match="no-such-executable-zz"):
        run()


def test_check_prerequisites_custom_template_and_lazy_check() -> None:
    calls: list[str] = []

    def checker(name: str) -> bool:
        calls.append(name)
        return False

    decorated = check_prerequisites("thing", checker, msg_tmpl="{} for {}")(len)
    assert calls == []  # checked on call, not on decoration
    with pytest.raises(RuntimeError, match="^thing for len$"):
        decorated([1])
    assert calls == ["thing"]


def test_deprecated_api_warning_renames_keyword() -> None:
    @deprecated_api_warning({"old": "new"}, cls_name="Cls")
    def func(new: int = 1) -> int:
        return new

    with pytest.warns(DeprecationWarning) as record:
        assert func(old=5) == 5
    assert str(record[0].message) == (
        '"old" is deprecated in `Cls.func`, please use "new" instead'
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert func(new=3) == 3
        assert func(4) == 4


def test_deprecated_api_warning_rejects_both_names() -> None:
    @deprecated_api_warning({"old": "new"})
    def func(new: int = 1) -> int:
        return new

    with pytest.raises(TypeError, match="`old`.*`new`") as info:
        func(old=1, new=2)
    assert isinstance(info.value, AssertionError)


def test_deprecated_api_warning_warns_on_positional_old_name() -> None:
    @deprecated_api_warning({"old": "new"})
    def func(old: int = 1, new: int = 2) -> tuple[int, int]:
        return old, new

    with pytest.warns(DeprecationWarning, match='"old" is deprecated in `func`'):
        assert func(7) == (7, 2)


def test_deprecated_function_logs_and_documents(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    logged: list[str] = []
    monkeypatch.setattr(_deprecation, "_log_warning", logged.append)

    @deprecated_function("0.2.0", "0.4.0", "use new_func instead")
    def old_func(x: int) -> int:
        """Double it.

        Args:
            x: the value.
        """
        return 2 * x

    assert old_func(3) == 6
    expected = (
        f"'{__name__}.old_func' is deprecated in version 0.2.0 and will be "
        "removed in version 0.4.0. Please use new_func instead."
    )
    assert logged == [expected]
    doc = old_func.__doc__ or ""
    assert doc.startswith(
        ".. deprecated:: 0.2.0\n"
        "    Deprecated and will be removed in version 0.4.0.\n"
        "    Please use new_func instead.\n"
    )
    assert "Double it." in doc and "x: the value." in doc
    assert old_func.__name__ == "old_func"


def test_deprecation_message_reaches_the_logging_system(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import engine.logging

    calls: list[tuple[object, ...]] = []

    def record(msg: object, logger: object = None, level: int = logging.INFO) -> None:
        calls.append((msg, logger, level))

    monkeypatch.setattr(engine.logging, "print_log", record)
    _deprecation._log_warning("going away")
    assert calls == [("going away", "current", logging.WARNING)]
