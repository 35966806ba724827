"""Detecting and parsing lazy-import (pure-Python) config files.

The detection table and the parse results were observed on MMEngine 0.10.7
(``Config._is_lazy_import`` and ``Config.fromfile``), with ``mmengine``
spelled ``engine``. Where engine is stricter (``_base_`` in a lazy config,
imports MMEngine accepts but cannot build), the test says so.
"""

from __future__ import annotations

import sys
import textwrap
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from engine.config.config_dict import ConfigDict
from engine.config.lazy import LazyAttr, LazyObject, read_base
from engine.config.lazy_parse import (
    ConfigParsingError,
    is_lazy_config,
    parse_lazy_config,
)

Write = Callable[..., str]


@pytest.fixture
def write(tmp_path: Path) -> Write:
    """Write ``{relative path: source}`` under tmp_path; return the first path."""

    def write(files: dict[str, str] | None = None, /, **named: str) -> str:
        entries = {**(files or {}), **{f"{k}.py": v for k, v in named.items()}}
        first = ""
        for rel, source in entries.items():
            path = tmp_path / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(source))
            first = first or str(path)
        return first

    return write


RB = "from engine.config import read_base\n"

DETECTION = [
    ("a = 1\n", False),
    ("import os\n", True),
    ("import os as o\n", True),
    ("from os import path\n", True),
    ("import sys\n", False),  # builtin module
    ("import itertools\n", False),
    ("from sys import path\n", False),
    ("import zipimport\n", True),  # frozen, not builtin
    ("import engine\n", True),
    ("import engine.config\n", False),
    ("import engine.config as c\n", False),
    ("from engine.config import Config\n", False),
    ("from engine.config.lazy import LazyObject\n", False),
    ("from engine import Config\n", False),
    ("from engine import Config as C\n", False),
    ("from engine import Config, Registry\n", True),
    ("from engine import Registry\n", True),
    ("from engine.dataset import DefaultSampler\n", True),
    ("from mmengine.config import read_base\n", False),
    ("import os, engine.config\n", True),
    ("from . import x\n", True),
    ("from .x import y\n", True),
    ("from __future__ import annotations\n", True),
    ("a = 1\nimport os\n", True),
    ("_base_ = []\nimport os\n", False),
    ("import os\n_base_ = []\n", True),
    ("_base_: list = []\nimport os\n", True),  # only `_base_ = ...` counts
    ("import os\n_base_ += []\n", True),
    ("with read_base():\n    pass\n", True),
    ("_base_ = []\nwith read_base():\n    pass\n", False),
    ("def f():\n    import os\n", True),
    ("if True:\n    import os\n_base_ = []\n", False),  # breadth first
    ("if True:\n    _base_ = []\nimport os\n", True),
    ("custom_imports = dict(imports=['os'])\n", False),
]


@pytest.mark.parametrize(("source", "expected"), DETECTION)
def test_is_lazy_config(write: Write, source: str, expected: bool) -> None:
    assert is_lazy_config(write(cfg=source)) is expected


def test_only_python_files_can_be_lazy(write: Write) -> None:
    assert is_lazy_config(write({"cfg.json": '{"a": 1}'})) is False


@pytest.mark.parametrize(
    "source", ["with open('x') as f:\n    pass\n", "with read_base:\n    pass\n"]
)
def test_other_with_statements_are_refused(write: Write, source: str) -> None:
    path = write(cfg=source)
    with pytest.raises(
        ConfigParsingError, match=r"cfg\.py, line 1: only the `read_base"
    ):
        is_lazy_config(path)


def test_syntax_error_names_the_file(write: Write) -> None:
    path = write(cfg="a = (\n")
    with pytest.raises(SyntaxError) as info:
        is_lazy_config(path)
    assert info.value.filename == path


# -- parsing ------------------------------------------------------------------


def raw(cfg: dict[str, Any], key: str) -> Any:
    """A value as stored (lazy values unbuilt)."""
    return dict.__getitem__(cfg, key)


def test_star_import_of_a_relative_base(write: Write) -> None:
    path = write(
        child=RB + "with read_base():\n    from .base import *\nmodel.depth = 101\n",
        base="model = dict(type='ResNet', depth=50)\n_kept = 1\n__dropped = 2\n",
    )
    cfg = parse_lazy_config(path)
    assert list(cfg) == ["model", "_kept", "read_base"]
    assert cfg["model"] == {"type": "ResNet", "depth": 101}
    assert type(cfg["model"]) is ConfigDict
    assert cfg["read_base"] is read_base


