"""File handlers: json, yaml, pickle, the base class and the registry."""

from __future__ import annotations

import io
import pickle
from pathlib import Path
from typing import IO, Any

import numpy as np
import pytest
import yaml

from engine.fileio import (
    BaseFileHandler,
    JsonHandler,
    PickleHandler,
    YamlHandler,
    dump,
    load,
    register_handler,
)
from engine.fileio.errors import UnsupportedFormatError
from engine.fileio.handlers import file_handlers
from engine.fileio.handlers.registry_utils import get_handler


class ModeHandler(BaseFileHandler):
    """Reports the type read and the mode of the file it was given."""

    def load_from_fileobj(self, file: IO[Any], **kwargs: Any) -> Any:
        return type(file.read()).__name__

    def dump_to_fileobj(self, obj: Any, file: IO[Any], **kwargs: Any) -> None:
        file.write(obj)

    def dump_to_str(self, obj: Any, **kwargs: Any) -> Any:
        return obj


def test_default_formats() -> None:
    assert isinstance(file_handlers["json"], JsonHandler)
    assert isinstance(file_handlers["yaml"], YamlHandler)
    assert isinstance(file_handlers["yml"], YamlHandler)
    assert isinstance(file_handlers["pkl"], PickleHandler)
    assert isinstance(file_handlers["pickle"], PickleHandler)


def test_str_like() -> None:
    assert BaseFileHandler.str_like and JsonHandler.str_like and YamlHandler.str_like
    assert PickleHandler.str_like is False


def test_base_is_abstract() -> None:
    with pytest.raises(TypeError):
        BaseFileHandler()  # type: ignore[abstract]


def test_load_from_path_uses_mode(tmp_path: Path) -> None:
    path = tmp_path / "a.bin"
    path.write_bytes(b"abc")
    assert ModeHandler().load_from_path(path) == "str"
    assert ModeHandler().load_from_path(path, mode="rb") == "bytes"


def test_dump_to_path_uses_mode(tmp_path: Path) -> None:
    path = tmp_path / "a.bin"
    ModeHandler().dump_to_path(b"\x00\x01", path, mode="wb")
    assert path.read_bytes() == b"\x00\x01"
    ModeHandler().dump_to_path("text", path)
    assert path.read_text() == "text"
    with pytest.raises(TypeError):
        ModeHandler().dump_to_path("text", path, mode="wb")
    assert path.read_text() == "text"


def test_dump_to_path_append_mode(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    ModeHandler().dump_to_path("ab", path)
    ModeHandler().dump_to_path("cd", path, mode="a")
    assert path.read_text() == "abcd"


def test_json_default_converts_sets_ranges_numpy() -> None:
    out = JsonHandler().dump_to_str(
        {"s": {3, 1, 2}, "r": range(3), "a": np.arange(3), "i": np.int64(4)}
    )
    assert out == '{"s": [1, 2, 3], "r": [0, 1, 2], "a": [0, 1, 2], "i": 4}'
    assert JsonHandler().dump_to_str({"f": np.float32(1.5)}) == '{"f": 1.5}'


def test_json_unsupported_type_names_it() -> None:
    with pytest.raises(TypeError, match="object"):
        JsonHandler().dump_to_str(object())


def test_json_kwargs_reach_json() -> None:
    assert JsonHandler().dump_to_str({"b": 1, "a": 2}, sort_keys=True, indent=1) == (
        '{\n "a": 2,\n "b": 1\n}'
    )


def test_json_loads_bytes_stream() -> None:
    assert JsonHandler().load_from_fileobj(io.BytesIO(b'{"a": 1}')) == {"a": 1}


def test_yaml_dump_sorted_block_style() -> None:
    assert YamlHandler().dump_to_str({"b": [1, 2], "a": "x"}) == (
        "a: x\nb:\n- 1\n- 2\n"
    )


def test_yaml_tuple_round_trip() -> None:
    text = YamlHandler().dump_to_str({"t": (1, 2)})
    assert "!!python/tuple" in text
    assert YamlHandler().load_from_fileobj(io.StringIO(text)) == {"t": (1, 2)}


def test_yaml_refuses_code_execution_by_default() -> None:
    text = "a: !!python/object/apply:os.getcwd []\n"
    with pytest.raises(yaml.constructor.ConstructorError):
        YamlHandler().load_from_fileobj(io.StringIO(text))


def test_yaml_loader_can_be_chosen() -> None:
    with pytest.raises(yaml.constructor.ConstructorError):
        YamlHandler().load_from_fileobj(
            io.StringIO("a: !!python/tuple [1]"), Loader=yaml.SafeLoader
        )


def test_pickle_protocol_default_2_and_overridable() -> None:
    assert PickleHandler().dump_to_str({"a": 1})[:2] == b"\x80\x02"
    assert PickleHandler().dump_to_str({"a": 1}, protocol=4)[:2] == b"\x80\x04"
    buffer = io.BytesIO()
    PickleHandler().dump_to_fileobj([1], buffer)
    assert buffer.getvalue()[:2] == b"\x80\x02"


def test_pickle_paths_are_binary(tmp_path: Path) -> None:
    path = tmp_path / "a.pkl"
    PickleHandler().dump_to_path({"x": b"\x00"}, path)
    assert pickle.loads(path.read_bytes()) == {"x": b"\x00"}
    assert PickleHandler().load_from_path(path) == {"x": b"\x00"}


def test_register_handler_list_and_instance_kwargs(tmp_path: Path) -> None:
    @register_handler(["txt", "log"], prefix=">")
    class TxtHandler(BaseFileHandler):
        def __init__(self, prefix: str) -> None:
            self.prefix = prefix

        def load_from_fileobj(self, file: IO[Any], **kwargs: Any) -> Any:
            return file.read()

        def dump_to_fileobj(self, obj: Any, file: IO[Any], **kwargs: Any) -> None:
            file.write(self.prefix + str(obj))

        def dump_to_str(self, obj: Any, **kwargs: Any) -> str:
            return self.prefix + str(obj)

    assert TxtHandler.__name__ == "TxtHandler"
    assert file_handlers["txt"] is file_handlers["log"]
    dump("abc", tmp_path / "x.log")
    assert load(tmp_path / "x.log") == ">abc"
    assert dump([1, 2], file_format="txt") == ">[1, 2]"


def test_register_handler_replaces_existing() -> None:
    register_handler("json")(ModeHandler)
    assert isinstance(get_handler("json"), ModeHandler)


@pytest.mark.parametrize("formats", [3, [3], ("a",), None])
def test_register_handler_rejects_bad_formats(formats: Any) -> None:
    with pytest.raises(TypeError, match="file_formats"):
        register_handler(formats)


def test_register_handler_rejects_non_handlers() -> None:
    with pytest.raises(TypeError, match="BaseFileHandler"):
        register_handler("zz")(int)  # type: ignore[type-var]
    assert "zz" not in file_handlers


def test_get_handler_error_lists_formats() -> None:
    with pytest.raises(UnsupportedFormatError, match="txt.*'a.txt'.*json, pickle"):
        get_handler("txt", "a.txt")
    assert issubclass(UnsupportedFormatError, TypeError)
