"""Errors of the mapping engine, and the issues it reports about single records.

Two different things go wrong in a mapping, and they are kept apart:

- ``MappingError`` (an exception): a mapping file is broken (an unknown key, a transform that does
  not exist, a crosswalk file with a duplicate row). It is raised when the file is loaded, names the
  file, the key and the nearest valid key, and stops the run: nothing can be translated with it.
- ``Issue`` (data): one local record cannot be mapped (a unit nobody declared, a date that is not a
  date). The engine collects every issue of the record, never raises, and the record is rejected
  with them. ``TransformError`` is how a transform tells the engine about such an issue.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Issue", "MappingError", "Problem", "TransformError", "nearest"]


def nearest(word: str, choices: Iterable[str]) -> str | None:
    """The choice closest to ``word`` (difflib), or None when nothing is close."""
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.5)
    return found[0] if found else None


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem in a mapping file: where (file, key) and what, with a suggestion when there is one."""

    file: str
    key: str
    message: str
    suggestion: str | None = None

    def __str__(self) -> str:
        hint = f"; did you mean {self.suggestion!r}?" if self.suggestion else ""
        where = f"{self.file}: {self.key}" if self.key else self.file
        return f"{where}: {self.message}{hint}"


class MappingError(Exception):
    """A mapping file (or a crosswalk beside it) is invalid; raised on load, listing every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    @classmethod
    def one(cls, file: str, key: str, message: str, suggestion: str | None = None) -> MappingError:
        """An error with a single problem."""
        return cls([Problem(file, key, message, suggestion)])


class TransformError(ValueError):
    """Raised by a transform when a value cannot be converted; becomes an ``Issue`` on the record.

    ``code`` is short and stable (``unit.unknown``); the engine prefixes it with ``mapping.``.
    """

    def __init__(self, code: str, message_en: str, message_zh: str) -> None:
        super().__init__(message_en)
        self.code = code
        self.message_en = message_en
        self.message_zh = message_zh


@dataclass(frozen=True, slots=True)
class Issue:
    """Why one local record could not be mapped: a finding-like entry with both paths and both languages.

    ``path`` is the JSONPath of the contract field (``$.items[0].quantity_t``); ``source`` is the path
    of the local field it comes from (``wxfw[0].zysl``), empty for rules with no source.
    """

    code: str
    path: str
    source: str
    message_zh: str
    message_en: str
    value: Any = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form, shaped like a contract finding (``severity`` is always ``error``)."""
        out: dict[str, Any] = {
            "code": self.code,
            "severity": "error",
            "path": self.path,
            "source": self.source,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
        }
        if self.value is not None:
            out["value"] = self.value if isinstance(self.value, str | int | float | bool) else str(self.value)
        return out

    def rebased(self, path_prefix: str, source_prefix: str) -> Issue:
        """The same issue seen from an enclosing scope (``$.x`` inside item 0 of ``items`` → ``$.items[0].x``)."""
        path = path_prefix + self.path[1:]
        parts = []
        for part in self.source.split(", ") if self.source else []:
            if part.startswith("$."):
                parts.append(part[2:])
            else:
                parts.append(f"{source_prefix}.{part}" if source_prefix else part)
        source = ", ".join(parts)
        return Issue(self.code, path, source, self.message_zh, self.message_en, self.value)
