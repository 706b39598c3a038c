"""``GET /operation-reports``: the filed reports, scoped like the other listings and paged by cursor."""

from __future__ import annotations

from tests.mocks.conftest import RECEIVER, ZJ_LICENSE, ZJ_RECEIVER, assert_problem, sample
from tests.mocks.national_client import Caller

RECORDS = "/api/v1/operation-records"
REPORTS = "/api/v1/operation-reports"


def _zj_report(period: str) -> dict[str, object]:
    line = {
        "waste_code": "900-249-08",
        "opening_stock_t": "1",
        "received_t": "0",
        "utilised_t": "0",
        "disposed_t": "0",
        "closing_stock_t": "1",
    }
    return {
        "license_no": ZJ_LICENSE,
        "unit_uscc": ZJ_RECEIVER,
        "period_type": "monthly",
        "period": period,
        "submitted_at": f"{period}-28T10:00:00+08:00",
        "lines": [line],
    }


def test_filed_reports_are_listed_in_scope_and_paged(receiver: Caller, zhejiang: Caller, national: Caller) -> None:
    assert receiver.get(REPORTS).json() == {"items": [], "next_cursor": None}
    for rec in sample("operations.ndjson"):
        assert receiver.post(RECORDS, rec).status_code in (200, 201)
    report = sample("operation-reports.ndjson")[0]
    assert receiver.post(REPORTS, report).status_code == 201
    for period in ("2024-05", "2024-06"):
        assert zhejiang.post(REPORTS, _zj_report(period)).status_code == 201
    mine = receiver.get(REPORTS).json()
    assert [(r["unit_uscc"], r["period"]) for r in mine["items"]] == [(RECEIVER, "2024-03")]
    listed = {k: v for k, v in mine["items"][0].items() if k != "updated_at"}  # listed: + national write time
    assert listed == report | {"lines": listed["lines"]}
    first = national.get(REPORTS, unit=ZJ_RECEIVER, limit="1").json()
    assert [r["period"] for r in first["items"]] == ["2024-05"] and first["next_cursor"]
    rest = national.get(REPORTS, unit=ZJ_RECEIVER, limit="1", cursor=first["next_cursor"]).json()
    assert [r["period"] for r in rest["items"]] == ["2024-06"]
    assert len(national.get(REPORTS).json()["items"]) == 3
    assert_problem(receiver.get(REPORTS, unit=ZJ_RECEIVER), 403, "authz.scope")
