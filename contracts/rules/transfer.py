"""Transfer rules: receiver licence, cross-province approval, 重大差异 and the track window."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal

from ..approval import TransferApproval
from ..findings import Finding, Severity, finding, register
from ..license import License, LicenseStatus
from ..manifest import Manifest, TrackPoint

E, W = Severity.ERROR, Severity.WARNING

DEFAULT_DISCREPANCY_TOLERANCE = Decimal("0.05")
"""Relative difference between shipped and received quantity above which 重大差异 must be flagged.

The order names the mismatch but no figure; 5 % is the default and every caller may set its own."""

register(
    "license.mismatch",
    E,
    "接受人许可证 {number} 不属于接受人 {uscc}",
    "Licence {number} is not held by receiver {uscc}",
)
register(
    "license.not_valid",
    E,
    "许可证 {number} 在 {day} 无效（{reason}）",
    "Licence {number} is not valid on {day} ({reason})",
)
register(
    "license.code_not_covered", E, "许可证 {number} 未核准废物 {code}", "Licence {number} does not cover waste {code}"
)
register(
    "license.method_not_covered",
    E,
    "许可证 {number} 未核准方式 {method}",
    "Licence {number} does not permit method {method}",
)
register("approval.missing", E, "跨省转移须有批准文号", "A cross-province transfer needs an approval number")
register(
    "approval.mismatch",
    E,
    "批准文号 {number} 与联单不符：{detail}",
    "Approval {number} does not fit the manifest: {detail}",
)
register("approval.not_valid", E, "批准文号 {number} 在 {day} 不在有效期内", "Approval {number} is not valid on {day}")
register(
    "approval.code_not_approved",
    E,
    "批准文号 {number} 未批准废物 {code}",
    "Approval {number} does not cover waste {code}",
)
register(
    "approval.tonnage_exceeded",
    E,
    "废物 {code} 超出批准量：剩余 {left} 吨，本次 {requested} 吨",
    "Waste {code} exceeds the approval: {left} t left, {requested} t requested",
)
register(
    "discrepancy.flag_required",
    E,
    "接受量 {received} 吨与转移量 {shipped} 吨相差 {ratio}，超过 {tolerance}，须标记重大差异",
    "Received {received} t differs from shipped {shipped} t by {ratio}, above {tolerance}: flag 重大差异",
)
register("discrepancy.note_missing", W, "标记了重大差异但未说明", "重大差异 is flagged without a note")
register(
    "track.outside_window",
    E,
    "轨迹点时间 {time} 不在起运 {start} 至接受 {end} 之间",
    "Track point at {time} is outside the dispatch {start} to receipt {end} window",
)
register(
    "track.before_dispatch",
    E,
    "联单尚未起运，不能有轨迹点",
    "The manifest has not been dispatched: no track points yet",
)


def _manifest_day(m: Manifest) -> date:
    when = m.dispatched_at or m.created_at
    return when.date()


def check_receiver_license(m: Manifest, licence: License, *, day: date | None = None) -> list[Finding]:
    """The receiver holds ``licence``, it is valid on the day, and it covers every line's code and method."""
    day = day or _manifest_day(m)
    out: list[Finding] = []
    if licence.holder_uscc != m.receiver.uscc or licence.number != m.receiver_license_no:
        out.append(finding("license.mismatch", "$.receiver_license_no", number=licence.number, uscc=m.receiver.uscc))
    reason = None
    if licence.status is not LicenseStatus.VALID:
        reason = licence.status.value
    elif not licence.valid_from <= day <= licence.valid_to:
        reason = f"{licence.valid_from}–{licence.valid_to}"
    if reason:
        out.append(
            finding(
                "license.not_valid", "$.receiver_license_no", number=licence.number, day=day.isoformat(), reason=reason
            )
        )
    categories = set(licence.categories)
    codes = set(licence.codes)
    methods = set(licence.methods)
    for i, item in enumerate(m.items):
        if item.waste_code not in codes and "HW" + item.waste_code[-2:] not in categories:
            out.append(
                finding(
                    "license.code_not_covered", f"$.items[{i}].waste_code", number=licence.number, code=item.waste_code
                )
            )
        if item.method not in methods:
            out.append(
                finding(
                    "license.method_not_covered",
                    f"$.items[{i}].method",
                    number=licence.number,
                    method=item.method.value,
                )
            )
    return out


