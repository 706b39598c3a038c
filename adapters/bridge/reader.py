"""The reading side: adapter → translator → planner → outbox, the bookmark advanced in the same transaction.

Records are taken in chunks; each chunk's operations, dead letters and the bookmark after its last
record commit together, so a crash anywhere loses nothing (the chunk is read again) and writes
nothing twice (the bookmark moved with the operations). ``retry_dead`` replays dead letters after a
fix: local records are translated again; national rejections are enqueued again with a new key (an
operator's explicit decision, the old key would only replay the old refusal).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from ..base import Adapter, Bookmark, Position, SourceRecord
from ..translate import Accepted, Rejected, Translator, jsonable
from . import hooks
from .deliver import Stats
from .outbox import NewOp, Outbox
from .planner import Planner

__all__ = ["Reader", "retry_dead"]

log = logging.getLogger("hazlink.bridge")


class Reader:
    """Reads one adapter from its stored bookmark into the outbox."""

    def __init__(
        self,
        adapter: Adapter,
        outbox: Outbox,
        translator: Translator,
        *,
        name: str | None = None,
        chunk: int = 500,
        batch_size: int = 100,
        stats: Stats | None = None,
    ) -> None:
        self.adapter = adapter
        self.outbox = outbox
        self.translator = translator
        self.planner = Planner(outbox, batch_size=batch_size)
        self.name = name or adapter.name
        self.chunk = chunk
        self.stats = stats or Stats()

    def bookmark(self) -> Bookmark:
        """The stored bookmark (empty before the first read)."""
        text = self.outbox.bookmark(self.name)
        return Bookmark.from_json(text) if text else Bookmark()

    def read_once(self) -> int:
        """Read everything after the bookmark; the number of records read.

        Readers of one adapter on a shared outbox take turns (``Outbox.reading``), so the bookmark a
        reader starts from is never one another worker is about to move past.
        """
        with self.outbox.reading(self.name):
            return self._read_once()

    def _read_once(self) -> int:
        bookmark = self.bookmark()
        start = bookmark
        accepted: list[Accepted] = []
        rejected: list[Rejected] = []
        n = 0
        for record in self.adapter.read(start if start.values else None):
            result = self.translator.translate_one(record)
            hooks.point("read")
            (accepted if isinstance(result, Accepted) else rejected).append(result)  # type: ignore[arg-type]
            bookmark = bookmark.advanced(record)
            n += 1
            if len(accepted) + len(rejected) >= self.chunk:
                self._commit(accepted, rejected, bookmark)
                accepted, rejected = [], []
        if accepted or rejected or bookmark != start:
            self._commit(accepted, rejected, bookmark)
        return n

    def _commit(self, accepted: list[Accepted], rejected: list[Rejected], bookmark: Bookmark) -> None:
        with self.outbox.tx() as db:
            ops, dead = self.planner.plan(db, accepted)
            self.outbox.enqueue(db, ops)
            for r in rejected:
                self.outbox.add_dead(
                    db, "local", r.reasons, stream=r.stream, position=r.position.to_dict(), record=jsonable(r.data)
                )
            for d in dead:
                self.outbox.add_dead(
                    db, "local", d.reasons, stream=d.stream, position=d.position, record=jsonable(d.record)
                )
            self.outbox.set_bookmark(db, self.name, bookmark.to_json())
            hooks.point("outbox_write")
        self.stats.add(read=len(accepted) + len(rejected), queued=len(ops), rejected_local=len(rejected) + len(dead))
        if rejected or dead:
            log.info("%d local records dead-lettered", len(rejected) + len(dead))


def retry_dead(outbox: Outbox, translator: Translator | None) -> dict[str, int]:
    """Replay every open dead letter; returns how many were re-queued and how many still fail."""
    planner = Planner(outbox)
    out = {"requeued": 0, "still_dead": 0, "skipped": 0}
    for letter in outbox.dead_letters():
        with outbox.tx() as db:
            ops: Iterable[NewOp] = []
            if letter.origin == "local":
                if translator is None or not isinstance(letter.record, dict) or not letter.stream:
                    out["skipped"] += 1
                    continue
                pos = Position(**{k: v for k, v in letter.position.items() if k in Position.__slots__})
                result = translator.translate_one(SourceRecord(letter.stream, letter.record, pos))
                if isinstance(result, Rejected):
                    out["still_dead"] += 1
                    continue
                ops, dead = planner.plan(db, [result])
                if dead:
                    out["still_dead"] += 1
                    continue
            else:
                ops = _national_again(outbox, letter.op_id, letter.record)
                if not ops:
                    out["skipped"] += 1
                    continue
            outbox.enqueue(db, ops)
            outbox.mark_replayed(db, letter.id)
            out["requeued"] += 1
    return out


def _national_again(outbox: Outbox, op_id: int | None, record: Any) -> list[NewOp]:
    op = outbox.op(op_id) if op_id is not None else None
    if op is None:
        return []
    if op.kind == "ledger_batch" and op.state == "delivered" and isinstance(record, dict):
        key = f"{record.get('unit_uscc')}/{record.get('kind')}/{record.get('batch_code')}"
        payload = {"method": "POST", "path": "/ledger-records", "body": {"records": [record]}, "keys": [key]}
        return [NewOp(op.group, op.kind, payload, op.ref)]
    return [NewOp(op.group, op.kind, op.payload, op.ref)]
