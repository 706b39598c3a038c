"""State of the mock national system in SQLite (``:memory:`` by default, a file to survive restarts).

One connection, used from the event loop thread only; every write is its own short transaction, so a
crash of the mock loses at most the request in progress.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from .auth import Credential, Scope

_SCHEMA = """
CREATE TABLE IF NOT EXISTS counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS refdata(kind TEXT, key TEXT, body TEXT NOT NULL, PRIMARY KEY(kind, key));
CREATE TABLE IF NOT EXISTS credentials(app_key TEXT PRIMARY KEY, secret TEXT NOT NULL, scope TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records(
  resource TEXT, key TEXT, unit TEXT NOT NULL, parties TEXT NOT NULL, kind TEXT, day TEXT NOT NULL,
  seq INTEGER NOT NULL, updated_at TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY(resource, key));
CREATE INDEX IF NOT EXISTS records_seq ON records(resource, seq);
CREATE INDEX IF NOT EXISTS records_unit_day ON records(resource, unit, day);
CREATE TABLE IF NOT EXISTS tracks(manifest_no TEXT NOT NULL, recorded_at TEXT NOT NULL, body TEXT NOT NULL,
  UNIQUE(manifest_no, recorded_at));
CREATE TABLE IF NOT EXISTS idempotency(app_key TEXT, idem_key TEXT, fingerprint TEXT NOT NULL, state TEXT NOT NULL,
  status INTEGER, headers TEXT, body BLOB, created_at REAL NOT NULL, PRIMARY KEY(app_key, idem_key));
CREATE TABLE IF NOT EXISTS nonces(app_key TEXT, nonce TEXT, seen_at REAL NOT NULL, PRIMARY KEY(app_key, nonce));
CREATE TABLE IF NOT EXISTS journal(id INTEGER PRIMARY KEY AUTOINCREMENT, arrived_at REAL NOT NULL,
  finished_at REAL, method TEXT NOT NULL, path TEXT NOT NULL, app_key TEXT, idem_key TEXT, status INTEGER,
  code TEXT, replayed INTEGER NOT NULL DEFAULT 0, fault TEXT, early_retry INTEGER NOT NULL DEFAULT 0,
  business_at REAL NOT NULL DEFAULT 0, disclosed INTEGER NOT NULL DEFAULT 0, records TEXT NOT NULL DEFAULT '[]');
"""


@dataclass(frozen=True)
class StoredRecord:
    """A record as the mock keeps it."""

    resource: str
    key: str
    unit: str
    parties: tuple[str, ...]
    kind: str | None
    day: str
    seq: int
    updated_at: str
    body: str


def encode_cursor(seq: int) -> str:
    """The cursor for the record after ``seq`` (the sequence number itself, as text)."""
    return str(seq)


def decode_cursor(cursor: str) -> int | None:
    """The ``seq`` behind a cursor, or None when it is not one."""
    if not (cursor.isascii() and cursor.isdigit()) or len(cursor) > 18:
        return None
    return int(cursor)


class Store:
    """All state of the mock."""

    def __init__(self, path: str = ":memory:") -> None:
        self.path = path
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL" if path != ":memory:" else "PRAGMA journal_mode=MEMORY")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)
        self.lock = threading.RLock()
        # Read on every request, written rarely: cached, and dropped on every write.
        self._credentials: dict[str, Credential] | None = None
        self._provinces: dict[str, str] = {}
        self._nonce_writes = 0

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction."""
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    def close(self) -> None:
        """Close the database."""
        self.db.close()

    def reset(self) -> None:
        """Forget everything: records, reference data, credentials, journal, counters."""
        with self.tx() as db:
            for table in (
                "counters",
                "refdata",
                "credentials",
                "records",
                "tracks",
                "idempotency",
                "nonces",
                "journal",
            ):
                db.execute(f"DELETE FROM {table}")
        self._credentials = None
        self._provinces.clear()

    # --- counters
    def next_value(self, db: sqlite3.Connection, name: str) -> int:
        """Increment and return a named counter (inside the caller's transaction)."""
        row = db.execute(
            "INSERT INTO counters(name, value) VALUES(?, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1 "
            "RETURNING value",
            (name,),
        ).fetchone()
        return int(row[0])

    # --- credentials and reference data
    def put_credential(self, cred: Credential) -> None:
        """Add or replace a credential."""
        with self.tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO credentials VALUES(?, ?, ?)", (cred.app_key, cred.secret, cred.scope.render())
            )
        self._credentials = None

    def credentials(self) -> dict[str, Credential]:
        """Every credential by app key."""
        if self._credentials is None:
            rows = self.db.execute("SELECT app_key, secret, scope FROM credentials").fetchall()
            self._credentials = {k: Credential(k, s, Scope.parse(sc)) for k, s, sc in rows}
        return self._credentials

    def put_refdata(self, kind: str, key: str, body: str) -> None:
        """Add or replace a unit, licence or approval."""
        with self.tx() as db:
            db.execute("INSERT OR REPLACE INTO refdata VALUES(?, ?, ?)", (kind, key, body))
        self._provinces.pop(key, None)

    def province_of(self, uscc: str) -> str:
        """The province of a unit: from its registration when known, else from its credit code (cached)."""
        province = self._provinces.get(uscc)
        if province is None:
            body = self.get_refdata("unit", uscc)
            province = str(json.loads(body)["region_code"])[:2] if body is not None else uscc[2:4]
            self._provinces[uscc] = province
        return province

    def get_refdata(self, kind: str, key: str) -> str | None:
        """A unit, licence or approval as stored."""
        row = self.db.execute("SELECT body FROM refdata WHERE kind = ? AND key = ?", (kind, key)).fetchone()
        return None if row is None else str(row[0])

    # --- records
    def get(self, resource: str, key: str) -> StoredRecord | None:
        """One record by natural key."""
        row = self.db.execute(
            "SELECT resource, key, unit, parties, kind, day, seq, updated_at, body FROM records "
            "WHERE resource = ? AND key = ?",
            (resource, key),
        ).fetchone()
        return None if row is None else _record(row)

    def put(
        self,
        db: sqlite3.Connection,
        resource: str,
        key: str,
        *,
        unit: str,
        parties: Iterable[str],
        kind: str | None,
        day: str,
        updated_at: str,
        body: str,
    ) -> int:
        """Insert or replace a record (inside the caller's transaction); returns its new sequence number."""
        seq = self.next_value(db, "seq")
        db.execute(
            "INSERT OR REPLACE INTO records VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (resource, key, unit, " ".join(parties), kind, day, seq, updated_at, body),
        )
        return seq

    def bodies(self, db: sqlite3.Connection, resource: str, keys: list[str]) -> dict[str, str]:
        """Stored bodies of ``keys`` (those that exist), in one query per 500 keys."""
        found: dict[str, str] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT key, body FROM records WHERE resource = ? AND key IN ({marks})"
            found.update((str(k), str(b)) for k, b in db.execute(sql, (resource, *chunk)))
        return found

    def put_many(
        self,
        db: sqlite3.Connection,
        resource: str,
        rows: Sequence[tuple[str, str, tuple[str, ...], str | None, str, str]],
        *,
        updated_at: str,
    ) -> None:
        """Insert or replace ``(key, unit, parties, kind, day, body)`` rows with consecutive sequence numbers."""
        if not rows:
            return
        last = int(
            db.execute(
                "INSERT INTO counters(name, value) VALUES('seq', ?) ON CONFLICT(name) DO UPDATE SET value = value + ? "
                "RETURNING value",
                (len(rows), len(rows)),
            ).fetchone()[0]
        )
        first = last - len(rows) + 1
        db.executemany(
            "INSERT OR REPLACE INTO records VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (resource, key, unit, " ".join(parties), kind, day, first + j, updated_at, body)
                for j, (key, unit, parties, kind, day, body) in enumerate(rows)
            ],
        )

    def list_records(
        self,
        resource: str,
        *,
        after_seq: int = 0,
        limit: int = 100,
        unit: str | None = None,
        kind: str | None = None,
        updated_since: str | None = None,
        key_prefix: str | None = None,
    ) -> list[StoredRecord]:
        """Records in sequence order after ``after_seq``, filtered."""
        sql = "SELECT resource, key, unit, parties, kind, day, seq, updated_at, body FROM records WHERE resource = ? AND seq > ?"
        args: list[Any] = [resource, after_seq]
        if unit:
            sql += " AND (' ' || parties || ' ') LIKE ?"
            args.append(f"% {unit} %")
        if kind:
            sql += " AND kind = ?"
            args.append(kind)
        if updated_since:
            sql += " AND updated_at >= ?"
            args.append(updated_since)
        if key_prefix:
            sql += " AND key LIKE ?"
            args.append(key_prefix + "%")
        sql += " ORDER BY seq LIMIT ?"
        args.append(limit)
        return [_record(r) for r in self.db.execute(sql, args).fetchall()]

    def bodies_for_day(self, resource: str, unit: str, day: str) -> list[str]:
        """Canonical bodies of one unit's records of one resource on one day."""
        rows = self.db.execute(
            "SELECT body FROM records WHERE resource = ? AND unit = ? AND day = ?", (resource, unit, day)
        ).fetchall()
        return [str(r[0]) for r in rows]

    def count(self, resource: str) -> int:
        """How many records of a resource are stored."""
        return int(self.db.execute("SELECT COUNT(*) FROM records WHERE resource = ?", (resource,)).fetchone()[0])

    # --- tracks
    def add_points(self, manifest_no: str, points: list[tuple[str, str]]) -> tuple[int, int]:
        """Append (recorded_at, body) points, ignoring ones already stored; returns (added, total)."""
        count = "SELECT COUNT(*) FROM tracks WHERE manifest_no = ?"
        with self.tx() as db:
            before = int(db.execute(count, (manifest_no,)).fetchone()[0])
            db.executemany(
                "INSERT OR IGNORE INTO tracks(manifest_no, recorded_at, body) VALUES(?, ?, ?)",
                [(manifest_no, at, body) for at, body in points],
            )
            total = int(db.execute(count, (manifest_no,)).fetchone()[0])
        return total - before, total

    def points(self, manifest_no: str, after_seq: int, limit: int) -> list[tuple[int, str]]:
        """Track points of a manifest in arrival order."""
        rows = self.db.execute(
            "SELECT rowid, body FROM tracks WHERE manifest_no = ? AND rowid > ? ORDER BY rowid LIMIT ?",
            (manifest_no, after_seq, limit),
        ).fetchall()
        return [(int(s), str(b)) for s, b in rows]

    # --- nonces
    def remember_nonce(self, app_key: str, nonce: str, now: float, ttl: float) -> bool:
        """Record a nonce; False when it was seen within ``ttl`` seconds (a replay).

        One statement on the hot path: the row is inserted, or refreshed when the earlier use is older
        than ``ttl``; RETURNING yields nothing exactly when the nonce is a replay.
        """
        with self.lock:
            row = self.db.execute(
                "INSERT INTO nonces(app_key, nonce, seen_at) VALUES(?, ?, ?) ON CONFLICT(app_key, nonce) "
                "DO UPDATE SET seen_at = excluded.seen_at WHERE excluded.seen_at - nonces.seen_at >= ? "
                "RETURNING seen_at",
                (app_key, nonce, now, ttl),
            ).fetchone()
            self._nonce_writes += 1
            if self._nonce_writes % 1000 == 0:
                self.db.execute("DELETE FROM nonces WHERE seen_at < ?", (now - ttl,))
        return row is not None


def _record(row: tuple[Any, ...]) -> StoredRecord:
    resource, key, unit, parties, kind, day, seq, updated_at, body = row
    return StoredRecord(resource, key, unit, tuple(parties.split()), kind, day, int(seq), updated_at, body)


def dumps(value: Any) -> str:
    """Compact JSON text."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
