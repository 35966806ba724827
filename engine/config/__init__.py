"""Config files: reading, inheritance, merging, provenance and dumping.

:class:`Config` reads ``.py``, ``.json`` and ``.yaml`` config files with
their ``_base_`` chains (:meth:`Config.fromfile`), gives attribute access to
the values (:class:`ConfigDict`), merges command-line options
(:class:`DictAction`, :meth:`Config.merge_from_dict`), writes them back
(:meth:`Config.dump`, :attr:`Config.pretty_text`) and tells where each value
was set (:meth:`Config.provenance`). Pure-Python configs import their bases
with :func:`read_base` and hold :class:`LazyObject` placeholders.
"""

from engine.config.config import Config
from engine.config.config_dict import ConfigDict
from engine.config.dict_action import DictAction
from engine.config.lazy import LazyAttr, LazyObject, read_base

__all__ = ["Config", "ConfigDict", "DictAction", "LazyAttr", "LazyObject", "read_base"]
