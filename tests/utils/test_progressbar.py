"""engine.utils.progressbar and progressbar_rich."""

import builtins
import io
import re
import sys

import pytest

from engine.utils.progressbar import (
    ProgressBar,
    track_iter_progress,
    track_parallel_progress,
    track_progress,
)
from engine.utils.progressbar_rich import track_progress_rich

_LINE = re.compile(
    r"\[(?P<bar>[> ]*)\] (?P<done>\d+)/(?P<total>\d+), [\d.]+ task/s, "
    r"elapsed: \d+s, ETA: +\d+s"
)


def _scale(x: int, by: int = 1) -> int:
    return x * by


def _frames(text: str) -> list[str]:
    return text.rstrip("\n").split("\r")


@pytest.fixture
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ProgressBar, "terminal_width", property(lambda self: 200))


def test_progress_bar_frames(wide_terminal: None) -> None:
    out = io.StringIO()
    bar = ProgressBar(4, bar_width=8, file=out)
    bar.update()
    bar.update(3)
    frames = _frames(out.getvalue())
    assert frames[0] == "[        ] 0/4, elapsed: 0s, ETA:"
    first, last = (_LINE.fullmatch(f) for f in frames[1:])
    assert first and last
    assert first["bar"] == ">>" + " " * 6 and first["done"] == "1"
    assert last["bar"] == ">" * 8 and last["done"] == "4"
    assert bar.completed == 4


def test_bar_shrinks_to_fit_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ProgressBar, "terminal_width", property(lambda self: 40))
    out = io.StringIO()
    ProgressBar(2, bar_width=50, file=out).update()
    match = _LINE.fullmatch(_frames(out.getvalue())[1])
    assert match and len(match["bar"]) == 2  # never narrower than 2


def test_unknown_total_counts() -> None:
    out = io.StringIO()
    bar = ProgressBar(0, file=out)
    bar.update()
    bar.update()
    text = out.getvalue()
    assert text.startswith("completed: 0, elapsed: 0s")
    assert re.search(r"completed: 2, elapsed: \d+s, [\d.]+ tasks/s$", text)


def test_start_false_draws_nothing() -> None:
    out = io.StringIO()
    bar = ProgressBar(2, file=out, start=False)
    assert out.getvalue() == ""
    bar.start()
    assert out.getvalue().startswith("[")


def test_track_progress(wide_terminal: None) -> None:
    out = io.StringIO()
    assert track_progress(_scale, [1, 2, 3], file=out, by=10) == [10, 20, 30]
    frames = _frames(out.getvalue())
    assert len(frames) == 4 and out.getvalue().endswith("\n")
    assert [m["done"] for m in map(_LINE.fullmatch, frames[1:]) if m] == ["1", "2", "3"]


def test_track_progress_with_an_iterable_and_count() -> None:
    out = io.StringIO()
    assert track_progress(abs, (iter([-1, -2]), 2), file=out) == [1, 2]
    assert "2/2" in out.getvalue()


def test_track_progress_rejects_other_tasks() -> None:
    with pytest.raises(TypeError, match='"tasks" must be a tuple'):
        track_progress(abs, 3)  # type: ignore[arg-type]


def test_track_iter_progress() -> None:
    out = io.StringIO()
    seen = []
    for task in track_iter_progress([1, 2, 3], file=out):
        seen.append(task)
        assert f"{len(seen) - 1}/3" in out.getvalue()  # updated after the body
    assert seen == [1, 2, 3]
    assert "3/3" in out.getvalue() and out.getvalue().endswith("\n")


@pytest.mark.parametrize("keep_order", [True, False])
def test_track_parallel_progress(keep_order: bool) -> None:
    out = io.StringIO()
    results = track_parallel_progress(
        abs, [-3, -1, -2, -5], 2, file=out, keep_order=keep_order
    )
    if keep_order:
        assert results == [3, 1, 2, 5]
    else:
        assert sorted(results) == [1, 2, 3, 5]
    assert "4/4" in out.getvalue()


def test_track_parallel_progress_skip_first() -> None:
    out = io.StringIO()
    results = track_parallel_progress(
        abs, [-1, -2, -3, -4, -5], 2, file=out, skip_first=True
    )
    assert results == [1, 2, 3, 4, 5]
    assert out.getvalue().startswith("[") and " 0/3," in out.getvalue()
    assert "3/3" in out.getvalue()


def test_track_parallel_progress_initializer() -> None:
    out = io.StringIO()
    results = track_parallel_progress(
        abs, [-1], 1, initializer=sys.setrecursionlimit, initargs=(2000,), file=out
    )
    assert results == [1]


def _add(x: int, y: int) -> int:
    return x + y


def test_track_progress_rich_unpacks_tuples_and_lists() -> None:
    assert track_progress_rich(_add, [(1, 2), [3, 4]]) == [3, 7]
    assert track_progress_rich(str, ["ab", {"k": 1}]) == ["ab", "{'k': 1}"]


def test_track_progress_rich_in_a_pool() -> None:
    assert track_progress_rich(abs, [-1, -2, -3], nproc=2) == [1, 2, 3]


def test_track_progress_rich_iterator_and_count() -> None:
    assert track_progress_rich(abs, iter([-1, -2]), task_num=2) == [1, 2]
    assert track_progress_rich(abs, iter([-1, -2])) == [1, 2]
    assert track_progress_rich(abs, [], task_num=0) == []


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"func": 3, "tasks": [1]}, TypeError, "callable"),
        ({"func": abs, "tasks": 5}, TypeError, "iterable"),
        ({"func": abs, "tasks": [1], "nproc": 0}, ValueError, "positive"),
        ({"func": abs, "tasks": []}, ValueError, "task_num must be set"),
        ({"func": abs, "tasks": [1, 2], "task_num": 3}, ValueError, "does not match"),
    ],
)
def test_track_progress_rich_errors(kwargs: dict, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        track_progress_rich(**kwargs)


def test_track_progress_rich_without_rich(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    real_import = builtins.__import__

    def no_rich(name: str, *args: object, **kwargs: object) -> object:
        if name == "rich" or name.startswith("rich."):
            raise ImportError("No module named 'rich'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_rich)
    assert track_progress_rich(abs, [-1, -2]) == [1, 2]
    assert "2/2" in capsys.readouterr().out
