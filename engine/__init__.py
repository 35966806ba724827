"""engine: a clean-room, API-compatible re-implementation of MMEngine.

The top level re-exports what MMEngine's does (``from engine import Config,
Registry, load, dump, MODELS, MessageHub, ...``): the public names of
:mod:`engine.config`, :mod:`engine.fileio`, :mod:`engine.logging`,
:mod:`engine.registry` and :mod:`engine.utils`. None of them imports torch.

Examples:
    >>> from engine import Config
    >>> Config(dict(a=1)).a
    1
"""

from engine import config, fileio, logging, registry, utils
from engine.config import *  # noqa: F403
from engine.fileio import *  # noqa: F403
from engine.logging import *  # noqa: F403
from engine.registry import *  # noqa: F403
from engine.utils import *  # noqa: F403
from engine.version import __version__, version_info

__all__ = [
    *config.__all__,
    *fileio.__all__,
    *logging.__all__,
    *registry.__all__,
    *utils.__all__,
    "__version__",
    "version_info",
]
