"""Transfer rules: receiver licence, cross-province approval, 重大差异 and the track window."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts import Manifest, Severity, TrackPoint
from contracts.rules import (
    DEFAULT_DISCREPANCY_TOLERANCE,
    check_approval,
    check_discrepancy,
    check_receiver_license,
    check_track_window,
)
from tests.contracts import records
from tests.contracts.records import RECEIVER, ZJ_RECEIVER

CST = timezone(timedelta(hours=8))


def codes(findings):
    return sorted(f.code for f in findings)


# --- receiver licence --------------------------------------------------------------------------
# The sample manifest ships 900-041-49 (HW49) for D10 and 900-249-08 (HW08) for R9 to 南通's centre,
# whose licence JS0612OOD567 covers HW08/HW49/HW12/HW17 by D10, R9, D9 from 2022-07-01 to 2027-06-30.


def test_sample_licence_covers_the_sample_manifest():
    assert check_receiver_license(records.manifest(), records.licence()) == []


def test_licence_of_another_holder():
    findings = check_receiver_license(records.manifest(), records.licence(holder_uscc=ZJ_RECEIVER))
    assert codes(findings) == ["license.mismatch"]
    assert findings[0].path == "$.receiver_license_no"
    assert findings[0].severity is Severity.ERROR


def test_licence_number_differs_from_the_manifest():
    findings = check_receiver_license(records.manifest(), records.licence(number="JS0612OOD999"))
    assert codes(findings) == ["license.mismatch"]


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "ok"),
    [
        ("2022-07-01", "2024-03-24", False),  # expired the day before dispatch (2024-03-25)
        ("2022-07-01", "2024-03-25", True),  # last day of validity is the dispatch day
        ("2024-03-25", "2029-03-24", True),  # first day
        ("2024-03-26", "2029-03-25", False),  # not yet valid
    ],
)
def test_licence_validity_window_is_inclusive(valid_from, valid_to, ok):
    lic = records.licence(valid_from=valid_from, valid_to=valid_to)
    assert codes(check_receiver_license(records.manifest(), lic)) == ([] if ok else ["license.not_valid"])


@pytest.mark.parametrize("status", ["suspended", "revoked", "expired"])
def test_licence_not_in_valid_status(status):
    findings = check_receiver_license(records.manifest(), records.licence(status=status))
    assert codes(findings) == ["license.not_valid"]
    assert findings[0].context["reason"] == status


def test_explicit_day_overrides_the_dispatch_day():
    lic = records.licence(valid_to="2024-03-31")
    assert check_receiver_license(records.manifest(), lic, day=date(2024, 3, 31)) == []
    assert codes(check_receiver_license(records.manifest(), lic, day=date(2024, 4, 1))) == ["license.not_valid"]


def test_licence_day_defaults_to_creation_when_not_dispatched():
    m = records.manifest(status="submitted", dispatched_at=None, received_at=None)  # created 2024-03-25
    assert check_receiver_license(m, records.licence(valid_from="2024-03-25")) == []
    assert codes(check_receiver_license(m, records.licence(valid_from="2024-03-26"))) == ["license.not_valid"]


def test_code_not_covered():
    findings = check_receiver_license(records.manifest(), records.licence(categories=["HW08"]))
    assert [(f.code, f.path) for f in findings] == [("license.code_not_covered", "$.items[0].waste_code")]
    assert findings[0].context["code"] == "900-041-49"


def test_individual_code_covers_without_its_category():
    lic = records.licence(categories=["HW08"], codes=["900-041-49"])
    assert check_receiver_license(records.manifest(), lic) == []


def test_category_covers_every_code_in_it():
    lic = records.licence(categories=["HW08", "HW49"], codes=[])
    assert check_receiver_license(records.manifest(), lic) == []
    # an individual code of another category does not cover HW49 by its last digits
    lic = records.licence(categories=["HW08"], codes=["900-042-49"])
    assert codes(check_receiver_license(records.manifest(), lic)) == ["license.code_not_covered"]


def test_method_not_covered():
    findings = check_receiver_license(records.manifest(), records.licence(methods=["D10"]))
    assert [(f.code, f.path) for f in findings] == [("license.method_not_covered", "$.items[1].method")]
    assert findings[0].context["method"] == "R9"


def test_all_licence_problems_at_once():
    lic = records.licence(holder_uscc=ZJ_RECEIVER, status="suspended", categories=[], methods=["C1"])
    found = codes(check_receiver_license(records.manifest(), lic))
    assert found == sorted(
        ["license.mismatch", "license.not_valid"]
        + ["license.code_not_covered"] * 2
        + ["license.method_not_covered"] * 2
    )


# --- cross-province approval -------------------------------------------------------------------
# The cross sample ships 0.72 t of 900-249-08 from 苏州 (32) to 嘉兴 (33) on 2024-03-26 under
# 苏环危转〔2024〕0131号, which approves 12 t of 900-249-08 from 2024-03-01 to 2025-02-28.


def test_cross_province_sample_fits_its_approval():
    assert check_approval(records.cross_manifest(), records.approval()) == []


def test_in_province_manifest_needs_no_approval():
    assert check_approval(records.manifest(), None) == []
    assert check_approval(records.manifest(), records.approval()) == []


def test_missing_approval():
    assert codes(check_approval(records.cross_manifest(), None)) == ["approval.missing"]
    findings = check_approval(records.cross_manifest(approval_no=None), records.approval())
    assert [(f.code, f.path, f.severity) for f in findings] == [("approval.missing", "$.approval_no", Severity.ERROR)]


@pytest.mark.parametrize(
    ("update", "detail"),
    [
        ({"number": "苏环危转〔2024〕0999号"}, "number"),
        ({"shipper_uscc": RECEIVER}, "shipper"),
        ({"receiver_uscc": RECEIVER}, "receiver"),
        ({"origin_province": "31"}, "origin province"),
        ({"receiving_province": "34"}, "receiving province"),
    ],
)
def test_approval_must_match_the_manifest(update, detail):
    findings = check_approval(records.cross_manifest(), records.approval(**update))
    assert codes(findings) == ["approval.mismatch"]
    assert findings[0].context["detail"] == detail


def test_approval_outside_validity():
    findings = check_approval(records.cross_manifest(), records.approval(valid_to="2024-03-25"))
    assert codes(findings) == ["approval.not_valid"]
    assert findings[0].context["day"] == "2024-03-26"
    assert check_approval(records.cross_manifest(), records.approval(valid_to="2024-03-26")) == []
    assert codes(check_approval(records.cross_manifest(), records.approval(), day=date(2025, 3, 1))) == [
        "approval.not_valid"
    ]


def test_code_not_approved():
    appr = records.approval(items=[{"waste_code": "900-041-49", "approved_t": "12"}])
    findings = check_approval(records.cross_manifest(), appr)
    assert [(f.code, f.path) for f in findings] == [("approval.code_not_approved", "$.items[0].waste_code")]


@pytest.mark.parametrize(
    ("before", "exceeded"),
    [
        (None, False),
        ("0", False),
        ("11.28", False),  # 11.28 + 0.72 = 12: exactly at the limit is allowed
        ("11.280001", True),  # one gram over
        ("12", True),
        ("15", True),  # already over before this manifest
    ],
)
def test_tonnage_left_on_the_approval(before, exceeded):
    shipped = None if before is None else {"900-249-08": Decimal(before)}
    findings = check_approval(records.cross_manifest(), records.approval(), shipped_before=shipped)
    if not exceeded:
        assert findings == []
        return
    assert [(f.code, f.path) for f in findings] == [("approval.tonnage_exceeded", "$.items[0].quantity_t")]
    left = max(Decimal(12) - Decimal(before), Decimal(0))
    assert Decimal(findings[0].context["left"]) == left
    assert Decimal(findings[0].context["requested"]) == Decimal("0.72")


def test_shipped_before_for_another_code_does_not_count():
    shipped = {"900-041-49": Decimal("100")}
    assert check_approval(records.cross_manifest(), records.approval(), shipped_before=shipped) == []


def test_lines_of_the_same_code_add_up():
    d = records.cross_manifest_dict()
    first = d["items"][0]
    d["items"] = [dict(first, line_no=1, quantity_t="7"), dict(first, line_no=2, quantity_t="5")]
    m = Manifest.model_validate(d)
    assert check_approval(m, records.approval()) == []  # 7 + 5 = 12
    d["items"][1]["quantity_t"] = "5.000001"
    findings = check_approval(Manifest.model_validate(d), records.approval())
    assert [(f.code, f.path) for f in findings] == [("approval.tonnage_exceeded", "$.items[1].quantity_t")]
    assert Decimal(findings[0].context["left"]) == Decimal(5)


# --- 重大差异 (significant discrepancy) ----------------------------------------------------------


def _received(first: str, **update):
    d = records.manifest_dict()
    d["items"][0]["received_t"] = first  # shipped 1.25 t
    d.update(update)
    return Manifest.model_validate(d)


def test_default_tolerance_is_five_percent():
    assert Decimal("0.05") == DEFAULT_DISCREPANCY_TOLERANCE


@pytest.mark.parametrize(
    ("received", "flag_required"),
    [
        ("1.246", False),  # 0.32 % short: the sample
        ("1.25", False),
        ("1.1875", False),  # exactly 5 % short
        ("1.3125", False),  # exactly 5 % over
        ("1.187499", True),  # just beyond 5 %
        ("1.15", True),  # 8 % short
        ("1.4", True),  # 12 % over
        ("0", True),  # nothing arrived
    ],
)
def test_discrepancy_beyond_tolerance_needs_the_flag(received, flag_required):
    findings = check_discrepancy(_received(received))
    if not flag_required:
        assert findings == []
        return
    assert [(f.code, f.path) for f in findings] == [("discrepancy.flag_required", "$.items[0].received_t")]
    assert findings[0].severity is Severity.ERROR


def test_flag_with_note_is_fine():
    m = _received("1.15", significant_discrepancy=True, discrepancy_note="到货少一袋，已拍照留证")
    assert check_discrepancy(m) == []


def test_flag_without_note_warns():
    findings = check_discrepancy(_received("1.15", significant_discrepancy=True))
    assert [(f.code, f.path, f.severity) for f in findings] == [
        ("discrepancy.note_missing", "$.discrepancy_note", Severity.WARNING)
    ]
    # the flag may also be raised for reasons other than weight
    assert codes(check_discrepancy(_received("1.25", significant_discrepancy=True))) == ["discrepancy.note_missing"]


def test_custom_tolerance():
    m = _received("1.2")  # 4 % short
    assert check_discrepancy(m) == []
    assert codes(check_discrepancy(m, tolerance=Decimal("0.03"))) == ["discrepancy.flag_required"]
    m = _received("1.15")  # 8 % short
    assert check_discrepancy(m, tolerance=Decimal("0.10")) == []
    assert check_discrepancy(m, tolerance=Decimal("0.08")) == []
    assert codes(check_discrepancy(m, tolerance=Decimal("0.079"))) == ["discrepancy.flag_required"]


def test_lines_without_received_quantity_are_skipped():
    assert check_discrepancy(records.cross_manifest()) == []


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2_500_000))
def test_discrepancy_flag_matches_relative_difference(received_g):
    received = Decimal(received_g) / Decimal(1_000_000)
    shipped = Decimal("1.25")
    beyond = abs(received - shipped) > shipped * Decimal("0.05")
    found = codes(check_discrepancy(_received(str(received))))
    assert found == (["discrepancy.flag_required"] if beyond else [])


# --- track window ------------------------------------------------------------------------------
# Sample: dispatched 2024-03-25 10:05, received 14:40 (+08:00).


def pt(hh: int, mm: int = 0, tz=CST) -> TrackPoint:
    return TrackPoint(recorded_at=datetime(2024, 3, 25, hh, mm, tzinfo=tz), lat=31.3, lon=120.6)


def test_points_inside_the_window():
    assert check_track_window(records.manifest(), [pt(10, 5), pt(12), pt(14, 40)]) == []


def test_no_points_no_findings():
    assert check_track_window(records.manifest(status="draft", dispatched_at=None, received_at=None), []) == []


def test_points_before_dispatch_and_after_receipt():
    findings = check_track_window(records.manifest(), [pt(10, 4), pt(12), pt(14, 41)])
    assert [(f.code, f.path) for f in findings] == [
        ("track.outside_window", "$.points[0].recorded_at"),
        ("track.outside_window", "$.points[2].recorded_at"),
    ]
    assert all(f.severity is Severity.ERROR for f in findings)


def test_window_compares_instants():
    # 03:00Z = 11:00+08:00, inside; 07:00Z = 15:00+08:00, after receipt
    utc = UTC
    findings = check_track_window(records.manifest(), [pt(3, tz=utc), pt(7, tz=utc)])
    assert [f.path for f in findings] == ["$.points[1].recorded_at"]


def test_points_for_an_undispatched_manifest():
    m = records.manifest(status="submitted", dispatched_at=None, received_at=None)
    findings = check_track_window(m, [pt(12)])
    assert [(f.code, f.path) for f in findings] == [("track.before_dispatch", "$.points")]


def test_in_transit_window_ends_now():
    m = records.manifest(status="in_transit", received_at=None)
    now = datetime(2024, 3, 25, 12, 0, tzinfo=CST)
    assert check_track_window(m, [pt(11), pt(12)], now=now) == []
    findings = check_track_window(m, [pt(11), pt(12, 1)], now=now)
    assert [f.path for f in findings] == ["$.points[1].recorded_at"]
    # without ``now`` the window is open-ended
    assert check_track_window(m, [pt(23)]) == []
    # the receipt time, once known, wins over now
    assert check_track_window(records.manifest(), [pt(14)], now=now) == []
