"""File-format handlers: json, yaml, pickle, and the handler registry."""

from engine.fileio.handlers.base import BaseFileHandler
from engine.fileio.handlers.json_handler import JsonHandler
from engine.fileio.handlers.pickle_handler import PickleHandler
from engine.fileio.handlers.registry_utils import file_handlers, register_handler
from engine.fileio.handlers.yaml_handler import YamlHandler

__all__ = [
    "BaseFileHandler",
    "JsonHandler",
    "PickleHandler",
    "YamlHandler",
    "register_handler",
    "file_handlers",
]