def test_bases_bind_before_the_body_runs(write: Write) -> None:
    path = write(
        child=RB + "a = 0\nwith read_base():\n    from .base import *\nz = 1\n",
        base="a = 1\n",
    )
    assert parse_lazy_config(path) == {"a": 0, "read_base": read_base, "z": 1}


def test_named_and_aliased_imports_in_order(write: Write) -> None:
    path = write(
        child=RB
        + "with read_base():\n"
        + "    from .one import a\n"
        + "    from .one import *\n"
        + "    from .two import a as b\n",
        one="a = 1\nc = 3\n",
        two="a = 7\n",
    )
    cfg = parse_lazy_config(path)
    assert cfg == {"a": 1, "c": 3, "b": 7, "read_base": read_base}


def test_later_base_overrides_earlier_one(write: Write) -> None:
    path = write(
        child=RB
        + "with read_base():\n    from .one import *\n    from .two import *\n",
        one="optimizer = dict(type='SGD', lr=0.1)\n",
        two="optimizer = dict(type='Adam')\n",
    )
    assert parse_lazy_config(path)["optimizer"] == {"type": "Adam"}


def test_assignment_replaces_and_attribute_assignment_modifies(write: Write) -> None:
    path = write(
        child=RB
        + "with read_base():\n    from .base import *\n"
        + "optimizer = dict(lr=0.01)\nmodel.type = 'MobileNet'\na = model\n",
        base="optimizer = dict(type='SGD', lr=0.1)\nmodel = dict(type='ResNet')\n",
    )
    cfg = parse_lazy_config(path)
    assert cfg["optimizer"] == {"lr": 0.01}  # no merging in the lazy style
    assert cfg["model"] == cfg["a"] == {"type": "MobileNet"}


def test_parent_folder_and_nested_bases(write: Write, tmp_path: Path) -> None:
    write(
        {
            "configs/sub/child.py": RB
            + "with read_base():\n    from ..base import x\n",
            "configs/base.py": RB
            + "with read_base():\n    from .deeper.leaf import *\n",
            "configs/deeper/leaf.py": "x = [1, dict(a=2)]\n",
        }
    )
    cfg = parse_lazy_config(tmp_path / "configs/sub/child.py")
    assert cfg["x"] == [1, {"a": 2}]
    assert type(cfg["x"][1]) is ConfigDict


