"""Regulatory timeliness: what should have reached the national system by "now" and has not, or came late.

Rules (codes in ``Overdue.rule``):

- ``receipt.unconfirmed`` / ``receipt.confirmed_late``: the receiver confirms receipt in the national
  system within 5 working days of receiving the waste (部令第23号 第十八条). Arrival is the local copy's
  ``received_at`` (or a non-contract ``arrived_at``); confirmation is the national status ``received``
  (or ``rejected``), timed by the national ``updated_at`` when known. Working days follow
  :mod:`conformance.calendar` (holidays and 调休).
- ``transit.too_long``: a manifest still ``in_transit`` nationally ``transit_days`` calendar days after
  ``dispatched_at`` (no legal limit; a configurable operating threshold).
- ``report.missing`` / ``report.filed_late``: monthly operation reports by the 15th of the next month,
  annual ones by 31 January (``contracts.rules.report_due_date``), expected for every licence and period
  with booked operation records, and for any period passed in ``expected``.
- ``ledger.unreported`` / ``ledger.late``: ledger events reach the national system within
  ``ledger_max_delay`` of ``occurred_at`` (default 24 h), judged on the national ``updated_at``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from pydantic import BaseModel, Field

from conformance.calendar import WorkingCalendar, default_calendar
from contracts.rules import report_due_date

from .resources import CHINA, WRITE_TIME, Record, spec_of

__all__ = ["Overdue", "TimelinessRules", "check_ledger", "check_manifests", "check_reports", "overdue"]

_MESSAGES = {
    "receipt.unconfirmed": ("接受人未在接受后 {n} 个工作日内确认接受（应于 {due} 前）", "Receipt not confirmed within {n} working days of delivery (due {due})"),
    "receipt.confirmed_late": ("接受确认晚于 {due}", "Receipt confirmed after the {due} deadline"),
    "transit.too_long": ("联单运输中已超过 {n} 天", "Manifest in transit for more than {n} days"),
    "report.missing": ("{period} {kind}经营情况报告未按期（{due} 前）提交", "{kind_en} operation report for {period} not filed by {due}"),
    "report.filed_late": ("{period} {kind}经营情况报告晚于 {due} 提交", "{kind_en} operation report for {period} filed after {due}"),
    "ledger.unreported": ("台账记录发生后 {hours} 小时内未报送国家系统", "Ledger event not reported within {hours} h"),
    "ledger.late": ("台账记录报送晚于发生后 {hours} 小时", "Ledger event reported more than {hours} h after it occurred"),
}  # fmt: skip


class Overdue(BaseModel):
    """One thing that is, or was, late, with bilingual messages."""

    resource: str
    key: str
    unit: str | None = None
    rule: str
    due: datetime = Field(description="The deadline: from this instant on it is late")
    now: datetime
    days_late: int = Field(ge=0, description="Calendar days (started) past the deadline, at ``now`` or when done")
    message_zh: str
    message_en: str


@dataclass(frozen=True)
class TimelinessRules:
    """Thresholds of the timeliness checks."""

    receipt_working_days: int = 5
    transit_days: int = 10
    ledger_max_delay: timedelta = timedelta(hours=24)
    calendar: WorkingCalendar = field(default_factory=default_calendar)
    weekend_fallback: bool = False
    """Outside the calendar's years count weekends only (otherwise ``OutsideCalendar`` is raised)."""


def _time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def _end_of(day: date) -> datetime:
    """The instant a deadline "by ``day``" passes: the start of the next day, China time."""
    return datetime.combine(day + timedelta(days=1), time(), CHINA)


def _item(
    resource: str, key: str, unit: str | None, rule: str, deadline: datetime, at: datetime, /, **fmt: Any
) -> Overdue:
    zh, en = _MESSAGES[rule]
    late = max(0, math.ceil((at - deadline).total_seconds() / 86400))
    return Overdue(
        resource=resource, key=key, unit=unit, rule=rule, due=deadline, now=at, days_late=late,
        message_zh=zh.format(**fmt), message_en=en.format(**fmt),
    )  # fmt: skip


def check_manifests(
    national: Iterable[Record], now: datetime, *, local: Iterable[Record] = (), rules: TimelinessRules | None = None
) -> list[Overdue]:
    """Unconfirmed or late receipts and manifests too long in transit (keys as in reconciliation)."""
    r = rules or TimelinessRules()
    spec = spec_of("manifests")
    arrivals = {}
    for m in local:
        when = _time(m.get("arrived_at")) or _time(m.get("received_at"))
        if when is not None:
            arrivals[spec.natural_key(m)] = when
    out: list[Overdue] = []
    for m in national:
        key, status = spec.natural_key(m), m.get("status")
        try:
            unit: str | None = spec.unit(m)
        except (KeyError, TypeError):
            unit = None
        arrived = arrivals.get(key)
        if arrived is not None:
            due_day = r.calendar.add_working_days(
                arrived.astimezone(CHINA).date(), r.receipt_working_days, fallback=r.weekend_fallback
            )
            deadline, n = _end_of(due_day), r.receipt_working_days
            if status not in ("received", "rejected"):
                if now >= deadline:
                    out.append(_item("manifests", key, unit, "receipt.unconfirmed", deadline, now, n=n, due=due_day))
            else:
                done = _time(m.get(WRITE_TIME))
                if done is not None and done >= deadline:
                    out.append(_item("manifests", key, unit, "receipt.confirmed_late", deadline, done, due=due_day))
        dispatched = _time(m.get("dispatched_at"))
        if status == "in_transit" and dispatched is not None:
            deadline = dispatched + timedelta(days=r.transit_days)
            if now >= deadline:
                out.append(_item("manifests", key, unit, "transit.too_long", deadline, now, n=r.transit_days))
    return out


