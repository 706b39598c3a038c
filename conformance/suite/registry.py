"""Checks registered by name: a plain function of the run's context, or a small class with an after-run hook.

A function check takes the judged context and returns its findings (an empty list passes) or a
``Judgement`` when it also has figures to report::

    @CHECKS.register(
        id="completeness.exactly_once", title_zh="记录不丢不重", title_en="Every record exactly once",
        category=Category.COMPLETENESS, severity=Severity.CRITICAL, points=30, clause="部令第23号 第十条",
    )
    def exactly_once(ctx): ...

A class check is instantiated once per run; ``observe(ctx, step)`` (optional) sees every step as it
is played, and ``after_run(ctx)`` judges. The same registry serves the conformance suite and the
monitor, so a check has one id, one title and one clause wherever it is reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar, runtime_checkable

from .model import Category, CheckSpec, Evidence, Severity

__all__ = ["CHECKS", "Check", "CheckRegistry", "Judgement", "RegisteredCheck"]


@dataclass
class Judgement:
    """A check's verdict with its figures; ``passed`` defaults to "no findings"."""

    findings: list[Evidence] = field(default_factory=list)
    metrics: dict[str, float | int | None] = field(default_factory=dict)
    summary_en: str = ""
    summary_zh: str = ""
    passed: bool | None = None
    bonus: bool = False
    """The check passed with distinction and earns its bonus points (加分项)."""
    skipped: bool = False
    """Nothing in the run exercised this check (e.g. no track points were played)."""

    @property
    def ok(self) -> bool:
        """Passed: as stated, else when there are no findings."""
        return (not self.findings) if self.passed is None else self.passed


@runtime_checkable
class Check(Protocol):
    """A class check: ``after_run`` judges; ``observe`` may watch the run step by step."""

    def after_run(self, ctx: Any) -> Judgement | list[Evidence]:
        """The verdict, once the run has been played."""
        ...


@dataclass(frozen=True)
class RegisteredCheck:
    """A check's spec and how to run it."""

    spec: CheckSpec
    target: Callable[..., Any] | type

    def instantiate(self) -> Callable[[Any], Judgement]:
        """A fresh judge for one run (a new instance for class checks)."""
        if isinstance(self.target, type):
            inst = self.target()
            return lambda ctx: _as_judgement(inst.after_run(ctx))
        fn = self.target
        return lambda ctx: _as_judgement(fn(ctx))

    def observer(self) -> tuple[Callable[[Any], Judgement], Callable[[Any, Any], None] | None]:
        """A judge and, for class checks with ``observe``, its step hook (both on the same instance)."""
        if isinstance(self.target, type):
            inst = self.target()
            hook = getattr(inst, "observe", None)
            return (lambda ctx: _as_judgement(inst.after_run(ctx))), hook
        return self.instantiate(), None


def _as_judgement(value: Judgement | list[Evidence] | None) -> Judgement:
    if isinstance(value, Judgement):
        return value
    return Judgement(findings=list(value or []))


T = TypeVar("T", bound=Callable[..., Any] | type)


class CheckRegistry:
    """Checks by id, in registration order."""

    def __init__(self) -> None:
        self._checks: dict[str, RegisteredCheck] = {}

    def register(
        self,
        *,
        id: str,
        title_zh: str,
        title_en: str,
        category: Category,
        severity: Severity,
        points: int,
        clause: str,
        bonus: int = 0,
    ) -> Callable[[T], T]:
        """Register a function or class check under ``id`` (an id registered twice is an error)."""
        spec = CheckSpec(
            id=id,
            title_zh=title_zh,
            title_en=title_en,
            category=category,
            severity=severity,
            points=points,
            bonus=bonus,
            clause=clause,
        )

        def deco(target: T) -> T:
            if id in self._checks:
                raise ValueError(f"check {id!r} is registered twice")
            if isinstance(target, type) and not callable(getattr(target, "after_run", None)):
                raise TypeError(f"check class {target.__name__} has no after_run(ctx) method")
            self._checks[id] = RegisteredCheck(spec, target)
            return target

        return deco

    def __contains__(self, id: object) -> bool:
        return id in self._checks

    def __iter__(self) -> Iterator[RegisteredCheck]:
        return iter(self._checks.values())

    def __len__(self) -> int:
        return len(self._checks)

    def get(self, id: str) -> RegisteredCheck:
        """The check ``id``; ``KeyError`` naming the known ids otherwise."""
        try:
            return self._checks[id]
        except KeyError:
            raise KeyError(f"no check {id!r}; known: {', '.join(self._checks)}") from None

    def select(
        self, ids: Iterable[str] | None = None, categories: Iterable[Category] | None = None
    ) -> list[RegisteredCheck]:
        """Checks by id and/or category (all when neither is given), in registration order."""
        wanted = set(ids) if ids is not None else None
        if wanted is not None:
            unknown = wanted - set(self._checks)
            if unknown:
                raise KeyError(f"unknown check(s): {', '.join(sorted(unknown))}")
        cats = set(categories) if categories is not None else None
        return [
            c
            for c in self._checks.values()
            if (wanted is None or c.spec.id in wanted) and (cats is None or c.spec.category in cats)
        ]

    def copy(self) -> CheckRegistry:
        """A registry with the same checks, to add one's own without touching the shared one."""
        new = CheckRegistry()
        new._checks = dict(self._checks)
        return new


CHECKS = CheckRegistry()
"""The registry of the checks hazlink ships (conformance suite and monitor)."""
