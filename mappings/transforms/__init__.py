"""Named transforms: the only code a mapping file can reach, referred to by name, never by ``eval``.

A transform is registered as a *factory*: a function taking the keyword arguments the mapping file
gives (``args = { unit = "kg" }``) and returning the per-value function. The factory runs once, when
the mapping is compiled, so per-record work is only the returned function::

    @transform("upper")
    def upper() -> Callable[[Any], str]:
        \"\"\"Upper-case a text.\"\"\"
        return lambda value: str(value).upper()

The per-value function takes one value per source path of the rule (``inputs`` says how many it
accepts) and returns the contract value, None to leave the field out, or a tuple of ``outputs``
values for a rule with ``into``. It raises ``TransformError`` when a value cannot be converted.

Built-in transforms (see ``TRANSFORMS.names()``) cover what local systems need: units to tonnes,
local times to offset-aware times, GCJ-02/BD-09 to WGS-84, full-width text, waste codes, manifest
numbers. A vendor with a special need registers a transform in its own package, on its own registry.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .._errors import TransformError, nearest

__all__ = [
    "TRANSFORMS",
    "ArgumentError",
    "TransformError",
    "TransformSpec",
    "Transforms",
    "codes",
    "geo",
    "reports",
    "text",
    "times",
    "transform",
    "units",
]

Fn = Callable[..., Any]
Factory = Callable[..., Fn]


class ArgumentError(ValueError):
    """The arguments a mapping file gives a transform are wrong; ``key`` names the argument."""

    def __init__(self, key: str, message: str, suggestion: str | None = None) -> None:
        super().__init__(message)
        self.key = key
        self.suggestion = suggestion


@dataclass(frozen=True)
class TransformSpec:
    """A registered transform: its factory, how many source values it takes and how many it returns."""

    name: str
    factory: Factory
    min_inputs: int
    max_inputs: int
    outputs: int
    pure: bool = True

    @property
    def summary(self) -> str:
        """The first line of the factory's docstring."""
        return (inspect.getdoc(self.factory) or "").split("\n", 1)[0]

    def params(self) -> dict[str, bool]:
        """The factory's keyword arguments, each with whether it is required."""
        out: dict[str, bool] = {}
        for p in inspect.signature(self.factory).parameters.values():
            if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD):
                out[p.name] = p.default is inspect.Parameter.empty
        return out

    def build(self, args: Mapping[str, Any]) -> Fn:
        """Check ``args`` against the factory's signature and build the per-value function."""
        params = self.params()
        for key in args:
            if key not in params:
                allowed = ", ".join(params) or "none"
                raise ArgumentError(
                    key, f"transform {self.name!r} takes no argument {key!r} (allowed: {allowed})", nearest(key, params)
                )
        for key, required in params.items():
            if required and key not in args:
                raise ArgumentError(key, f"transform {self.name!r} needs the argument {key!r}")
        try:
            return self.factory(**args)
        except (TypeError, ValueError) as exc:
            raise ArgumentError(next(iter(args), ""), f"transform {self.name!r}: {exc}") from None


class Transforms:
    """A registry of transforms by name. ``TRANSFORMS`` holds the built-ins; ``copy()`` one to extend it."""

    def __init__(self) -> None:
        self._specs: dict[str, TransformSpec] = {}

    def register(
        self, name: str, *, inputs: int | tuple[int, int] = 1, outputs: int = 1, pure: bool = True
    ) -> Callable[[Factory], Factory]:
        """Decorator registering a factory under ``name``; a name can be registered once only.

        ``pure`` says the result depends on the value alone, so the engine may remember it per rule
        (exports repeat the same codes and names on every row); say ``pure=False`` otherwise.
        """
        lo, hi = (inputs, inputs) if isinstance(inputs, int) else inputs

        def deco(factory: Factory) -> Factory:
            if name in self._specs:
                raise ValueError(f"transform {name!r} is registered twice")
            if not inspect.getdoc(factory):
                raise ValueError(f"transform {name!r} needs a docstring: it is shown in error messages")
            self._specs[name] = TransformSpec(name, factory, lo, hi, outputs, pure)
            return factory

        return deco

    def __getitem__(self, name: str) -> TransformSpec:
        return self._specs[name]

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._specs))

    def names(self) -> list[str]:
        """Registered names, sorted."""
        return sorted(self._specs)

    def copy(self) -> Transforms:
        """A new registry with the same transforms, to add one's own without touching this one."""
        new = Transforms()
        new._specs = dict(self._specs)
        return new


TRANSFORMS = Transforms()
transform = TRANSFORMS.register

# Registering the built-ins is importing them.
from . import codes, geo, reports, text, times, units  # noqa: E402
