"""The engine on two memory sides seeded with one difference of every kind, each in its own bucket."""

from __future__ import annotations

import copy
from collections import Counter
from pathlib import Path
from typing import Any

import orjson

from conformance.reconcile import MemorySide, NdjsonSide, Progress, ResourceRules, Tolerances, reconcile
from conformance.reconcile.compare import KG_HINT

from .conftest import UNITS, grid, ledger

U1, U2 = UNITS
PER_DAY = 3


def key(rec: dict[str, Any]) -> str:
    return f"{rec['unit_uscc']}/{rec['kind']}/{rec['batch_code']}"


def planted() -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, tuple[str, str]]]:
    """Local and national ledgers and the expected differences ``{key: (kind, day of bucket)}``."""
    local = grid(days=10, per_day=PER_DAY)
    national = copy.deepcopy(local)
    by_key = {key(r): r for r in national}
    expected: dict[str, tuple[str, str]] = {}

    gone = ledger(U1, 1, 0)  # missing nationally
    national.remove(by_key[key(gone)])
    expected[key(gone)] = ("missing_national", "U1-1")
    extra = ledger(U1, 2, 99)  # only nationally
    national.append(extra)
    expected[key(extra)] = ("missing_local", "U1-2")
    by_key[key(ledger(U1, 3, 1))]["quantity_t"] = "0.786000"  # a real quantity difference
    expected[key(ledger(U1, 3, 1))] = ("mismatch", "U1-3")
    by_key[key(ledger(U1, 4, 2))]["quantity_t"] = "785.000000"  # kilograms sent as tonnes
    expected[key(ledger(U1, 4, 2))] = ("mismatch", "U1-4")
    by_key[key(ledger(U1, 5, 0))]["occurred_at"] = "2024-03-05T09:05:00+08:00"  # five minutes off
    expected[key(ledger(U1, 5, 0))] = ("mismatch", "U1-5")
    # Stale: the local copy changed after the national one was written.
    stale_local = next(r for r in local if key(r) == key(ledger(U2, 1, 0)))
    stale_local.update(container_count=3, updated_at="2024-03-02T10:00:00+08:00")
    by_key[key(stale_local)]["updated_at"] = "2024-03-01T12:00:00+08:00"
    expected[key(stale_local)] = ("stale", "U2-1")
    local.append(copy.deepcopy(next(r for r in local if key(r) == key(ledger(U2, 2, 1)))))  # duplicate locally
    expected[key(ledger(U2, 2, 1))] = ("duplicate_local", "U2-2")
    national.append(copy.deepcopy(by_key[key(ledger(U2, 3, 2))]))  # duplicate nationally
    expected[key(ledger(U2, 3, 2))] = ("duplicate_national", "U2-3")

    # Equal within tolerance, each in a bucket of its own that therefore differs by digest but reports nothing:
    by_key[key(ledger(U2, 4, 0))]["occurred_at"] = "2024-03-04T01:00:00Z"  # same instant, other offset
    by_key[key(ledger(U2, 5, 1))]["internal_name"] = "废液压油\u3000 "  # equal after NFKC + spaces
    by_key[key(ledger(U2, 6, 2))]["occurred_at"] = "2024-03-06T09:02:00.400+08:00"  # same second
    return local, national, expected


TOLERANT = Tolerances(resources={"ledger-records": ResourceRules(normalize_text=True)})


def check(report: Any, expected: dict[str, tuple[str, str]]) -> None:
    found = {(d.key, d.kind) for d in report.differences}
    assert found == {(k, kind) for k, (kind, _) in expected.items()}
    s = report.summaries[0]
    counts = Counter(kind for kind, _ in expected.values())
    assert (s.missing_national, s.missing_local, s.mismatched, s.stale, s.duplicates) == (
        counts["missing_national"], counts["missing_local"], counts["mismatch"], counts["stale"],
        counts["duplicate_local"] + counts["duplicate_national"],
    )  # fmt: skip
    # 11 buckets planted (8 differences, 3 equal within tolerance); the other 9 are never read.
    assert (s.buckets_total, s.buckets_differing) == (20, 11)
    assert s.records_read_local == 11 * PER_DAY + 1  # plus its duplicate
    assert s.records_read_national == 11 * PER_DAY - 1 + 1 + 1  # one removed, one extra, one duplicate
    assert s.local_count == 61 and s.national_count == 61
    # 9 untouched buckets, and in the read ones every local key except the missing, mismatched and stale.
    assert s.matched == 9 * PER_DAY + (11 * PER_DAY - 1 - 3 - 1)


