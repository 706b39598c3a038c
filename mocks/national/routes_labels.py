"""Labels: the national system issues 数字识别码 and QR payloads; units request them per container."""

from __future__ import annotations

from pydantic import TypeAdapter

from contracts import Label
from contracts.identifiers import check_uscc, check_waste
from contracts.label import LabelRequest

from ._common import (
    Answer,
    Ctx,
    Raw,
    errors,
    listed,
    paging,
    parse_json,
    query_time,
    query_unit,
    raw_page,
    refuse_fields,
    stamp,
    validate_body,
)
from ._problems import Problem, invalid, not_found

_REQUEST = TypeAdapter(LabelRequest)
NATIONAL_FIELDS = ("label_id", "qr_payload", "issued_at")


async def issue_label(ctx: Ctx) -> Answer:
    """``POST /labels``: validate the request, allocate the next sequence for (unit, code, day), store."""
    n = ctx.national
    data = parse_json(ctx.body)
    refuse_fields(data, NATIONAL_FIELDS, "a unit")
    req: LabelRequest = validate_body(_REQUEST, data)
    findings = check_uscc(req.producer_uscc, "$.producer_uscc") + check_waste(
        req.waste_code,
        "$.waste_code",
        day=req.produced_date,
        category=req.waste_category,
        category_path="$.waste_category",
        hazards=[h.value for h in req.hazards],
        hazards_path="$.hazards",
    )
    if errors(findings):
        raise invalid(errors(findings))
    ctx.require_scope(req.producer_uscc, "producer")
    scheme = n.config.label_scheme
    now = n.clock.now()
    day = req.produced_date.strftime("%Y%m%d")
    with n.store.tx() as db:
        seq = n.store.next_value(db, f"label:{req.producer_uscc}:{req.waste_code}:{day}")
        if seq >= 10**scheme.sequence:
            raise Problem(
                409,
                "label.sequence_exhausted",
                "No label sequence left for this unit, code and day",
                "当日标签序号已用尽",
            )
        label_id = scheme.compose(req.producer_uscc, req.waste_code, req.produced_date, seq)
        label = Label(**req.model_dump(), label_id=label_id, qr_payload=n.config.label_url + label_id, issued_at=now)
        body = label.model_dump_json()
        n.store.put(
            db,
            "labels",
            label_id,
            unit=req.producer_uscc,
            parties=(req.producer_uscc,),
            kind=req.waste_code,
            day=req.produced_date.isoformat(),
            updated_at=stamp(now),
            body=body,
        )
    ctx.entry.touched("labels", label_id, "created")
    return Answer(201, label.model_dump(mode="json"), {"Location": f"/api/v1/labels/{label_id}"})


async def get_label(ctx: Ctx) -> Answer:
    """``GET /labels/{label_id}``."""
    label_id = ctx.request.path_params["label_id"]
    rec = ctx.national.store.get("labels", label_id)
    if rec is None:
        raise not_found("label", label_id)
    ctx.require_scope(rec.unit, "producer")
    return Answer(200, Raw(rec.body))


async def list_labels(ctx: Ctx) -> Answer:
    """``GET /labels?unit=&updated_since=&cursor=&limit=``: the issued labels; ``unit`` is the producer."""
    after, limit = paging(ctx.request)
    unit = query_unit(ctx.request)
    if unit:
        ctx.require_scope(unit, "producer")
    rows = ctx.national.store.list_records(
        "labels", after_seq=after, limit=limit, unit=unit, updated_since=query_time(ctx.request, "updated_since")
    )
    bodies = [listed(r) for r in rows if unit or ctx.in_scope(r.unit)]
    return Answer(200, raw_page(bodies, rows[-1].seq if rows else None, len(rows) == limit))
