"""engine.utils.version_utils: digit_version and get_git_hash."""

import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.utils import version_utils
from engine.utils.version_utils import digit_version, get_git_hash


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("1.2.3", (1, 2, 3, 0, 0, 0)),
        ("1.2", (1, 2, 0, 0, 0, 0)),
        ("1.2.3.4.5", (1, 2, 3, 4, 0, 0)),
        ("1.2.3rc1", (1, 2, 3, 0, -1, 1)),
        ("1.2.3c1", (1, 2, 3, 0, -1, 1)),
        ("1.2.3a1", (1, 2, 3, 0, -3, 1)),
        ("1.2.3b2", (1, 2, 3, 0, -2, 2)),
        ("1.0rc", (1, 0, 0, 0, -1, 0)),
        ("1.2.3.post1", (1, 2, 3, 0, 1, 1)),
        ("1.0-1", (1, 0, 0, 0, 1, 1)),
        ("1.0.post", (1, 0, 0, 0, 1, 0)),
        ("1.2.3.dev1", (1, 2, 3, 0, -4, 0)),
        ("1.0.post2.dev3", (1, 0, 0, 0, -4, 0)),
        ("1.0rc1.post2.dev3", (1, 0, 0, 0, -1, 1)),
        ("2.1.0+cu118", (2, 1, 0, 0, 0, 0)),
        ("1!2.0", (2, 0, 0, 0, 0, 0)),
        (" v1.0 ", (1, 0, 0, 0, 0, 0)),
    ],
)
def test_digit_version_examples(version: str, expected: tuple[int, ...]) -> None:
    assert digit_version(version) == expected


def test_digit_version_length() -> None:
    assert digit_version("1.2.3", 2) == (1, 2, 0, 0)
    assert digit_version("1.2.3", 6) == (1, 2, 3, 0, 0, 0, 0, 0)


@pytest.mark.parametrize("bad", ["", "abc", "1.2.x", "1..2"])
def test_digit_version_rejects_invalid(bad: str) -> None:
    with pytest.raises(ValueError, match="Invalid version"):
        digit_version(bad)


_release = st.lists(st.integers(0, 30), min_size=1, max_size=4)
_suffix = st.sampled_from(["", "a", "b", "rc", ".dev", ".post"])


@st.composite
def _versions(draw: st.DrawFn) -> tuple[str, tuple]:
    """A version string and an independent sort key for it."""
    release = draw(_release)
    suffix = draw(_suffix)
    number = draw(st.integers(0, 9))
    text = ".".join(map(str, release)) + (f"{suffix}{number}" if suffix else "")
    rank = {"a": 1, "b": 2, "rc": 3, ".dev": 0, "": 4, ".post": 5}[suffix]
    # a dev release sorts below every pre-release; its number is dropped
    key_number = 0 if suffix in ("", ".dev") else number
    return text, (tuple(release + [0] * (4 - len(release))), rank, key_number)


@given(_versions(), _versions())
def test_digit_version_orders_like_the_versions(a: tuple, b: tuple) -> None:
    (text_a, key_a), (text_b, key_b) = a, b
    assert (digit_version(text_a) < digit_version(text_b)) == (key_a < key_b)
    assert (digit_version(text_a) == digit_version(text_b)) == (key_a == key_b)


def test_get_git_hash_in_a_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    git = [
        "git",
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@t",
        "-c",
        "commit.gpgsign=false",
    ]
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(
        [*git, "-C", str(tmp_path), "commit", "-q", "--allow-empty", "-m", "x"],
        check=True,
    )
    sha = subprocess.run(
        ["git", "-C", str(tmp_path), "rev-parse", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    monkeypatch.chdir(tmp_path)
    assert get_git_hash() == sha
    assert get_git_hash(digits=7) == sha[:7]


def test_get_git_hash_outside_a_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    assert get_git_hash() == ""  # as MMEngine: git ran, printed nothing


def test_get_git_hash_fallback_without_git(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_git(*args: object, **kwargs: object) -> None:
        raise FileNotFoundError("git")

    monkeypatch.setattr(version_utils.subprocess, "run", no_git)
    assert get_git_hash() == "unknown"
    assert get_git_hash("fb") == "fb"


def test_get_git_hash_rejects_bad_digits() -> None:
    with pytest.raises(TypeError):
        get_git_hash(digits="7")  # type: ignore[arg-type]
