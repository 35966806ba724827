"""YAML files (PyYAML, imported on first use)."""

from __future__ import annotations

from typing import IO, Any

from engine.fileio.handlers.base import BaseFileHandler


def _loader() -> Any:
    """PyYAML's full loader, in C when libyaml is available.

    The full loader reads everything :class:`YamlHandler` writes
    (``!!python/tuple`` included) but refuses ``!!python/object/apply`` and
    the like, which run arbitrary code; pass ``Loader=yaml.UnsafeLoader`` to
    allow them.
    """
    import yaml

    return getattr(yaml, "CFullLoader", yaml.FullLoader)


def _dumper() -> Any:
    import yaml

    return getattr(yaml, "CDumper", yaml.Dumper)


class YamlHandler(BaseFileHandler):
    """Handler of ``.yaml``/``.yml`` files.

    Dumping uses PyYAML's default (block) style with sorted keys; tuples are
    written with the ``!!python/tuple`` tag so they load back as tuples.

    Examples:
        >>> YamlHandler().dump_to_str({'b': 1, 'a': [1, 2]})
        'a:\\n- 1\\n- 2\\nb: 1\\n'
    """

    def load_from_fileobj(self, file: IO[Any], **kwargs: Any) -> Any:
        """Parse YAML from an open file; ``kwargs`` go to ``yaml.load``."""
        import yaml

        kwargs.setdefault("Loader", _loader())
        return yaml.load(file, **kwargs)

    def dump_to_fileobj(self, obj: Any, file: IO[Any], **kwargs: Any) -> None:
        """Write ``obj`` as YAML; ``kwargs`` go to ``yaml.dump``."""
        import yaml

        kwargs.setdefault("Dumper", _dumper())
        yaml.dump(obj, file, **kwargs)

    def dump_to_str(self, obj: Any, **kwargs: Any) -> str:
        """Return ``obj`` as a YAML string; ``kwargs`` go to ``yaml.dump``."""
        import yaml

        kwargs.setdefault("Dumper", _dumper())
        return str(yaml.dump(obj, **kwargs))
