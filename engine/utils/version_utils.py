"""Version strings: comparable tuples and the git hash.

:func:`digit_version` parses a PEP 440 version (the grammar is the one of
PEP 440, Appendix B) into a tuple of ints that compares like the versions.
"""

from __future__ import annotations

import os
import re
import subprocess

__all__ = ["digit_version", "get_git_hash"]

_VERSION_RE = re.compile(
    r"""
    ^\s*v?
    (?:(?P<epoch>[0-9]+)!)?
    (?P<release>[0-9]+(?:\.[0-9]+)*)
    (?P<pre>[-_.]?(?P<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?P<pre_n>[0-9]+)?)?
    (?P<post>(?:-(?P<post_n1>[0-9]+))
        |(?:[-_.]?(?P<post_l>post|rev|r)[-_.]?(?P<post_n2>[0-9]+)?))?
    (?P<dev>[-_.]?(?P<dev_l>dev)[-_.]?(?P<dev_n>[0-9]+)?)?
    (?:\+(?P<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?
    \s*$
    """,
    re.VERBOSE | re.IGNORECASE,
)

#: Sort keys of the pre-release labels, below a final release (0).
_PRE_RANK = {"a": -3, "alpha": -3, "b": -2, "beta": -2}
_RC_RANK = -1
_DEV_RANK = -4


def digit_version(version_str: str, length: int = 4) -> tuple[int, ...]:
    """Convert a version string into a tuple of ints for comparison.

    The release numbers are padded with zeros (or cut) to ``length``, then
    two ints encode the suffix: ``(-3, n)`` for alpha ``an``, ``(-2, n)``
    for beta, ``(-1, n)`` for ``rcn`` (also ``c``, ``pre``), ``(-4, 0)`` for
    a dev release, ``(1, n)`` for ``.postn`` and ``(0, 0)`` for a final
    release. A pre-release label wins over dev, and dev over post. The
    epoch and the local part (``+cu118``) are ignored.

    Args:
        version_str: A PEP 440 version, e.g. ``'2.1.0rc1'``.
        length: How many release numbers to keep. Defaults to 4.

    Returns:
        A tuple of ``length + 2`` ints.

    Raises:
        ValueError: if ``version_str`` is not a valid PEP 440 version.

    Examples:
        >>> digit_version('1.2.3')
        (1, 2, 3, 0, 0, 0)
        >>> digit_version('1.2.3rc1')
        (1, 2, 3, 0, -1, 1)
        >>> digit_version('2.0.0rc1') < digit_version('2.0.0')
        True
    """
    match = _VERSION_RE.match(version_str)
    if match is None:
        raise ValueError(f"Invalid version: {version_str!r}")
    release = [int(part) for part in match["release"].split(".")][:length]
    release += [0] * (length - len(release))
    return (*release, *_suffix_key(match))


def _suffix_key(match: re.Match[str]) -> tuple[int, int]:
    if match["pre"]:
        label = match["pre_l"].lower()
        return _PRE_RANK.get(label, _RC_RANK), int(match["pre_n"] or 0)
    if match["dev"]:
        return _DEV_RANK, 0
    if match["post"]:
        return 1, int(match["post_n1"] or match["post_n2"] or 0)
    return 0, 0


def get_git_hash(fallback: str = "unknown", digits: int | None = None) -> str:
    """Return the hash of the git ``HEAD`` of the current directory.

    Args:
        fallback: Returned when ``git`` cannot be run. Defaults to
            ``'unknown'``.
        digits: Keep only this many leading characters. Defaults to None
            (all).

    Returns:
        What ``git rev-parse HEAD`` prints, stripped (empty outside a
        repository, as in MMEngine), or ``fallback``.

    Raises:
        TypeError: if ``digits`` is neither None nor an int.

    Examples:
        >>> isinstance(get_git_hash(digits=7), str)
        True
    """
    if digits is not None and not isinstance(digits, int):
        raise TypeError(f"digits must be None or an integer, got {digits!r}")
    env = {**os.environ, "LANGUAGE": "C", "LANG": "C", "LC_ALL": "C"}
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            check=False,
        )
    except OSError:
        return fallback
    sha = result.stdout.strip().decode("ascii", errors="replace")
    return sha[:digits] if digits is not None else sha
