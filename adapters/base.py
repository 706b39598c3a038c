"""The adapter interface: identity as class attributes, one ``read`` generator, ``close()``.

An adapter reads a local system and yields its records, untranslated, in cursor order, each with
where it came from and the bookmark value that resumes after it. It does not map, validate, retry
or keep state: the mapping engine, the translator and the bridge do. The client (an ``httpx.Client``
or a zeep ``Transport``) is passed in, never built inside, so tests hand in an in-process transport::

    class AcmeAdapter(BaseAdapter):
        name = "acme"                       # the entry-point name
        mapping = "/path/to/acme/mapping"   # a shipped profile name or a mapping folder
        streams = ("manifest",)             # streams of the mapping this adapter yields
        settings = {"base_url": Setting(str, required=True)}

        def read(self, since: Bookmark | None) -> Iterator[SourceRecord]: ...
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, runtime_checkable

from mappings import Profile, load_profile

from .errors import ConfigurationError

__all__ = ["Adapter", "BaseAdapter", "Bookmark", "Position", "ReadProblem", "Setting", "SourceRecord"]


@dataclass(slots=True)
class Position:
    """Where a local record came from, precisely enough to find it again.

    ``source`` is a file path, a URL path or a SOAP endpoint; then the line (files), page and index
    (paged APIs, 1-based), SOAP call, or sheet and row (spreadsheets), whichever apply.
    """

    source: str
    line: int | None = None
    page: int | None = None
    index: int | None = None
    call: str | None = None
    sheet: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form with only the parts that apply."""
        return {k: getattr(self, k) for k in self.__slots__ if getattr(self, k) is not None}

    def __str__(self) -> str:
        parts = [self.source]
        if self.call is not None:
            parts.append(f"call {self.call}")
        if self.sheet is not None:
            parts.append(f"sheet {self.sheet}")
        if self.page is not None:
            parts.append(f"page {self.page}")
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.index is not None:
            parts.append(f"#{self.index}")
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class ReadProblem:
    """Why a record could be located but not read (bad bytes, a row longer than its header)."""

    code: str
    message_zh: str
    message_en: str

    def to_dict(self) -> dict[str, Any]:
        """Finding-shaped JSON form."""
        return {
            "code": self.code,
            "severity": "error",
            "path": "$",
            "message_zh": self.message_zh,
            "message_en": self.message_en,
        }


@dataclass(slots=True)
class SourceRecord:
    """One local record as read: its stream, its fields, its position and its bookmark entry.

    ``cursor`` is ``(key, value)``: once the record is acknowledged, the bookmark sets ``key`` to
    ``value`` (``("manifest", "2024-03-25 10:00:00|2024…")``, or ``("ledger/2024-03.csv", 120)``).
    ``problem`` is set when the record could be located but not read; it must then be rejected.
    """

    stream: str
    data: Mapping[str, Any]
    position: Position
    cursor: tuple[str, Any] | None = None
    problem: ReadProblem | None = None


@dataclass(frozen=True)
class Bookmark:
    """Where an adapter resumes: one JSON-ready value per cursor key, opaque to everyone but the adapter."""

    values: Mapping[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        """The value stored for ``key``."""
        return self.values.get(key, default)

    def advanced(self, record: SourceRecord) -> Bookmark:
        """The bookmark after ``record`` was acknowledged."""
        if record.cursor is None:
            return self
        key, value = record.cursor
        return Bookmark({**self.values, key: value})

    def to_json(self) -> str:
        """One JSON document (the state a runner stores per adapter)."""
        return json.dumps(dict(self.values), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Bookmark:
        """Read a bookmark stored by ``to_json``."""
        values = json.loads(text)
        if not isinstance(values, dict):
            raise ValueError("a bookmark is a JSON object")
        return cls(values)


@runtime_checkable
class Adapter(Protocol):
    """What the registry, the translator and the bridge expect of an adapter."""

    name: ClassVar[str]
    mapping: ClassVar[str]
    streams: ClassVar[tuple[str, ...]]

    def read(self, since: Bookmark | None) -> Iterator[SourceRecord]:
        """Yield local records after ``since`` (all when None), each stream in cursor order."""
        ...

    def close(self) -> None:
        """Release what the adapter opened (not the injected client: its owner closes it)."""
        ...


@dataclass(frozen=True)
class Setting:
    """One configuration key of an adapter: its type, default, and whether it is a secret (never logged)."""

    type: type = str
    default: Any = None
    required: bool = False
    secret: bool = False
    help: str = ""


class BaseAdapter:
    """Convenience base: validates ``config`` against ``settings`` and loads the mapping once per class."""

    name: ClassVar[str]
    mapping: ClassVar[str]
    streams: ClassVar[tuple[str, ...]]
    settings: ClassVar[dict[str, Setting]] = {}
    _profiles: ClassVar[dict[str, Profile]] = {}

    def __init__(self, config: Mapping[str, Any] | None = None, *, client: Any = None) -> None:
        self.config = self.check_config(config or {})
        self.client = client

    @classmethod
    def check_config(cls, config: Mapping[str, Any]) -> dict[str, Any]:
        """``config`` with defaults filled in; raises ``ConfigurationError`` naming the key and the nearest one."""
        out: dict[str, Any] = {}
        for key in config:
            if key not in cls.settings:
                close = difflib.get_close_matches(key, list(cls.settings), n=1, cutoff=0.5)
                hint = close[0] if close else None
                tail = f"; did you mean {hint!r}?" if hint else f" (allowed: {', '.join(cls.settings) or 'none'})"
                raise ConfigurationError(f"{cls.name}: unknown setting {key!r}{tail}")
        for key, s in cls.settings.items():
            if key not in config:
                if s.required:
                    raise ConfigurationError(f"{cls.name}: setting {key!r} is required ({s.help})")
                out[key] = s.default
                continue
            value = config[key]
            if s.type is float and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            if not isinstance(value, s.type) or (s.type is int and isinstance(value, bool)):
                shown = "***" if s.secret else repr(value)
                raise ConfigurationError(f"{cls.name}: setting {key!r} must be {s.type.__name__}, not {shown}")
            out[key] = value
        return out

    @classmethod
    def profile(cls) -> Profile:
        """The adapter's mapping profile, loaded and compiled once."""
        found = BaseAdapter._profiles.get(cls.mapping)
        if found is None:
            found = BaseAdapter._profiles[cls.mapping] = load_profile(cls.mapping)
        return found

    def read(self, since: Bookmark | None) -> Iterator[SourceRecord]:
        """Yield local records after ``since``; subclasses implement it."""
        raise NotImplementedError

    def close(self) -> None:
        """Nothing to release by default."""
