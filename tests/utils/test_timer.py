"""engine.utils.timer: Timer, TimerError, check_time."""

import time

import pytest

from engine.utils import timer as timer_module
from engine.utils.timer import Timer, TimerError, check_time


class FakeClock:
    """A controllable ``time.perf_counter``."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(time, "perf_counter", fake)
    return fake


def test_since_start_and_since_last_check(clock: FakeClock) -> None:
    timer = Timer()
    clock.now += 2
    assert timer.since_last_check() == pytest.approx(2)
    clock.now += 3
    assert timer.since_start() == pytest.approx(5)
    clock.now += 1
    assert timer.since_last_check() == pytest.approx(1)


def test_start_keeps_the_start_of_a_running_timer(clock: FakeClock) -> None:
    timer = Timer()
    clock.now += 2
    timer.start()
    clock.now += 1
    assert timer.since_start() == pytest.approx(3)


def test_not_running(clock: FakeClock) -> None:
    timer = Timer(start=False)
    assert not timer.is_running
    for read in (timer.since_start, timer.since_last_check):
        with pytest.raises(TimerError, match="timer is not running") as info:
            read()
        assert info.value.message == "timer is not running"
    timer.start()
    assert timer.is_running


def test_context_manager_prints(
    clock: FakeClock, capsys: pytest.CaptureFixture
) -> None:
    with Timer() as timer:
        clock.now += 1.5
    assert capsys.readouterr().out == "1.500\n"
    assert not timer.is_running
    with Timer(print_tmpl="took {:.1f} s"):
        clock.now += 2
    assert capsys.readouterr().out == "took 2.0 s\n"


def test_check_time(clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timer_module, "_TIMERS", {})
    assert check_time("loop") == 0
    clock.now += 4
    assert check_time("loop") == pytest.approx(4)
    assert check_time("other") == 0
    clock.now += 1
    assert check_time("loop") == pytest.approx(1)


def test_timer_error_is_an_exception() -> None:
    assert issubclass(TimerError, Exception)
    assert str(TimerError("m")) == "m"
