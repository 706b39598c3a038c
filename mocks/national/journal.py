"""The journal: every request the mock answered, with what it created or changed.

The conformance suite judges timeliness and completeness from it: arrival time (real and business clock),
caller (on an authentication failure, the app key as claimed), idempotency key, status and problem code, whether the answer was a replay, which fault fired, and the records
touched (resource, natural key, action).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pydantic_core import to_json

from .store import Store


@dataclass
class Entry:
    """A journal entry being filled while its request runs."""

    arrived_at: float
    method: str
    path: str
    app_key: str | None = None
    idem_key: str | None = None
    status: int | None = None
    code: str | None = None
    replayed: bool = False
    fault: str | None = None
    early_retry: bool = False
    business_at: float = 0.0
    """The mock's business clock at arrival (epoch seconds); differs from ``arrived_at`` when the clock was moved."""
    disclosed: bool = False
    """The request carried the caller's app secret in clear (a header, the query or the body)."""
    records: list[dict[str, str]] = field(default_factory=list)

    def touched(self, resource: str, key: str, action: str) -> None:
        """Note that the request created, updated, found a duplicate of or rejected a record."""
        self.records.append({"resource": resource, "key": key, "action": action})


def write(store: Store, entry: Entry, finished_at: float) -> int:
    """Append the entry; returns its id."""
    with store.tx() as db:
        cur = db.execute(
            "INSERT INTO journal(arrived_at, finished_at, method, path, app_key, idem_key, status, code, replayed, fault,"
            " early_retry, business_at, disclosed, records) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                entry.arrived_at,
                finished_at,
                entry.method,
                entry.path,
                entry.app_key,
                entry.idem_key,
                entry.status,
                entry.code,
                int(entry.replayed),
                entry.fault,
                int(entry.early_retry),
                entry.business_at,
                int(entry.disclosed),
                to_json(entry.records).decode(),
            ),
        )
        return int(cur.lastrowid or 0)


def read(store: Store, after_id: int = 0, limit: int = 1000) -> list[dict[str, Any]]:
    """Entries after ``after_id`` in order."""
    rows = store.db.execute(
        "SELECT id, arrived_at, finished_at, method, path, app_key, idem_key, status, code, replayed, fault, early_retry,"
        " business_at, disclosed, records "
        "FROM journal WHERE id > ? ORDER BY id LIMIT ?",
        (after_id, limit),
    ).fetchall()
    keys = (
        "id",
        "arrived_at",
        "finished_at",
        "method",
        "path",
        "app_key",
        "idem_key",
        "status",
        "code",
        "replayed",
        "fault",
        "early_retry",
        "business_at",
        "disclosed",
    )
    out = []
    for row in rows:
        doc = dict(zip(keys, row[:14], strict=True))
        doc["replayed"] = bool(doc["replayed"])
        doc["early_retry"] = bool(doc["early_retry"])
        doc["disclosed"] = bool(doc["disclosed"])
        doc["records"] = json.loads(row[14])
        out.append(doc)
    return out
