"""File I/O: load/dump json, yaml and pickle on local disk, HTTP and more.

Two layers:

* formats: :func:`load` and :func:`dump` pick a :class:`BaseFileHandler` by
  file extension or ``file_format``; :func:`register_handler` adds formats.
* storage: functions such as :func:`get`, :func:`put` and :func:`exists`
  pick a :class:`BaseStorageBackend` by URI prefix (local paths,
  ``http(s)://``, any fsspec protocol); :func:`register_backend` adds
  backends and prefixes.
"""

from engine.fileio.backends import (
    BaseStorageBackend,
    FsspecBackend,
    HTTPBackend,
    LmdbBackend,
    LocalBackend,
    MemcachedBackend,
    PetrelBackend,
    register_backend,
)
from engine.fileio.file_client import FileClient, HardDiskBackend
from engine.fileio.handlers import (
    BaseFileHandler,
    JsonHandler,
    PickleHandler,
    YamlHandler,
    register_handler,
)
from engine.fileio.io import (
    copy_if_symlink_fails,
    copyfile,
    copyfile_from_local,
    copyfile_to_local,
    copytree,
    copytree_from_local,
    copytree_to_local,
    dump,
    exists,
    generate_presigned_url,
    get,
    get_file_backend,
    get_local_path,
    get_text,
    isdir,
    isfile,
    join_path,
    list_dir_or_file,
    load,
    put,
    put_text,
    remove,
    rmtree,
)
from engine.fileio.parse import dict_from_file, list_from_file

__all__ = [
    "BaseFileHandler",
    "BaseStorageBackend",
    "FileClient",
    "FsspecBackend",
    "HTTPBackend",
    "HardDiskBackend",
    "JsonHandler",
    "LmdbBackend",
    "LocalBackend",
    "MemcachedBackend",
    "PetrelBackend",
    "PickleHandler",
    "YamlHandler",
    "copy_if_symlink_fails",
    "copyfile",
    "copyfile_from_local",
    "copyfile_to_local",
    "copytree",
    "copytree_from_local",
    "copytree_to_local",
    "dict_from_file",
    "dump",
    "exists",
    "generate_presigned_url",
    "get",
    "get_file_backend",
    "get_local_path",
    "get_text",
    "isdir",
    "isfile",
    "join_path",
    "list_dir_or_file",
    "list_from_file",
    "load",
    "put",
    "put_text",
    "register_backend",
    "register_handler",
    "remove",
    "rmtree",
]
