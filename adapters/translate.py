"""Translate local records: map each with the profile, validate it against the contract, accept or reject.

Nothing is dropped: every record read becomes exactly one ``Accepted`` or one ``Rejected``, so the
count in always equals out plus rejected. A rejection says where the record came from (file and
line, page and index, SOAP call and position) and why: read problems, mapping issues, or the error
findings of ``contracts`` (each with the local field it came from, when the mapping knows it). A
file that cannot be read at all is one rejection naming the file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contracts import Finding, Severity, Validator
from mappings import Profile

from .base import Position, SourceRecord
from .errors import DataError
from .files import read_file

__all__ = ["Accepted", "Rejected", "Translator", "jsonable"]


def jsonable(value: Any) -> Any:
    """``value`` with anything JSON cannot hold (Decimal, datetime, bytes) turned into text."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


@dataclass(slots=True)
class Accepted:
    """A record that mapped and validated: its contract model, and the warnings it carries."""

    record: SourceRecord
    resource: str
    kind: str
    model: Any
    warnings: tuple[Finding, ...] = ()

    def to_json(self) -> str:
        """The contract record as one line of JSON (fields left empty are omitted)."""
        text: str = self.model.model_dump_json(exclude_none=True)
        return text


@dataclass(slots=True)
class Rejected:
    """A record (or a whole unreadable input) that cannot be sent, with where it came from and why."""

    position: Position
    stream: str
    reasons: list[dict[str, Any]]
    data: Any = None
    resource: str = ""
    kind: str = ""
    mapped: dict[str, Any] | None = field(default=None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: one line of the rejects file."""
        out: dict[str, Any] = {
            "where": str(self.position),
            "position": self.position.to_dict(),
            "stream": self.stream,
            "reasons": self.reasons,
        }
        if self.resource:
            out["resource"], out["kind"] = self.resource, self.kind
        if self.data is not None:
            out["record"] = jsonable(self.data)
        return out


class Translator:
    """Maps and validates records of one profile; keeps one validator per contract kind."""

    def __init__(self, profile: Profile, *, codelists: bool = True) -> None:
        self.profile = profile
        self.codelists = codelists
        self._validators: dict[str, Validator] = {}

    def _validator(self, kind: str) -> Validator:
        v = self._validators.get(kind)
        if v is None:
            v = self._validators[kind] = Validator(kind, codelists=self.codelists)
        return v

    def translate_one(self, record: SourceRecord) -> Accepted | Rejected:
        """Map and validate one record; never raises for any content."""
        if record.problem is not None:
            return Rejected(record.position, record.stream, [record.problem.to_dict()], record.data)
        mapped = self.profile.apply(record.stream, record.data)
        if mapped.issues:
            reasons = [i.to_dict() for i in mapped.issues]
            return Rejected(
                record.position, record.stream, reasons, record.data, mapped.resource, mapped.kind, mapped.data
            )
        outcome = self._validator(mapped.kind).validate_python(mapped.data)
        findings = outcome.findings
        if outcome.model is None or (findings and any(f.severity is Severity.ERROR for f in findings)):
            resource = self.profile.resources[mapped.resource]
            reasons = []
            for f in outcome.findings:
                if f.severity is not Severity.ERROR:
                    continue
                entry = f.to_dict()
                source = resource.source_for(f.path)
                if source:
                    entry["source"] = source
                reasons.append(entry)
            return Rejected(
                record.position, record.stream, reasons, record.data, mapped.resource, mapped.kind, mapped.data
            )
        return Accepted(record, mapped.resource, mapped.kind, outcome.model, tuple(findings) if findings else ())

    def translate(self, records: Iterable[SourceRecord]) -> Iterator[Accepted | Rejected]:
        """Translate records one by one, lazily."""
        for record in records:
            yield self.translate_one(record)

    def translate_files(self, paths: Sequence[Path], *, stream: str | None = None) -> Iterator[Accepted | Rejected]:
        """Translate exported files; an unreadable file (or the unreadable rest of one) is one rejection."""
        for path in paths:
            try:
                for record in read_file(self.profile, path, stream=stream):
                    yield self.translate_one(record)
            except DataError as exc:
                reason = {
                    "code": exc.code,
                    "severity": "error",
                    "path": "$",
                    "message_zh": f"输入无法读取：{exc}",
                    "message_en": f"The input cannot be read: {exc}",
                }
                yield Rejected(Position(str(path)), stream or "", [reason])
