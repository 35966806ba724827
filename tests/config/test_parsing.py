"""Reading config files: substitutions, bases, base references and errors."""

from __future__ import annotations

import sys
import textwrap
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest

from engine.config import Config
from engine.config.parsing import compiled
from engine.config.parsing.data_file import json_key_lines, yaml_key_lines
from engine.config.parsing.python_file import parse_python_full
from engine.config.parsing.substitute import (
    substitute_env_variables,
    substitute_predefined_variables,
)

Write = Callable[[str, str], Path]


@pytest.fixture
def write(tmp_path: Path) -> Write:
    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
        return path

    return write


# -- substitutions ----------------------------------------------------------------


def test_predefined_variables() -> None:
    text = "a='{{fileDirname}}' b='{{ fileBasename }}' c='{{fileBasenameNoExtension}}'"
    text += " d='{{fileExtname}}' e='{{fileOther}}'"
    assert substitute_predefined_variables(text, "/cfg/dir/name.py") == (
        "a='/cfg/dir' b='name.py' c='name' d='.py' e='{{fileOther}}'"
    )


def test_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SET_VAR", "7")
    monkeypatch.delenv("UNSET_VAR", raising=False)
    text = (
        "a='{{$UNSET_VAR:x:y}}'\nb={{'$SET_VAR:1'}}\nc={{\"$UNSET_VAR:[1]\"}}\n"
        "d='{{ $SET_VAR : 3 }}'\ne='{{$UNSET_VAR}}'\nf='{{$NO-NAME:1}}'\n"
    )
    done = substitute_env_variables(text, "c.py")
    assert done.text == (
        "a='x:y'\nb=7\nc=[1]\nd='7'\ne='{{$UNSET_VAR}}'\nf='{{$NO-NAME:1}}'\n"
    )
    assert [(u.name, u.line, u.from_env) for u in done.env_uses] == [
        ("SET_VAR", 2, True),
        ("UNSET_VAR", 3, False),
        ("UNSET_VAR", 1, False),
        ("SET_VAR", 4, True),
    ]
    assert done.env_variables == {"SET_VAR": "7"}


def test_required_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("UNSET_VAR", raising=False)
    with pytest.raises(KeyError, match=r"UNSET_VAR.*cannot be found.*c\.py, line 2"):
        substitute_env_variables("a = 1\nb = '{{$UNSET_VAR:}}'\n", "c.py")


def test_substitution_happens_in_every_format(
    write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROOT", "/data/")
    write(
        "a.json",
        '{"root": "{{$ROOT:/x/}}", "n": {{"$NUM:3"}}, "f": "{{fileBasename}}"}',
    )
    write("a.yaml", "root: '{{$ROOT:/x/}}'\nn: {{'$NUM:3'}}\nf: '{{fileBasename}}'\n")
    for name in ("a.json", "a.yaml"):
        cfg = Config.fromfile(name)
        assert cfg.to_dict() == {"root": "/data/", "n": 3, "f": name}
        assert cfg.env_variables == {"ROOT": "/data/"}


# -- the Python reader --------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "_base_ = ['a.py', 'b.py']\nx = 1\n",
        "# comment\n\n_base_ = [\n    'a.py',\n    'b.py',  # two\n]\nx = 1\n",
        "_base_ = 'a.py'\nx = _base_.model\n",
        "x = 1\n",
    ],
)
def test_fast_path_agrees_with_the_syntax_tree(text: str) -> None:
    fast = compiled._fast_parse(text, "c.py")
    full = parse_python_full(text, "c.py")
    assert fast is not None and fast.tree is None
    assert (fast.bases, fast.base_line, fast.uses_base_var) == (
        full.bases,
        full.base_line,
        full.uses_base_var,
    )


@pytest.mark.parametrize(
    "text",
    [
        "x = '''\n_base_ = ['nope.py']\n'''\n",  # inside a string
        "x = 1\n_base_ = 'a.py'\n",  # not first
        "_base_ = 'a.py'\n_base_ = 'b.py'\n",  # twice
        "_base_ = 'a.py'\nx = {{_base_.y}}\n",  # a textual reference
    ],
)
def test_unusual_files_take_the_syntax_tree_path(text: str) -> None:
    assert compiled._fast_parse(text, "c.py") is None


def test_blanked_base_statement_keeps_line_numbers(write: Write) -> None:
    write("base.py", "a = 1\n")
    write("child.py", "_base_ = [\n    'base.py',\n]\nx = 1 / 0\n")
    with pytest.raises(ZeroDivisionError) as info:
        Config.fromfile("child.py")
    frames = [f for f in info.traceback if str(f.path).endswith("child.py")]
    assert frames and frames[-1].lineno + 1 == 4


