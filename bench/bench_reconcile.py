"""Reconciliation of two 1,000,000-record ledger sides on disk, beside a bare streaming read of the same files.

Both sides are NDJSON files of canonical ledger records (``model_dump_json`` lines), generated from
one template with varying unit (200), day (30) and batch code, so about 6,000 buckets of ~167
records. 0.1 % of the records differ, in four planted kinds: missing nationally, only nationally,
a mismatched quantity, and a quantity in kilograms sent as tonnes. Measured in one run:

1. **bare read**: ``orjson.loads`` of every line of both files, streamed (the parse floor);
2. **reconcile**: ``reconcile(NdjsonSide, NdjsonSide)``: index and digest both files, read the differing
   buckets, merge and compare; wall time and the process's peak RSS (``ru_maxrss``).

The counts found must equal the planted ones, or the script exits with an error.
Run: ``PYTHONPATH=. .venv/bin/python bench/bench_reconcile.py [--records 1000000] [--rounds 1]``.
Targets: reconcile < 60 s and peak RSS < 1 GiB for 1,000,000 records per side.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

from conformance.reconcile import NdjsonSide, reconcile
from conformance.reconcile.compare import KG_HINT

TARGET_S, TARGET_RSS = 60.0, 1 << 30
KINDS = ("missing_national", "missing_local", "mismatch", "kg_as_tonnes")
# One canonical ledger record with the varying parts as placeholders (field order of GenerateRecord).
TEMPLATE = (
    '{{"unit_uscc":"{unit}","batch_code":"{batch}","occurred_at":"2024-03-{day:02d}T{hh:02d}:{mm:02d}:00+08:00",'
    '"waste_name":"废矿物油与含矿物油废物","internal_name":null,"waste_category":"HW08","waste_code":"900-249-08",'
    '"form":"L","hazards":["T","I"],"quantity_t":"{qty}","container_type":"铁桶","container_count":2,'
    '"label_ids":[],"handler":"郭秀","kind":"generate","facility_code":"TS001","destination":null}}'
)


def _unit(i: int) -> str:
    return f"91320500MA{i:08d}"


def generate(folder: Path, records: int, units: int, days: int, seed: int) -> dict[str, int]:
    """Write ``local.ndjson`` and ``national.ndjson``; returns the planted difference counts."""
    rng = random.Random(seed)
    per_bucket, extra = divmod(records, units * days)  # the first ``extra`` buckets hold one record more
    total = records
    planted = rng.sample(range(total), total // 1000)
    kind_of = {i: KINDS[j % len(KINDS)] for j, i in enumerate(planted)}
    with (
        (folder / "local.ndjson").open("w", encoding="utf-8") as lf,
        (folder / "national.ndjson").open("w", encoding="utf-8") as nf,
    ):
        i = 0
        for day in range(1, days + 1):
            for u in range(units):
                unit = _unit(u)
                for n in range(per_bucket + ((day - 1) * units + u < extra)):
                    qty = f"{(i % 9000 + 1) / 1000:.6f}"
                    fields: dict[str, Any] = dict(
                        unit=unit, batch=f"HW{day:02d}{n:05d}", day=day, hh=8 + n // 60 % 10, mm=n % 60, qty=qty
                    )
                    line = TEMPLATE.format(**fields) + "\n"
                    kind = kind_of.get(i)
                    if kind != "missing_local":
                        lf.write(line)
                    if kind == "mismatch":
                        line = TEMPLATE.format(**{**fields, "qty": f"{float(qty) + 0.5:.6f}"}) + "\n"
                    elif kind == "kg_as_tonnes":
                        line = TEMPLATE.format(**{**fields, "qty": f"{float(qty) * 1000:.6f}"}) + "\n"
                    if kind != "missing_national":
                        nf.write(line)
                    i += 1
    counts = {k: 0 for k in KINDS}
    for k in kind_of.values():
        counts[k] += 1
    counts["records"] = total
    return counts


def bare_read(paths: list[Path]) -> int:
    """The floor: parse every line of every file, streamed."""
    n = 0
    for p in paths:
        with p.open("rb") as f:
            for line in f:
                orjson.loads(line)
                n += 1
    return n


def rss_mib() -> float:
    """Peak resident set size of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--units", type=int, default=200)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", type=Path, default=Path(__file__).parent / "results" / "reconcile.json")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="hz-bench-reconcile-") as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        planted = generate(folder, args.records, args.units, args.days, args.seed)
        gen_s = time.perf_counter() - t0
        paths = [folder / "local.ndjson", folder / "national.ndjson"]
        size = sum(p.stat().st_size for p in paths)
        print(
            f"{planted['records']:,} records per side, {size / 2**20:,.0f} MiB on disk, generated in {gen_s:.1f} s; "
            f"planted: {', '.join(f'{k} {planted[k]}' for k in KINDS)}"
        )
        bare, rec, rss = [], [], 0.0
        report: Any = None
        for r in range(args.rounds):
            t0 = time.perf_counter()
            bare_read(paths)
            bare.append(time.perf_counter() - t0)
            rss_before = rss_mib()
            t0 = time.perf_counter()
            local = NdjsonSide({"ledger-records": paths[0]}, name="local")
            national = NdjsonSide({"ledger-records": paths[1]}, name="national")
            report = reconcile(local, national, ["ledger-records"], limit=10_000)
            rec.append(time.perf_counter() - t0)
            rss = rss_mib()
            print(
                f"round {r + 1}: bare read {bare[-1]:.2f} s, reconcile {rec[-1]:.2f} s, peak RSS {rss_before:.0f} → {rss:.0f} MiB"
            )
            del local, national
        s = report.summaries[0]
        kg = sum(1 for d in report.differences for f in d.fields if f.note == KG_HINT)
        found = {"missing_national": s.missing_national, "missing_local": s.missing_local, "mismatch": s.mismatched - kg,
                 "kg_as_tonnes": kg}  # fmt: skip
        if found != {k: planted[k] for k in KINDS} or s.stale or s.duplicates or report.truncated:
            sys.exit(f"found {found} (stale {s.stale}, duplicates {s.duplicates}), planted {planted}")
        b, t = statistics.median(bare), statistics.median(rec)
        print(f"buckets {s.buckets_total:,}, differing {s.buckets_differing:,}; records read "
              f"{s.records_read_local:,} local, {s.records_read_national:,} national; all planted differences found")  # fmt: skip
        print("\ncase         median s   rec/s (both sides)")
        print(f"bare read    {b:8.2f}   {2 * planted['records'] / b:12,.0f}")
        print(f"reconcile    {t:8.2f}   {2 * planted['records'] / t:12,.0f}")
        print(f"\nreconcile/bare read = {t / b:.2f}")
        print(f"reconcile {t:.1f} s; target < {TARGET_S:.0f} s: {'OK' if t < TARGET_S else 'ABOVE TARGET'}")
        print(f"peak RSS {rss:.0f} MiB; target < 1024 MiB: {'OK' if rss * 2**20 < TARGET_RSS else 'ABOVE TARGET'}")
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({
            "records_per_side": planted["records"], "planted": {k: planted[k] for k in KINDS}, "bare_read_s": bare,
            "reconcile_s": rec, "ratio": t / b, "peak_rss_mib": rss, "buckets": s.buckets_total,
            "buckets_differing": s.buckets_differing,
        }, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
