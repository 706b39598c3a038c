"""Record-level checks: code lists, check digits and the rules a single record can be judged by.

Each ``check_<kind>`` takes a validated model and returns findings. Rules that need other records
(a licence, an approval, earlier shipments, the rest of a ledger) live in ``contracts.rules``.
"""

from __future__ import annotations

from datetime import date, timedelta

from .approval import TransferApproval
from .codelists import edition_for, regions
from .findings import Finding, Severity, finding, register
from .identifiers import (
    DEFAULT_LABEL_SCHEME,
    LabelIdScheme,
    check_batch_code,
    check_facility_code,
    check_label_id,
    check_manifest_no,
    check_plate,
    check_region,
    check_uscc,
    check_waste,
    day_segment,
    facility_ok,
    label_ok,
    party_ok,
    plate_ok,
    uscc_format_ok,
    uscc_ok,
    waste_ok,
)
from .label import Label
from .ledger import OutsourceRecord, ReceiverType, SelfProcessRecord
from .license import License
from .manifest import Manifest, TrackBatch
from .operation import OperationKind, OperationRecord, OperationReport
from .rules import check_discrepancy, check_manifest_state, check_report
from .rules.ledger import LedgerModel
from .rules.transfer import is_cross_province
from .unit import Unit

E, W = Severity.ERROR, Severity.WARNING
register(
    "dates.order",
    E,
    "{end_field}（{end}）早于 {start_field}（{start}）",
    "{end_field} ({end}) is before {start_field} ({start})",
)
register(
    "approval.validity_too_long",
    E,
    "跨省转移批准有效期超过 12 个月",
    "A cross-province approval is valid for 12 months at most",
)
register("approval.province_unknown", E, "省份代码不存在：{value}", "Unknown province code: {value}")
register("approval.same_province", W, "移出与接受省份相同，无需跨省批准", "Origin and receiving province are the same")
register("manifest.line_numbers", E, "废物序号应为 1..{n} 且不重复", "Line numbers must run 1..{n} without repeats")
register("manifest.carrier_legs", E, "承运顺序应为 1..{n} 且不重复", "Carrier legs must run 1..{n} without repeats")
register(
    "manifest.approval_not_needed", W, "省内转移不需要跨省批准文号", "An in-province transfer does not need an approval"
)
register(
    "ledger.receiver_license_missing",
    E,
    "委外接收单位须填写许可证编码或出口核准通知单编号",
    "Outsourcing needs the receiver's licence or export notice number",
)
register(
    "ledger.receiver_uscc_missing",
    W,
    "境内接收单位应填写统一社会信用代码",
    "A domestic receiver should carry its credit code",
)
register("ledger.completed_before_start", E, "完毕时间早于开始时间", "Completion is before the start of processing")
register(
    "operation.method_missing",
    E,
    "利用/处置记录须填写方式代码",
    "A utilisation or disposal entry needs its method code",
)
register("operation.manifest_missing", W, "接收记录应填写联单编号", "A receipt should name its manifest")
register(
    "track.unordered", W, "轨迹点未按时间排序（第 {index} 点）", "Track points are not in time order (point {index})"
)


def _dates(start: date, end: date, start_field: str, end_field: str) -> list[Finding]:
    if end < start:
        return [
            finding("dates.order", f"$.{end_field}", start_field=start_field, end_field=end_field, start=start, end=end)
        ]
    return []


def check_unit(u: Unit) -> list[Finding]:
    """Credit code and region of a unit."""
    return check_uscc(u.uscc, "$.uscc") + check_region(u.region_code, "$.region_code")


def check_license(lic: License) -> list[Finding]:
    """Holder code, known categories and codes in the edition in force at the start, date order."""
    out = check_uscc(lic.holder_uscc, "$.holder_uscc")
    out += _dates(lic.valid_from, lic.valid_to, "valid_from", "valid_to")
    for i, code in enumerate(lic.codes):
        out += check_waste(code, f"$.codes[{i}]", day=lic.valid_from)
    edition = edition_for(lic.valid_from)[0]
    for i, cat in enumerate(lic.categories):
        if cat not in edition.categories:
            out.append(finding("waste_code.unknown", f"$.categories[{i}]", value=cat, edition=edition.edition))
    return out