def test_python_variables_kept(write: Write) -> None:
    write(
        "c.py",
        """\
        import_ok = len([1])
        def f(x): return x
        class K: pass
        _private = 1
        __dunder = 2
        lam = lambda q: q
        y = f(1)
        p = print
        scale = 3
        b = [i * scale for i in range(2)]
        """,
    )
    cfg = Config.fromfile("c.py")
    assert list(cfg) == ["import_ok", "K", "_private", "y", "p", "scale", "b"]
    assert cfg.b == [0, 3] and cfg.p is print


def test_base_reference_forms(write: Write) -> None:
    write("base.py", "model = dict(type='ResNet', norm=dict(type='BN'))\na = 1\n")
    write(
        "c.py",
        """\
        _base_ = 'base.py'
        w = {{ _base_.model.norm.type }}
        v = {{_base_.model}}
        v2 = v
        s = '{{_base_.a}}'
        """,
    )
    cfg = Config.fromfile("c.py")
    assert cfg.w == "BN" and cfg.v == cfg.v2 == cfg.model
    assert cfg.v is not cfg.model  # a copy
    assert cfg.s == "{{_base_.a}}"  # text inside a string is left alone


def test_textual_reference_errors(write: Write) -> None:
    write("base.py", "model = dict(type='ResNet')\n")
    write("bad.py", "_base_ = 'base.py'\na = {{_base_.model}}\na['type'] = 'X'\n")
    with pytest.raises(
        TypeError, match=r"bad\.py, line 2.*Python form `_base_\.model`"
    ):
        Config.fromfile("bad.py")
    write("missing.py", "_base_ = 'base.py'\n\nb = {{_base_.nope}}\n")
    with pytest.raises(KeyError, match=r"missing\.py, line 3\): 'nope' is not defined"):
        Config.fromfile("missing.py")


def test_pythonic_base_access_modifies_the_inherited_value(write: Write) -> None:
    write("base.py", "model = dict(type='ResNet', depth=50, lst=[1])\na = 1\n")
    write(
        "c.py",
        """\
        _base_ = ['base.py']
        alias = _base_.model
        alias.type = 'MobileNet'
        _base_.model.depth = 7
        _base_.new = 3
        items = _base_.model.lst
        items.append(2)
        """,
    )
    cfg = Config.fromfile("c.py")
    assert cfg.model == {"type": "MobileNet", "depth": 7, "lst": [1, 2]}
    assert cfg.alias == cfg.model and cfg.new == 3 and cfg["items"] == [1, 2]


def test_base_statement_errors(write: Write) -> None:
    write("int.py", "_base_ = 123\n")
    with pytest.raises(TypeError, match=r"int\.py, line 1"):
        Config.fromfile("int.py")
    write("tuple.py", "_base_ = ('a.py',)\n")
    with pytest.raises(TypeError, match="list of strings"):
        Config.fromfile("tuple.py")
    write("expr.py", "b = 'a.py'\n_base_ = [b]\n")
    with pytest.raises(ValueError, match="written literally"):
        Config.fromfile("expr.py")
    write("nested.py", "if True:\n    _base_ = ['a.py']\n")
    with pytest.raises(ValueError, match=r"top level.*nested\.py, line 2"):
        Config.fromfile("nested.py")


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


# -- data files -----------------------------------------------------------------------


def test_json_and_yaml_key_lines() -> None:
    text = '{"a": 1,\n "b": {"c": [2,\n 3, {"d": "x,]}"}]},\n "e": null}'
    assert json_key_lines(text) == {
        ("a",): 1,
        ("b",): 2,
        ("b", "c"): 2,
        ("b", "c", 0): 2,
        ("b", "c", 1): 3,
        ("b", "c", 2): 3,
        ("b", "c", 2, "d"): 3,
        ("e",): 4,
    }
    lines = yaml_key_lines("a: 1\nb:\n  c: [2, 3]\n  d:\n    - x\n")
    assert lines[("b", "c")] == 3 and lines[("b", "d", 0)] == 5


def test_data_file_errors_name_the_file(write: Write) -> None:
    import json

    write("bad.json", '{"x": 1,}')
    with pytest.raises(json.JSONDecodeError, match=r"bad\.json"):
        Config.fromfile("bad.json")
    write("list.yaml", "- 1\n- 2\n")
    with pytest.raises(
        TypeError, match=r"list\.yaml: a config file must hold a mapping"
    ):
        Config.fromfile("list.yaml")
    write("empty.yaml", "")
    assert Config.fromfile("empty.yaml").to_dict() == {}


def test_unsupported_extension(write: Write) -> None:
    write("a.txt", "x = 1\n")
    with pytest.raises(OSError, match="Only py/yml/yaml/json"):
        Config.fromfile("a.txt")


