"""Manifest lifecycle: every (status, action) pair, and the fields and time order each state needs."""

from __future__ import annotations

import itertools

import pytest

from contracts import Manifest, ManifestStatus, Severity
from contracts.rules import TRANSITIONS, ManifestAction, check_manifest_state, check_transition, next_status
from tests.contracts import records

S, A = ManifestStatus, ManifestAction

# 部令第23号: the shipper fills in and submits; the carrier dispatches; the receiver accepts or refuses;
# only a manifest that has not left yet can be cancelled. Written out independently of TRANSITIONS.
LEGAL = {
    (S.DRAFT, A.SUBMIT): S.SUBMITTED,
    (S.DRAFT, A.CANCEL): S.CANCELLED,
    (S.SUBMITTED, A.DISPATCH): S.IN_TRANSIT,
    (S.SUBMITTED, A.CANCEL): S.CANCELLED,
    (S.IN_TRANSIT, A.RECEIVE): S.RECEIVED,
    (S.IN_TRANSIT, A.REJECT): S.REJECTED,
}
ALL_PAIRS = list(itertools.product(ManifestStatus, ManifestAction))


def codes(findings):
    return sorted(f.code for f in findings)


def test_there_are_30_pairs_and_6_legal_ones():
    assert len(ALL_PAIRS) == 30
    assert TRANSITIONS == LEGAL


@pytest.mark.parametrize(("status", "action"), ALL_PAIRS, ids=[f"{s.value}-{a.value}" for s, a in ALL_PAIRS])
def test_every_status_action_pair(status, action):
    findings = check_transition(status, action)
    if (status, action) in LEGAL:
        assert findings == []
        assert next_status(status, action) is LEGAL[status, action]
    else:
        assert next_status(status, action) is None
        assert codes(findings) == ["lifecycle.illegal_transition"]
        (f,) = findings
        assert f.severity is Severity.ERROR
        assert f.path == "$.status"
        assert f.context == {"status": status.value, "action": action.value}


def test_terminal_states_allow_nothing():
    for status in (S.RECEIVED, S.REJECTED, S.CANCELLED):
        assert all(check_transition(status, a) for a in ManifestAction)


def test_custom_path_is_used():
    (f,) = check_transition(S.RECEIVED, A.CANCEL, "$.manifests[3].status")
    assert f.path == "$.manifests[3].status"


# --- fields each state needs -------------------------------------------------------------------


def _manifest(**update):
    d = records.manifest_dict()
    d.update(update)
    return d


def _state(**update):
    return check_manifest_state(Manifest.model_validate(_manifest(**update)))


def test_the_received_sample_is_complete():
    assert _state() == []


def test_draft_needs_no_number_nor_times():
    assert _state(status="draft", manifest_no=None, dispatched_at=None, received_at=None) == []


@pytest.mark.parametrize("status", ["submitted", "in_transit", "received", "rejected"])
def test_number_required_once_submitted(status):
    findings = _state(status=status, manifest_no=None, rejection_reason="包装破损")
    assert [f.path for f in findings if f.code == "lifecycle.field_required"] == ["$.manifest_no"]
    assert all(f.severity is Severity.ERROR for f in findings)


@pytest.mark.parametrize("status", ["in_transit", "received", "rejected"])
def test_dispatch_time_required_once_in_transit(status):
    findings = _state(status=status, dispatched_at=None, rejection_reason="包装破损")
    assert "$.dispatched_at" in [f.path for f in findings if f.code == "lifecycle.field_required"]


def test_submitted_needs_no_dispatch_time():
    assert _state(status="submitted", dispatched_at=None, received_at=None) == []


def test_received_needs_receipt_time_and_every_received_quantity():
    d = _manifest(received_at=None)
    d["items"][1]["received_t"] = None
    findings = check_manifest_state(Manifest.model_validate(d))
    assert codes(findings) == ["lifecycle.field_required"] * 2
    assert sorted(f.path for f in findings) == ["$.items[1].received_t", "$.received_at"]
    assert {f.context["status"] for f in findings} == {"received"}


def test_rejected_needs_a_reason():
    findings = _state(status="rejected")
    assert [(f.code, f.path) for f in findings] == [("lifecycle.field_required", "$.rejection_reason")]
    assert _state(status="rejected", rejection_reason="标签与实物不符") == []


# --- times run forward -------------------------------------------------------------------------


def test_dispatch_before_creation():
    findings = _state(dispatched_at="2024-03-25T08:00:00+08:00")  # created 08:30
    assert [(f.code, f.path) for f in findings] == [("lifecycle.time_order", "$.dispatched_at")]
    assert findings[0].context["earlier"] == "created_at"


def test_receipt_before_dispatch():
    findings = _state(received_at="2024-03-25T10:00:00+08:00")  # dispatched 10:05
    assert [(f.code, f.path) for f in findings] == [("lifecycle.time_order", "$.received_at")]
    assert findings[0].context["earlier"] == "dispatched_at"


def test_receipt_before_creation_when_dispatch_is_missing_is_still_caught():
    findings = _state(status="submitted", dispatched_at=None, received_at="2024-03-25T08:00:00+08:00")
    assert [(f.code, f.path) for f in findings] == [("lifecycle.time_order", "$.received_at")]
    assert findings[0].context["earlier"] == "created_at"


def test_time_order_compares_instants_not_wall_clocks():
    # created 08:30+08:00 = 00:30Z; dispatched 02:00Z shows an earlier wall clock but is later
    assert _state(dispatched_at="2024-03-25T02:00:00+00:00", received_at="2024-03-25T14:40:00+08:00") == []
    # dispatched 10:05+08:00 = 02:05Z; received 11:00+10:00 = 01:00Z is earlier despite its later wall clock
    findings = _state(received_at="2024-03-25T11:00:00+10:00")
    assert codes(findings) == ["lifecycle.time_order"]


def test_equal_times_are_fine():
    assert _state(dispatched_at="2024-03-25T08:30:00+08:00", received_at="2024-03-25T00:30:00Z") == []
