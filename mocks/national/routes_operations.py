"""Operation record books of licensed units and their monthly and annual reports."""

from __future__ import annotations

from contracts import License, OperationRecord, OperationReport
from contracts.findings import finding
from contracts.rules import check_report

from ._common import Answer, Ctx, errors, listed, paging, parse_json, query_time, query_unit, raw_page, stamp, validate
from ._problems import forbidden, invalid
from .config import CHINA

RECORDS = "operation-records"
REPORTS = "operation-reports"


def _require_licence(ctx: Ctx, number: str, unit: str) -> None:
    """The licence is registered (422 otherwise) and held by the unit writing under it (403 otherwise)."""
    body = ctx.national.store.get_refdata("license", number)
    if body is None:
        raise invalid([finding("license.unknown", "$.license_no", number=number)])
    holder = License.model_validate_json(body).holder_uscc
    if holder != unit:
        raise forbidden("authz.licence", f"licence {number} is held by {holder}, not by {unit}")


async def book_record(ctx: Ctx) -> Answer:
    """``POST /operation-records``: 201 when new, 200 with ``X-Hz-Outcome`` duplicate or updated otherwise."""
    n = ctx.national
    rec: OperationRecord = validate(n, "operation", parse_json(ctx.body))
    ctx.require_scope(rec.unit_uscc, "licensed unit")
    _require_licence(ctx, rec.license_no, rec.unit_uscc)
    key = f"{rec.license_no}/{rec.record_id}"
    body = rec.model_dump_json()
    with n.store.tx() as db:
        row = db.execute("SELECT body FROM records WHERE resource = ? AND key = ?", (RECORDS, key)).fetchone()
        if row is not None and row[0] == body:
            action = "duplicate"
        else:
            action = "updated" if row is not None else "created"
            n.store.put(
                db,
                RECORDS,
                key,
                unit=rec.unit_uscc,
                parties=(rec.unit_uscc,),
                kind=rec.license_no,
                day=rec.occurred_at.astimezone(CHINA).date().isoformat(),
                updated_at=stamp(n.clock.now()),
                body=body,
            )
    ctx.entry.touched(RECORDS, key, action)
    return Answer(201 if action == "created" else 200, rec.model_dump(mode="json"), {"X-Hz-Outcome": action})


async def list_records(ctx: Ctx) -> Answer:
    """``GET /operation-records?unit=&updated_since=&cursor=&limit=``."""
    after, limit = paging(ctx.request)
    unit = query_unit(ctx.request)
    if unit:
        ctx.require_scope(unit, "unit")
    rows = ctx.national.store.list_records(
        RECORDS, after_seq=after, limit=limit, unit=unit, updated_since=query_time(ctx.request, "updated_since")
    )
    bodies = [listed(r) for r in rows if unit or ctx.in_scope(r.unit)]
    return Answer(200, raw_page(bodies, rows[-1].seq if rows else None, len(rows) == limit))


async def list_reports(ctx: Ctx) -> Answer:
    """``GET /operation-reports?unit=&updated_since=&cursor=&limit=``: the filed monthly and annual reports."""
    after, limit = paging(ctx.request)
    unit = query_unit(ctx.request)
    if unit:
        ctx.require_scope(unit, "unit")
    rows = ctx.national.store.list_records(
        REPORTS, after_seq=after, limit=limit, unit=unit, updated_since=query_time(ctx.request, "updated_since")
    )
    bodies = [listed(r) for r in rows if unit or ctx.in_scope(r.unit)]
    return Answer(200, raw_page(bodies, rows[-1].seq if rows else None, len(rows) == limit))


async def file_report(ctx: Ctx) -> Answer:
    """``POST /operation-reports``: checked against the booked records of its licence and period."""
    n = ctx.national
    outcome = n.validator("operation-report").validate_python(parse_json(ctx.body))
    if outcome.model is None or errors(outcome.findings):
        raise invalid(errors(outcome.findings))
    report: OperationReport = outcome.model
    ctx.require_scope(report.unit_uscc, "licensed unit")
    _require_licence(ctx, report.license_no, report.unit_uscc)
    booked = [
        OperationRecord.model_validate_json(r.body)
        for r in n.store.list_records(RECORDS, limit=1_000_000, key_prefix=report.license_no + "/")
    ]
    findings = check_report(report, booked)
    if errors(findings):
        raise invalid(errors(findings))
    warnings = [f for f in outcome.findings + findings if f not in errors(findings)]
    key = f"{report.license_no}/{report.period_type}/{report.period}"
    with n.store.tx() as db:
        n.store.put(
            db,
            REPORTS,
            key,
            unit=report.unit_uscc,
            parties=(report.unit_uscc,),
            kind=report.period_type,
            day=report.submitted_at.astimezone(CHINA).date().isoformat(),
            updated_at=stamp(n.clock.now()),
            body=report.model_dump_json(),
        )
    ctx.entry.touched(REPORTS, key, "created")
    unique = list({(f.code, f.path): f for f in warnings}.values())
    return Answer(201, {"report": report.model_dump(mode="json"), "findings": [f.to_dict() for f in unique]})
