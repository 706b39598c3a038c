"""Turn translated records into ordered national operations.

- Ledger records become batches of up to ``batch_size`` records of ONE unit (group ``ledger:<uscc>``),
  so a batch's content and key are fixed for life and each unit's records keep their order.
- A manifest snapshot is compared with the steps already planned for its local reference (the
  ``manifest_plan`` table); only the missing steps are enqueued, in lifecycle order, in the group
  ``manifest:<local ref>``: create → submit → dispatch → tracks → receive | reject, or cancel.
  Operations after create address the manifest as ``{no}``, resolved to the national number when sent.
- Content edits of a draft (a line's quantity, a carrier's plate, the emergency measures...): the
  hash of the body a create would send (``manifest_body``: the contract record without the lifecycle
  fields ``NATIONAL_FIELDS`` and ``items[].received_t``) is kept per manifest in the outbox
  (``manifest_content``). While the plan has no submit yet, a snapshot whose hash differs from the
  last one planned adds a ``manifest_update`` (``PUT /manifests/{no}`` with the full body) ahead of
  the snapshot's other missing steps. Once a submit is planned, edits are no longer sent: the
  national side refuses to change a submitted manifest (``409 manifest.not_draft``).
- Track points of a manifest read in one chunk are sent as one append, after its dispatch. Points read
  before any snapshot that plans the dispatch are held in the outbox (``manifest_points``) until one
  does: a source may show a manifest's fixes before its newer version (saved a moment later, so
  outside the window just read), and an append enqueued ahead of the create would head the group
  without a national number for ever (one ahead of the dispatch would be refused).
- Operation records (the licensed unit's record book) are one operation each, since the national
  endpoint takes one record, in the group ``operation:<uscc>`` in event order; a unit's operation
  reports follow its records in the same group, so a report is checked against a complete book.

A snapshot that contradicts what was already planned (cancelled after dispatch) is a dead letter.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..translate import Accepted
from .outbox import Conn, NewOp, Outbox

__all__ = ["CANCEL_REASON", "DeadRecord", "Planner", "content_hash", "manifest_body", "route"]

CANCEL_REASON = "地方系统已作废 cancelled in the local system"
NATIONAL_FIELDS = (
    "manifest_no",
    "status",
    "dispatched_at",
    "received_at",
    "significant_discrepancy",
    "discrepancy_note",
    "rejection_reason",
)
_ROUTES: dict[str, list[str]] = {
    "draft": ["create"],
    "submitted": ["create", "submit"],
    "in_transit": ["create", "submit", "dispatch"],
    "received": ["create", "submit", "dispatch", "receive"],
    "rejected": ["create", "submit", "dispatch", "reject"],
    "cancelled": ["create", "cancel"],
}
_TRACKS_AFTER = ("create", "submit", "dispatch")


def route(status: str, planned: Sequence[str]) -> list[str]:
    """The steps that bring a manifest to ``status`` (a cancel after a planned submit keeps the submit)."""
    steps = list(_ROUTES[status])
    if status == "cancelled" and "submit" in planned:
        steps = ["create", "submit", "cancel"]
    return steps


def manifest_body(m: Any, ref: str) -> dict[str, Any]:
    """The body a shipper sends for manifest ``m`` (create and update): its content, no lifecycle fields."""
    body: dict[str, Any] = m.model_dump(mode="json", exclude_none=True)
    for name in NATIONAL_FIELDS:
        body.pop(name, None)
    for item in body.get("items", []):
        item.pop("received_t", None)
    body["local_ref"] = ref
    return body


def content_hash(body: dict[str, Any]) -> str:
    """SHA-256 of a manifest body in canonical JSON (sorted keys): equal content, equal hash."""
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(slots=True)
class DeadRecord:
    """A local record the planner cannot turn into operations."""

    stream: str
    position: dict[str, Any]
    reasons: list[dict[str, Any]]
    record: Any


@dataclass
class _Manifest:
    snapshot: Any = None
    accepted: Accepted | None = None
    points: list[dict[str, Any]] = field(default_factory=list)


def _reason(code: str, en: str, zh: str) -> dict[str, Any]:
    return {"code": code, "severity": "error", "path": "$", "message_zh": zh, "message_en": en}


class Planner:
    """Plans one chunk of accepted records at a time, inside the reader's transaction."""

    def __init__(self, outbox: Outbox, *, batch_size: int = 100) -> None:
        self.outbox = outbox
        self.batch_size = batch_size

    def plan(self, db: Conn, chunk: Sequence[Accepted]) -> tuple[list[NewOp], list[DeadRecord]]:
        """Operations (in enqueue order) and dead letters for ``chunk``."""
        ops: list[NewOp] = []
        dead: list[DeadRecord] = []
        ledgers: dict[str, list[dict[str, Any]]] = {}
        manifests: dict[str, _Manifest] = {}
        operations: dict[str, list[NewOp]] = {}
        reports: dict[str, list[NewOp]] = {}
        for acc in chunk:
            if acc.kind == "ledger":
                rec = acc.model.model_dump(mode="json", exclude_none=True)
                ledgers.setdefault(rec["unit_uscc"], []).append(rec)
            elif acc.kind == "manifest":
                ref = acc.model.local_ref or acc.model.manifest_no
                entry = manifests.setdefault(str(ref), _Manifest())
                entry.snapshot, entry.accepted = acc.model, acc
            elif acc.kind == "track":
                entry = manifests.setdefault(str(acc.model.manifest_no), _Manifest())
                entry.points.extend(p.model_dump(mode="json", exclude_none=True) for p in acc.model.points)
            elif acc.kind == "operation":
                rec = acc.model.model_dump(mode="json", exclude_none=True)
                key = f"{rec['license_no']}/{rec['record_id']}"
                payload = {"method": "POST", "path": "/operation-records", "body": rec, "key": key}
                unit = rec["unit_uscc"]
                operations.setdefault(unit, []).append(NewOp(f"operation:{unit}", "operation_record", payload, unit))
            elif acc.kind == "operation-report":
                rep = acc.model.model_dump(mode="json", exclude_none=True)
                key = f"{rep['license_no']}/{rep['period_type']}/{rep['period']}"
                payload = {"method": "POST", "path": "/operation-reports", "body": rep, "key": key}
                unit = rep["unit_uscc"]
                reports.setdefault(unit, []).append(NewOp(f"operation:{unit}", "operation_report", payload, unit))
            else:
                reason = _reason(
                    "bridge.unsupported_kind",
                    f"The bridge does not deliver {acc.kind} records yet",
                    f"同步桥尚不支持投递 {acc.kind} 记录",
                )
                dead.append(
                    DeadRecord(acc.record.stream, acc.record.position.to_dict(), [reason], dict(acc.record.data))
                )
        for unit, records in ledgers.items():
            for start in range(0, len(records), self.batch_size):
                batch = records[start : start + self.batch_size]
                keys = [f"{r['unit_uscc']}/{r['kind']}/{r['batch_code']}" for r in batch]
                payload = {"method": "POST", "path": "/ledger-records", "body": {"records": batch}, "keys": keys}
                ops.append(NewOp(f"ledger:{unit}", "ledger_batch", payload, unit))
        for ref, entry in manifests.items():
            self._manifest(db, ref, entry, ops, dead)
        for unit in list(operations) + [u for u in reports if u not in operations]:
            # Records in the order the book wrote them (a correction after its original), then reports.
            ops += operations.get(unit, []) + reports.get(unit, [])
        return ops, dead

    def _manifest(self, db: Conn, ref: str, entry: _Manifest, ops: list[NewOp], dead: list[DeadRecord]) -> None:
        group = f"manifest:{ref}"
        planned = self.outbox.plan(db, ref)
        steps: list[str] = []
        m = entry.snapshot
        conflict = False
        if m is not None:
            wanted = route(m.status.value, planned)
            steps = [s for s in wanted if s not in planned]
            if steps and any(s not in wanted for s in planned):
                acc = entry.accepted
                assert acc is not None
                reason = _reason(
                    "bridge.lifecycle_conflict",
                    f"Manifest {ref} is now {m.status.value} but {', '.join(planned)} was already sent",
                    f"联单 {ref} 现为 {m.status.value}，但已发送 {'、'.join(planned)}",
                )
                dead.append(
                    DeadRecord(acc.record.stream, acc.record.position.to_dict(), [reason], dict(acc.record.data))
                )
                steps, conflict = [], True
        if m is not None and not conflict:
            ops += self._content(db, ref, m, group, planned, steps)
        tracks_planned = "dispatch" in planned
        if "dispatch" in steps:  # points held until now go in the append after it
            entry.points = self.outbox.take_points(db, ref) + entry.points
        elif entry.points and not tracks_planned:  # no dispatch to send them after yet: hold them
            self.outbox.hold_points(db, ref, entry.points)
            entry.points = []
        for step in steps:
            if entry.points and step not in _TRACKS_AFTER and not tracks_planned:
                ops.append(self._tracks(group, ref, entry.points))
                tracks_planned, entry.points = True, []
            ops.append(NewOp(group, f"manifest_{step}", self._step(step, m, ref), ref))
        if entry.points:
            ops.append(self._tracks(group, ref, entry.points))
        if steps:
            self.outbox.set_plan(db, ref, planned + steps)

    def _content(self, db: Conn, ref: str, m: Any, group: str, planned: list[str], steps: list[str]) -> list[NewOp]:
        """A ``manifest_update`` when a draft's content changed since it was last planned (see the module doc)."""
        body = manifest_body(m, ref)
        digest = content_hash(body)
        if "create" in steps:  # the create carries this content
            self.outbox.set_content_hash(db, ref, digest)
            return []
        if planned != ["create"] or self.outbox.content_hash(db, ref) == digest:
            return []  # not a draft nationally any more (submitted or cancelled), or nothing changed
        self.outbox.set_content_hash(db, ref, digest)
        return [NewOp(group, "manifest_update", {"method": "PUT", "path": "/manifests/{no}", "body": body}, ref)]

    @staticmethod
    def _tracks(group: str, ref: str, points: list[dict[str, Any]]) -> NewOp:
        ordered = sorted(points, key=lambda p: str(p["recorded_at"]))
        payload = {"method": "POST", "path": "/manifests/{no}/tracks", "body": {"points": ordered[:5000]}}
        return NewOp(group, "manifest_tracks", payload, ref)

    @staticmethod
    def _step(step: str, m: Any, ref: str) -> dict[str, Any]:
        if step == "create":
            return {"method": "POST", "path": "/manifests", "body": manifest_body(m, ref), "unit": m.shipper.uscc}
        action: dict[str, Any] = {}
        if step == "dispatch":
            action = {"dispatched_at": m.dispatched_at.isoformat()}
        elif step == "receive":
            lines = [
                {"line_no": it.line_no, "received_t": str(it.received_t)} for it in m.items if it.received_t is not None
            ]
            action = {"received_at": (m.received_at or m.dispatched_at or m.created_at).isoformat(), "lines": lines}
            action["significant_discrepancy"] = bool(m.significant_discrepancy)
            if m.discrepancy_note:
                action["discrepancy_note"] = m.discrepancy_note
        elif step == "reject":
            at = m.received_at or m.dispatched_at or m.created_at
            action = {"rejected_at": at.isoformat(), "reason": m.rejection_reason or "拒收"}
        elif step == "cancel":
            action = {"reason": CANCEL_REASON}
        return {"method": "POST", "path": "/manifests/{no}/" + step, "body": action, "target": step}
