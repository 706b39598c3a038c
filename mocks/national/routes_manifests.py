"""Manifests: creation with national numbering, the lifecycle actions, tracks and listings."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from pydantic import TypeAdapter

from contracts import License, Manifest, ManifestStatus, TrackPoint, TransferApproval
from contracts.api import CancelAction, DispatchAction, ReceiveAction, RejectAction, SubmitAction, TrackAppend
from contracts.findings import Finding, Severity, finding, register
from contracts.rules import ManifestAction, check_approval, check_discrepancy, check_receiver_license, next_status
from contracts.rules.transfer import check_track_window, is_cross_province

from ._common import (
    Answer,
    Ctx,
    National,
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
    validate,
    validate_body,
)
from ._problems import Problem, invalid, not_found
from .config import CHINA

RESOURCE = "manifests"
NATIONAL_FIELDS = (
    "manifest_no",
    "status",
    "dispatched_at",
    "received_at",
    "significant_discrepancy",
    "discrepancy_note",
    "rejection_reason",
)
OPEN = (ManifestStatus.DRAFT, ManifestStatus.SUBMITTED, ManifestStatus.IN_TRANSIT)
COMMITTED = ("submitted", "in_transit", "received")

register("license.unknown", Severity.ERROR, "许可证 {number} 不存在", "Licence {number} is not registered")
register("approval.unknown", Severity.ERROR, "批准文号 {number} 不存在", "Approval {number} is not registered")
register("label.unknown", Severity.ERROR, "标签 {label} 未由国家系统赋码", "Label {label} was not issued nationally")
register("label.not_shippers", Severity.ERROR, "标签 {label} 不属于移出人", "Label {label} was issued to another unit")
register(
    "label.code_mismatch", Severity.ERROR, "标签 {label} 的废物代码为 {code}", "Label {label} carries waste code {code}"
)
register(
    "label.in_use",
    Severity.ERROR,
    "标签 {label} 已在未完结联单 {other} 上",
    "Label {label} is on open manifest {other}",
)
register("label.repeated", Severity.ERROR, "标签 {label} 在联单上出现多次", "Label {label} appears more than once")
register(
    "party.region_mismatch",
    Severity.ERROR,
    "单位 {uscc} 登记的行政区划为 {registered}，与联单不符",
    "Unit {uscc} is registered in region {registered}, not the one on the manifest",
)
register(
    "manifest.field_fixed",
    Severity.ERROR,
    "联单的 {field} 不能修改（原为 {value}）",
    "The manifest's {field} cannot be changed (it is {value})",
)
register("manifest.line_unknown", Severity.ERROR, "联单没有序号 {line} 的废物", "The manifest has no line {line}")
register(
    "manifest.lines_missing",
    Severity.ERROR,
    "缺少序号 {lines} 的接受数量",
    "Received quantities missing for lines {lines}",
)

_ACTIONS: dict[str, TypeAdapter[Any]] = {
    "submit": TypeAdapter(SubmitAction),
    "dispatch": TypeAdapter(DispatchAction),
    "receive": TypeAdapter(ReceiveAction),
    "reject": TypeAdapter(RejectAction),
    "cancel": TypeAdapter(CancelAction),
}
_TRACKS = TypeAdapter(TrackAppend)


def _load(n: National, no: str) -> Manifest:
    rec = n.store.get(RESOURCE, no)
    if rec is None:
        raise not_found("manifest", no)
    return Manifest.model_validate_json(rec.body)


def _business_findings(n: National, m: Manifest) -> list[Finding]:
    """Parties, licence, approval with remaining tonnage, and container labels, against the national register."""
    out: list[Finding] = []
    parties = [("$.shipper", m.shipper), ("$.receiver", m.receiver)] + [
        (f"$.carriers[{i}]", c) for i, c in enumerate(m.carriers)
    ]
    for path, party in parties:
        registered = n.store.get_refdata("unit", party.uscc)
        if registered is not None:
            region = json.loads(registered)["region_code"]
            if region != party.region_code:
                out.append(finding("party.region_mismatch", path + ".region_code", uscc=party.uscc, registered=region))
    lic_body = n.store.get_refdata("license", m.receiver_license_no)
    if lic_body is None:
        out.append(finding("license.unknown", "$.receiver_license_no", number=m.receiver_license_no))
    else:
        out += check_receiver_license(m, License.model_validate_json(lic_body))
    if is_cross_province(m) and m.approval_no is not None:
        ap_body = n.store.get_refdata("approval", m.approval_no)
        if ap_body is None:
            out.append(finding("approval.unknown", "$.approval_no", number=m.approval_no))
        else:
            out += check_approval(m, TransferApproval.model_validate_json(ap_body), shipped_before=_shipped(n, m))
    seen: set[str] = set()
    for i, item in enumerate(m.items):
        for j, label_id in enumerate(item.label_ids):
            path = f"$.items[{i}].label_ids[{j}]"
            if label_id in seen:
                out.append(finding("label.repeated", path, label=label_id))
            seen.add(label_id)
            rec = n.store.get("labels", label_id)
            if rec is None:
                out.append(finding("label.unknown", path, label=label_id))
                continue
            if rec.unit != m.shipper.uscc:
                out.append(finding("label.not_shippers", path, label=label_id))
            if rec.kind != item.waste_code:
                out.append(finding("label.code_mismatch", path, label=label_id, code=rec.kind))
            other = _open_manifest_with(n, label_id, m.manifest_no)
            if other:
                out.append(finding("label.in_use", path, label=label_id, other=other))
    return out


def _shipped(n: National, m: Manifest) -> dict[str, Decimal]:
    """Tonnes per code already committed under the same approval by other manifests."""
    used: dict[str, Decimal] = {}
    rows = n.store.db.execute(
        "SELECT body FROM records WHERE resource = ? AND kind IN (?, ?, ?) AND key != ?",
        (RESOURCE, *COMMITTED, m.manifest_no or ""),
    ).fetchall()
    for (body,) in rows:
        other = json.loads(body)
        if other.get("approval_no") != m.approval_no:
            continue
        for it in other["items"]:
            used[it["waste_code"]] = used.get(it["waste_code"], Decimal(0)) + Decimal(it["quantity_t"])
    return used


def _open_manifest_with(n: National, label_id: str, own: str | None) -> str | None:
    rows = n.store.db.execute(
        "SELECT key FROM records WHERE resource = ? AND kind IN (?, ?, ?) AND key != ? AND body LIKE ?",
        (RESOURCE, *(s.value for s in OPEN), own or "", f'%"{label_id}"%'),
    ).fetchall()
    return str(rows[0][0]) if rows else None


def _save(ctx: Ctx, m: Manifest, action: str) -> None:
    n = ctx.national
    assert m.manifest_no is not None
    parties = {m.shipper.uscc, m.receiver.uscc, *(c.uscc for c in m.carriers)}
    with n.store.tx() as db:
        n.store.put(
            db,
            RESOURCE,
            m.manifest_no,
            unit=m.shipper.uscc,
            parties=sorted(parties),
            kind=m.status.value,
            day=m.created_at.astimezone(CHINA).date().isoformat(),
            updated_at=stamp(n.clock.now()),
            body=m.model_dump_json(),
        )
    ctx.entry.touched(RESOURCE, m.manifest_no, action)


async def create_manifest(ctx: Ctx) -> Answer:
    """``POST /manifests``: a draft from the shipper; the national number is assigned here."""
    n = ctx.national
    data = parse_json(ctx.body)
    _shipper_body(data)
    m: Manifest = validate(n, "manifest", data)
    ctx.require_scope(m.shipper.uscc, "shipper")
    bad = errors(_business_findings(n, m))
    if bad:
        raise invalid(bad)
    now = n.clock.now()
    prefix = f"{now.year:04d}{m.shipper.region_code[:4]}"
    with n.store.tx() as db:
        serial = n.store.next_value(db, f"manifest:{prefix}")
    if serial > 999_999:
        raise Problem(
            409,
            "manifest.serial_exhausted",
            "No serial left for this prefecture and year",
            "本年度该地市联单编号已用尽",
        )
    m = m.model_copy(update={"manifest_no": f"{prefix}{serial:06d}", "status": ManifestStatus.DRAFT})
    _save(ctx, m, "created")
    return Answer(201, m.model_dump(mode="json"), {"Location": f"/api/v1/manifests/{m.manifest_no}"})


def _shipper_body(data: Any) -> None:
    """403 when a shipper's body sets what only the national side or the receiver may set."""
    refuse_fields(data, NATIONAL_FIELDS, "a shipper")
    if isinstance(data, dict):
        for i, item in enumerate(data.get("items") or []):
            if isinstance(item, dict) and item.get("received_t") is not None:
                raise Problem(
                    403,
                    "authz.field",
                    "Not allowed for this key",
                    "该密钥无权执行此操作",
                    detail=f"a shipper may not set items[{i}].received_t",
                )


