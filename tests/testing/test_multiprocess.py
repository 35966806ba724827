"""MultiProcessTestCase: pass, fail (fast), skip, time out, odd exit codes.

The cases below are run by hand (``case.run(result)``) so that a failing or
skipped case is an outcome to check, not a failure of this suite; their
``__test__ = False`` keeps pytest from collecting them.
"""

from __future__ import annotations

import json
import os
import time
import unittest

from engine.testing._internal import MultiProcessTestCase


class _Spawning(MultiProcessTestCase):
    __test__ = False

    def setUp(self) -> None:
        super().setUp()
        self._spawn_processes()


class _Cases(_Spawning):
    __test__ = False

    def test_records(self) -> None:
        info = dict(rank=self.rank, size=self.world_size, master=self.is_master)
        with open(f"{self.file_name}.rank{self.rank}", "w") as file:
            json.dump(dict(info, file_name=self.file_name), file)

    def test_fails_on_rank_1(self) -> None:
        if self.rank == 1:
            raise AssertionError("boom on rank 1")
        time.sleep(60)  # stopped as soon as rank 1 failed

    def test_skips(self) -> None:
        raise unittest.SkipTest(f"no accelerator on rank {self.rank}")

    def test_exits_oddly(self) -> None:
        if self.rank == 1:
            os._exit(3)


class _ThreeRanks(_Cases):
    __test__ = False

    @property
    def world_size(self) -> int:
        return 3


class _Tolerant(_Cases):
    __test__ = False

    def setUp(self) -> None:
        super().setUp()
        self.skip_return_code_checks = [self.test_exits_oddly]


class _Slow(_Spawning):
    __test__ = False

    @property
    def timeout(self) -> int:
        return 12  # long enough for a loaded 2-core machine to start the ranks

    def test_sleeps(self) -> None:
        sleep_for_a_minute()


def sleep_for_a_minute() -> None:
    time.sleep(60)


def _run(case: MultiProcessTestCase) -> unittest.TestResult:
    result = unittest.TestResult()
    case.run(result)
    return result


def test_every_rank_runs_the_test_with_its_own_rank() -> None:
    case = _ThreeRanks("test_records")
    assert case.rank == MultiProcessTestCase.MAIN_PROCESS_RANK
    shared = {}
    original_teardown = case.tearDown

    def read_before_teardown() -> None:
        for rank in range(3):
            with open(f"{case.file_name}.rank{rank}") as file:
                shared[rank] = json.load(file)
            os.remove(f"{case.file_name}.rank{rank}")
        original_teardown()

    case.tearDown = read_before_teardown  # type: ignore[method-assign]
    result = _run(case)
    assert result.wasSuccessful(), result.errors
    assert [shared[r]["rank"] for r in range(3)] == [0, 1, 2]
    assert {shared[r]["size"] for r in range(3)} == {3}
    assert [shared[r]["master"] for r in range(3)] == [True, False, False]
    assert {shared[r]["file_name"] for r in range(3)} == {case.file_name}
    assert not os.path.exists(case.file_name)  # removed by tearDown


def test_a_failing_rank_fails_the_test_and_stops_the_others() -> None:
    case = _Cases("test_fails_on_rank_1")
    result = _run(case)
    assert len(result.errors) == 1
    report = result.errors[0][1]
    assert "Process 1 exited with error code 10" in report
    assert "AssertionError: boom on rank 1" in report
    assert case.processes[0].exitcode < 0  # terminated, not left sleeping


def test_skipping_ranks_skip_the_test_with_their_reason() -> None:
    result = _run(_Cases("test_skips"))
    assert result.wasSuccessful()
    assert [reason for _, reason in result.skipped] == ["no accelerator on rank 0"]


def test_unexpected_exit_codes_fail_unless_the_test_allows_them() -> None:
    strict = _run(_Cases("test_exits_oddly"))
    assert len(strict.errors) == 1 and "{1: 3}" in strict.errors[0][1]
    tolerant = _run(_Tolerant("test_exits_oddly"))
    assert tolerant.wasSuccessful(), tolerant.errors


def test_a_rank_past_the_timeout_fails_with_its_stack() -> None:
    result = _run(_Slow("test_sleeps"))
    assert len(result.errors) == 1
    report = result.errors[0][1]
    assert "Process 0 timed out" in report and "Process 1 timed out" in report
    assert "sleep_for_a_minute" in report  # the stack of the stuck rank
