"""Operation reports: due dates, lateness, stock arithmetic and agreement with the record book."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts import Severity
from contracts.rules import check_report, report_due_date
from tests.contracts import records


def codes(findings):
    return sorted(f.code for f in findings)


# --- due dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period_type", "period", "due"),
    [
        ("monthly", "2024-01", date(2024, 2, 15)),
        ("monthly", "2024-03", date(2024, 4, 15)),
        ("monthly", "2024-11", date(2024, 12, 15)),
        ("monthly", "2024-12", date(2025, 1, 15)),  # December's report is due in January of the next year
        ("annual", "2024", date(2025, 1, 31)),
        ("annual", "2099", date(2100, 1, 31)),
    ],
)
def test_due_dates(period_type, period, due):
    assert report_due_date(period_type, period) == due


@settings(max_examples=100, deadline=None)
@given(st.integers(2000, 2098), st.integers(1, 12))
def test_monthly_report_is_due_on_the_15th_of_the_following_month(year, month):
    due = report_due_date("monthly", f"{year}-{month:02d}")
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    assert due == following.replace(day=15)
    assert due > date(year, month, 28)


# --- lateness ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("submitted_at", "late"),
    [
        ("2024-04-12T16:20:00+08:00", False),  # the sample
        ("2024-04-15T23:59:59+08:00", False),  # on the due day
        ("2024-04-16T00:00:00+08:00", True),
        ("2024-04-15T15:59:59+00:00", False),  # 23:59:59 in China
        ("2024-04-15T16:00:00+00:00", True),  # 00:00 on the 16th in China
        ("2024-04-15T11:30:00-05:00", True),  # still the 15th in New York, the 16th in China
    ],
)
def test_lateness_is_judged_in_china_time(submitted_at, late):
    findings = check_report(records.report(submitted_at=submitted_at))
    if not late:
        assert findings == []
        return
    assert [(f.code, f.path, f.severity) for f in findings] == [("report.late", "$.submitted_at", Severity.WARNING)]
    assert findings[0].context["due"] == "2024-04-15"


def test_annual_report_late_after_31_january():
    lines = [records.report_line()]
    ok = records.report(period_type="annual", period="2024", submitted_at="2025-01-31T18:00:00+08:00", lines=lines)
    assert check_report(ok) == []
    late = records.report(period_type="annual", period="2024", submitted_at="2025-02-01T09:00:00+08:00", lines=lines)
    assert codes(check_report(late)) == ["report.late"]


@pytest.mark.parametrize(("period_type", "period"), [("monthly", "2024"), ("annual", "2024-03")])
def test_period_must_fit_the_report_type(period_type, period):
    findings = check_report(records.report(period_type=period_type, period=period))
    assert [(f.code, f.path, f.severity) for f in findings] == [("report.period_mismatch", "$.period", Severity.ERROR)]


# --- stock arithmetic: opening + received - utilised - disposed = closing ----------------------


def test_sample_stock_arithmetic():
    # 3.1 + 0.72 - 0.5 - 0 = 3.32
    assert check_report(records.report()) == []


def test_stock_arithmetic_mismatch():
    rep = records.report(lines=[records.report_line(closing_stock_t="3.319999")])
    findings = check_report(rep)
    assert [(f.code, f.path, f.severity) for f in findings] == [
        ("report.stock_unbalanced", "$.lines[0].closing_stock_t", Severity.ERROR)
    ]


def test_stock_arithmetic_ignores_trailing_zeros():
    rep = records.report(lines=[records.report_line(closing_stock_t="3.32", disposed_t="0.000000")])
    assert check_report(rep) == []


def test_stock_arithmetic_per_line():
    good = records.report_line(
        waste_code="900-041-49",
        opening_stock_t="0",
        received_t="2",
        utilised_t="0",
        disposed_t="1.5",
        closing_stock_t="0.5",
    )
    bad = records.report_line(waste_code="900-249-08", disposed_t="0.1")
    findings = check_report(records.report(lines=[good, bad]))
    assert [(f.code, f.path) for f in findings] == [("report.stock_unbalanced", "$.lines[1].closing_stock_t")]


@settings(max_examples=100, deadline=None)
@given(*(st.integers(0, 10**9) for _ in range(4)))
def test_stock_arithmetic_property(opening, received, utilised, disposed):
    g = lambda n: str(Decimal(n) / Decimal(10**6))  # noqa: E731
    closing = opening + received - utilised - disposed
    if closing < 0:
        return  # a negative stock cannot be reported (Tonnes is >= 0)
    line = records.report_line(
        opening_stock_t=g(opening),
        received_t=g(received),
        utilised_t=g(utilised),
        disposed_t=g(disposed),
        closing_stock_t=g(closing),
    )
    assert check_report(records.report(lines=[line])) == []
    line["closing_stock_t"] = g(closing + 1)
    assert codes(check_report(records.report(lines=[line]))) == ["report.stock_unbalanced"]


# --- agreement with the record book ------------------------------------------------------------
# Book for March 2024: received 0.72 t (JY202403-0001), stored 0.72 (not a report figure), utilised 0.5.


def test_report_agrees_with_its_records():
    assert check_report(records.report(), records.operations()) == []


@pytest.mark.parametrize(
    ("figure", "value", "recorded"),
    [("received_t", "0.8", "0.72"), ("utilised_t", "0.4", "0.5"), ("disposed_t", "0.1", "0")],
)
def test_figure_mismatch(figure, value, recorded):
    line = records.report_line(**{figure: value})
    # keep the arithmetic right so that only the book disagrees
    line["closing_stock_t"] = str(
        Decimal(line["opening_stock_t"])
        + Decimal(line["received_t"])
        - Decimal(line["utilised_t"])
        - Decimal(line["disposed_t"])
    )
    findings = check_report(records.report(lines=[line]), records.operations())
    assert [(f.code, f.path, f.severity) for f in findings] == [
        ("report.figure_mismatch", f"$.lines[0].{figure}", Severity.ERROR)
    ]
    assert Decimal(findings[0].context["reported"]) == Decimal(value)
    assert Decimal(findings[0].context["recorded"]) == Decimal(recorded)


def test_code_in_the_book_missing_from_the_report():
    book = [
        *records.operations(),
        records.operation(record_id="JY202403-0009", waste_code="900-041-49", waste_category="HW49", quantity_t="1"),
    ]
    findings = check_report(records.report(), book)
    assert [(f.code, f.path) for f in findings] == [("report.missing_code", "$.lines")]
    assert findings[0].context["code"] == "900-041-49"


def test_records_of_other_licences_and_periods_do_not_count():
    book = [
        *records.operations(),
        records.operation(record_id="X1", license_no="OTHER-LICENCE"),
        records.operation(record_id="X2", occurred_at="2024-02-29T10:00:00+08:00"),
        records.operation(record_id="X3", occurred_at="2024-04-01T10:00:00+08:00"),
        # 2024-03-31T16:30Z is 00:30 on 1 April in China: April's
        records.operation(record_id="X4", occurred_at="2024-03-31T16:30:00+00:00"),
        records.operation(record_id="X5", waste_code="900-041-49", waste_category="HW49", license_no="OTHER"),
    ]
    assert check_report(records.report(), book) == []


def test_record_on_the_china_month_boundary_counts_in_china_month():
    # 2024-02-29T16:30Z is 00:30 on 1 March in China: it belongs to March
    book = [*records.operations(), records.operation(record_id="X6", occurred_at="2024-02-29T16:30:00+00:00")]
    findings = check_report(records.report(), book)
    assert [(f.code, f.path) for f in findings] == [("report.figure_mismatch", "$.lines[0].received_t")]
    assert Decimal(findings[0].context["recorded"]) == Decimal("1.44")


def test_annual_report_sums_the_whole_year():
    line = records.report_line(received_t="0.72", utilised_t="0.5", closing_stock_t="3.32")
    rep = records.report(period_type="annual", period="2024", submitted_at="2025-01-10T09:00:00+08:00", lines=[line])
    assert check_report(rep, records.operations()) == []
    book = [*records.operations(), records.operation(record_id="Y1", occurred_at="2024-11-02T10:00:00+08:00")]
    assert codes(check_report(rep, book)) == ["report.figure_mismatch"]


def test_period_mismatch_stops_further_checks():
    rep = records.report(period_type="annual", period="2024-03")
    assert codes(check_report(rep, [])) == ["report.period_mismatch"]