async def update_manifest(ctx: Ctx) -> Answer:
    """``PUT /manifests/{manifest_no}``: the shipper replaces the content of a draft.

    Same body and checks as a create; the national number, status and national fields stay as they
    are, and neither ``local_ref`` nor the shipper may change. Once submitted, a manifest answers
    409 ``manifest.not_draft``.
    """
    n = ctx.national
    no = ctx.request.path_params["manifest_no"]
    current = _load(n, no)
    ctx.require_scope(current.shipper.uscc, "shipper")
    data = parse_json(ctx.body)
    _shipper_body(data)
    m: Manifest = validate(n, "manifest", data)
    fixed = []
    if m.local_ref is not None and m.local_ref != current.local_ref:
        fixed.append(finding("manifest.field_fixed", "$.local_ref", field="local_ref", value=current.local_ref or "-"))
    if m.shipper.uscc != current.shipper.uscc:
        fixed.append(
            finding("manifest.field_fixed", "$.shipper.uscc", field="shipper.uscc", value=current.shipper.uscc)
        )
    if fixed:
        raise invalid(fixed)
    if current.status is not ManifestStatus.DRAFT:
        raise Problem(
            409,
            "manifest.not_draft",
            f"Manifest {no} is {current.status.value}: only a draft can be changed",
            f"联单 {no} 状态为 {current.status.value}，只有草稿可以修改",
        )
    kept = {name: getattr(current, name) for name in NATIONAL_FIELDS}
    m = m.model_copy(update={**kept, "local_ref": current.local_ref})
    bad = errors(_business_findings(n, m))
    if bad:
        raise invalid(bad)
    _save(ctx, m, "updated")
    return Answer(200, m.model_dump(mode="json"))