def check_transfer_approval(a: TransferApproval) -> list[Finding]:
    """Parties, provinces, codes and the 12-month validity of a cross-province approval."""
    out = check_uscc(a.shipper_uscc, "$.shipper_uscc") + check_uscc(a.receiver_uscc, "$.receiver_uscc")
    for name in ("origin_province", "receiving_province"):
        value = getattr(a, name)
        if regions().name(value) is None:
            out.append(finding("approval.province_unknown", f"$.{name}", value=value))
    if a.origin_province == a.receiving_province:
        out.append(finding("approval.same_province", "$.receiving_province"))
    out += _dates(a.valid_from, a.valid_to, "valid_from", "valid_to")
    if a.valid_to > twelve_months_from(a.valid_from):
        out.append(finding("approval.validity_too_long", "$.valid_to"))
    for i, item in enumerate(a.items):
        out += check_waste(item.waste_code, f"$.items[{i}].waste_code", day=a.valid_from)
    return out


def twelve_months_from(start: date) -> date:
    """The last day of a 12-month validity starting on ``start`` (部令第23号 Art. 26)."""
    if start.year >= 9999:
        return date.max
    try:
        return date(start.year + 1, start.month, start.day) - timedelta(days=1)
    except ValueError:  # 29 February: the period ends on the last day of next February
        return date(start.year + 1, 2, 28)


def check_label(lab: Label, *, scheme: LabelIdScheme = DEFAULT_LABEL_SCHEME) -> list[Finding]:
    """The label id's segments agree with the label, and its waste fields with the catalogue."""
    out = check_uscc(lab.producer_uscc, "$.producer_uscc")
    out += check_waste(
        lab.waste_code,
        "$.waste_code",
        day=lab.produced_date,
        category=lab.waste_category,
        category_path="$.waste_category",
        hazards=lab.hazards,
        hazards_path="$.hazards",
    )
    out += check_label_id(
        lab.label_id,
        "$.label_id",
        scheme=scheme,
        unit=lab.producer_uscc,
        waste_code=lab.waste_code,
        day=lab.produced_date,
    )
    return out


def check_ledger(r: LedgerModel, *, scheme: LabelIdScheme = DEFAULT_LABEL_SCHEME) -> list[Finding]:
    """Unit, waste, batch, facility and container label ids of one ledger record."""
    # Each check has a cached fast path for the good case; paths are built only for findings.
    out: list[Finding] = []
    if not uscc_ok(r.unit_uscc):
        out += check_uscc(r.unit_uscc, "$.unit_uscc")
    day = r.occurred_at.date()
    if not waste_ok(r.waste_code, r.waste_category, r.hazards, day):
        out += check_waste(
            r.waste_code,
            "$.waste_code",
            day=day,
            category=r.waste_category,
            category_path="$.waste_category",
            hazards=r.hazards,
            hazards_path="$.hazards",
        )
    out += check_batch_code(r.batch_code, "$.batch_code", kind=r.kind)
    facility = getattr(r, "facility_code", None)
    if facility is not None and not facility_ok(facility):
        out += check_facility_code(facility, "$.facility_code")
    for i, lid in enumerate(r.label_ids):
        if not label_ok(lid, scheme, r.unit_uscc, r.waste_code):
            out += check_label_id(lid, f"$.label_ids[{i}]", scheme=scheme, unit=r.unit_uscc, waste_code=r.waste_code)
    if isinstance(r, SelfProcessRecord) and r.completed_at is not None and r.completed_at < r.occurred_at:
        out.append(finding("ledger.completed_before_start", "$.completed_at"))
    if isinstance(r, OutsourceRecord):
        if r.receiver_license_no is None and r.receiver_type is not ReceiverType.EXEMPT:
            out.append(finding("ledger.receiver_license_missing", "$.receiver_license_no"))
        if r.receiver_uscc is not None:
            out += check_uscc(r.receiver_uscc, "$.receiver_uscc")
        elif r.receiver_type is not ReceiverType.OVERSEAS:
            out.append(finding("ledger.receiver_uscc_missing", "$.receiver_uscc"))
        if r.manifest_no is not None:
            out += check_manifest_no(r.manifest_no, "$.manifest_no")
    return out


def _party(prefix: str, uscc: str, region: str) -> list[Finding]:
    # Fast path first: both identifiers are cached and almost always good, so skip building paths.
    if party_ok(uscc, region):
        return []
    return check_uscc(uscc, f"{prefix}.uscc") + check_region(region, f"{prefix}.region_code")


def _sequence(values: list[int], code: str, path: str) -> list[Finding]:
    expected = list(range(1, len(values) + 1))
    if values == expected or sorted(values) == expected:
        return []
    return [finding(code, path, n=len(values))]