def test_base_from_an_installed_package(
    write: Write, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(
        {"fakecfgpkg/__init__.py": "", "fakecfgpkg/configs/sched.py": "epochs = 12\n"}
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    path = write(
        cfg=RB + "with read_base():\n    from fakecfgpkg.configs.sched import *\n"
    )
    assert parse_lazy_config(path)["epochs"] == 12


def test_missing_package_of_a_base(write: Write) -> None:
    path = write(cfg=RB + "with read_base():\n    from no_such_pkg_q.x import *\n")
    with pytest.raises(ConfigParsingError, match="'no_such_pkg_q' is not installed"):
        parse_lazy_config(path)


def test_imports_become_lazy_objects(write: Write) -> None:
    path = write(
        cfg="""\
        import os.path
        import os
        import xml.etree.ElementTree as ET
        from collections import OrderedDict, deque as dq
        import sys
        a = 1
        j = os.path.join
        opt = dict(type=OrderedDict)
        """
    )
    cfg = parse_lazy_config(path)
    assert list(cfg) == ["os", "ET", "OrderedDict", "dq", "sys", "a", "j", "opt"]
    hoisted = raw(cfg, "os")
    assert vars(hoisted) == {
        "_module": ["os.path", "os"],
        "_imported": None,
        "location": f"{path}, line 1",
    }
    assert vars(raw(cfg, "ET"))["_module"] == "xml.etree.ElementTree"
    assert vars(raw(cfg, "dq")) == {
        "_module": "collections",
        "_imported": "deque",
        "location": f"{path}, line 4",
    }
    assert raw(cfg, "sys") is sys  # builtin modules are imported at once
    assert isinstance(raw(cfg, "j"), LazyAttr) and raw(cfg, "j").module == "os.path"
    assert isinstance(raw(cfg["opt"], "type"), LazyObject)


def test_lazy_values_are_not_built_while_parsing(write: Write) -> None:
    path = write(
        child=RB + "with read_base():\n    from .base import *\nt = m.type\n",
        base="from collections import OrderedDict\nm = dict(type=OrderedDict)\n",
    )
    cfg = parse_lazy_config(path)
    assert isinstance(cfg["t"], LazyObject)
    assert ConfigDict.lazy is False  # restored afterwards


def test_calling_a_lazy_import_fails_with_the_config_line(write: Write) -> None:
    path = write(cfg="import math\nb = math.sqrt(4)\n")
    with pytest.raises(RuntimeError, match="'math.sqrt' is a lazily imported") as info:
        parse_lazy_config(path)
    frames = traceback.extract_tb(info.value.__traceback__)
    assert any(f.filename == path and f.lineno == 2 for f in frames)


def test_functions_classes_and_dunders(write: Write) -> None:
    path = write(
        cfg="""\
        import os
        def f():
            return 1
        class C:
            pass
        where = __file__
        module = C.__module__
        """
    )
    cfg = parse_lazy_config(path)
    assert cfg["f"]() == 1 and cfg["C"].__name__ == "C"
    assert cfg["where"] == path
    assert cfg["module"] == "builtins"


def test_annotations_are_evaluated_like_plain_python(write: Write) -> None:
    # The parser's own `from __future__ import annotations` must not leak in.
    path = write(cfg="from typing import List\nx: List[int] = [1]\n")
    with pytest.raises(TypeError, match="not subscriptable"):
        parse_lazy_config(path)


def test_mmengine_spelling_of_read_base_works(write: Write) -> None:
    path = write(
        child="from mmengine.config import read_base\n"
        "with read_base():\n    from .base import *\n",
        base="a = 1\n",
    )
    assert parse_lazy_config(path) == {"a": 1, "read_base": read_base}


# -- errors -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            RB + "with read_base():\n    import os\n",
            r"line 3: `with read_base\(\):` may",
        ),
        (RB + "with read_base():\n    x = 1\n", r"line 3: `with read_base\(\):` may"),
        (
            RB + "with read_base():\n    from . import base\n",
            r"line 3: `with read_base\(\):` may",
        ),
        (
            RB + "with read_base():\n    from .base import *\n"
            "with read_base():\n    from .base import a\n",
            r"line 4: a config has at most one `with read_base\(\):` block",
        ),
        ("import os, sys\n", "line 1: import one module per line"),
        ("from os import *\n", r"line 1: `from os import \*` is only allowed"),
        ("from .base import a\n", "line 1: a relative import of a config must be"),
        ("import os\n_base_ = ['x.py']\n", "line 2: `_base_` cannot be used"),
        (
            RB + "with read_base():\n    from .base import a\n_base_ = []\n",
            "line 4: `_base_`",
        ),
        (
            RB + "with read_base():\n    from .nofile import *\n",
            r"nofile\.py, which does",
        ),
        (
            RB + "with read_base():\n    from .base import nope\n",
            "has no variable 'nope'",
        ),
    ],
)
def test_parse_errors_name_file_and_line(
    write: Write, source: str, message: str
) -> None:
    path = write(cfg=source, base="a = 1\n")
    with pytest.raises(ConfigParsingError, match=message) as info:
        parse_lazy_config(path)
    assert str(info.value).startswith(path)


def test_a_plain_base_with_base_inheritance_is_refused(
    write: Write, tmp_path: Path
) -> None:
    path = write(
        child=RB + "with read_base():\n    from .mid import *\n",
        mid="_base_ = ['leaf.py']\n",
        leaf="a = 1\n",
    )
    with pytest.raises(ConfigParsingError, match="`_base_` cannot be used") as info:
        parse_lazy_config(path)
    assert f"(a base of {tmp_path / 'child.py'})" in str(info.value)


def test_circular_bases(write: Write) -> None:
    path = write(
        one=RB + "with read_base():\n    from .two import *\n",
        two=RB + "with read_base():\n    from .one import *\n",
    )
    with pytest.raises(ConfigParsingError, match="circular base configs"):
        parse_lazy_config(path)
