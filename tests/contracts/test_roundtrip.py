"""Model → JSON → model is lossless for every resource of the contract."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from pydantic import TypeAdapter

from contracts import (
    KINDS,
    ApprovalItem,
    Label,
    LedgerRecord,
    License,
    Manifest,
    OperationRecord,
    OperationReport,
    TrackBatch,
    TrackPoint,
    TransferApproval,
    Unit,
    Validator,
)
from tests.contracts import records
from tests.contracts import strategies as s

LABEL = records.row("labels.ndjson")

ROUND_TRIP = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

MODEL_CASES = {
    "unit": (Unit, s.units),
    "license": (License, s.licences()),
    "approval": (TransferApproval, s.approvals),
    "label": (Label, s.labels()),
    "manifest": (Manifest, s.manifests()),
    "track": (TrackBatch, s.track_batches),
    "operation": (OperationRecord, s.operation_records()),
    "operation-report": (OperationReport, s.operation_reports()),
}


def _assert_lossless(model_cls, m):
    dumped = m.model_dump_json()
    back = model_cls.model_validate_json(dumped)
    assert back == m
    assert back.model_dump_json() == dumped
    # the Python dump agrees too (catches a field that compares equal but changed type or offset)
    assert back.model_dump(mode="json") == m.model_dump(mode="json")


@pytest.mark.parametrize("kind", sorted(MODEL_CASES))
def test_model_json_round_trip(kind):
    model_cls, strategy = MODEL_CASES[kind]

    @ROUND_TRIP
    @given(strategy)
    def run(m):
        _assert_lossless(model_cls, m)
        # and the validator of the kind reads the dump back as the same model, without a structural error
        outcome = Validator(kind, codelists=False).validate_json(m.model_dump_json())
        assert outcome.findings == []
        assert outcome.model == m

    run()


LEDGER = TypeAdapter(LedgerRecord)


@pytest.mark.parametrize("kind", sorted(s.LEDGER_STRATEGIES))
def test_ledger_record_round_trip_through_the_union(kind):
    @ROUND_TRIP
    @given(s.LEDGER_STRATEGIES[kind])
    def run(r):
        dumped = LEDGER.dump_json(r)
        assert json.loads(dumped)["kind"] == kind
        back = LEDGER.validate_json(dumped)
        assert type(back) is type(r)
        assert back == r
        assert LEDGER.dump_json(back) == dumped

    run()


def test_every_validator_kind_is_covered():
    assert set(KINDS) == set(MODEL_CASES) | {"ledger"}


@settings(max_examples=200, deadline=None)
@given(s.aware_datetimes, s.aware_datetimes)
def test_timestamps_keep_their_offset_and_microseconds(created, issued):
    point = TrackPoint(recorded_at=created, lat=0, lon=0)
    got = TrackPoint.model_validate_json(point.model_dump_json()).recorded_at
    assert got == created
    assert got.utcoffset() == created.utcoffset()  # == on aware datetimes compares instants only
    assert got.microsecond == created.microsecond
    assert got.replace(tzinfo=None) == created.replace(tzinfo=None)
    label = Label.model_validate({**LABEL, "issued_at": issued})
    got = Label.model_validate_json(label.model_dump_json()).issued_at
    assert (got.utcoffset(), got.replace(tzinfo=None)) == (issued.utcoffset(), issued.replace(tzinfo=None))


@settings(max_examples=100, deadline=None)
@given(s.positive_tonnes)
def test_decimal_quantities_keep_their_digits(q):
    item = TransferApproval.model_validate(
        {
            "number": "X",
            "origin_province": "32",
            "receiving_province": "33",
            "shipper_uscc": "91320576MA1MXK3Q7M",
            "receiver_uscc": "91330411MA2B9JX55K",
            "items": [{"waste_code": "900-249-08", "approved_t": q}],
            "valid_from": "2024-03-01",
            "valid_to": "2025-02-28",
        }
    )
    dumped = item.model_dump_json()
    text = json.loads(dumped)["items"][0]["approved_t"]
    assert isinstance(text, str)  # a JSON string, never a float that could lose digits
    assert Decimal(text) == q
    back = TransferApproval.model_validate_json(dumped)
    got = back.items[0].approved_t
    assert isinstance(got, Decimal)
    assert got == q
    assert back.model_dump_json() == dumped


@pytest.mark.parametrize("text", ["0.1", "1.250000", "30000", "0.000001", "999999999999.999999"])
def test_decimal_strings_from_local_systems_round_trip(text):
    rec = {"waste_code": "900-249-08", "approved_t": text}
    item = ApprovalItem.model_validate(rec)
    assert item.approved_t == Decimal(text)
    dumped = item.model_dump_json()
    assert Decimal(json.loads(dumped)["approved_t"]) == Decimal(text)
    assert ApprovalItem.model_validate_json(dumped).model_dump_json() == dumped
