"""The :class:`Registry`: a name -> class/function table with a build function.

Registries form trees. Each node has a *scope* (the package that owns it) and
may have a parent; the root registries of ``engine`` live in
:mod:`engine.registry.root`. A key is looked up as follows:

* ``'Name'``: in this registry, then in its parent, and so on up to the root.
* ``'scope.Name'``: in the registry of that scope (found anywhere in the
  tree; ``<scope>.registry`` is imported first if the scope is unknown), then
  in *its* ancestors.

Scope aliases (``mmengine`` for ``engine``) are accepted wherever a scope is.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import contextmanager
from importlib import import_module
from typing import Any

from engine.registry import _diagnostics
from engine.registry._log import log, warn
from engine.registry._scopes import (
    import_scope_registry,
    infer_scope_from_stack,
    same_scope,
)
from engine.registry.default_scope import DefaultScope
from engine.utils._errors import CompatTypeError, CompatValueError

__all__ = ["Registry"]


def _check_names(name: object) -> list[str] | None:
    """Validate ``register_module``'s ``name`` argument."""
    if name is None:
        return None
    if isinstance(name, str):
        return [name]
    if isinstance(name, Sequence) and all(isinstance(n, str) for n in name):
        return list(name)
    raise TypeError(
        "name must be None, an instance of str, or a sequence of str, "
        f"but got {type(name)}"
    )


def _check_locations(locations: object) -> list[str]:
    if locations is None:
        return []
    if isinstance(locations, (list, tuple)) and all(
        isinstance(loc, str) for loc in locations
    ):
        return list(locations)
    raise TypeError(f"locations must be a list of module names, got {locations!r}")