def test_every_kind_found_and_nothing_else() -> None:
    local, national, expected = planted()
    report = reconcile(MemorySide({"ledger-records": local}, name="local"), MemorySide({"ledger-records": national}),
                       ["ledger-records"], tolerances=TOLERANT)  # fmt: skip
    check(report, expected)
    by_key = {d.key: d for d in report.differences}
    kg = by_key[key(ledger(U1, 4, 2))].fields
    assert [(f.path, f.rule, f.note) for f in kg] == [("quantity_t", "decimal(6)", KG_HINT)]
    small = by_key[key(ledger(U1, 3, 1))].fields
    assert [(f.path, f.note) for f in small] == [("quantity_t", None)]
    assert [f.path for f in by_key[key(ledger(U1, 5, 0))].fields] == ["occurred_at"]
    assert [f.path for f in by_key[key(ledger(U2, 1, 0))].fields] == ["container_count"]


def test_text_differences_count_without_normalisation() -> None:
    local, national, expected = planted()
    report = reconcile(
        MemorySide({"ledger-records": local}), MemorySide({"ledger-records": national}), ["ledger-records"]
    )
    extra = {(d.key, d.kind) for d in report.differences} - {(k, kind) for k, (kind, _) in expected.items()}
    assert extra == {(key(ledger(U2, 5, 1)), "mismatch")}


def test_identical_sides_read_nothing() -> None:
    recs = grid()
    report = reconcile(MemorySide({"ledger-records": recs}), MemorySide({"ledger-records": copy.deepcopy(recs)}))
    s = next(x for x in report.summaries if x.resource == "ledger-records")
    assert (s.buckets_total, s.buckets_differing, s.records_read_local, s.matched) == (20, 0, 0, 60)
    assert report.differences == [] and s.completeness_pct == 100.0 and s.accuracy_pct == 100.0


def write(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    return path


def test_ndjson_sides_agree_with_memory(tmp_path: Path) -> None:
    local, national, expected = planted()
    # A line that is valid but not written canonically: indented, and a quantity without six places.
    pretty = dict(local[-2], quantity_t="0.785")
    lines = [orjson.dumps(r) for r in local[:-2]] + [
        orjson.dumps(pretty, option=orjson.OPT_INDENT_2).replace(b"\n", b" ")
    ]
    (tmp_path / "l.ndjson").write_bytes(b"\n".join([*lines, orjson.dumps(local[-1])]) + b"\n")
    left = NdjsonSide({"ledger-records": tmp_path / "l.ndjson"}, name="file")
    right = NdjsonSide({"ledger-records": write(tmp_path / "n.ndjson", national)})
    events: list[Progress] = []
    report = reconcile(left, right, ["ledger-records"], tolerances=TOLERANT, progress=events.append)
    check(report, expected)
    assert left.noncanonical_lines == 2  # the pretty line, and the stale one carrying updated_at
    assert events[-1].done and events[-1].phase == "records" and events[-1].local_records == 34


def test_limit_keeps_counts_complete() -> None:
    local, national, _ = planted()
    report = reconcile(MemorySide({"ledger-records": local}), MemorySide({"ledger-records": national}),
                       ["ledger-records"], limit=3, tolerances=TOLERANT)  # fmt: skip
    assert len(report.differences) == 3 and report.truncated
    assert report.summaries[0].missing_national == 1 and report.summaries[0].duplicates == 2


def test_manifests_keyed_by_local_reference() -> None:
    base = {"shipper": {"uscc": U1}, "created_at": "2024-03-01T09:00:00+08:00", "status": "in_transit"}
    local = [{**base, "local_ref": "L-1"}, {**base, "local_ref": "L-2"}]
    # Numbered nationally (ignored), and L-2 created twice there under two national numbers.
    national = [
        {**base, "local_ref": "L-1", "manifest_no": "20243205000001"},
        {**base, "local_ref": "L-2", "manifest_no": "20243205000002"},
        {**base, "local_ref": "L-2", "manifest_no": "20243205000003"},
    ]
    report = reconcile(MemorySide({"manifests": local}), MemorySide({"manifests": national}), ["manifests"])
    assert [(d.kind, d.key, d.national["manifest_no"] if d.national else None) for d in report.differences] == [
        ("duplicate_national", "L-2", "20243205000003")
    ]
    assert report.summaries[0].matched == 2
