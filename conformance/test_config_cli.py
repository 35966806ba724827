"""Conformance of command-line config overrides (docs L5839-5944, L6000-6032).

``demo_train.py`` and ``example.py`` are the doc's files (CFG-16), with the
package name of the implementation under test. The doc's shell commands run
through ``bash`` exactly as written, with ``python`` replaced by the test's
interpreter, so the shell's quote removal is part of the test.
"""

from __future__ import annotations

import argparse
import re
import shlex
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conformance.harness.impl import Impl

DEMO_TRAIN = """\
import argparse

from {impl}.config import Config, DictAction


def parse_args():
    parser = argparse.ArgumentParser(description='Train a model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override some settings in the used config, the key-value pair '
        'in xxx=yyy format will be merged into config file. If the value to '
        'be overwritten is a list, it should be like key="[a,b]" or key=a,b '
        'It also allows nested list/tuple values, e.g. key="[(a,b),(c,d)]" '
        'Note that the quotation marks are necessary and that no white space '
        'is allowed.')

    args = parser.parse_args()
    return args


def main():
    args = parse_args()
    cfg = Config.fromfile(args.config)
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    print(cfg)


if __name__ == '__main__':
    main()
"""

EXAMPLE = """\
model = dict(type='CustomModel', in_channels=[1, 2, 3])
optimizer = dict(type='SGD', lr=0.01)
"""

REPLACE_DATA_ROOT = """\
dataset_type = 'CocoDataset'
data_root = '{{$DATASET:/data/coco/}}'
dataset=dict(ann_file= data_root + 'train.json')
"""

Shell = Callable[[str], str]


@pytest.fixture
def shell(tmp_path: Path, impl: Impl) -> Shell:
    """Run a doc command line in a folder holding the doc's files.

    Returns the last line of its output, the config that the script prints.
    """
    (tmp_path / "demo_train.py").write_text(DEMO_TRAIN.replace("{impl}", impl.name))
    (tmp_path / "example.py").write_text(EXAMPLE)
    (tmp_path / "replace_data_root.py").write_text(REPLACE_DATA_ROOT)

    def run(command: str) -> str:
        command = command.replace("python ", f"{shlex.quote(sys.executable)} ", 1)
        done = subprocess.run(
            ["bash", "-c", command],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        # The printed config is the last line; log lines may come before it.
        return done.stdout.strip().splitlines()[-1]

    return run


@pytest.mark.spec("CFG-16")
def test_cfg_options_sets_a_nested_field(shell: Shell) -> None:
    out = shell("python demo_train.py ./example.py --cfg-options optimizer.lr=0.1")
    assert out == (
        "Config (path: ./example.py): {'model': {'type': 'CustomModel', "
        "'in_channels': [1, 2, 3]}, 'optimizer': {'type': 'SGD', 'lr': 0.1}}"
    )


@pytest.mark.spec("CFG-17")
def test_cfg_options_sets_a_list(shell: Shell) -> None:
    out = shell(
        'python demo_train.py ./example.py --cfg-options model.in_channels="[1, 1, 1]"'
    )
    assert out == (
        "Config (path: ./example.py): {'model': {'type': 'CustomModel', "
        "'in_channels': [1, 1, 1]}, 'optimizer': {'type': 'SGD', 'lr': 0.01}}"
    )


@pytest.mark.spec("CFG-19")
def test_repeated_cfg_options_extend(shell: Shell) -> None:
    out = shell(
        'python demo_train.py ./example.py --cfg-options optimizer.type="Adam" '
        '--cfg-options model.in_channels="[1, 1, 1]"'
    )
    assert out == (
        "Config (path: ./example.py): {'model': {'type': 'CustomModel', "
        "'in_channels': [1, 1, 1]}, 'optimizer': {'type': 'Adam', 'lr': 0.01}}"
    )


@pytest.mark.spec("CFG-21")
def test_cfg_options_change_only_the_named_field(shell: Shell) -> None:
    expected = (
        "Config (path: replace_data_root.py): {'dataset_type': 'CocoDataset', "
        "'data_root': '/new/dataset/path/', 'dataset': {'ann_file': "
        "'{root}train.json'}}"
    )
    out = shell(
        "python demo_train.py replace_data_root.py "
        "--cfg-options data_root='/new/dataset/path/'"
    )
    assert out == expected.replace("{root}", "/data/coco/")
    out = shell("DATASET=/new/dataset/path/ python demo_train.py replace_data_root.py")
    assert out == expected.replace("{root}", "/new/dataset/path/")


# -- DictAction in process ------------------------------------------------------


def parse_options(impl: Impl, *argv: str) -> dict[str, Any]:
    """``--cfg-options`` of the doc's parser, given shell-split words."""
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--cfg-options", nargs="+", action=impl.attr("config.DictAction")
    )
    options: dict[str, Any] = parser.parse_args(["--cfg-options", *argv]).cfg_options
    return options


