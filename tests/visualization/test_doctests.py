"""The Examples blocks of engine.visualization run as written.

The backends' classes belong to ``vis_backend`` (their ``__module__``), so
their examples run with that module's.
"""

from __future__ import annotations

import doctest
import os
from pathlib import Path
from types import ModuleType

import pytest

from engine.visualization import (
    _base_backend,
    _canvas,
    _heatmap,
    _marks,
    _palette,
    _png,
    _shapes,
    plot,
    utils,
    vis_backend,
    visualizer,
)


@pytest.mark.parametrize(
    "module",
    [
        _base_backend,
        _canvas,
        _heatmap,
        _marks,
        _palette,
        _png,
        _shapes,
        plot,
        utils,
        vis_backend,
        visualizer,
    ],
)
def test_doctests(
    module: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # examples that name relative folders stay here
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0 or module is _canvas
    assert (
        not (tmp_path / "work_dir").exists() or os.listdir(tmp_path / "work_dir") == []
    )
