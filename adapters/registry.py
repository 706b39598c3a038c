"""The adapter registry: built-in adapters plus those installed under the entry-point group ``hazlink.adapters``.

A third-party package declares, in its ``pyproject.toml``::

    [project.entry-points."hazlink.adapters"]
    acme-gps = "hazlink_acme.adapter:AcmeGpsAdapter"

Each adapter is validated when it is loaded, not on its first sync: the entry-point name equals
``Adapter.name`` and is unique, its mapping resolves and fits the contract, every stream it claims
is in the mapping, and ``read``/``close`` have the right signatures. A registry is an instance, so a
test builds a fresh one.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
from collections.abc import Iterable
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from mappings import MappingError, load_profile

from .contract_check import profile_problems
from .errors import ConfigurationError

__all__ = ["BUILTINS", "GROUP", "AdapterRegistry", "validate_adapter"]

GROUP = "hazlink.adapters"
BUILTINS = {
    "prov-rest": "adapters.prov_rest:ProvRestAdapter",
    "legacy-soap": "adapters.legacy_soap:LegacySoapAdapter",
    "enterprise-csv": "adapters.enterprise_csv:EnterpriseCsvAdapter",
}


def _params(func: Any) -> list[str]:
    return [p.name for p in inspect.signature(func).parameters.values()]


def validate_adapter(candidate: object, name: str | None = None) -> None:
    """Raise ``ConfigurationError`` unless ``candidate`` is a usable adapter class (registered as ``name``)."""
    cls: Any = candidate
    label = getattr(cls, "__qualname__", repr(cls))
    if not inspect.isclass(candidate):
        raise ConfigurationError(f"{label}: an adapter is a class")
    for attr, kind in (("name", str), ("mapping", str), ("streams", tuple)):
        value = getattr(cls, attr, None)
        if not isinstance(value, kind) or not value:
            raise ConfigurationError(f"{label}: class attribute {attr!r} must be a non-empty {kind.__name__}")
    if name is not None and cls.name != name:
        raise ConfigurationError(f"{label}: registered as {name!r} but its name is {cls.name!r}")
    for method, want in (("read", ["self", "since"]), ("close", ["self"])):
        func = getattr(cls, method, None)
        if not callable(func):
            raise ConfigurationError(f"{label}: needs a method {method}({', '.join(want[1:])})")
        got = _params(func)
        if got != want:
            raise ConfigurationError(f"{label}.{method} takes ({', '.join(got)}); it must take ({', '.join(want)})")
    try:
        profile = load_profile(cls.mapping)
    except MappingError as exc:
        raise ConfigurationError(f"{label}: its mapping {cls.mapping!r} does not load:\n{exc}") from exc
    missing = [s for s in cls.streams if s not in profile.streams]
    if missing:
        raise ConfigurationError(
            f"{label}: streams {', '.join(missing)} are not in mapping {profile.name} ({', '.join(profile.streams)})"
        )
    problems = profile_problems(profile)
    if problems:
        raise ConfigurationError(f"{label}: its mapping does not fit the contract:\n" + "\n".join(problems))


class AdapterRegistry:
    """Adapters by name. ``AdapterRegistry.default()`` holds the built-ins and every installed plugin."""

    def __init__(self) -> None:
        self._adapters: dict[str, type[Any]] = {}
        self._origins: dict[str, str] = {}

    def register(self, cls: type[Any], *, name: str | None = None, origin: str = "") -> type[Any]:
        """Validate and add ``cls``; the same class twice is fine, another class under a taken name is not."""
        validate_adapter(cls, name)
        key = cls.name
        existing = self._adapters.get(key)
        if existing is not None and existing is not cls:
            raise ConfigurationError(
                f"adapter name {key!r} is taken by {self._origins[key]}; {origin or cls.__qualname__} cannot reuse it"
            )
        self._adapters[key] = cls
        self._origins[key] = origin or f"{cls.__module__}:{cls.__qualname__}"
        return cls

    def load_entry_point(self, ep: EntryPoint) -> type[Any]:
        """Import and register one entry point."""
        try:
            cls = ep.load()
        except Exception as exc:  # a broken plugin must say which one it is
            raise ConfigurationError(f"entry point {ep.name} = {ep.value!r} cannot be imported: {exc}") from exc
        return self.register(cls, name=ep.name, origin=f"entry point {ep.name} = {ep.value}")

    def load_entry_points(self, eps: Iterable[EntryPoint] | None = None) -> None:
        """Register every entry point of the group ``hazlink.adapters`` (or the ones given)."""
        for ep in eps if eps is not None else entry_points(group=GROUP):
            self.load_entry_point(ep)

    def load_builtins(self) -> None:
        """Register the reference adapters shipped in this package."""
        for name, target in BUILTINS.items():
            module, _, attr = target.partition(":")
            self.register(getattr(importlib.import_module(module), attr), name=name, origin=f"built-in {target}")

    @classmethod
    def default(cls) -> AdapterRegistry:
        """Built-ins plus installed plugins."""
        registry = cls()
        registry.load_builtins()
        registry.load_entry_points()
        return registry

    def get(self, name: str) -> type[Any]:
        """The adapter class registered as ``name``; the error lists the names and the nearest one."""
        try:
            return self._adapters[name]
        except KeyError:
            hint = difflib.get_close_matches(name, list(self._adapters), n=1)
            tail = f"; did you mean {hint[0]!r}?" if hint else ""
            raise ConfigurationError(f"no adapter {name!r} (known: {', '.join(self.names())}){tail}") from None

    def names(self) -> list[str]:
        """Registered names, sorted."""
        return sorted(self._adapters)

    def __contains__(self, name: object) -> bool:
        return name in self._adapters