def typed(value: Any) -> Any:
    """``value`` with the type of every element, so ``True`` is not ``1``."""
    if isinstance(value, (list, tuple)):
        return type(value)(typed(v) for v in value)
    return (type(value).__name__, value)


@pytest.mark.spec("CFG-17")
@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("key=[a,b]", ["a", "b"]),  # key="[a,b]"
        ("key=a,b", ["a", "b"]),
        ("key=[(a,b),(c,d)]", [("a", "b"), ("c", "d")]),  # key="[(a,b),(c,d)]"
        ("key=[1, 1, 1]", [1, 1, 1]),  # white space inside quotes (AMB-30)
    ],
)
def test_list_and_tuple_syntax_of_the_help_text(
    impl: Impl, word: str, expected: Any
) -> None:
    assert typed(parse_options(impl, word)["key"]) == typed(expected)


@pytest.mark.spec("CFG-18")
@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("a=1", 1),
        ("a=1.5", 1.5),
        ("a=True", True),
        ("a=False", False),
        ("a=None", None),
        ("a=abc", "abc"),
        ("a=1,2", [1, 2]),
        ("a=(1,2)", (1, 2)),  # a="(1,2)"
        ("a=[1,(2.5,x),[None,False]]", [1, (2.5, "x"), [None, False]]),
    ],
)
def test_command_line_value_types(impl: Impl, word: str, expected: Any) -> None:
    assert typed(parse_options(impl, word)["a"]) == typed(expected)


@pytest.mark.spec("CFG-16")
def test_keys_stay_dotted_for_merge_from_dict(impl: Impl) -> None:
    assert parse_options(impl, "optimizer.lr=0.1", "model.in_channels=[1,1,1]") == {
        "optimizer.lr": 0.1,
        "model.in_channels": [1, 1, 1],
    }


@pytest.mark.spec("CFG-19")
def test_repeated_flags_accumulate_in_one_dict(impl: Impl) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--cfg-options", nargs="+", action=impl.attr("config.DictAction")
    )
    args = parser.parse_args(
        textwrap.dedent(
            """\
            --cfg-options optimizer.type=Adam
            --cfg-options model.in_channels=[1,1,1] optimizer.type=SGD
            """
        ).split()
    )
    assert args.cfg_options == {"optimizer.type": "SGD", "model.in_channels": [1, 1, 1]}


@pytest.mark.spec("CFG-17")
@pytest.mark.parametrize(
    ("word", "named"), [("a=[1,2", "[1,2"), ("a=[(1,2],3]", "(1,2],3")]
)
def test_unbalanced_brackets_are_an_error_naming_the_value(
    impl: Impl, word: str, named: str
) -> None:
    # The doc only says brackets nest; MMEngine raises AssertionError.
    with pytest.raises(AssertionError, match=re.escape(named)):
        parse_options(impl, word)
