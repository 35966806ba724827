"""Isolation helpers restore the environment."""

import os

from conformance.harness.isolation import restore_environ


def test_restore_environ_removes_and_restores(monkeypatch) -> None:
    saved = dict(os.environ)
    os.environ["ENGINE_TEST_NEW"] = "1"
    key = next(iter(saved))
    os.environ[key] = saved[key] + "-changed"
    restore_environ(saved)
    assert dict(os.environ) == saved
