"""What reconciliation needs to know of each resource: its natural key, its bucket, its canonical form.

Buckets follow the mock national store (``mocks/national/routes_*.py``), so that per-bucket digests
agree with ``GET /api/v1/digests``: labels by producer and production date, ledger and operation
records by unit and the China-time day of ``occurred_at``, manifests by shipper and the China-time day
of ``created_at``.

Times of writing are not contract fields. A record may carry them as ``updated_at`` (RFC 3339 with
offset): on the local side the time the local system last changed the record, on the national side
the time the national system wrote it. They are stripped before digests and field comparison.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import orjson
from pydantic import TypeAdapter, ValidationError

from contracts import Label, LedgerRecord, Manifest, OperationRecord

CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")
WRITE_TIME = "updated_at"
"""The non-contract field carrying a record's time of writing (see the module docstring)."""
META_FIELDS = frozenset({WRITE_TIME})

Record = dict[str, Any]


def china_day(ts: Any) -> str:
    """The China-time calendar day (ISO text) of an RFC 3339 time, or of a ``datetime``."""
    if isinstance(ts, str):
        if ts.endswith("+08:00") and len(ts) >= 10:
            return ts[:10]  # the usual case, and the hot path of a million-record digest pass
        ts = datetime.fromisoformat(ts)
    if isinstance(ts, datetime):
        return ts.astimezone(CHINA).date().isoformat()
    raise ValueError(f"not a time: {ts!r}")


def _day(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)[:10]


@dataclass(frozen=True)
class ResourceSpec:
    """How one resource is keyed, bucketed and canonicalised, and where the national API lists it."""

    name: str
    key: Callable[[Record], str]
    unit: Callable[[Record], str]
    day: Callable[[Record], str]
    adapter: TypeAdapter[Any]
    list_path: str | None
    server_fields: frozenset[str] = field(default_factory=frozenset)
    """Paths the national system assigns; ignored by default when comparing."""

    def bucket(self, rec: Record) -> tuple[str, str]:
        """``(unit, day)`` of a record; ``("?", "?")`` for a record too broken to place."""
        try:
            return self.unit(rec), self.day(rec)
        except (KeyError, TypeError, ValueError, AttributeError):
            return "?", "?"

    def natural_key(self, rec: Record) -> str:
        """The natural key; a record without one gets a key naming that, so it is still reported."""
        try:
            return self.key(rec)
        except (KeyError, TypeError, AttributeError):
            return "?/" + orjson.dumps(rec, option=orjson.OPT_SORT_KEYS, default=str).decode()

    def canonical(self, rec: Record) -> tuple[str, Record]:
        """``(canonical JSON, plain JSON record)`` of a record.

        A record that is not a valid contract record keeps its own sorted JSON, which never equals a
        canonical text, so its bucket is always compared.
        """
        meta = {k: rec[k] for k in META_FIELDS if k in rec}
        body = {k: v for k, v in rec.items() if k not in META_FIELDS}
        try:
            text = self.adapter.dump_json(self.adapter.validate_python(body)).decode()
        except (ValidationError, ValueError, TypeError):
            text = orjson.dumps(body, option=orjson.OPT_SORT_KEYS, default=str).decode()
            plain: Record = orjson.loads(text)
        else:
            plain = orjson.loads(text)
        plain.update({k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in meta.items()})
        return text, plain


def _ledger_key(r: Record) -> str:
    return f"{r['unit_uscc']}/{r['kind']}/{r['batch_code']}"


def _manifest_key(r: Record) -> str:
    return str(r.get("local_ref") or r["manifest_no"])


SPECS: Mapping[str, ResourceSpec] = {
    "labels": ResourceSpec(
        "labels",
        key=lambda r: str(r["label_id"]),
        unit=lambda r: str(r["producer_uscc"]),
        day=lambda r: _day(r["produced_date"]),
        adapter=TypeAdapter(Label),
        list_path="/labels",
        server_fields=frozenset({"issued_at"}),
    ),
    "ledger-records": ResourceSpec(
        "ledger-records",
        key=_ledger_key,
        unit=lambda r: str(r["unit_uscc"]),
        day=lambda r: china_day(r["occurred_at"]),
        adapter=TypeAdapter(LedgerRecord),
        list_path="/ledger-records",
    ),
    "manifests": ResourceSpec(
        "manifests",
        key=_manifest_key,
        unit=lambda r: str(r["shipper"]["uscc"]),
        day=lambda r: china_day(r["created_at"]),
        adapter=TypeAdapter(Manifest),
        list_path="/manifests",
        server_fields=frozenset({"manifest_no"}),
    ),
    "operation-records": ResourceSpec(
        "operation-records",
        key=lambda r: f"{r['license_no']}/{r['record_id']}",
        unit=lambda r: str(r["unit_uscc"]),
        day=lambda r: china_day(r["occurred_at"]),
        adapter=TypeAdapter(OperationRecord),
        list_path="/operation-records",
    ),
}
"""The reconciled resources by their national API name."""


def spec_of(resource: str) -> ResourceSpec:
    """The spec of a resource, or ``ValueError`` naming the known ones."""
    try:
        return SPECS[resource]
    except KeyError:
        raise ValueError(f"unknown resource {resource!r}; known: {', '.join(SPECS)}") from None


def as_decimal(value: Any) -> Decimal | None:
    """A quantity as ``Decimal``, or None when it is not a number."""
    if isinstance(value, bool):
        return None
    try:
        return Decimal(str(value)) if isinstance(value, (str, int, float, Decimal)) else None
    except ArithmeticError:
        return None
