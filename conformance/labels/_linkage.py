"""Linkage checks between container labels, manifests and ledger records (for the conformance suite).

Each check takes a ``lookup`` (``label_id -> Label | None``; ``NationalLabels`` asks the national API)
and returns findings, empty when all is well:

- ``check_manifest_labels``: each container label on a manifest exists, was issued to the shipper and
  carries the waste code of its line;
- ``check_ledger_weights``: the label weights of a ledger record's containers add up to its quantity,
  within a tolerance;
- ``check_open_manifest_reuse``: a label on two open manifests (draft, submitted, in transit).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal

from contracts import Label, Manifest, ManifestStatus
from contracts.findings import Finding, Severity, finding, register
from contracts.ledger import LedgerRecord

Lookup = Callable[[str], Label | None]
OPEN_STATUSES = frozenset({ManifestStatus.DRAFT, ManifestStatus.SUBMITTED, ManifestStatus.IN_TRANSIT})

E = Severity.ERROR
register(
    "label_link.unknown", E, "标签 {label} 在国家系统中不存在", "Label {label} is not known to the national system"
)
register(
    "label_link.not_shippers",
    E,
    "标签 {label} 赋码给 {owner}，不是移出人 {shipper}",
    "Label {label} was issued to {owner}, not to the shipper {shipper}",
)
register(
    "label_link.code_mismatch",
    E,
    "标签 {label} 的废物代码 {code} 与联单行的 {expected} 不一致",
    "Label {label} carries waste code {code}, the manifest line {expected}",
)
register(
    "label_link.weight_mismatch",
    E,
    "台账记录 {batch} 的标签重量合计 {labels} 吨，与记录数量 {quantity} 吨相差超过 {tolerance} 吨",
    "Ledger record {batch}: label weights add up to {labels} t, the record says {quantity} t (tolerance {tolerance} t)",
)
register(
    "label_link.on_two_open_manifests",
    E,
    "标签 {label} 同时出现在未完结联单 {first} 和 {second} 上",
    "Label {label} is on two open manifests: {first} and {second}",
)


def check_manifest_labels(manifest: Manifest, lookup: Lookup) -> list[Finding]:
    """Each container label of ``manifest`` exists, belongs to the shipper and carries its line's code."""
    out: list[Finding] = []
    shipper = manifest.shipper.uscc
    for i, item in enumerate(manifest.items):
        for j, label_id in enumerate(item.label_ids):
            path = f"$.items[{i}].label_ids[{j}]"
            label = lookup(label_id)
            if label is None:
                out.append(finding("label_link.unknown", path, label=label_id))
                continue
            if label.producer_uscc != shipper:
                out.append(
                    finding("label_link.not_shippers", path, label=label_id, owner=label.producer_uscc, shipper=shipper)
                )
            if label.waste_code != item.waste_code:
                out.append(
                    finding(
                        "label_link.code_mismatch",
                        path,
                        label=label_id,
                        code=label.waste_code,
                        expected=item.waste_code,
                    )
                )
    return out


def weight_tolerance(quantity_t: Decimal, *, relative: Decimal, absolute: Decimal) -> Decimal:
    """The allowed difference: the larger of ``absolute`` tonnes and ``relative`` of the quantity."""
    return max(absolute, quantity_t * relative)


def check_ledger_weights(
    record: LedgerRecord,
    lookup: Lookup,
    *,
    relative: Decimal = Decimal("0.01"),
    absolute: Decimal = Decimal("0.001"),
) -> list[Finding]:
    """The label weights of ``record``'s containers add up to its quantity, within the tolerance.

    A record without label ids is not checked; unknown labels are reported and left out of the sum.
    """
    if not record.label_ids:
        return []
    out: list[Finding] = []
    total = Decimal(0)
    for j, label_id in enumerate(record.label_ids):
        label = lookup(label_id)
        if label is None:
            out.append(finding("label_link.unknown", f"$.label_ids[{j}]", label=label_id))
        else:
            total += label.weight_t
    tolerance = weight_tolerance(record.quantity_t, relative=relative, absolute=absolute)
    if abs(total - record.quantity_t) > tolerance:
        out.append(
            finding(
                "label_link.weight_mismatch",
                "$.quantity_t",
                batch=record.batch_code,
                labels=format(total.normalize(), "f"),
                quantity=format(record.quantity_t.normalize(), "f"),
                tolerance=format(tolerance.normalize(), "f"),
            )
        )
    return out


def check_open_manifest_reuse(manifests: Iterable[Manifest]) -> list[Finding]:
    """Labels that appear on two open manifests; each finding is tagged with the later manifest."""
    first_seen: dict[str, str] = {}
    out: list[Finding] = []
    for n, m in enumerate(manifests):
        if m.status not in OPEN_STATUSES:
            continue
        ref = m.manifest_no or m.local_ref or f"#{n}"
        for i, item in enumerate(m.items):
            for j, label_id in enumerate(item.label_ids):
                other = first_seen.setdefault(label_id, ref)
                if other != ref:
                    path = f"$.items[{i}].label_ids[{j}]"
                    out.append(
                        finding(
                            "label_link.on_two_open_manifests", path, label=label_id, first=other, second=ref
                        ).at_record(ref)
                    )
    return out
