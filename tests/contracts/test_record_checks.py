"""Record-level checks that run after the structure is valid (contracts.record_checks via the Validator)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st

from contracts import Severity, Validator
from tests.contracts import records
from tests.contracts.records import RECEIVER, SHIPPER


def found(kind: str, record: dict) -> list[tuple[str, str]]:
    outcome = Validator(kind).validate_python(record)
    assert outcome.model is not None, outcome.findings
    return sorted((f.code, f.path) for f in outcome.findings)


def severities(kind: str, record: dict) -> dict[str, Severity]:
    return {f.code: f.severity for f in Validator(kind).validate_python(record).findings}


# --- manifest ----------------------------------------------------------------------------------


def test_sample_manifest_is_clean():
    assert found("manifest", records.manifest_dict()) == []


def test_line_numbers_must_run_from_one_without_repeats():
    d = records.manifest_dict()
    d["items"][1]["line_no"] = 1
    assert found("manifest", d) == [("manifest.line_numbers", "$.items")]
    d["items"][0]["line_no"], d["items"][1]["line_no"] = 2, 1  # order does not matter
    assert found("manifest", d) == []
    d["items"][0]["line_no"] = 3
    assert found("manifest", d) == [("manifest.line_numbers", "$.items")]


def test_carrier_legs_must_run_from_one():
    d = records.manifest_dict()
    d["carriers"][0]["leg"] = 2
    assert found("manifest", d) == [("manifest.carrier_legs", "$.carriers")]
    second = dict(d["carriers"][0], leg=1, vehicle_plate="苏E1234挂")
    d["carriers"].append(second)
    assert found("manifest", d) == []


def test_number_region_must_be_the_shippers_prefecture():
    d = records.manifest_dict()
    d["manifest_no"] = "20243206000001"  # 南通 on a 苏州 shipper
    assert found("manifest", d) == [("manifest_no.origin_mismatch", "$.manifest_no")]


def test_party_codes_and_plates_are_checked_where_they_are():
    d = records.manifest_dict()
    d["receiver"]["region_code"] = "329999"
    d["receiver"]["uscc"] = RECEIVER[:-1] + "A"  # wrong check character
    d["carriers"][0]["region_code"] = "320570"  # no such county in 苏州
    d["carriers"][0]["vehicle_plate"] = "苏EO1234"
    assert found("manifest", d) == [
        ("plate.format", "$.carriers[0].vehicle_plate"),
        ("region.unknown", "$.carriers[0].region_code"),
        ("region.unknown", "$.receiver.region_code"),
        ("uscc.checksum", "$.receiver.uscc"),
    ]


def test_item_labels_must_belong_to_the_shipper_and_the_line():
    d = records.manifest_dict()
    d["items"][0]["label_ids"][1] = RECEIVER + "90004149" + "20240315" + "002"
    d["items"][1]["label_ids"][0] = SHIPPER + "90004149" + "20240318" + "001"
    assert found("manifest", d) == [
        ("label_id.mismatch", "$.items[0].label_ids[1]"),
        ("label_id.mismatch", "$.items[1].label_ids[0]"),
    ]


def test_in_province_manifest_with_approval_warns():
    d = records.manifest_dict()
    d["approval_no"] = "苏环危转〔2024〕0131号"
    assert found("manifest", d) == [("manifest.approval_not_needed", "$.approval_no")]
    assert severities("manifest", d)["manifest.approval_not_needed"] is Severity.WARNING


def test_cross_province_manifest_needs_approval_number():
    d = records.cross_manifest_dict()
    assert found("manifest", d) == []
    d["approval_no"] = None
    assert found("manifest", d) == [("approval.missing", "$.approval_no")]


def test_manifest_runs_lifecycle_and_discrepancy_rules():
    d = records.manifest_dict()
    d["received_at"] = None
    d["items"][0]["received_t"] = "1.1"
    assert found("manifest", d) == [
        ("discrepancy.flag_required", "$.items[0].received_t"),
        ("lifecycle.field_required", "$.received_at"),
    ]


def test_manifest_waste_lines_are_checked_against_the_catalogue_of_the_creation_day():
    d = records.manifest_dict()
    d["items"][1]["hazards"] = ["T", "C"]
    assert found("manifest", d) == [("waste_code.hazard_not_in_catalogue", "$.items[1].hazards[1]")]


# --- licence and approval ----------------------------------------------------------------------


def test_sample_licence_is_clean():
    assert found("license", records.row("licenses.ndjson")) == []


def test_licence_with_unknown_category_and_code_and_reversed_dates():
    d = records.row("licenses.ndjson")
    d.update(categories=["HW08", "HW41"], codes=["900-249-08", "999-999-49"], valid_to="2022-06-30")
    assert found("license", d) == [
        ("dates.order", "$.valid_to"),
        ("waste_code.unknown", "$.categories[1]"),
        ("waste_code.unknown", "$.codes[1]"),
    ]


def test_sample_approval_is_clean():
    assert found("approval", records.row("approvals.ndjson")) == []


def test_approval_between_the_same_province_and_unknown_province():
    d = records.row("approvals.ndjson")
    d.update(receiving_province="32")
    assert found("approval", d) == [("approval.same_province", "$.receiving_province")]
    assert severities("approval", d)["approval.same_province"] is Severity.WARNING
    d.update(receiving_province="99")
    assert found("approval", d) == [("approval.province_unknown", "$.receiving_province")]


def test_approval_longer_than_twelve_months():
    d = records.row("approvals.ndjson")  # from 2024-03-01
    d["valid_to"] = "2025-03-31"
    assert found("approval", d) == [("approval.validity_too_long", "$.valid_to")]
    d["valid_to"] = "2024-02-29"
    assert found("approval", d) == [("dates.order", "$.valid_to")]


def _last_day_of_twelve_months(start: date) -> date:
    """The day before the same date a year later (28 February when 29 February has no twin)."""
    try:
        anniversary = start.replace(year=start.year + 1)
    except ValueError:  # 29 February
        anniversary = date(start.year + 1, 3, 1)
    return anniversary - timedelta(days=1)


@pytest.mark.parametrize("start", [date(2024, 1, 31), date(2024, 3, 29), date(2024, 5, 31), date(2024, 8, 30)])
def test_twelve_month_approval_starting_late_in_a_month_is_not_too_long(start):
    # An approval valid from 31 January 2024 to 30 January 2025 lasts exactly twelve months.
    d = records.row("approvals.ndjson")
    d.update(valid_from=start.isoformat(), valid_to=_last_day_of_twelve_months(start).isoformat())
    assert ("approval.validity_too_long", "$.valid_to") not in found("approval", d)


@settings(max_examples=150, deadline=None)
@given(st.dates(min_value=date(2022, 1, 1), max_value=date(2030, 12, 31)))
def test_twelve_month_limit_property(start):
    d = records.row("approvals.ndjson")
    last = _last_day_of_twelve_months(start)
    note(f"valid {start} to {last}")
    d.update(valid_from=start.isoformat(), valid_to=last.isoformat())
    assert "approval.validity_too_long" not in {c for c, _ in found("approval", d)}
    # a validity running beyond the anniversary is too long (whether the anniversary itself counts is left open)
    d.update(valid_to=(last + timedelta(days=2)).isoformat())
    assert "approval.validity_too_long" in {c for c, _ in found("approval", d)}


# --- label -------------------------------------------------------------------------------------


def test_sample_labels():
    rows = records.rows("labels.ndjson")
    assert found("label", rows[0]) == []
    assert found("label", rows[1]) == []
    assert found("label", rows[2]) == [("label_id.mismatch", "$.label_id")]  # date edited after printing
    assert found("label", rows[3]) == [("waste_code.hazard_not_in_catalogue", "$.hazards[1]")]


def test_label_with_wrong_category_and_producer():
    d = records.row("labels.ndjson")
    d["waste_category"] = "HW08"
    d["producer_uscc"] = RECEIVER
    assert found("label", d) == [
        ("label_id.mismatch", "$.label_id"),
        ("waste_code.category_mismatch", "$.waste_category"),
    ]


# --- ledger ------------------------------------------------------------------------------------


def outsource(**update):
    d = next(r for r in records.ledger_dicts() if r["kind"] == "outsource")
    d.update(update)
    return d


def test_sample_ledger_records_are_clean_one_by_one():
    for d in records.ledger_dicts():
        assert found("ledger", d) == [], d["kind"]


def test_outsourcing_needs_the_receivers_licence():
    assert found("ledger", outsource(receiver_license_no=None)) == [
        ("ledger.receiver_license_missing", "$.receiver_license_no")
    ]
    # an exempt receiver holds no licence
    assert found("ledger", outsource(receiver_license_no=None, receiver_type="exempt")) == []


def test_domestic_receiver_should_carry_its_credit_code():
    assert found("ledger", outsource(receiver_uscc=None)) == [("ledger.receiver_uscc_missing", "$.receiver_uscc")]
    assert severities("ledger", outsource(receiver_uscc=None))["ledger.receiver_uscc_missing"] is Severity.WARNING
    overseas = outsource(receiver_uscc=None, receiver_type="overseas", receiver_license_no="2024-EXP-0001")
    assert found("ledger", overseas) == []


def test_outsourcing_receiver_code_and_manifest_number_are_checked():
    assert found("ledger", outsource(receiver_uscc="91320612MA1NH0KR2A", manifest_no="20213205000123")) == [
        ("manifest_no.year", "$.manifest_no"),
        ("uscc.checksum", "$.receiver_uscc"),
    ]


def test_self_processing_cannot_finish_before_it_starts():
    d = outsource()
    for k in ("receiver_type", "receiver_name", "receiver_uscc", "receiver_license_no", "manifest_no"):
        del d[k]
    d.update(kind="self_process", facility_code="TS101", batch_code="HWZXLY20240325001")
    d["completed_at"] = "2024-03-25T12:00:00+08:00"
    assert found("ledger", d) == []
    d["completed_at"] = "2024-03-25T10:04:59+08:00"  # started 10:05
    assert found("ledger", d) == [("ledger.completed_before_start", "$.completed_at")]


def test_ledger_batch_code_facility_and_labels():
    d = records.ledger_dicts()[0]
    d["batch_code"] = "HWRK20240318001"  # a store-in code on a generate record
    d["facility_code"] = "ZC-01"
    d["label_ids"] = [RECEIVER + "90024908" + "20240318" + "001"]
    assert found("ledger", d) == [
        ("batch_code.kind_mismatch", "$.batch_code"),
        ("facility_code.format", "$.facility_code"),
        ("label_id.mismatch", "$.label_ids[0]"),
    ]


# --- track, operation, report ------------------------------------------------------------------


def test_track_points_out_of_order_and_bad_plate():
    batch = {
        "manifest_no": "20243205000123",
        "points": [
            {"recorded_at": "2024-03-25T10:10:00+08:00", "lat": 31.3, "lon": 120.6, "vehicle_plate": "苏E7G352"},
            {"recorded_at": "2024-03-25T10:20:00+08:00", "lat": 31.4, "lon": 120.7},
            {"recorded_at": "2024-03-25T10:15:00+08:00", "lat": 31.5, "lon": 120.8, "vehicle_plate": "苏EO7352"},
        ],
    }
    assert found("track", batch) == [
        ("plate.format", "$.points[2].vehicle_plate"),
        ("track.unordered", "$.points[2].recorded_at"),
    ]


def test_operation_entries():
    rows = records.rows("operations.ndjson")
    for d in rows:
        assert found("operation", d) == []
    utilise = rows[2]
    utilise["method"] = None
    assert found("operation", utilise) == [("operation.method_missing", "$.method")]
    receive = rows[0]
    receive["manifest_no"] = None
    assert found("operation", receive) == [("operation.manifest_missing", "$.manifest_no")]
    assert severities("operation", receive)["operation.manifest_missing"] is Severity.WARNING


def test_operation_category_must_match_code():
    d = records.row("operations.ndjson")
    d["waste_category"] = "HW49"
    assert found("operation", d) == [("waste_code.category_mismatch", "$.waste_category")]


def test_operation_report_runs_report_rules_and_code_lists():
    d = records.row("operation-reports.ndjson")
    d["lines"][0]["waste_code"] = "999-999-49"
    assert found("operation-report", d) == [("waste_code.unknown", "$.lines[0].waste_code")]
