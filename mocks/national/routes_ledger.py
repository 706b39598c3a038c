"""Ledger records: batches answered per record (accepted, duplicate, rejected), and a filtered listing."""

from __future__ import annotations

from typing import Any

from pydantic import Field, TypeAdapter, ValidationError

from contracts import Finding, LedgerKind, LedgerRecord
from contracts._base import ContractModel
from contracts._schema_errors import errors_to_findings
from contracts.api import RecordOutcome
from contracts.findings import finding

from ._common import (
    Answer,
    Ctx,
    National,
    errors,
    listed,
    paging,
    parse_json,
    query_choice,
    query_time,
    query_unit,
    raw_page,
    stamp,
)
from ._problems import Problem, forbidden, invalid
from .config import CHINA

RESOURCE = "ledger-records"
UNION_TAGS = frozenset(k.value for k in LedgerKind)


def ledger_key(unit: str, kind: str, batch: str) -> str:
    """Natural key of a ledger record: unit, record type and batch code."""
    return f"{unit}/{kind}/{batch}"


class _WholeBatch(ContractModel):
    records: list[LedgerRecord] = Field(min_length=1)


_WHOLE = TypeAdapter(_WholeBatch)


def _too_large(n: National) -> Problem:
    return Problem(
        413,
        "request.batch_too_large",
        f"At most {n.config.max_batch} records per batch",
        f"每批最多 {n.config.max_batch} 条记录",
    )


def _structure(ctx: Ctx) -> list[tuple[int, Any, list[Finding], dict[str, Any] | None]]:
    """(index, model or None, error findings, raw record) for every record of the batch.

    The common case, a batch whose every record is well formed, is validated straight from the JSON
    bytes in one call; only a batch with a broken record is taken apart and validated record by record.
    """
    n = ctx.national
    try:
        models = _WHOLE.validate_json(ctx.body).records
    except ValidationError:
        pass
    else:
        if len(models) > n.config.max_batch:
            raise _too_large(n)
        return [(i, m, [], None) for i, m in enumerate(models)]
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
        raise _too_large(n)
    adapter = n.validator("ledger").spec.adapter
    out: list[tuple[int, Any, list[Finding], dict[str, Any] | None]] = []
    for i, rec in enumerate(records):
        try:
            out.append((i, adapter.validate_python(rec), [], rec))
        except ValidationError as exc:
            out.append((i, None, errors_to_findings(exc, UNION_TAGS), rec))
    return out


async def submit_batch(ctx: Ctx) -> Answer:
    """``POST /ledger-records``: each record validated on its own; one bad record does not sink the batch."""
    n = ctx.national
    items = _structure(ctx)
    # Scope first, over every record that names a unit: a key may not touch another scope's ledger at all.
    for i, model, _, raw in items:
        unit = model.unit_uscc if model is not None else (raw or {}).get("unit_uscc")
        if isinstance(unit, str) and not ctx.in_scope(unit):
            raise forbidden("authz.scope", f"record {i}: the key's scope does not cover unit {unit}")
    validator = n.validator("ledger")
    results: list[dict[str, Any]] = []
    valid: list[tuple[int, str, Any, str]] = []  # index, key, model, canonical body
    for i, model, structural, raw in items:
        bad = structural if model is None else errors(validator.spec.check(model, validator.label_scheme))
        if bad:
            key = None
            src = (
                raw
                if model is None
                else {"unit_uscc": model.unit_uscc, "kind": model.kind, "batch_code": model.batch_code}
            )
            if src is not None and all(isinstance(src.get(k), str) for k in ("unit_uscc", "kind", "batch_code")):
                key = ledger_key(src["unit_uscc"], src["kind"], src["batch_code"])
                ctx.entry.touched(RESOURCE, key, "rejected")
            findings = [f.to_dict() for f in bad]
            results.append({"index": i, "outcome": RecordOutcome.REJECTED.value, "key": key, "findings": findings})
            continue
        # The serializer directly: what ``model_dump_json()`` does with its defaults, without its argument handling.
        body = model.__pydantic_serializer__.to_json(model).decode()
        valid.append((i, f"{model.unit_uscc}/{model.kind}/{model.batch_code}", model, body))
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
    bodies = [listed(r) for r in rows if unit or ctx.in_scope(r.unit)]
    return Answer(200, raw_page(bodies, rows[-1].seq if rows else None, len(rows) == limit))
