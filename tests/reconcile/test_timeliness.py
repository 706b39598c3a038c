"""Timeliness rules: receipts in working days, transit, operation reports, real-time ledger."""

from __future__ import annotations

from datetime import datetime, timedelta

from conformance.reconcile import TimelinessRules, check_ledger, check_manifests, check_reports, overdue
from conformance.reconcile.resources import CHINA

from .conftest import UNITS, ledger


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def manifest(ref: str, status: str, **kw: str) -> dict[str, object]:
    return {"local_ref": ref, "manifest_no": None, "status": status, "shipper": {"uscc": UNITS[0]}, **kw}


def test_receipt_within_five_working_days_over_national_day() -> None:
    # Delivered Monday 2024-09-30: Oct 1-7 are holidays, Oct 12 (Saturday) is worked → due by Oct 12.
    local = [manifest("L1", "received", received_at="2024-09-30T15:00:00+08:00")]
    national = [manifest("L1", "in_transit", dispatched_at="2024-09-30T08:00:00+08:00")]
    rules = TimelinessRules(transit_days=30)
    assert check_manifests(national, at("2024-10-12T23:00:00+08:00"), local=local, rules=rules) == []
    [o] = check_manifests(national, at("2024-10-14T09:00:00+08:00"), local=local, rules=rules)
    assert (o.rule, o.key, o.unit, o.days_late) == ("receipt.unconfirmed", "L1", UNITS[0], 2)
    assert (
        o.due == datetime(2024, 10, 13, tzinfo=CHINA) and "5 个工作日" in o.message_zh and "2024-10-12" in o.message_en
    )
    confirmed = [manifest("L1", "received", updated_at="2024-10-15T10:00:00+08:00")]
    [o] = check_manifests(confirmed, at("2024-11-01T00:00:00+08:00"), local=local)
    assert o.rule == "receipt.confirmed_late" and o.days_late == 3


def test_transit_too_long() -> None:
    national = [manifest("L2", "in_transit", dispatched_at="2025-03-01T08:00:00+08:00")]
    assert check_manifests(national, at("2025-03-05T08:00:00+08:00")) == []
    [o] = check_manifests(national, at("2025-03-12T09:00:00+08:00"))
    assert o.rule == "transit.too_long" and o.days_late == 2


def op(day: str) -> dict[str, object]:
    return {"license_no": "JS-001", "unit_uscc": UNITS[1], "record_id": "r", "occurred_at": f"{day}T10:00:00+08:00"}


def test_monthly_and_annual_reports() -> None:
    records = [op("2024-03-10"), op("2024-12-20")]
    reports = [
        {"license_no": "JS-001", "period_type": "monthly", "period": "2024-03", "submitted_at": "2024-04-16T09:00:00+08:00"},
    ]  # fmt: skip
    items = check_reports(records, reports, at("2025-02-03T00:00:00+08:00"))
    got = {(o.key, o.rule, o.days_late) for o in items}
    assert got == {
        ("JS-001/monthly/2024-03", "report.filed_late", 1),
        ("JS-001/monthly/2024-12", "report.missing", 18),  # due 2025-01-15
        ("JS-001/annual/2024", "report.missing", 2),  # due 2025-01-31
    }
    assert all(o.message_zh and o.message_en for o in items)
    assert check_reports([op("2025-01-10")], [], at("2025-02-15T12:00:00+08:00")) == []


def test_ledger_real_time() -> None:
    on_time = ledger(UNITS[0], 1, 0, updated_at="2024-03-01T20:00:00+08:00")
    late = ledger(UNITS[0], 1, 1, updated_at="2024-03-03T09:00:00+08:00")
    unknown = ledger(UNITS[0], 1, 2)  # national write time not known: not judged
    unsent = ledger(UNITS[0], 2, 0)
    now = at("2024-03-04T09:00:00+08:00")
    items = check_ledger([on_time, late, unknown], now, local=[on_time, late, unknown, unsent])
    assert sorted((o.rule, o.key.rsplit("/", 1)[1], o.days_late) for o in items) == [
        ("ledger.late", "B01001", 1),
        ("ledger.unreported", "B02000", 1),
    ]
    strict = TimelinessRules(ledger_max_delay=timedelta(hours=1))
    assert len(check_ledger([on_time], now, rules=strict)) == 1
    assert [o.rule for o in overdue(now, ledger_national=[late], ledger_local=[unsent])] == [
        "ledger.late",
        "ledger.unreported",
    ]  # fmt: skip  (both one day late: then by key)
