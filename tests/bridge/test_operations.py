"""Operation records and reports of a licensed unit through the bridge: exactly once, in order, refusals dead."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path

from adapters.bridge import check
from mocks.local import Generator, enterprise_csv

from .conftest import (
    Control,
    MakeBridge,
    csv_adapter,
    expected_operations,
    operation_key,
    operation_records,
    report_key,
    write_operations,
)


def _drop(tmp_path: Path) -> Path:
    folder = tmp_path / "drop"
    folder.mkdir()
    return folder


def test_records_then_their_report_arrive_exactly_once_in_order(
    tmp_path: Path, control: Control, make_bridge: MakeBridge
) -> None:
    folder = _drop(tmp_path)
    records = operation_records(6)  # 18 entries of March 2024
    report = Generator(1).report(records)
    write_operations(folder, records)
    enterprise_csv.write_report(folder, report)  # 经营报表-202403.csv sorts before 经营记录: read after anyway
    bridge = make_bridge(csv_adapter(folder))
    bridge.run()
    ops = bridge.outbox.ops()
    assert [op.kind for op in ops] == ["operation_record"] * 18 + ["operation_report"]
    assert {op.state for op in ops} == {"delivered"} and bridge.outbox.counts()["dead_letters"] == 0
    listed = control.list("/operation-records")
    assert sorted(map(operation_key, listed)) == sorted(map(operation_key, records))
    assert control.state()["operation-reports"] == 1
    verdict = check(expected_operations(records, [report]), control.journal())
    assert verdict.ok, verdict.counts()
    assert verdict.observed == 19
    before = len(control.journal())
    bridge.run()  # nothing new: nothing sent
    assert len(control.journal()) == before


def test_records_written_over_several_reads_keep_their_order(
    tmp_path: Path, control: Control, make_bridge: MakeBridge
) -> None:
    folder = _drop(tmp_path)
    records = operation_records(4, seed=3)
    bridge = make_bridge(csv_adapter(folder))
    for start in range(0, len(records), 5):  # the book grows between reads
        write_operations(folder, records[start : start + 5])
        bridge.run()
    annual = Generator(3).report(records, period_type="annual")
    enterprise_csv.write_report(folder, annual)
    bridge.run()
    verdict = check(expected_operations(records, [annual]), control.journal())
    assert verdict.ok, verdict.counts()
    posts = Counter(e["path"] for e in control.journal() if e["method"] == "POST" and not e["replayed"])
    assert posts == Counter({"/api/v1/operation-records": len(records), "/api/v1/operation-reports": 1})


def test_a_record_saved_again_unchanged_is_a_national_duplicate_and_delivered(
    tmp_path: Path, control: Control, make_bridge: MakeBridge
) -> None:
    folder = _drop(tmp_path)
    records = operation_records(1, seed=4)
    write_operations(folder, records)
    bridge = make_bridge(csv_adapter(folder))
    bridge.run()
    write_operations(folder, records[:1])  # the operator's software exports the first entry again
    bridge.run()
    assert [op.state for op in bridge.outbox.ops()] == ["delivered"] * 4
    last = control.journal()[-1]
    assert last["status"] == 200 and last["records"][0]["action"] == "duplicate"
    assert check(expected_operations(records), control.journal()).ok


def test_a_refused_report_is_a_dead_letter_with_the_national_findings(
    tmp_path: Path, control: Control, make_bridge: MakeBridge
) -> None:
    folder = _drop(tmp_path)
    records = operation_records(3, seed=5)
    report = Generator(5).report(records)
    line = report["lines"][0]
    line["received_t"] += Decimal(1)  # does not match the book: the national side refuses it
    line["closing_stock_t"] += Decimal(1)  # (the stock still balances, so it passes local validation)
    write_operations(folder, records)
    enterprise_csv.write_report(folder, report)
    bridge = make_bridge(csv_adapter(folder))
    bridge.run()
    ops = bridge.outbox.ops()
    assert [op.state for op in ops] == ["delivered"] * 9 + ["dead"]
    (letter,) = bridge.outbox.dead_letters()
    assert letter.origin == "national" and letter.stream == "operation_report"
    problem = letter.reasons[0]["answer"]["problem"]
    assert problem["status"] == 422
    codes = {f["code"] for f in problem["findings"]}
    assert "report.figure_mismatch" in codes
    assert check(expected_operations(records), control.journal()).ok
    assert control.state()["operation-reports"] == 0
    assert report_key(report) not in str(control.journal())  # nothing was filed under its key


def test_a_record_of_an_unknown_licence_is_refused_alone(
    tmp_path: Path, control: Control, make_bridge: MakeBridge
) -> None:
    folder = _drop(tmp_path)
    records = operation_records(2, seed=6)
    records[1] = {**records[1], "license_no": "JS0612OOD999"}
    write_operations(folder, records)
    bridge = make_bridge(csv_adapter(folder))
    bridge.run()
    assert [op.state for op in bridge.outbox.ops()] == ["delivered", "dead"] + ["delivered"] * 4
    (letter,) = bridge.outbox.dead_letters()
    assert letter.reasons[0]["answer"]["problem"]["findings"][0]["code"] == "license.unknown"