# -- bases --------------------------------------------------------------------------


def test_bases_across_formats_relative_paths_and_home(
    write: Write, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    write("home/cfgs/h.py", "h = 1\n")
    write("b.json", '{"j": {"x": 1}}')
    write("c.yaml", "_base_: b.json\ny: 2\nj: {z: 3}\n")
    write("sub/child.py", "_base_ = ['../c.yaml', '~/cfgs/h.py']\nj = dict(x=5)\n")
    cfg = Config.fromfile("sub/child.py")
    assert cfg.to_dict() == {"j": {"x": 5, "z": 3}, "y": 2, "h": 1}
    assert cfg.text.split("\n")[0] == str(tmp_path / "b.json")


def test_text_lists_every_file_bases_first(write: Write, tmp_path: Path) -> None:
    write("a.py", "a = 1\n")
    write("b.py", "_base_ = 'a.py'\nb = 1\n")
    write("c.py", "_base_ = 'b.py'\nc = 1\n")
    assert Config.fromfile("c.py").text == (
        f"{tmp_path}/a.py\na = 1\n\n{tmp_path}/b.py\n_base_ = 'a.py'\nb = 1\n\n"
        f"{tmp_path}/c.py\n_base_ = 'b.py'\nc = 1\n"
    )


def test_base_errors_name_files_and_lines(write: Write) -> None:
    write("a.py", "x = 1\nq = 2\n")
    write("b.py", "x = 2\n")
    write("dup.py", "# two bases\n_base_ = ['a.py', 'b.py']\n")
    with pytest.raises(
        KeyError, match=r"'x' is set in .*a\.py and .*b\.py.*dup\.py, line 2"
    ):
        Config.fromfile("dup.py")
    write("missing.py", "\n_base_ = 'none.py'\n")
    with pytest.raises(
        FileNotFoundError, match=r"'none\.py' of .*missing\.py \(line 2\)"
    ):
        Config.fromfile("missing.py")
    write("cycle1.py", "_base_ = 'cycle2.py'\n")
    write("cycle2.py", "_base_ = 'cycle1.py'\n")
    with pytest.raises(
        RecursionError,
        match=r"cycle1\.py -> .*cycle2\.py -> .*cycle1\.py \(.*cycle2\.py, line 1\)",
    ):
        Config.fromfile("cycle1.py")
    write("conflict.py", "_base_ = 'a.py'\n\nq = dict(y=1)\n")
    with pytest.raises(TypeError, match=r"q is a dict.*conflict\.py, line 3"):
        Config.fromfile("conflict.py")


def test_syntax_error_names_the_file_and_line(write: Write) -> None:
    path = write("bad.py", "a = 1\nb = (\n")
    write("child.py", "_base_ = 'bad.py'\n")
    with pytest.raises(SyntaxError) as info:
        Config.fromfile("child.py")
    assert info.value.filename == str(path) and info.value.lineno == 2


def test_a_lazy_base_of_a_plain_config_is_an_error(write: Write) -> None:
    write("lazy.py", "import os\nx = 1\n")
    write("plain.py", "_base_ = 'lazy.py'\n")
    with pytest.raises(RuntimeError, match=r"must match.*lazy\.py"):
        Config.fromfile("plain.py")


def test_deprecated_config_warns(write: Write) -> None:
    write(
        "old.py",
        "_deprecation_ = dict(expected='new.py', reference='http://x')\nx = 1\n",
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cfg = Config.fromfile("old.py")
    assert cfg.to_dict() == {"x": 1}
    [warning] = [w for w in caught if w.category is DeprecationWarning]
    assert "old.py will be deprecated in the future. Please use new.py" in str(
        warning.message
    )


def test_custom_imports(
    write: Write, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(tmp_path))
    write("mod_for_config_test.py", "LOADED = True\n")
    write("c.py", "custom_imports = dict(imports=['mod_for_config_test'])\n")
    try:
        Config.fromfile("c.py", import_custom_modules=False)
        assert "mod_for_config_test" not in sys.modules
        Config.fromfile("c.py")
        assert "mod_for_config_test" in sys.modules
    finally:
        sys.modules.pop("mod_for_config_test", None)
    write("bad.py", "custom_imports = dict(imports=['no_such_module_q'])\n")
    with pytest.raises(ImportError, match=r"bad\.py.*sys\.path"):
        Config.fromfile("bad.py")
    write(
        "ok.py",
        "custom_imports = dict(imports=['no_such_q'], allow_failed_imports=True)\n",
    )
    with pytest.warns(UserWarning, match="no_such_q"):
        Config.fromfile("ok.py")