class Registry:
    """A registry mapping strings to classes or functions.

    Registered objects are built from config dicts: ``dict(type='Name',
    **kwargs)`` builds ``Name(**kwargs)`` through ``build_func``.

    Args:
        name: Registry name, e.g. ``'model'``.
        build_func: Function building an object from a cfg, called as
            ``build_func(cfg, *args, **kwargs, registry=self)``. Defaults to
            None: the parent's ``build_func``, or :func:`build_from_cfg` for
            a registry without parent.
        parent: Parent registry; lookups that miss here go on to the parent.
            Defaults to None.
        scope: Scope of the registry. Defaults to None: the top-level package
            of the module that creates the registry (see :meth:`infer_scope`).
        locations: Modules that register into this registry; they are
            imported the first time a key is looked up. Defaults to None.

    Examples:
        >>> ACTIVATION = Registry('activation', scope='demo')
        >>> @ACTIVATION.register_module()
        ... class Sigmoid:
        ...     pass
        >>> list(ACTIVATION.module_dict)
        ['Sigmoid']
        >>> isinstance(ACTIVATION.build(dict(type='Sigmoid')), Sigmoid)
        True
    """

    def __init__(
        self,
        name: str,
        build_func: Callable[..., Any] | None = None,
        parent: Registry | None = None,
        scope: str | None = None,
        locations: Sequence[str] | None = None,
    ) -> None:
        if not isinstance(name, str):
            raise TypeError(f"registry name must be a str, got {name!r}")
        if build_func is not None and not callable(build_func):
            raise TypeError(f"build_func must be callable, got {build_func!r}")
        if parent is not None and not isinstance(parent, Registry):
            raise CompatTypeError(f"parent must be a Registry, got {parent!r}")
        if scope is not None and not isinstance(scope, str):
            raise CompatTypeError(f"scope must be a str, got {scope!r}")
        self._name = name
        self._module_dict: dict[str, Any] = {}
        self._children: dict[str, Registry] = {}
        self._locations = _check_locations(locations)
        self._imported = False
        self._importing = False
        self._import_lock = threading.RLock()
        self._scope = scope if scope is not None else self.infer_scope()
        self.parent = parent
        if parent is not None:
            parent._add_child(self)
        if build_func is None:
            build_func = parent.build_func if parent is not None else None
        if build_func is None:
            from engine.registry.build_functions import build_from_cfg

            build_func = build_from_cfg
        self.build_func: Callable[..., Any] = build_func

    # -- introspection -------------------------------------------------------

    @property
    def name(self) -> str:
        """Registry name, e.g. ``'model'``."""
        return self._name

    @property
    def scope(self) -> str:
        """Scope of the registry, e.g. ``'engine'`` or ``'mmdet'``."""
        return self._scope

    @property
    def module_dict(self) -> dict[str, Any]:
        """Registered objects by name, in registration order (no import)."""
        return self._module_dict

    @property
    def children(self) -> dict[str, Registry]:
        """Child registries by scope."""
        return self._children

    @property
    def root(self) -> Registry:
        """The root of this registry's tree."""
        return self._get_root_registry()

    def __len__(self) -> int:
        return len(self._module_dict)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def __repr__(self) -> str:
        """A plain-text table of the registered names and objects."""
        rows = [(n, repr(o)) for n, o in sorted(self._module_dict.items())]
        width = max([len("Names")] + [len(n) for n, _ in rows])
        lines = [
            f"Registry of {self._name} (scope: {self._scope}, {len(rows)} modules)",
            f"  {'Names':<{width}}  Objects",
        ]
        lines += [f"  {n:<{width}}  {o}" for n, o in rows]
        return "\n".join(lines)

    # -- scopes and the tree -------------------------------------------------

    @staticmethod
    def infer_scope() -> str:
        """Scope of a new registry: the caller's top-level package.

        Returns:
            ``'mmdet'`` for a registry created in ``mmdet/registry.py``,
            ``'__main__'`` for one created in a script.

        Examples:
            >>> # in mmdet/registry.py
            >>> MODELS = Registry('model')  # doctest: +SKIP
            >>> MODELS.scope  # doctest: +SKIP
            'mmdet'
        """
        return infer_scope_from_stack(frozenset({__name__}))

    @staticmethod
    def split_scope_key(key: str) -> tuple[str | None, str]:
        """Split ``'scope.Name'`` at the first dot.

        Examples:
            >>> Registry.split_scope_key('mmdet.ResNet')
            ('mmdet', 'ResNet')
            >>> Registry.split_scope_key('ResNet')
            (None, 'ResNet')
        """
        scope, dot, name = key.partition(".")
        return (scope, name) if dot else (None, key)

    def _get_root_registry(self) -> Registry:
        node = self
        while node.parent is not None:
            node = node.parent
        return node

    def _ancestry(self) -> list[Registry]:
        """This registry, its parent, ..., the root."""
        chain = [self]
        while chain[-1].parent is not None:
            chain.append(chain[-1].parent)
        return chain

    def _walk(self) -> Iterator[Registry]:
        """This registry and its descendants, depth first, preorder."""
        yield self
        for child in self._children.values():
            yield from child._walk()

    def _search_child(self, scope: str) -> Registry | None:
        """The registry of ``scope`` in this subtree, or None."""
        for node in self._walk():
            if same_scope(node.scope, scope):
                return node
        return None

    def _start_node(self, scope: str) -> Registry | None:
        """Registry where a ``'scope.Name'`` lookup starts, or None."""
        node = self._search_child(scope)
        if node is None:
            node = self._get_root_registry()._search_child(scope)
        if node is None and import_scope_registry(scope):
            node = self._get_root_registry()._search_child(scope)
        return node

    def _add_child(self, registry: Registry) -> None:
        """Add ``registry`` as a child, keyed by its scope."""
        if not isinstance(registry, Registry):
            raise CompatTypeError(f"a child must be a Registry, got {registry!r}")
        if registry.scope in self._children:
            raise CompatValueError(
                f"scope {registry.scope} exists in {self._name} registry"
            )
        self._children[registry.scope] = registry

    @contextmanager
    def switch_scope_and_registry(
        self, scope: str | None
    ) -> Generator[Registry, None, None]:
        """Temporarily set the default scope and yield its registry.

        Within the context :class:`DefaultScope` is ``scope`` (unchanged if
        None). The registry yielded is the node of this tree whose scope is
        the current default scope, or this registry if there is no default
        scope or no such node (the latter with a warning).

        Args:
            scope: Scope to switch to, or None to keep the current one.

        Examples:
            >>> REG = Registry('demo', scope='demo')
            >>> with REG.switch_scope_and_registry(None) as registry:
            ...     registry is REG
            True
        """
        with DefaultScope.overwrite_default_scope(scope):
            current = DefaultScope.get_current_instance()
            if current is None:
                yield self
                return
            yield self._registry_of_scope(current.scope_name)

    def _registry_of_scope(self, scope: str) -> Registry:
        root = self._get_root_registry()
        node = root._search_child(scope)
        if node is None and import_scope_registry(scope):
            node = root._search_child(scope)
        if node is None:
            warn(
                f'Failed to search registry with scope "{scope}" in the '
                f'"{root.name}" registry tree. As a workaround, the current '
                f'"{self._name}" registry in "{self._scope}" is used to build '
                "instance. This may cause unexpected failure when running the "
                f'built modules. Please check whether "{scope}" is a correct '
                "scope, or whether the registry is initialized."
            )
            return self
        return node

    # -- lookup and build ----------------------------------------------------

    def import_from_location(self) -> None:
        """Import the modules in ``locations`` (once, on the first lookup).

        Raises:
            ImportError: (or what the module raised) naming the registry and
                the location that failed; chained to the original error.
        """
        if self._imported:
            return
        with self._import_lock:  # other threads wait for the import to finish
            if self._imported or self._importing:  # re-entered while importing
                return
            self._importing = True
            try:
                for location in self._locations:
                    self._import_location(location)
            finally:
                self._importing = False
            self._imported = True
        if self._locations:
            log(
                f"Modules of {self._scope}'s {self._name} registry have been "
                f"automatically imported from {', '.join(self._locations)}"
            )

    def _import_location(self, location: str) -> None:
        try:
            import_module(location)
        except Exception as e:
            _diagnostics.reraise_with_message(
                e,
                f"the {self._name!r} registry (scope {self._scope!r}) "
                f"failed to import its location {location!r}: {e}",
            )

    def _lookup(self, key: str) -> tuple[Any, Registry] | None:
        scope, name = self.split_scope_key(key)
        start = self if scope is None else self._start_node(scope)
        if start is None:
            return None
        for node in start._ancestry():
            node.import_from_location()
            if name in node._module_dict:
                return node._module_dict[name], node
        return None

    def get(self, key: str) -> Any | None:
        """The class or function registered as ``key``, or None.

        Args:
            key: ``'Name'`` or ``'scope.Name'`` (see the module docstring).

        Returns:
            The registered object, or None if no registry searched holds it.

        Raises:
            TypeError: if ``key`` is not a str.

        Examples:
            >>> PARENT = Registry('demo', scope='parent')
            >>> CHILD = Registry('demo', parent=PARENT, scope='child')
            >>> @PARENT.register_module()
            ... def relu():
            ...     pass
            >>> CHILD.get('relu') is relu, CHILD.get('parent.relu') is relu
            (True, True)
            >>> CHILD.get('nothing') is None
            True
        """
        if not isinstance(key, str):
            raise TypeError(
                f"The key argument of `Registry.get` must be a str, got {type(key)}"
            )
        found = self._lookup(key)
        if found is None:
            return None
        obj, owner = found
        name = self.split_scope_key(key)[1]
        log(f'Get class `{name}` from "{owner.name}" registry in "{owner.scope}"')
        return obj

    def build(self, cfg: dict, *args: Any, **kwargs: Any) -> Any:
        """Build an object from ``cfg`` with this registry's ``build_func``.

        Args:
            cfg: Config dict with a ``type`` key (a registered name or the
                class/function itself) and the constructor arguments.
            *args: Passed to ``build_func``.
            **kwargs: Passed to ``build_func`` (e.g. ``default_args``).

        Returns:
            The built object.

        Examples:
            >>> FUNCS = Registry('function', scope='demo')
            >>> @FUNCS.register_module()
            ... def add(a, b):
            ...     return a + b
            >>> FUNCS.build(dict(type='add', a=1, b=2))
            3
        """
        return self.build_func(cfg, *args, **kwargs, registry=self)

    # -- registration --------------------------------------------------------

    def _register_module(
        self,
        module: Any,
        module_name: str | Sequence[str] | None = None,
        force: bool = False,
    ) -> None:
        if not callable(module):
            raise TypeError(f"module must be Callable, but got {type(module)}")
        names = _check_names(module_name) or [module.__name__]
        if not force:
            for name in names:
                if name in self._module_dict:
                    raise KeyError(self._duplicate_message(name))
        for name in names:
            self._module_dict[name] = module

    def _duplicate_message(self, name: str) -> str:
        existing = self._module_dict[name]
        where = f"{existing.__module__}.{getattr(existing, '__qualname__', '')}"
        return (
            f"{name} is already registered in the {self._name!r} registry "
            f"(scope {self._scope!r}) as {where}; pass force=True to replace it"
        )

    def register_module(
        self,
        name: str | Sequence[str] | None = None,
        force: bool = False,
        module: Any | None = None,
    ) -> Any:
        """Register a class or function, as a decorator or a call.

        Args:
            name: Name(s) to register under. Defaults to None: the object's
                ``__name__``.
            force: Replace an object already registered under the name.
                Defaults to False (a duplicate name raises :class:`KeyError`).
            module: Object to register now. Defaults to None: return a
                decorator.

        Returns:
            ``module`` if given, else a decorator returning its argument.

        Raises:
            TypeError: if ``name`` or ``force`` has the wrong type, or the
                object is not callable.
            KeyError: if a name is taken and ``force`` is False.

        Examples:
            >>> MODELS = Registry('model', scope='demo')
            >>> @MODELS.register_module(name=['ResNet', 'ResNetV1'])
            ... class ResNet:
            ...     pass
            >>> _ = MODELS.register_module(name='Res', module=ResNet)
            >>> list(MODELS.module_dict)
            ['ResNet', 'ResNetV1', 'Res']
        """
        if not isinstance(force, bool):
            raise TypeError(f"force must be a boolean, but got {type(force)}")
        _check_names(name)
        if module is not None:
            self._register_module(module, name, force)
            return module

        def _register(obj: Any) -> Any:
            self._register_module(obj, name, force)
            return obj

        return _register
