"""The durable outbox: national operations, the adapter's bookmark, dead letters and the manifest plan, in SQLite.

One database file holds everything the bridge must not lose: operations, bookmarks, dead letters
and, per manifest, its planned steps, national number and the hash of the content last planned.
The reader writes operations and advances the bookmark in ONE transaction (``Outbox.commit_read``);
the deliverer claims the head of each ordering group with a lease and a fencing token and completes
it only while that token is still the row's (``Outbox.complete``), so a worker whose lease expired
cannot finish what another took over. Every row keeps its ``Idempotency-Key`` from enqueue to the end of its life.

States: ``pending`` → ``inflight`` (leased) → ``delivered`` | ``dead``; a failed or unknown attempt
puts the row back to ``pending`` with a later ``next_at``. Rows are ordered by ``id`` (the seq).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any, Protocol

from ._rows import _OP_COLS, _SCHEMA, DeadLetter, NewOp, Op, _dumps, _op

__all__ = ["Conn", "DeadLetter", "NewOp", "Op", "Outbox", "open_outbox"]


class Conn(Protocol):
    """What the outbox needs of a connection: ``sqlite3.Connection``, or the PostgreSQL one (``outbox_pg``)."""

    def execute(self, sql: str, parameters: Any = ..., /) -> Any:
        """Run one statement (``?`` placeholders); a cursor with ``fetchone``, ``fetchall`` and ``rowcount``."""
        ...

    def close(self) -> None:
        """Close the connection."""
        ...


class Outbox:
    """The SQLite outbox (WAL, ``synchronous=NORMAL``); one instance per thread that writes.

    ``PgOutbox`` (``outbox_pg``) is the same outbox on PostgreSQL; it overrides the few dialect points.
    """

    _LOCK_ROW = ""  # appended to the fence check of ``complete`` (PostgreSQL: `` FOR UPDATE``)

    def __init__(self, path: str | Path, *, clock: Callable[[], float] = time.time) -> None:
        self.path = str(path)
        self.clock = clock
        self.db: Conn = sqlite3.connect(self.path, isolation_level=None, timeout=30, check_same_thread=False)
        self._lock = threading.RLock()
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA busy_timeout=30000")
        with self.tx() as db:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    @contextmanager
    def tx(self) -> Iterator[Conn]:
        """One write transaction (``BEGIN IMMEDIATE``): all or nothing."""
        with self._lock:
            self._begin()
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    def _begin(self) -> None:
        # In WAL mode SQLite may answer BUSY at once, without its busy handler, when waiting could
        # deadlock (another connection committed while this one had a read open); back off and retry.
        deadline = time.monotonic() + 30
        delay = 0.001
        while True:
            try:
                self.db.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if ("locked" not in str(exc) and "busy" not in str(exc)) or time.monotonic() > deadline:
                    raise
                time.sleep(delay)
                delay = min(0.05, delay * 2)

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        # One connection serves the main thread and the senders' lease checks: serialise its use, and
        # read every row so that no statement is left open holding a read snapshot.
        with self._lock:
            return list(self.db.execute(sql, params).fetchall())

    def _first(self, sql: str, params: Sequence[Any] = ()) -> Any:
        rows = self._read(sql, params)
        return rows[0] if rows else None

    # -- reading side ---------------------------------------------------------------------------------
    def reading(self, adapter: str) -> AbstractContextManager[None]:
        """Held while one reader of ``adapter`` reads (PostgreSQL: other workers' readers wait their turn)."""
        return nullcontext()

    def bookmark(self, adapter: str) -> str | None:
        """The stored bookmark JSON of ``adapter``."""
        row = self._first("SELECT value FROM bookmarks WHERE adapter = ?", (adapter,))
        return str(row[0]) if row else None

    def plan(self, db: Conn, local_ref: str) -> list[str]:
        """Steps already planned for a manifest (inside a transaction)."""
        row = db.execute("SELECT steps FROM manifest_plan WHERE local_ref = ?", (local_ref,)).fetchone()
        return list(json.loads(row[0])) if row else []

    def set_plan(self, db: Conn, local_ref: str, steps: list[str]) -> None:
        """Record the steps planned for a manifest."""
        db.execute(
            "INSERT INTO manifest_plan(local_ref, steps) VALUES(?, ?) ON CONFLICT(local_ref) DO UPDATE SET steps = excluded.steps",
            (local_ref, _dumps(steps)),
        )

    def content_hash(self, db: Conn, local_ref: str) -> str | None:
        """The content hash of the manifest body last planned for sending (create or update), if any."""
        row = db.execute("SELECT hash FROM manifest_content WHERE local_ref = ?", (local_ref,)).fetchone()
        return str(row[0]) if row else None

    def set_content_hash(self, db: Conn, local_ref: str, digest: str) -> None:
        """Record the content hash of the manifest body just planned (in the transaction that enqueues it)."""
        db.execute(
            "INSERT INTO manifest_content(local_ref, hash) VALUES(?, ?) ON CONFLICT(local_ref) DO UPDATE SET hash = excluded.hash",
            (local_ref, digest),
        )

    def hold_points(self, db: Conn, local_ref: str, points: list[dict[str, Any]]) -> None:
        """Keep track points read before their manifest's dispatch was planned (added to any already held)."""
        held = self.take_points(db, local_ref)
        db.execute("INSERT INTO manifest_points(local_ref, points) VALUES(?, ?)", (local_ref, _dumps(held + points)))

    def take_points(self, db: Conn, local_ref: str) -> list[dict[str, Any]]:
        """The track points held for a manifest, removed from the outbox (in the transaction that enqueues them)."""
        row = db.execute("SELECT points FROM manifest_points WHERE local_ref = ?", (local_ref,)).fetchone()
        if row is None:
            return []
        db.execute("DELETE FROM manifest_points WHERE local_ref = ?", (local_ref,))
        return list(json.loads(row[0]))

    def enqueue(self, db: Conn, ops: Iterable[NewOp]) -> list[int]:
        """Insert operations (inside a transaction); each gets its Idempotency-Key now, for life."""
        now = self.clock()
        ids = []
        for op in ops:
            cur = db.execute(
                "INSERT INTO ops(grp, kind, ref, payload, idem_key, enqueued_at, next_at) VALUES(?, ?, ?, ?, ?, ?, ?)",
                (op.group, op.kind, op.ref, _dumps(op.payload), f"hz-{uuid.uuid4().hex}", now, now),
            )
            ids.append(int(cur.lastrowid or 0))
        return ids

    def add_dead(
        self,
        db: Conn,
        origin: str,
        reasons: list[dict[str, Any]],
        *,
        op_id: int | None = None,
        stream: str = "",
        position: dict[str, Any] | None = None,
        record: Any = None,
    ) -> None:
        """Add a dead letter (inside a transaction).

        A local record that is reported again on every read (an unreadable file has no bookmark to
        move past) is kept once while its letter is open: same origin, stream, position and reasons.
        """
        if origin == "local":
            same = db.execute(
                "SELECT 1 FROM dead WHERE origin = 'local' AND replayed_at IS NULL AND stream = ? AND position = ?"
                " AND reasons = ?",
                (stream, _dumps(position or {}), _dumps(reasons)),
            ).fetchone()
            if same is not None:
                return
        db.execute(
            "INSERT INTO dead(origin, op_id, stream, position, reasons, record, created_at) VALUES(?, ?, ?, ?, ?, ?, ?)",
            (
                origin,
                op_id,
                stream,
                _dumps(position or {}),
                _dumps(reasons),
                None if record is None else _dumps(record),
                self.clock(),
            ),
        )

    def set_bookmark(self, db: Conn, adapter: str, value: str) -> None:
        """Advance the adapter's bookmark (inside the transaction that wrote its operations)."""
        db.execute(
            "INSERT INTO bookmarks(adapter, value, updated_at) VALUES(?, ?, ?)"
            " ON CONFLICT(adapter) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            (adapter, value, self.clock()),
        )

    # -- delivering side ------------------------------------------------------------------------------
    def claim(self, owner: str, limit: int, lease_s: float) -> list[Op]:
        """Lease the head (lowest id still open) of up to ``limit`` groups whose time has come.

        A head whose lease expired is taken over: it gets a new fencing token, so the stalled worker
        can no longer complete it.
        """
        now = self.clock()
        with self.tx() as db:
            rows = db.execute(
                f"SELECT {_OP_COLS} FROM ops WHERE id IN (SELECT MIN(id) FROM ops WHERE state IN ('pending', 'inflight')"
                " GROUP BY grp) AND ((state = 'pending' AND next_at <= ?) OR (state = 'inflight' AND lease_until < ?))"
                " ORDER BY next_at, id LIMIT ?",
                (now, now, limit),
            ).fetchall()
            return self._lease(db, rows, owner, now, lease_s)

    def _lease(self, db: Conn, rows: list[Any], owner: str, now: float, lease_s: float) -> list[Op]:
        """Mark claimed rows in flight for ``owner``, each with a new fencing token."""
        out = []
        for row in rows:
            op = _op(row)
            fence = self._fence(db)
            db.execute(
                "UPDATE ops SET state = 'inflight', lease_owner = ?, lease_until = ?, fence = ?,"
                " first_at = COALESCE(first_at, ?) WHERE id = ?",
                (owner, now + lease_s, fence, now, op.id),
            )
            op.fence, op.lease_owner, op.state = fence, owner, "inflight"
            op.first_at = op.first_at if op.first_at is not None else now
            out.append(op)
        return out

    def _fence(self, db: Conn) -> int:
        return self._next(db, "fence")

    def _next(self, db: Conn, name: str) -> int:
        db.execute(
            "INSERT INTO counters(name, value) VALUES(?, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1", (name,)
        )
        return int(db.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()[0])

    def release(self, owner: str) -> int:
        """Put back the rows ``owner`` held when it died (a restarted worker keeps its id); how many.

        Safe because one worker id is one process at a time: the previous incarnation is gone, and
        the rows get a new fencing token when claimed again.
        """
        with self.tx() as db:
            cur = db.execute(
                "UPDATE ops SET state = 'pending', lease_owner = NULL, lease_until = NULL"
                " WHERE state = 'inflight' AND lease_owner = ?",
                (owner,),
            )
            return int(cur.rowcount)

    def holds(self, op: Op) -> bool:
        """Whether ``op``'s lease is still this worker's (its fencing token unchanged and not expired)."""
        row = self._first("SELECT fence, state, lease_until FROM ops WHERE id = ?", (op.id,))
        return bool(row and row[0] == op.fence and row[1] == "inflight" and row[2] >= self.clock())

    def complete(
        self,
        op: Op,
        outcome: str,
        *,
        answer: Any = None,
        error: str | None = None,
        next_at: float | None = None,
        dead: list[tuple[list[dict[str, Any]], Any]] | None = None,
        number: tuple[str, str] | None = None,
    ) -> bool:
        """Record an attempt's outcome if ``op`` still holds its fencing token; False when fenced off.

        ``outcome`` is ``delivered``, ``dead``, ``retry`` or ``unknown`` (retry with the same key,
        counted apart). ``dead`` adds national rejections of single records as dead letters;
        ``number`` stores a manifest's national number.
        """
        now = self.clock()
        with self.tx() as db:
            row = db.execute("SELECT fence, state FROM ops WHERE id = ?" + self._LOCK_ROW, (op.id,)).fetchone()
            if not row or row[0] != op.fence or row[1] != "inflight":
                return False
            summary = None if answer is None else _dumps(answer)[:4000]
            if outcome in ("delivered", "dead"):
                db.execute(
                    "UPDATE ops SET state = ?, attempts = attempts + 1, done_at = ?, answer = ?, last_error = ?,"
                    " lease_owner = NULL, lease_until = NULL WHERE id = ?",
                    (outcome, now, summary, error, op.id),
                )
                if outcome == "dead":
                    reasons = [{"code": "national.rejected", "message_en": error or "", "answer": answer}]
                    self.add_dead(db, "national", reasons, op_id=op.id, stream=op.kind, record=op.payload)
            else:
                db.execute(
                    "UPDATE ops SET state = 'pending', attempts = attempts + 1, unknown = unknown + ?, next_at = ?,"
                    " last_error = ?, answer = ?, lease_owner = NULL, lease_until = NULL WHERE id = ?",
                    (int(outcome == "unknown"), next_at if next_at is not None else now, error, summary, op.id),
                )
            for reasons, record in dead or []:
                self.add_dead(db, "national", reasons, op_id=op.id, stream=op.kind, record=record)
            if number is not None:
                db.execute(
                    "INSERT INTO manifest_numbers(local_ref, national_no) VALUES(?, ?)"
                    " ON CONFLICT(local_ref) DO UPDATE SET national_no = excluded.national_no",
                    number,
                )
            return True

    def national_no(self, local_ref: str) -> str | None:
        """The national number the create of manifest ``local_ref`` received."""
        row = self._first("SELECT national_no FROM manifest_numbers WHERE local_ref = ?", (local_ref,))
        return str(row[0]) if row else None

    def group_has_dead_create(self, group: str) -> bool:
        """Whether the manifest_create of ``group`` ended dead (later steps cannot be sent)."""
        row = self._first("SELECT 1 FROM ops WHERE grp = ? AND kind = 'manifest_create' AND state = 'dead'", (group,))
        return row is not None

    # -- inspection -----------------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        """Rows per state, plus dead letters, unknown outcomes and attempts."""
        out = {s: 0 for s in ("pending", "inflight", "delivered", "dead")}
        for state, n in self._read("SELECT state, COUNT(*) FROM ops GROUP BY state"):
            out[str(state)] = int(n)
        out["dead_letters"] = int(self._read("SELECT COUNT(*) FROM dead WHERE replayed_at IS NULL")[0][0])
        out["unknown_outcomes"] = int(self._read("SELECT COALESCE(SUM(unknown), 0) FROM ops")[0][0])
        out["retrying"] = int(self._read("SELECT COUNT(*) FROM ops WHERE state = 'pending' AND attempts > 0")[0][0])
        return out

    def oldest_open_age(self) -> float | None:
        """Seconds since the oldest undelivered row was enqueued (None when the outbox is drained)."""
        row = self._first("SELECT MIN(enqueued_at) FROM ops WHERE state IN ('pending', 'inflight')")
        return None if row[0] is None else max(0.0, self.clock() - float(row[0]))

    def next_due(self) -> float | None:
        """When the next open row may be tried (None when nothing is open)."""
        row = self._first(
            "SELECT MIN(CASE state WHEN 'pending' THEN next_at ELSE lease_until END) FROM ops"
            " WHERE state IN ('pending', 'inflight')"
        )
        return None if row[0] is None else float(row[0])

    def dead_letters(self, *, include_replayed: bool = False) -> list[DeadLetter]:
        """Dead letters, oldest first."""
        where = "" if include_replayed else " WHERE replayed_at IS NULL"
        rows = self._read(
            "SELECT id, origin, op_id, stream, position, reasons, record, created_at, replayed_at FROM dead"
            + where
            + " ORDER BY id"
        )
        return [
            DeadLetter(
                r[0],
                r[1],
                r[2],
                r[3],
                json.loads(r[4]),
                json.loads(r[5]),
                None if r[6] is None else json.loads(r[6]),
                r[7],
                r[8],
            )
            for r in rows
        ]

    def mark_replayed(self, db: Conn, dead_id: int) -> None:
        """Mark a dead letter as replayed (it stays listed with ``include_replayed``)."""
        db.execute("UPDATE dead SET replayed_at = ? WHERE id = ?", (self.clock(), dead_id))

    def op(self, op_id: int) -> Op | None:
        """One row by id."""
        row = self._first(f"SELECT {_OP_COLS} FROM ops WHERE id = ?", (op_id,))
        return _op(row) if row else None

    def ops(self, state: str | None = None) -> list[Op]:
        """Rows, optionally of one state, in seq order."""
        if state is None:
            rows = self._read(f"SELECT {_OP_COLS} FROM ops ORDER BY id")
        else:
            rows = self._read(f"SELECT {_OP_COLS} FROM ops WHERE state = ? ORDER BY id", (state,))
        return [_op(r) for r in rows]


def open_outbox(url: str, *, clock: Callable[[], float] = time.time) -> Outbox:
    """Open ``sqlite:PATH`` (or a bare path), or ``postgresql://user:pass@host/db`` (needs psycopg).

    Raises ``ValueError`` when a PostgreSQL outbox cannot be opened (no psycopg, no server).
    """
    if url.startswith(("postgresql:", "postgres:")):
        from .outbox_pg import PgOutbox  # imported only here: SQLite users need no psycopg

        return PgOutbox(url, clock=clock)
    path = url.removeprefix("sqlite:").removeprefix("//") if url.startswith("sqlite:") else url
    return Outbox(path, clock=clock)