def check_manifest(m: Manifest, *, scheme: LabelIdScheme = DEFAULT_LABEL_SCHEME) -> list[Finding]:
    """Number, parties, carriers, waste lines and labels, lifecycle fields and the 重大差异 flag."""
    out: list[Finding] = []
    if m.manifest_no is not None:
        out += check_manifest_no(m.manifest_no, "$.manifest_no")
        origin = m.shipper.region_code[:4]
        if m.manifest_no[4:8] != origin:
            out.append(
                finding("manifest_no.origin_mismatch", "$.manifest_no", prefix=m.manifest_no[4:8], origin=origin)
            )
    out += _party("$.shipper", m.shipper.uscc, m.shipper.region_code)
    out += _party("$.receiver", m.receiver.uscc, m.receiver.region_code)
    for i, c in enumerate(m.carriers):
        if not party_ok(c.uscc, c.region_code):
            out += _party(f"$.carriers[{i}]", c.uscc, c.region_code)
        if not plate_ok(c.vehicle_plate):
            out += check_plate(c.vehicle_plate, f"$.carriers[{i}].vehicle_plate")
    out += _sequence([c.leg for c in m.carriers], "manifest.carrier_legs", "$.carriers")
    out += _sequence([it.line_no for it in m.items], "manifest.line_numbers", "$.items")
    day = m.created_at.date()
    shipper = m.shipper.uscc
    # The fast path below is exact only for a scheme whose first segments are the credit code and the
    # 8 code digits; any other scheme, or any id that does not fit, takes the full check.
    fast = scheme.unit == len(shipper) and scheme.waste == 8 and uscc_format_ok(shipper)
    _, cut_day, cut_seq = scheme.cuts
    for i, it in enumerate(m.items):
        if not waste_ok(it.waste_code, it.waste_category, it.hazards, day):
            p = f"$.items[{i}]"
            out += check_waste(
                it.waste_code,
                p + ".waste_code",
                day=day,
                category=it.waste_category,
                category_path=p + ".waste_category",
                hazards=it.hazards,
                hazards_path=p + ".hazards",
            )
        if it.label_ids:
            # Inline fast path: a well-formed id starts with shipper + code and ends in date + digits.
            prefix = shipper + it.waste_code.replace("-", "")
            for j, lid in enumerate(it.label_ids):
                if (
                    fast
                    and len(lid) == 37
                    and lid.startswith(prefix)
                    and lid.isascii()
                    and lid[cut_seq:].isdigit()
                    and day_segment(lid[cut_day:cut_seq]) is not None
                ):
                    continue
                path = f"$.items[{i}].label_ids[{j}]"
                out += check_label_id(lid, path, scheme=scheme, unit=shipper, waste_code=it.waste_code)
    if is_cross_province(m):
        if m.approval_no is None:
            out.append(finding("approval.missing", "$.approval_no"))
    elif m.approval_no is not None:
        out.append(finding("manifest.approval_not_needed", "$.approval_no"))
    out += check_manifest_state(m)
    out += check_discrepancy(m)
    return out


def check_track_batch(t: TrackBatch) -> list[Finding]:
    """Manifest number, and points in time order."""
    out = check_manifest_no(t.manifest_no, "$.manifest_no")
    for i in range(1, len(t.points)):
        if t.points[i].recorded_at < t.points[i - 1].recorded_at:
            out.append(finding("track.unordered", f"$.points[{i}].recorded_at", index=i))
            break
    for i, p in enumerate(t.points):
        if p.vehicle_plate is not None:
            out += check_plate(p.vehicle_plate, f"$.points[{i}].vehicle_plate")
    return out


def check_operation(r: OperationRecord) -> list[Finding]:
    """Unit, waste, method and manifest of a record-book entry."""
    out = check_uscc(r.unit_uscc, "$.unit_uscc")
    out += check_waste(
        r.waste_code,
        "$.waste_code",
        day=r.occurred_at.date(),
        category=r.waste_category,
        category_path="$.waste_category",
    )
    if r.kind in (OperationKind.UTILISE, OperationKind.DISPOSE) and r.method is None:
        out.append(finding("operation.method_missing", "$.method"))
    if r.kind is OperationKind.RECEIVE and r.manifest_no is None:
        out.append(finding("operation.manifest_missing", "$.manifest_no"))
    if r.manifest_no is not None:
        out += check_manifest_no(r.manifest_no, "$.manifest_no")
    if r.source_uscc is not None:
        out += check_uscc(r.source_uscc, "$.source_uscc")
    return out


def check_operation_report(rep: OperationReport) -> list[Finding]:
    """Unit, waste codes, due date and stock arithmetic of a report."""
    out = check_uscc(rep.unit_uscc, "$.unit_uscc")
    day = rep.submitted_at.date()
    for i, line in enumerate(rep.lines):
        out += check_waste(line.waste_code, f"$.lines[{i}].waste_code", day=day)
    return out + check_report(rep)
