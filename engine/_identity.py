"""Names that identify this implementation in logs and registries.

MMEngine calls its root registry scope and its default logger ``mmengine``.
``engine`` keeps one constant for each so tests and users can read them, and
accepts the ``mmengine.`` scope prefix as an alias (see the registry).
"""

#: Scope name of the root registries (``engine.registry``).
ROOT_SCOPE = "engine"

#: Name of the default logger created by ``MMLogger``.
LOGGER_NAME = "engine"

#: Scope prefixes treated as aliases of :data:`ROOT_SCOPE`.
SCOPE_ALIASES = ("mmengine",)

#: The MMEngine release whose API, configs and checkpoints engine follows;
#: checkpoints record it as ``meta['mmengine_version']``, which MMEngine's
#: own tools read.
COMPAT_MMENGINE_VERSION = "0.10.7"
