"""Textual substitutions applied to a config file before it is parsed.

In every format (py, json, yaml), in this order:

1. predefined variables: ``{{fileDirname}}``, ``{{fileBasename}}``,
   ``{{fileBasenameNoExtension}}`` and ``{{fileExtname}}`` (spaces allowed
   inside the braces) become the directory, the file name, the name without
   extension and the extension of the file being read;
2. environment variables: ``{{$NAME:DEFAULT}}`` becomes the value of
   ``$NAME``, or ``DEFAULT`` when it is not set; the default may not contain
   white space or ``"``. ``{{'$NAME:DEFAULT'}}`` and ``{{"$NAME:DEFAULT"}}``
   insert the text *without* the quotes, so a number stays a number. An empty
   default means the variable is required.

Both substitutions happen on the text, so expressions that use the value
(``data_root + 'train.json'``) see it. Every substitution is recorded with
its line, for provenance.
"""

from __future__ import annotations

import os
import os.path as osp
import re
from dataclasses import dataclass, field

__all__ = [
    "EnvUse",
    "Substituted",
    "substitute_env_variables",
    "substitute_predefined_variables",
]

_PREDEFINED = re.compile(
    r"\{\{\s*(fileDirname|fileBasenameNoExtension|fileBasename|fileExtname)\s*\}\}"
)
_ENV_QUOTED = re.compile(r"\{\{(['\"])\$([A-Za-z0-9_]+):([^\n]*?)\1\}\}")
_ENV_PLAIN = re.compile(r"\{\{\s*\$([A-Za-z0-9_]+)\s*:\s*([^\s\"]*?)\s*\}\}")


@dataclass(frozen=True)
class EnvUse:
    """One ``{{$NAME:DEFAULT}}`` substitution.

    Fields:

    * ``name``: The environment variable.
    * ``line``: The 1-based line of the file where it was written.
    * ``from_env``: Whether the variable was set (else the default was used).
    """

    name: str
    line: int
    from_env: bool


@dataclass
class Substituted:
    """A file's text after substitution, with what was substituted."""

    text: str
    env_uses: list[EnvUse] = field(default_factory=list)

    @property
    def env_variables(self) -> dict[str, str]:
        """The environment variables that were set and used, with values."""
        return {u.name: os.environ[u.name] for u in self.env_uses if u.from_env}


def substitute_predefined_variables(text: str, filename: str) -> str:
    """Replace the four predefined ``{{fileXxx}}`` variables.

    Args:
        text: The file content.
        filename: The path of the file the content comes from.

    Returns:
        The text with the variables replaced; unknown ``{{...}}`` stay.

    Examples:
        >>> substitute_predefined_variables(
        ...     "work_dir = './work_dir/{{fileBasenameNoExtension}}'",
        ...     '/cfg/predefined_var.py')
        "work_dir = './work_dir/predefined_var'"
    """
    if "{{" not in text:
        return text
    dirname = osp.dirname(filename)
    basename = osp.basename(filename)
    stem, ext = osp.splitext(basename)
    values = {
        "fileDirname": dirname,
        "fileBasename": basename,
        "fileBasenameNoExtension": stem,
        "fileExtname": ext,
    }
    return _PREDEFINED.sub(lambda m: values[m.group(1)], text)


def substitute_env_variables(text: str, filename: str) -> Substituted:
    """Replace ``{{$NAME:DEFAULT}}`` and its quoted form by their values.

    Args:
        text: The file content.
        filename: The file, named in errors.

    Returns:
        The substituted text and the substitutions made.

    Raises:
        KeyError: if a variable with an empty default is not set; the
            message names the variable, the file and the line.

    Examples:
        >>> os.environ.pop('NUM_CLASSES', None) and None
        >>> substitute_env_variables(
        ...     "num_classes={{'$NUM_CLASSES:80'}}", 'c.py').text
        'num_classes=80'
    """
    result = Substituted(text)
    if "{{" not in text:
        return result
    text = _ENV_QUOTED.sub(
        lambda m: _env_value(m, m.group(2), m.group(3), filename, result), text
    )
    result.text = _ENV_PLAIN.sub(
        lambda m: _env_value(m, m.group(1), m.group(2), filename, result), text
    )
    return result


def _env_value(
    match: re.Match[str], name: str, default: str, filename: str, result: Substituted
) -> str:
    line = match.string.count("\n", 0, match.start()) + 1
    value = os.environ.get(name)
    if value is None and not default:
        raise KeyError(
            f"`{name}` cannot be found in `os.environ`. Please set `{name}` in "
            f"environment or give a default value. ({filename}, line {line}: "
            f"{match.group(0)})"
        )
    result.env_uses.append(EnvUse(name, line, value is not None))
    if value is not None:
        _log_env_use(name, value)
        return value
    return default


def _log_env_use(name: str, value: str) -> None:
    from engine.config.utils import log_info

    log_info(
        f"Using env variable `{name}` with value of {value} to replace item in config."
    )
