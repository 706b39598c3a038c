"""Operation record books and reports: booking, duplicates, corrections, scope, and reports checked against the book."""

from __future__ import annotations

import copy
from typing import Any

from tests.mocks.conftest import RECEIVER, ZJ_LICENSE, ZJ_RECEIVER, Control, assert_findings, assert_problem, sample
from tests.mocks.national_client import Caller

RECORDS = "/api/v1/operation-records"
REPORTS = "/api/v1/operation-reports"


def book(caller: Caller, rec: dict[str, Any]) -> tuple[int, str]:
    resp = caller.post(RECORDS, rec)
    assert resp.status_code in (200, 201), resp.text
    return resp.status_code, resp.headers["x-hz-outcome"]


def zj_record() -> dict[str, Any]:
    rec = copy.deepcopy(sample("operations.ndjson")[1])
    rec.update(license_no=ZJ_LICENSE, unit_uscc=ZJ_RECEIVER, record_id="ZJ202403-0001")
    return rec


def test_book_duplicate_and_correct(receiver: Caller, mock: Control) -> None:
    records = sample("operations.ndjson")
    assert book(receiver, records[0]) == (201, "created")
    assert book(receiver, records[0]) == (200, "duplicate")
    changed = dict(records[0], quantity_t="0.700000")
    assert book(receiver, changed) == (200, "updated")
    listed = receiver.get(RECORDS).json()["items"]
    assert [(r["record_id"], r["quantity_t"]) for r in listed] == [("JY202403-0001", "0.700000")]
    assert mock.state()["operation-records"] == 1


def test_booking_for_another_unit_is_403(shipper: Caller, zhejiang: Caller, mock: Control) -> None:
    rec = sample("operations.ndjson")[0]
    assert_problem(shipper.post(RECORDS, rec), 403, "authz.scope")
    assert_problem(zhejiang.post(RECORDS, rec), 403, "authz.scope")
    assert mock.state()["operation-records"] == 0
    assert_problem(shipper.get(RECORDS, unit=RECEIVER), 403, "authz.scope")


def test_another_unit_cannot_overwrite_a_record_under_a_licence_it_does_not_hold(
    zhejiang: Caller, receiver: Caller
) -> None:
    original = zj_record()
    assert book(zhejiang, original) == (201, "created")
    # the 南通 unit books under the 嘉兴 plant's licence and record id, naming itself as the unit
    hijack = dict(original, unit_uscc=RECEIVER, quantity_t="99.000000")
    resp = receiver.post(RECORDS, hijack)
    assert resp.status_code in (403, 422), resp.text
    listed = zhejiang.get(RECORDS).json()["items"]
    assert [(r["unit_uscc"], r["quantity_t"]) for r in listed] == [(ZJ_RECEIVER, original["quantity_t"])]


def test_report_checked_against_the_book(receiver: Caller, mock: Control) -> None:
    report = sample("operation-reports.ndjson")[0]
    # nothing booked yet: the figures do not add up
    assert_findings(receiver.post(REPORTS, report), ("report.figure_mismatch", "$.lines[0].received_t"))
    assert mock.state()["operation-reports"] == 0
    for rec in sample("operations.ndjson"):
        book(receiver, rec)
    resp = receiver.post(REPORTS, report)
    assert resp.status_code == 201, resp.text
    assert resp.json()["report"]["period"] == "2024-03"
    assert mock.state()["operation-reports"] == 1


def test_unbalanced_report(receiver: Caller) -> None:
    unbalanced = sample("operation-reports.ndjson")[1]
    assert_findings(receiver.post(REPORTS, unbalanced), ("report.stock_unbalanced", "$.lines[0].closing_stock_t"))


def test_late_report_is_accepted_with_a_warning(receiver: Caller) -> None:
    for rec in sample("operations.ndjson"):
        book(receiver, rec)
    late = dict(sample("operation-reports.ndjson")[0], submitted_at="2024-04-20T10:00:00+08:00")
    resp = receiver.post(REPORTS, late)
    assert resp.status_code == 201, resp.text
    assert [(f["code"], f["severity"]) for f in resp.json()["findings"]] == [("report.late", "warning")]


def test_report_for_another_unit_is_403(shipper: Caller) -> None:
    assert_problem(shipper.post(REPORTS, sample("operation-reports.ndjson")[0]), 403, "authz.scope")


def test_another_unit_cannot_overwrite_a_report_under_a_licence_it_does_not_hold(
    zhejiang: Caller, receiver: Caller, national: Caller
) -> None:
    line = {
        "waste_code": "900-249-08",
        "opening_stock_t": "1",
        "received_t": "0",
        "utilised_t": "0",
        "disposed_t": "0",
        "closing_stock_t": "1",
    }
    report = {
        "license_no": ZJ_LICENSE,
        "unit_uscc": ZJ_RECEIVER,
        "period_type": "monthly",
        "period": "2024-05",
        "submitted_at": "2024-06-10T10:00:00+08:00",
        "lines": [line],
    }
    assert zhejiang.post(REPORTS, report).status_code == 201
    hijack = dict(report, unit_uscc=RECEIVER, lines=[dict(line, opening_stock_t="9", closing_stock_t="9")])
    resp = receiver.post(REPORTS, hijack)
    assert resp.status_code in (403, 422), resp.text
