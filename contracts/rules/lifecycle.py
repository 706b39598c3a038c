"""Manifest lifecycle (部令第23号 Arts. 10–13, 18): legal transitions and the fields each state needs."""

from __future__ import annotations

import enum
from datetime import datetime

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


def _required(status: str, name: str) -> Finding:
    return finding("lifecycle.field_required", f"$.{name}", status=status, field=name)


def _order(later: str, later_value: datetime, earlier: str, earlier_value: datetime) -> Finding:
    return finding(
        "lifecycle.time_order",
        f"$.{later}",
        later=later,
        later_value=later_value.isoformat(),
        earlier=earlier,
        earlier_value=earlier_value.isoformat(),
    )


def check_manifest_state(m: Manifest) -> list[Finding]:
    """The fields a manifest's state requires, and that its times run forward."""
    out: list[Finding] = []
    st = m.status
    # A draft cancelled before submission may never have reached the national system.
    if st not in (S.DRAFT, S.CANCELLED) and m.manifest_no is None:
        out.append(_required(st.value, "manifest_no"))
    if st in _REACHED_TRANSIT and m.dispatched_at is None:
        out.append(_required(st.value, "dispatched_at"))
    if st is S.RECEIVED:
        if m.received_at is None:
            out.append(_required(st.value, "received_at"))
        for i, item in enumerate(m.items):
            if item.received_t is None:
                out.append(_required(st.value, f"items[{i}].received_t"))
    if st is S.REJECTED and m.rejection_reason is None:
        out.append(_required(st.value, "rejection_reason"))
    previous, previous_name = m.created_at, "created_at"
    if m.dispatched_at is not None:
        if m.dispatched_at < previous:
            out.append(_order("dispatched_at", m.dispatched_at, previous_name, previous))
        previous, previous_name = m.dispatched_at, "dispatched_at"
    if m.received_at is not None and m.received_at < previous:
        out.append(_order("received_at", m.received_at, previous_name, previous))
    return out
