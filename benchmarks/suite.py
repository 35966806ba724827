"""What a benchmark suite module provides.

A suite is a module in :mod:`benchmarks.suites` with::

    NAME = "import"          # short name used on the command line
    def cases(impl: str, workdir: Path, smoke: bool) -> dict[str, Case]: ...

A :data:`Case` is a zero-argument callable. The worker calls it ``repeats``
times; if it returns a float, that is the measured time in seconds (for cases
that measure a subprocess themselves), otherwise the wall time of the call is
used. Setup belongs in ``cases``, outside the callables.
"""

from __future__ import annotations

from collections.abc import Callable

Case = Callable[[], "float | None"]