def check_reports(
    records: Iterable[Record],
    reports: Iterable[Record],
    now: datetime,
    *,
    expected: Iterable[tuple[str, str, str, str]] = (),
    rules: TimelinessRules | None = None,
) -> list[Overdue]:
    """Monthly and annual operation reports missing or filed late.

    ``records`` are operation records (they imply the periods owed); ``reports`` the filed operation
    reports; ``expected`` more ``(license_no, unit_uscc, period_type, period)`` owed.
    """
    owed: dict[tuple[str, str, str], str] = {}
    for rec in records:
        day = _time(rec.get("occurred_at"))
        if day is None:
            continue
        local_day = day.astimezone(CHINA).date()
        owed[(rec["license_no"], "monthly", local_day.strftime("%Y-%m"))] = rec["unit_uscc"]
        owed[(rec["license_no"], "annual", str(local_day.year))] = rec["unit_uscc"]
    for licence, unit, period_type, period in expected:
        owed[(licence, period_type, period)] = unit
    filed: dict[tuple[str, str, str], datetime] = {}
    for rep in reports:
        at = _time(rep.get("submitted_at"))
        k = (rep["license_no"], rep["period_type"], rep["period"])
        if at is not None and (k not in filed or at < filed[k]):
            filed[k] = at
    out: list[Overdue] = []
    for (licence, period_type, period), unit in sorted(owed.items()):
        due_day = report_due_date(period_type, period)
        if due_day == date.max:
            continue
        deadline = _end_of(due_day)
        names = {"kind": "月度" if period_type == "monthly" else "年度", "kind_en": period_type.capitalize()}
        key = f"{licence}/{period_type}/{period}"
        submitted = filed.get((licence, period_type, period))
        if submitted is None and now >= deadline:
            out.append(
                _item(
                    "operation-reports", key, unit, "report.missing", deadline, now, period=period, due=due_day, **names
                )
            )
        elif submitted is not None and submitted >= deadline:
            out.append(
                _item(
                    "operation-reports",
                    key,
                    unit,
                    "report.filed_late",
                    deadline,
                    submitted,
                    period=period,
                    due=due_day,
                    **names,
                )
            )
    return out  # fmt: skip


def check_ledger(
    national: Iterable[Record], now: datetime, *, local: Iterable[Record] = (), rules: TimelinessRules | None = None
) -> list[Overdue]:
    """Ledger events reported late (national ``updated_at`` known) or not at all (local copy only)."""
    r = rules or TimelinessRules()
    spec = spec_of("ledger-records")
    hours = f"{r.ledger_max_delay.total_seconds() / 3600:g}"
    out: list[Overdue] = []
    seen: set[str] = set()
    for rec in national:
        key = spec.natural_key(rec)
        seen.add(key)
        occurred, written = _time(rec.get("occurred_at")), _time(rec.get(WRITE_TIME))
        if occurred is not None and written is not None and written - occurred > r.ledger_max_delay:
            deadline = occurred + r.ledger_max_delay
            out.append(_item(spec.name, key, rec.get("unit_uscc"), "ledger.late", deadline, written, hours=hours))
    for rec in local:
        key = spec.natural_key(rec)
        occurred = _time(rec.get("occurred_at"))
        if key not in seen and occurred is not None and now - occurred > r.ledger_max_delay:
            deadline = occurred + r.ledger_max_delay
            out.append(_item(spec.name, key, rec.get("unit_uscc"), "ledger.unreported", deadline, now, hours=hours))
    return out


def overdue(
    now: datetime,
    *,
    manifests_national: Iterable[Record] = (),
    manifests_local: Iterable[Record] = (),
    ledger_national: Iterable[Record] = (),
    ledger_local: Iterable[Record] = (),
    operation_records: Iterable[Record] = (),
    operation_reports: Iterable[Record] = (),
    rules: TimelinessRules | None = None,
) -> list[Overdue]:
    """Every timeliness check at once, ordered by days late (worst first)."""
    items = check_manifests(manifests_national, now, local=manifests_local, rules=rules)
    items += check_ledger(ledger_national, now, local=ledger_local, rules=rules)
    items += check_reports(operation_records, operation_reports, now, rules=rules)
    return sorted(items, key=lambda o: (-o.days_late, o.resource, o.key))