def is_cross_province(m: Manifest) -> bool:
    """Whether shipper and receiver sit in different provinces."""
    return m.shipper.region_code[:2] != m.receiver.region_code[:2]


def check_approval(
    m: Manifest,
    approval: TransferApproval | None,
    *,
    shipped_before: Mapping[str, Decimal] | None = None,
    day: date | None = None,
) -> list[Finding]:
    """A cross-province manifest has a matching, valid approval with tonnage left for each line.

    ``shipped_before`` gives, per waste code, the tonnes already shipped under the approval by other
    manifests.
    """
    if not is_cross_province(m):
        return []
    if m.approval_no is None or approval is None:
        return [finding("approval.missing", "$.approval_no")]
    day = day or _manifest_day(m)
    out: list[Finding] = []
    num = approval.number
    checks = (
        (approval.number == m.approval_no, "number"),
        (approval.shipper_uscc == m.shipper.uscc, "shipper"),
        (approval.receiver_uscc == m.receiver.uscc, "receiver"),
        (approval.origin_province == m.shipper.region_code[:2], "origin province"),
        (approval.receiving_province == m.receiver.region_code[:2], "receiving province"),
    )
    for ok, what in checks:
        if not ok:
            out.append(finding("approval.mismatch", "$.approval_no", number=num, detail=what))
    if not approval.valid_from <= day <= approval.valid_to:
        out.append(finding("approval.not_valid", "$.approval_no", number=num, day=day.isoformat()))
    approved = {a.waste_code: a.approved_t for a in approval.items}
    used = dict(shipped_before or {})
    for i, item in enumerate(m.items):
        code = item.waste_code
        if code not in approved:
            out.append(finding("approval.code_not_approved", f"$.items[{i}].waste_code", number=num, code=code))
            continue
        left = approved[code] - used.get(code, Decimal(0))
        if item.quantity_t > left:
            out.append(
                finding(
                    "approval.tonnage_exceeded",
                    f"$.items[{i}].quantity_t",
                    code=code,
                    left=max(left, Decimal(0)),
                    requested=item.quantity_t,
                )
            )
        used[code] = used.get(code, Decimal(0)) + item.quantity_t
    return out


def check_discrepancy(m: Manifest, *, tolerance: Decimal = DEFAULT_DISCREPANCY_TOLERANCE) -> list[Finding]:
    """Received quantities off by more than ``tolerance`` (relative) require the 重大差异 flag."""
    out: list[Finding] = []
    for i, item in enumerate(m.items):
        if item.received_t is None or item.received_t == item.quantity_t:
            continue
        ratio = abs(item.received_t - item.quantity_t) / item.quantity_t
        if ratio > tolerance and not m.significant_discrepancy:
            out.append(
                finding(
                    "discrepancy.flag_required",
                    f"$.items[{i}].received_t",
                    received=item.received_t,
                    shipped=item.quantity_t,
                    ratio=f"{ratio:.2%}",
                    tolerance=f"{tolerance:.0%}",
                )
            )
    if m.significant_discrepancy and not m.discrepancy_note:
        out.append(finding("discrepancy.note_missing", "$.discrepancy_note"))
    return out


def check_track_window(m: Manifest, points: Iterable[TrackPoint], *, now: datetime | None = None) -> list[Finding]:
    """Every track point lies between dispatch and receipt (or ``now`` while still in transit)."""
    pts = list(points)
    if not pts:
        return []
    if m.dispatched_at is None:
        return [finding("track.before_dispatch", "$.points")]
    start = m.dispatched_at
    end = m.received_at or now
    out: list[Finding] = []
    for i, p in enumerate(pts):
        if p.recorded_at < start or (end is not None and p.recorded_at > end):
            out.append(
                finding(
                    "track.outside_window",
                    f"$.points[{i}].recorded_at",
                    time=p.recorded_at.isoformat(),
                    start=start.isoformat(),
                    end=end.isoformat() if end else "—",
                )
            )
    return out
