"""Rows of the outbox as Python values, and its SQLite schema."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS ops(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  grp TEXT NOT NULL,
  kind TEXT NOT NULL,
  ref TEXT NOT NULL DEFAULT '',
  payload TEXT NOT NULL,
  idem_key TEXT NOT NULL UNIQUE,
  state TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  unknown INTEGER NOT NULL DEFAULT 0,
  enqueued_at REAL NOT NULL,
  next_at REAL NOT NULL,
  first_at REAL,
  done_at REAL,
  lease_owner TEXT,
  lease_until REAL,
  fence INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  answer TEXT
);
CREATE INDEX IF NOT EXISTS ops_open ON ops(grp, id) WHERE state IN ('pending', 'inflight');
CREATE TABLE IF NOT EXISTS bookmarks(adapter TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS dead(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  origin TEXT NOT NULL,
  op_id INTEGER,
  stream TEXT NOT NULL DEFAULT '',
  position TEXT NOT NULL DEFAULT '{}',
  reasons TEXT NOT NULL,
  record TEXT,
  created_at REAL NOT NULL,
  replayed_at REAL
);
CREATE TABLE IF NOT EXISTS manifest_plan(local_ref TEXT PRIMARY KEY, steps TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS manifest_content(local_ref TEXT PRIMARY KEY, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS manifest_numbers(local_ref TEXT PRIMARY KEY, national_no TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS manifest_points(local_ref TEXT PRIMARY KEY, points TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""


@dataclass(frozen=True, slots=True)
class NewOp:
    """An operation to enqueue: its ordering group, kind, local reference and JSON payload."""

    group: str
    kind: str
    payload: dict[str, Any]
    ref: str = ""


@dataclass(slots=True)
class Op:
    """An outbox row as the deliverer sees it."""

    id: int
    group: str
    kind: str
    ref: str
    payload: dict[str, Any]
    idem_key: str
    state: str
    attempts: int
    unknown: int
    enqueued_at: float
    first_at: float | None
    fence: int = 0
    lease_owner: str | None = None


@dataclass(slots=True)
class DeadLetter:
    """A record or operation that cannot be delivered, with where it came from and why."""

    id: int
    origin: str
    op_id: int | None
    stream: str
    position: dict[str, Any]
    reasons: list[dict[str, Any]]
    record: Any
    created_at: float
    replayed_at: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


_OP_COLS = "id, grp, kind, ref, payload, idem_key, state, attempts, unknown, enqueued_at, first_at, fence, lease_owner"


def _op(row: Sequence[Any]) -> Op:
    return Op(
        row[0],
        row[1],
        row[2],
        row[3],
        json.loads(row[4]),
        row[5],
        row[6],
        row[7],
        row[8],
        row[9],
        row[10],
        row[11],
        row[12],
    )


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
