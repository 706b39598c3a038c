"""The compiled form of a mapping file: a profile of streams, each with the resources its records map to."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._compile import Step
from ._conditions import Condition
from ._errors import Issue
from ._paths import Getter

__all__ = ["Mapped", "Profile", "Resource", "Stream"]

_INDEX = re.compile(r"\[(\d+)\]")


@dataclass(slots=True)
class Mapped:
    """One local record after mapping: the resource it matched, its contract kind, the data and the issues.

    When ``issues`` is not empty the record cannot be sent and must be rejected with them; ``data``
    then holds what could be mapped, for the rejection report.
    """

    resource: str
    kind: str
    data: dict[str, Any]
    issues: list[Issue]

    @property
    def ok(self) -> bool:
        """True when the record mapped without an issue."""
        return not self.issues


@dataclass(eq=False)
class Resource:
    """The rules mapping one kind of local record onto one contract kind."""

    name: str
    kind: str
    stream: str
    key_paths: tuple[str, ...]
    cursor_path: str | None
    description: str
    when: Condition | None = field(repr=False)
    steps: list[Step] = field(repr=False)
    key_getters: tuple[Getter, ...] = field(repr=False)
    sources: dict[str, str] = field(repr=False)
    targets: list[tuple[str, ...]] = field(repr=False)

    def matches(self, record: Mapping[str, Any]) -> bool:
        """True when the resource's ``when`` holds for ``record`` (always, without one)."""
        return self.when is None or self.when(record, record)

    def apply(self, record: Mapping[str, Any]) -> Mapped:
        """Map ``record``; never raises: whatever goes wrong is an issue in the result."""
        out: dict[str, Any] = {}
        issues: list[Issue] = []
        for step in self.steps:
            step(record, record, out, issues, -1)
        return Mapped(self.name, self.kind, out, issues)

    def key_of(self, record: Mapping[str, Any]) -> tuple[str, ...] | None:
        """The natural key of ``record`` as text, or None when a part is missing."""
        parts = []
        for get in self.key_getters:
            v = get(record, record)
            if v is None or v == "":
                return None
            parts.append(str(v).strip())
        return tuple(parts)

    def source_for(self, path: str) -> str | None:
        """The local field a contract path comes from: ``$.items[1].quantity_t`` → ``wxfw[1].zysl``."""
        indexes = _INDEX.findall(path)
        template = _INDEX.sub(".[]", path.removeprefix("$").removeprefix(".")).replace("..", ".")
        found = self.sources.get(template)
        while found is None and "." in template:
            template = template.rsplit(".", 1)[0]  # a finding on an object points at its group
            found = self.sources.get(template)
        if found is None:
            return None
        for i in indexes:
            found = found.replace("[]", f"[{i}]", 1)
        return found.replace("[]", "")


@dataclass(frozen=True)
class Stream:
    """A stream of local records (an endpoint, a SOAP operation, a family of export files).

    ``cursor`` is the local field a reader orders by and resumes from (None when the reader keeps a
    position instead, like file and row); ``resources`` are tried in order, the first whose ``when``
    holds maps the record.
    """

    name: str
    cursor: str | None
    cursor_getter: Getter | None = field(repr=False)
    resources: tuple[Resource, ...]

    def cursor_of(self, record: Mapping[str, Any]) -> Any:
        """The cursor value of ``record`` (None without a cursor field)."""
        return self.cursor_getter(record, record) if self.cursor_getter is not None else None

    def resource_for(self, record: Mapping[str, Any]) -> Resource | None:
        """The first resource whose condition holds for ``record``."""
        for r in self.resources:
            if r.when is None or r.when(record, record):
                return r
        return None


@dataclass(eq=False)
class Profile:
    """A loaded, validated and compiled mapping file."""

    name: str
    title: str
    contract: str
    contract_version: str
    file: Path
    source: dict[str, Any] = field(repr=False)
    streams: dict[str, Stream] = field(repr=False)
    crosswalks: dict[str, dict[str, Any]] = field(repr=False)

    @property
    def folder(self) -> Path:
        """The folder of the mapping file (crosswalks and other profile files sit beside it)."""
        return self.file.parent

    @property
    def resources(self) -> dict[str, Resource]:
        """Every resource by name."""
        return {r.name: r for s in self.streams.values() for r in s.resources}

    @property
    def kinds(self) -> set[str]:
        """The contract kinds this profile produces."""
        return {r.kind for r in self.resources.values()}

    def apply(self, stream: str, record: Any) -> Mapped:
        """Map one local ``record`` of ``stream``; never raises for any record."""
        try:
            st = self.streams[stream]
        except KeyError:
            raise ValueError(
                f"profile {self.name} has no stream {stream!r}; it has {', '.join(self.streams)}"
            ) from None
        if type(record) is not dict and not isinstance(record, Mapping):
            return Mapped(
                "",
                "",
                {},
                [
                    Issue(
                        "mapping.not_a_record",
                        "$",
                        "",
                        f"本地记录应为对象，实为 {type(record).__name__}",
                        f"A local record must be an object, not {type(record).__name__}",
                        str(record)[:100],
                    )
                ],
            )
        resource = st.resource_for(record)
        if resource is None:
            names = ", ".join(r.name for r in st.resources)
            return Mapped(
                "",
                "",
                {},
                [
                    Issue(
                        "mapping.no_resource",
                        "$",
                        "",
                        f"记录不符合数据流 {stream} 任何资源（{names}）的条件",
                        f"The record meets the condition of no resource of stream {stream} ({names})",
                    )
                ],
            )
        return resource.apply(record)
