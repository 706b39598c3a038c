"""Operation reports of licensed units: due dates and agreement with the record book they summarise."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from ..findings import Finding, Severity, finding, register
from ..operation import OperationKind, OperationRecord, OperationReport

CHINA = ZoneInfo("Asia/Shanghai")

register(
    "report.period_mismatch",
    Severity.ERROR,
    "报告期 {period} 与报告类型 {type} 不符",
    "Period {period} does not fit a {type} report",
)
register(
    "report.late",
    Severity.WARNING,
    "报告应于 {due} 前提交，实际 {submitted}",
    "The report was due by {due} and was submitted on {submitted}",
)
register(
    "report.figure_mismatch",
    Severity.ERROR,
    "废物 {code} 的{figure} 报告 {reported} 吨，记录簿合计 {recorded} 吨",
    "Waste {code}: {figure} reported as {reported} t, the record book sums to {recorded} t",
)
register(
    "report.stock_unbalanced",
    Severity.ERROR,
    "废物 {code}：期初 {opening} + 接收 {received} − 利用 {utilised} − 处置 {disposed} ≠ 期末 {closing}",
    "Waste {code}: opening {opening} + received {received} − utilised {utilised}"
    " − disposed {disposed} ≠ closing {closing}",
)
register(
    "report.missing_code",
    Severity.ERROR,
    "记录簿中有废物 {code} 的记录，报告未列出",
    "The record book has entries for waste {code} that the report leaves out",
)


def report_due_date(period_type: str, period: str) -> date:
    """Monthly reports are due on the 15th of the next month; annual ones on 31 January of the next year."""
    year = int(period[:4])
    if year >= 9999:
        return date.max  # no next year to be due in
    if period_type == "annual":
        return date(year + 1, 1, 31)
    month = int(period[5:7])
    return date(year + month // 12, month % 12 + 1, 15)


def _in_period(rec: OperationRecord, report: OperationReport) -> bool:
    local = rec.occurred_at.astimezone(CHINA)
    if report.period_type == "annual":
        return local.year == int(report.period)
    return (local.year, local.month) == (int(report.period[:4]), int(report.period[5:7]))


def check_report(report: OperationReport, records: Iterable[OperationRecord] | None = None) -> list[Finding]:
    """Period form, lateness, stock arithmetic, and (when ``records`` are given) the sums of the book."""
    monthly = report.period_type == "monthly"
    if monthly != (len(report.period) == 7):
        return [finding("report.period_mismatch", "$.period", period=report.period, type=report.period_type)]
    out: list[Finding] = []
    due = report_due_date(report.period_type, report.period)
    submitted = report.submitted_at.astimezone(CHINA).date()
    if submitted > due:
        out.append(finding("report.late", "$.submitted_at", due=due.isoformat(), submitted=submitted.isoformat()))
    for i, line in enumerate(report.lines):
        expected = line.opening_stock_t + line.received_t - line.utilised_t - line.disposed_t
        if expected != line.closing_stock_t:
            out.append(
                finding(
                    "report.stock_unbalanced",
                    f"$.lines[{i}].closing_stock_t",
                    code=line.waste_code,
                    opening=line.opening_stock_t,
                    received=line.received_t,
                    utilised=line.utilised_t,
                    disposed=line.disposed_t,
                    closing=line.closing_stock_t,
                )
            )
    if records is None:
        return out
    sums: dict[str, dict[OperationKind, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for rec in records:
        if rec.license_no == report.license_no and _in_period(rec, report):
            sums[rec.waste_code][rec.kind] += rec.quantity_t
    reported = {line.waste_code for line in report.lines}
    for i, line in enumerate(report.lines):
        book = sums.get(line.waste_code, {})
        for figure, kind, value in (
            ("received_t", OperationKind.RECEIVE, line.received_t),
            ("utilised_t", OperationKind.UTILISE, line.utilised_t),
            ("disposed_t", OperationKind.DISPOSE, line.disposed_t),
        ):
            recorded = book.get(kind, Decimal(0))
            if recorded != value:
                out.append(
                    finding(
                        "report.figure_mismatch",
                        f"$.lines[{i}].{figure}",
                        code=line.waste_code,
                        figure=figure,
                        reported=value,
                        recorded=recorded,
                    )
                )
    for code in sorted(set(sums) - reported):
        out.append(finding("report.missing_code", "$.lines", code=code))
    return out