async def get_manifest(ctx: Ctx) -> Answer:
    """``GET /manifests/{manifest_no}``: any party of the manifest may read it."""
    no = ctx.request.path_params["manifest_no"]
    rec = ctx.national.store.get(RESOURCE, no)
    if rec is None:
        raise not_found("manifest", no)
    if not any(ctx.in_scope(p) for p in rec.parties):
        ctx.require_scope(rec.unit, "party")
    return Answer(200, Raw(rec.body))


def _actor(m: Manifest, action: ManifestAction) -> list[tuple[str, str]]:
    if action in (ManifestAction.RECEIVE, ManifestAction.REJECT):
        return [(m.receiver.uscc, "receiver")]
    if action is ManifestAction.DISPATCH:
        return [(c.uscc, "carrier") for c in m.carriers] + [(m.shipper.uscc, "shipper")]
    return [(m.shipper.uscc, "shipper")]


async def manifest_action(ctx: Ctx) -> Answer:
    """``POST /manifests/{no}/{action}``: one step of the lifecycle, by the party whose step it is."""
    n = ctx.national
    no = ctx.request.path_params["manifest_no"]
    try:
        action = ManifestAction(ctx.request.path_params["action"])
    except ValueError:
        raise not_found("manifest action", ctx.request.path_params["action"]) from None
    m = _load(n, no)
    actors = _actor(m, action)
    if not any(ctx.in_scope(u) for u, _ in actors):
        ctx.require_scope(actors[0][0], actors[0][1])
    body = validate_body(_ACTIONS[action.value], parse_json(ctx.body) if ctx.body.strip() else {})
    target = next_status(m.status, action)
    if target is None:
        raise Problem(
            409,
            "lifecycle.illegal_transition",
            f"A manifest in state {m.status.value} cannot {action.value}",
            f"状态为 {m.status.value} 的联单不能执行 {action.value}",
        )
    update: dict[str, Any] = {"status": target}
    if action is ManifestAction.SUBMIT:
        bad = errors(_business_findings(n, m))
        if bad:
            raise invalid(bad)
    elif action is ManifestAction.DISPATCH:
        if body.dispatched_at < m.created_at:
            raise invalid(
                [
                    finding(
                        "lifecycle.time_order",
                        "$.dispatched_at",
                        later="dispatched_at",
                        later_value=body.dispatched_at.isoformat(),
                        earlier="created_at",
                        earlier_value=m.created_at.isoformat(),
                    )
                ]
            )
        update["dispatched_at"] = body.dispatched_at
    elif action is ManifestAction.RECEIVE:
        update.update(_receipt(m, body))
    elif action is ManifestAction.REJECT:
        update.update(received_at=body.rejected_at, rejection_reason=body.reason)
    m = m.model_copy(update=update)
    if action is ManifestAction.RECEIVE:
        bad = errors(check_discrepancy(m))
        if bad:
            raise invalid(bad)
    _save(ctx, m, action.value)
    return Answer(200, m.model_dump(mode="json"))


