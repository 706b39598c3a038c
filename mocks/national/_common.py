"""What every route handler shares: the request context, JSON parsing, validation, scope, paging."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError
from pydantic_core import from_json
from starlette.requests import Request

from contracts import Finding, Severity, Validator
from contracts._base import USCC_RE
from contracts._schema_errors import errors_to_findings
from contracts.findings import finding

from ._problems import Problem, forbidden, invalid
from .auth import Credential, RateLimiter
from .config import CHINA, MockClock, MockConfig
from .faults import FaultPlan
from .journal import Entry
from .store import Store, StoredRecord, decode_cursor, encode_cursor

JSON = dict[str, Any]


class Raw(str):
    """A body that is already JSON text (a stored canonical record), sent as is."""


@dataclass
class Answer:
    """A successful answer: status, JSON body, extra headers."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class National:
    """Everything the mock holds: state, settings, clock, faults."""

    store: Store
    config: MockConfig
    clock: MockClock
    faults: FaultPlan
    validators: dict[str, Validator] = field(default_factory=dict)
    limiter: RateLimiter = field(init=False)
    not_before: dict[str, float] = field(default_factory=dict)
    """When each app key, told to wait by a 429, may come back."""

    def __post_init__(self) -> None:
        self.limiter = RateLimiter(self.config.rate_per_second, self.config.burst)

    def reset(self) -> None:
        """Back to an empty national system with real time and no faults."""
        self.store.reset()
        self.faults.clear()
        self.clock.reset()
        self.limiter = RateLimiter(self.config.rate_per_second, self.config.burst)
        self.not_before.clear()

    def validator(self, kind: str) -> Validator:
        """A cached validator of ``kind`` with the mock's label scheme."""
        v = self.validators.get(kind)
        if v is None:
            v = self.validators[kind] = Validator(kind, label_scheme=self.config.label_scheme)
        return v

    def province_of(self, uscc: str) -> str:
        """The province of a unit: from its registration when known, else from its credit code."""
        return self.store.province_of(uscc)


@dataclass
class Ctx:
    """One request being handled."""

    national: National
    request: Request
    body: bytes
    cred: Credential | None
    entry: Entry

    def in_scope(self, uscc: str) -> bool:
        """Whether the caller's key covers a unit (never, for an unauthenticated request)."""
        if self.cred is None:
            return False
        scope = self.cred.scope
        if scope.everything or scope.units:
            return scope.covers(uscc, None)
        return scope.covers(uscc, self.national.province_of(uscc))

    def require_scope(self, uscc: str, role: str) -> None:
        """403 unless the caller's key covers the unit acting as ``role``."""
        if not self.in_scope(uscc):
            raise forbidden("authz.scope", f"the key's scope does not cover the {role} {uscc}")


def parse_json(body: bytes) -> Any:
    """The body as JSON, or 422 with a finding saying where it breaks."""
    if not body:
        raise invalid([finding("schema.json_invalid", "$", detail="empty body")])
    try:
        return from_json(body)
    except ValueError as exc:
        raise invalid([finding("schema.json_invalid", "$", detail=str(exc))]) from None


def errors(findings: list[Finding]) -> list[Finding]:
    """Only the error-level findings."""
    return [f for f in findings if f.severity is Severity.ERROR]


def validate(national: National, kind: str, data: Any) -> Any:
    """The validated model of ``kind``, or 422 with every error-level finding."""
    outcome = national.validator(kind).validate_python(data)
    if outcome.model is None or errors(outcome.findings):
        raise invalid(errors(outcome.findings))
    return outcome.model


def validate_body(adapter: TypeAdapter[Any], data: Any) -> Any:
    """A request body model (not a record), or 422."""
    try:
        return adapter.validate_python(data)
    except ValidationError as exc:
        raise invalid(errors_to_findings(exc)) from None


def refuse_fields(data: Any, names: tuple[str, ...], who: str) -> None:
    """403 when the body sets fields only the national system (or another party) may set."""
    if isinstance(data, dict):
        present = [n for n in names if data.get(n) not in (None, False, [], "draft")]
        if present:
            raise forbidden("authz.field", f"{who} may not set: {', '.join(present)}")


def paging(request: Request) -> tuple[int, int]:
    """(after_seq, limit) from ``cursor`` and ``limit``, or 400."""
    q = request.query_params
    limit_text = q.get("limit", "100")
    if not limit_text.isdigit() or not 1 <= int(limit_text) <= 500:
        raise Problem(400, "request.limit", "limit must be 1-500", "limit 应为 1-500")
    cursor = q.get("cursor")
    after = 0
    if cursor is not None:
        decoded = decode_cursor(cursor)
        if decoded is None:
            raise Problem(400, "request.cursor", "Unknown cursor", "游标无效")
        after = decoded
    return after, int(limit_text)


def raw_page(bodies: list[str], last_seq: int | None, full: bool) -> Raw:
    """A page of stored bodies; a full page carries a cursor to the next one."""
    cursor = encode_cursor(last_seq) if full and last_seq is not None else None
    return Raw('{"items":[' + ",".join(bodies) + '],"next_cursor":' + json.dumps(cursor) + "}")


def listed(record: StoredRecord) -> str:
    """A stored body as a list item: the canonical record plus ``updated_at``, the national write time.

    The time is the mock's business clock when the record was last written (stored as UTC text by
    :func:`stamp`), given as RFC 3339 with the China offset. Contract bodies never carry the field.
    """
    written = datetime.fromisoformat(record.updated_at).astimezone(CHINA).isoformat(timespec="microseconds")
    return record.body[:-1] + ',"updated_at":' + json.dumps(written) + "}"


def query_time(request: Request, name: str) -> str | None:
    """An ISO 8601 time from the query (normalised for comparison with stored times), or 400."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    m = _RFC3339.fullmatch(raw)
    if m is not None:
        text = raw.upper().replace("Z", "+00:00")
        if m.group(1) == "60":  # a leap second is legal RFC 3339; Python has no 60th second
            text = text[: m.start(1)] + "59" + text[m.end(1) :]
        try:
            return stamp(datetime.fromisoformat(text))
        except (ValueError, OverflowError):  # e.g. year 1 at +08:00 has no UTC equivalent
            pass
    raise Problem(
        400,
        "request.query",
        f"{name} must be an RFC 3339 time with offset",
        f"{name} 应为带时区偏移的 RFC 3339 时间",
    )


_RFC3339 = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:([0-9]{2})(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})"
)


_USCC = re.compile(USCC_RE)


def query_unit(request: Request) -> str | None:
    """The ``unit`` filter: absent, or a well-formed credit code (400 otherwise)."""
    unit = request.query_params.get("unit")
    if unit is not None and not _USCC.fullmatch(unit):
        raise Problem(400, "request.query", "unit must be a unified social credit code", "unit 应为统一社会信用代码")
    return unit


def query_choice(request: Request, name: str, choices: tuple[str, ...]) -> str | None:
    """An optional query parameter limited to ``choices`` (400 otherwise)."""
    value = request.query_params.get(name)
    if value is not None and value not in choices:
        raise Problem(400, "request.query", f"{name} must be one of {', '.join(choices)}", f"{name} 取值无效")
    return value


def stamp(when: datetime) -> str:
    """A UTC time text that sorts as it compares (fixed width, microseconds)."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
