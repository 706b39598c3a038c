"""Manifest lifecycle (部令第23号 Arts. 10–13, 18): legal transitions and the fields each state needs."""

from __future__ import annotations

import enum
import itertools

from ..findings import Finding, Severity, finding, register
from ..manifest import Manifest, ManifestStatus

S = ManifestStatus


class ManifestAction(enum.StrEnum):
    """Actions that move a manifest along its lifecycle."""

    SUBMIT = "submit"
    DISPATCH = "dispatch"
    RECEIVE = "receive"
    REJECT = "reject"
    CANCEL = "cancel"


TRANSITIONS: dict[tuple[ManifestStatus, ManifestAction], ManifestStatus] = {
    (S.DRAFT, ManifestAction.SUBMIT): S.SUBMITTED,
    (S.SUBMITTED, ManifestAction.DISPATCH): S.IN_TRANSIT,
    (S.IN_TRANSIT, ManifestAction.RECEIVE): S.RECEIVED,
    (S.IN_TRANSIT, ManifestAction.REJECT): S.REJECTED,
    (S.DRAFT, ManifestAction.CANCEL): S.CANCELLED,
    (S.SUBMITTED, ManifestAction.CANCEL): S.CANCELLED,
}
"""Every legal (state, action) pair and the state it leads to; anything else is illegal."""

register(
    "lifecycle.illegal_transition",
    Severity.ERROR,
    "状态为 {status} 的联单不能执行 {action}",
    "A manifest in state {status} cannot {action}",
)
register(
    "lifecycle.field_required",
    Severity.ERROR,
    "状态为 {status} 的联单必须填写 {field}",
    "A manifest in state {status} must have {field}",
)
register(
    "lifecycle.time_order",
    Severity.ERROR,
    "{later}（{later_value}）早于 {earlier}（{earlier_value}）",
    "{later} ({later_value}) is before {earlier} ({earlier_value})",
)


def next_status(current: ManifestStatus, action: ManifestAction) -> ManifestStatus | None:
    """The state ``action`` leads to from ``current``, or None when the transition is illegal."""
    return TRANSITIONS.get((current, action))


def check_transition(current: ManifestStatus, action: ManifestAction, path: str = "$.status") -> list[Finding]:
    """A finding when ``action`` is not legal from ``current``."""
    if (current, action) in TRANSITIONS:
        return []
    return [finding("lifecycle.illegal_transition", path, status=current.value, action=action.value)]


_REACHED_TRANSIT = {S.IN_TRANSIT, S.RECEIVED, S.REJECTED}


def check_manifest_state(m: Manifest) -> list[Finding]:
    """The fields a manifest's state requires, and that its times run forward."""
    out: list[Finding] = []
    status = m.status.value

    def need(cond: bool, name: str) -> None:
        if not cond:
            out.append(finding("lifecycle.field_required", f"$.{name}", status=status, field=name))

    if m.status is not S.DRAFT:
        need(m.manifest_no is not None, "manifest_no")
    if m.status in _REACHED_TRANSIT:
        need(m.dispatched_at is not None, "dispatched_at")
    if m.status is S.RECEIVED:
        need(m.received_at is not None, "received_at")
        for i, item in enumerate(m.items):
            need(item.received_t is not None, f"items[{i}].received_t")
    if m.status is S.REJECTED:
        need(m.rejection_reason is not None, "rejection_reason")
    steps = (("created_at", m.created_at), ("dispatched_at", m.dispatched_at), ("received_at", m.received_at))
    present = [(n, v) for n, v in steps if v is not None]
    for (n1, v1), (n2, v2) in itertools.pairwise(present):
        if v2 < v1:
            out.append(
                finding(
                    "lifecycle.time_order",
                    f"$.{n2}",
                    later=n2,
                    later_value=v2.isoformat(),
                    earlier=n1,
                    earlier_value=v1.isoformat(),
                )
            )
    return out
