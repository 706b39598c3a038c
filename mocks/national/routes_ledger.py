"""Ledger records: batches answered per record (accepted, duplicate, rejected), and a filtered listing."""

from __future__ import annotations

from typing import Any

from contracts import LedgerKind
from contracts.api import RecordOutcome
from contracts.findings import finding

from ._common import Answer, Ctx, errors, paging, parse_json, query_choice, query_time, query_unit, raw_page, stamp
from ._problems import Problem, forbidden, invalid
from .config import CHINA

RESOURCE = "ledger-records"


def ledger_key(unit: str, kind: str, batch: str) -> str:
    """Natural key of a ledger record: unit, record type and batch code."""
    return f"{unit}/{kind}/{batch}"


async def submit_batch(ctx: Ctx) -> Answer:
    """``POST /ledger-records``: each record validated on its own; one bad record does not sink the batch."""
    n = ctx.national
    data = parse_json(ctx.body)
    records = data.get("records") if isinstance(data, dict) else None
    if not isinstance(records, list) or not records:
        raise invalid([finding("schema.invalid", "$.records", detail="records must be a non-empty array")])
    not_objects = [i for i, rec in enumerate(records) if not isinstance(rec, dict)]
    if not_objects:
        raise invalid(
            [finding("schema.invalid", f"$.records[{not_objects[0]}]", detail="each record must be an object")]
        )
    extra = set(data) - {"records"}
    if extra:
        raise invalid([finding("schema.extra_forbidden", f"$.{sorted(extra)[0]}")])
    if len(records) > n.config.max_batch:
        raise Problem(
            413,
            "request.batch_too_large",
            f"At most {n.config.max_batch} records per batch",
            f"每批最多 {n.config.max_batch} 条记录",
        )
    # Scope first, over every record that names a unit: a key may not touch another scope's ledger at all.
    for i, rec in enumerate(records):
        unit = rec.get("unit_uscc") if isinstance(rec, dict) else None
        if isinstance(unit, str) and not ctx.in_scope(unit):
            raise forbidden("authz.scope", f"record {i}: the key's scope does not cover unit {unit}")
    validator = n.validator("ledger")
    results: list[dict[str, Any]] = []
    valid: list[tuple[int, str, Any, str]] = []  # index, key, model, canonical body
    for i, rec in enumerate(records):
        outcome = validator.validate_python(rec)
        bad = errors(outcome.findings)
        if outcome.model is None or bad:
            key = None
            if all(isinstance(rec.get(k), str) for k in ("unit_uscc", "kind", "batch_code")):
                key = ledger_key(rec["unit_uscc"], rec["kind"], rec["batch_code"])
                ctx.entry.touched(RESOURCE, key, "rejected")
            findings = [f.to_dict() for f in bad]
            results.append({"index": i, "outcome": RecordOutcome.REJECTED.value, "key": key, "findings": findings})
            continue
        m = outcome.model
        valid.append((i, ledger_key(m.unit_uscc, m.kind, m.batch_code), m, m.model_dump_json()))
    now = stamp(n.clock.now())
    rows: list[tuple[str, str, tuple[str, ...], str, str, str]] = []
    with n.store.tx() as db:
        # One look-up for the whole batch; a key repeated inside the batch sees its earlier copy.
        existing = n.store.bodies(db, RESOURCE, [k for _, k, _, _ in valid])
        for i, key, m, body in valid:
            old = existing.get(key)
            if old == body:
                action, result = "duplicate", RecordOutcome.DUPLICATE
            else:
                action, result = ("updated" if old is not None else "created"), RecordOutcome.ACCEPTED
                existing[key] = body
                day = m.occurred_at.astimezone(CHINA).date().isoformat()
                rows.append((key, m.unit_uscc, (m.unit_uscc,), m.kind, day, body))
            ctx.entry.touched(RESOURCE, key, action)
            results.append({"index": i, "outcome": result.value, "key": key, "findings": []})
        n.store.put_many(db, RESOURCE, rows, updated_at=now)
    results.sort(key=lambda r: int(r["index"]))
    return Answer(200, {"results": results})


async def list_ledger(ctx: Ctx) -> Answer:
    """``GET /ledger-records?unit=&kind=&updated_since=&cursor=&limit=``."""
    after, limit = paging(ctx.request)
    unit = query_unit(ctx.request)
    if unit:
        ctx.require_scope(unit, "unit")
    rows = ctx.national.store.list_records(
        RESOURCE,
        after_seq=after,
        limit=limit,
        unit=unit,
        kind=query_choice(ctx.request, "kind", tuple(k.value for k in LedgerKind)),
        updated_since=query_time(ctx.request, "updated_since"),
    )
    bodies = [r.body for r in rows if unit or ctx.in_scope(r.unit)]
    return Answer(200, raw_page(bodies, rows[-1].seq if rows else None, len(rows) == limit))
