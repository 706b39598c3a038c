"""Asking the national side whether it already holds what a row would send (after the idempotency window).

Once a row's first attempt is older than the national idempotency window (24 h), its key no longer
protects a resend, so the bridge looks the record up by its natural key first:

- a manifest create: list the shipper's manifests and match ``local_ref``;
- a manifest action: read the manifest and see whether its status already reflects the step;
- a manifest update: read the manifest and compare its content with the body (``planner.content_hash``);
- a ledger batch: list the unit's records of each kind and match every batch code.

Track appends need no look-up: the national side ignores points it already has.
"""

from __future__ import annotations

from typing import Any

from contracts import Manifest

from .client import NationalClient
from .outbox import Op
from .planner import content_hash, manifest_body

__all__ = ["Found", "reconcile"]

_DONE_BY: dict[str, set[str]] = {
    "submit": {"submitted", "in_transit", "received", "rejected"},
    "dispatch": {"in_transit", "received", "rejected"},
    "receive": {"received"},
    "reject": {"rejected"},
    "cancel": {"cancelled"},
}
_MAX_PAGES = 200


class Found:
    """The answer of a look-up: ``present`` (and the manifest number found), or ``failure``."""

    def __init__(self, present: bool, number: str | None = None, failure: str | None = None) -> None:
        self.present = present
        self.number = number
        self.failure = failure


def _pages(client: NationalClient, path: str, params: dict[str, str]) -> tuple[list[Any], str | None]:
    items: list[Any] = []
    cursor: str | None = None
    for _ in range(_MAX_PAGES):
        query = {**params, "limit": "500"}
        if cursor:
            query["cursor"] = cursor
        answer = client.get(path, query)
        if answer.failure or answer.status != 200 or not isinstance(answer.body, dict):
            return items, answer.failure or f"HTTP {answer.status}"
        items.extend(answer.body.get("items") or [])
        cursor = answer.body.get("next_cursor")
        if not cursor:
            return items, None
    return items, "too many pages"


def reconcile(client: NationalClient, op: Op, number: str | None) -> Found:
    """Whether the national side already holds the effect of ``op`` (``number``: its manifest's, if known)."""
    payload = op.payload
    if op.kind == "manifest_create":
        items, failure = _pages(client, "/manifests", {"unit": str(payload.get("unit", ""))})
        if failure:
            return Found(False, failure=failure)
        for m in items:
            if isinstance(m, dict) and m.get("local_ref") == op.ref and m.get("manifest_no"):
                return Found(True, str(m["manifest_no"]))
        return Found(False)
    if op.kind == "ledger_batch":
        keys = set(payload.get("keys") or [])
        kinds = {k.split("/")[1] for k in keys}
        seen: set[str] = set()
        for kind in sorted(kinds):
            items, failure = _pages(client, "/ledger-records", {"unit": op.ref, "kind": kind})
            if failure:
                return Found(False, failure=failure)
            seen.update(
                f"{r.get('unit_uscc')}/{r.get('kind')}/{r.get('batch_code')}" for r in items if isinstance(r, dict)
            )
        return Found(keys <= seen)
    if op.kind == "manifest_update" and number:
        answer = client.get(f"/manifests/{number}")
        if answer.failure or answer.status != 200 or not isinstance(answer.body, dict):
            return Found(False, failure=answer.failure or f"HTTP {answer.status}")
        try:
            held = manifest_body(Manifest.model_validate(answer.body), op.ref)
        except ValueError:
            return Found(False)
        return Found(content_hash(held) == content_hash(payload["body"]))
    target = payload.get("target")
    if target in _DONE_BY and number:
        answer = client.get(f"/manifests/{number}")
        if answer.failure or answer.status != 200 or not isinstance(answer.body, dict):
            return Found(False, failure=answer.failure or f"HTTP {answer.status}")
        return Found(answer.body.get("status") in _DONE_BY[str(target)])
    return Found(False)