def _receipt(m: Manifest, body: ReceiveAction) -> dict[str, Any]:
    lines = {ln.line_no: ln.received_t for ln in body.lines}
    known = {it.line_no for it in m.items}
    unknown = sorted(set(lines) - known)
    if unknown:
        raise invalid([finding("manifest.line_unknown", "$.lines", line=unknown[0])])
    missing = sorted(known - set(lines))
    if missing:
        raise invalid([finding("manifest.lines_missing", "$.lines", lines=",".join(map(str, missing)))])
    if m.dispatched_at is not None and body.received_at < m.dispatched_at:
        raise invalid(
            [
                finding(
                    "lifecycle.time_order",
                    "$.received_at",
                    later="received_at",
                    later_value=body.received_at.isoformat(),
                    earlier="dispatched_at",
                    earlier_value=m.dispatched_at.isoformat(),
                )
            ]
        )
    items = [it.model_copy(update={"received_t": lines[it.line_no]}) for it in m.items]
    return {
        "items": items,
        "received_at": body.received_at,
        "significant_discrepancy": body.significant_discrepancy,
        "discrepancy_note": body.discrepancy_note,
    }


async def append_tracks(ctx: Ctx) -> Answer:
    """``POST /manifests/{no}/tracks``: points inside the dispatch–receipt window; repeats are ignored."""
    n = ctx.national
    no = ctx.request.path_params["manifest_no"]
    m = _load(n, no)
    actors = _actor(m, ManifestAction.DISPATCH)
    if not any(ctx.in_scope(u) for u, _ in actors):
        ctx.require_scope(actors[0][0], "carrier")
    body: TrackAppend = validate_body(_TRACKS, parse_json(ctx.body))
    if m.status not in (ManifestStatus.IN_TRANSIT, ManifestStatus.RECEIVED, ManifestStatus.REJECTED):
        raise Problem(
            409, "track.not_dispatched", f"Manifest {no} is {m.status.value}, not dispatched", f"联单 {no} 尚未起运"
        )
    bad = errors(check_track_window(m, body.points, now=n.clock.now()))
    if bad:
        raise invalid(bad)
    points = [(stamp(p.recorded_at), p.model_dump_json()) for p in body.points]
    added, total = n.store.add_points(no, points)
    ctx.entry.touched("tracks", no, f"appended:{added}")
    return Answer(200, {"accepted": added, "total": total})


async def list_tracks(ctx: Ctx) -> Answer:
    """``GET /manifests/{no}/tracks``."""
    n = ctx.national
    no = ctx.request.path_params["manifest_no"]
    rec = n.store.get(RESOURCE, no)
    if rec is None:
        raise not_found("manifest", no)
    if not any(ctx.in_scope(p) for p in rec.parties):
        ctx.require_scope(rec.unit, "party")
    after, limit = paging(ctx.request)
    rows = n.store.points(no, after, limit)
    return Answer(200, raw_page([b for _, b in rows], rows[-1][0] if rows else None, len(rows) == limit))


async def list_manifests(ctx: Ctx) -> Answer:
    """``GET /manifests?unit=&updated_since=&cursor=&limit=``: manifests where a party is in scope."""
    after, limit = paging(ctx.request)
    unit = query_unit(ctx.request)
    if unit:
        ctx.require_scope(unit, "unit")
    rows = ctx.national.store.list_records(
        RESOURCE, after_seq=after, limit=limit, unit=unit, updated_since=query_time(ctx.request, "updated_since")
    )
    bodies = [listed(r) for r in rows if unit or any(ctx.in_scope(p) for p in r.parties)]
    return Answer(200, raw_page(bodies, rows[-1].seq if rows else None, len(rows) == limit))


__all__ = ["TrackPoint"]
