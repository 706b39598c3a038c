"""The bridge's sustained delivery rate and commit → acknowledgement latency, beside the mock's own acceptance rate.

One mock national API runs as a subprocess (uvicorn, one worker, pinned to CPU 1 when ``taskset``
exists); this process (CPU 0) runs the bridge's ``Deliverer`` over a SQLite outbox in a temporary
folder. Three measurements in one run, no faults:

1. **bare acceptance**: the mock's rate for pre-built signed batches of 100 records sent by the raw
   asyncio load generator of ``bench_mock.py`` (the ceiling: the bridge cannot beat its receiver);
2. **sustained delivery**: an outbox pre-filled with N records (batches of 100 of one unit, as the
   planner writes them) drained by the bridge: records/s;
3. **latency**: a producer thread commits batches to the outbox at a steady rate (default 60 % of
   the measured sustained rate) while the bridge delivers; per row, national acknowledgement time
   minus local commit time: p50/p95.

Run: ``PYTHONPATH=. .venv/bin/python bench/bench_bridge.py [--records 20000] [--workers 4]``.
Targets (issue #5): ≥ 5,000 records/s sustained, p95 < 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from bench_mock import _load, _record, _start, _unit, build_requests

from adapters.bridge import Backoff, Deliverer, NationalClient, NewOp, Outbox, Stats
from contracts.signing import SigningAuth

APP_KEY, SECRET = "bench", "bench-secret-0001"
TARGET_RATE, TARGET_P95 = 5000.0, 1.0


def _batches(count: int, batch: int, start: int, units: int = 50) -> list[NewOp]:
    """``count`` ledger batches of ``batch`` records, each of one unit, as the planner enqueues them."""
    ops = []
    names = [_unit(i) for i in range(units)]
    n = start
    for i in range(count):
        unit = names[i % units]
        records = []
        for _ in range(batch):
            records.append(_record(unit, n))
            n += 1
        keys = [f"{r['unit_uscc']}/generate/{r['batch_code']}" for r in records]
        payload = {"method": "POST", "path": "/ledger-records", "body": {"records": records}, "keys": keys}
        ops.append(NewOp(f"ledger:{unit}", "ledger_batch", payload, unit))
    return ops


def _deliverer(outbox: Outbox, port: int, workers: int) -> tuple[Deliverer, httpx.Client]:
    http = httpx.Client(base_url=f"http://127.0.0.1:{port}", limits=httpx.Limits(max_keepalive_connections=workers))
    client = NationalClient(http, SigningAuth(APP_KEY, SECRET))
    return Deliverer(outbox, client, workers=workers, backoff=Backoff(base=0.05, cap=1.0), stats=Stats()), http


def sustained(port: int, folder: Path, records: int, batch: int, workers: int, start: int) -> dict[str, Any]:
    outbox = Outbox(folder / f"sustained-{start}.db")
    with outbox.tx() as db:
        outbox.enqueue(db, _batches(records // batch, batch, start))
    deliverer, http = _deliverer(outbox, port, workers)
    t0 = time.perf_counter()
    deliverer.drain()
    elapsed = time.perf_counter() - t0
    delivered = deliverer.stats.delivered_records
    deliverer.close()
    http.close()
    outbox.close()
    if delivered != records:
        raise SystemExit(f"sustained: delivered {delivered} of {records}")
    return {"records": records, "seconds": elapsed, "records_per_s": records / elapsed}


def latency(
    port: int, folder: Path, rate: float, seconds: float, batch: int, workers: int, start: int
) -> dict[str, Any]:
    path = folder / f"latency-{start}.db"
    outbox = Outbox(path)
    producer_box = Outbox(path)
    ops = _batches(max(1, int(rate * seconds / batch)), batch, start)
    interval = batch / rate
    done = threading.Event()

    def produce() -> None:
        next_at = time.monotonic()
        for op in ops:
            with producer_box.tx() as db:
                producer_box.enqueue(db, [op])
            next_at += interval
            time.sleep(max(0.0, next_at - time.monotonic()))
        done.set()

    deliverer, http = _deliverer(outbox, port, workers)
    thread = threading.Thread(target=produce)
    thread.start()
    while not done.is_set() or outbox.next_due() is not None:
        deliverer.drain(max_wait=0.01)  # returns when the outbox is empty
        time.sleep(0.002)
    thread.join()
    lat = [
        float(r[0])
        for r in outbox.db.execute("SELECT done_at - enqueued_at FROM ops WHERE state = 'delivered'").fetchall()
    ]
    deliverer.close()
    http.close()
    outbox.close()
    producer_box.close()
    lat.sort()
    return {
        "offered_records_per_s": rate,
        "batches": len(lat),
        "p50_s": statistics.median(lat),
        "p95_s": lat[int(0.95 * (len(lat) - 1))],
        "max_s": lat[-1],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--records", type=int, default=20000, help="records per sustained round (default 20000)")
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--workers", type=int, default=4, help="groups delivered in parallel (default 4)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--latency-seconds", type=float, default=10.0)
    ap.add_argument("--load", type=float, default=0.6, help="latency run: offered rate as a share of sustained")
    ap.add_argument("--json", type=Path, default=Path("bench/results/bridge.json"))
    args = ap.parse_args()
    if shutil.which("taskset") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {0})
    proc, port = _start("mock")
    bare: list[float] = []
    rates: list[float] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            for r in range(args.rounds):
                reqs = build_requests(
                    args.records // args.batch, args.batch, start=(2 * r) * 10**6, host=f"127.0.0.1:{port}"
                )
                elapsed, results = asyncio.run(_load(port, reqs, args.workers))
                if any(s != 200 for s, _ in results):
                    raise SystemExit("bare acceptance: an answer was not 200")
                bare.append(len(results) * args.batch / elapsed)
                rates.append(
                    sustained(port, folder, args.records, args.batch, args.workers, (2 * r + 1) * 10**6)[
                        "records_per_s"
                    ]
                )
            rate = statistics.median(rates)
            lat = latency(port, folder, rate * args.load, args.latency_seconds, args.batch, args.workers, 9 * 10**6)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    bare_rate = statistics.median(bare)
    print(f"{args.rounds} rounds × {args.records} ledger records in batches of {args.batch}, {args.workers} workers")
    print(f"mock bare acceptance (raw load generator): {bare_rate:>8,.0f} records/s  (min {min(bare):,.0f})")
    ok_rate = "PASS" if rate >= TARGET_RATE else "BELOW TARGET"
    print(
        f"bridge sustained delivery:                 {rate:>8,.0f} records/s  (min {min(rates):,.0f}); target ≥ {TARGET_RATE:,.0f}: {ok_rate}"
    )
    print(f"bridge / bare = {rate / bare_rate:.2f}")
    ok_p95 = "PASS" if lat["p95_s"] < TARGET_P95 else "ABOVE TARGET"
    print(
        f"commit → ack latency at {lat['offered_records_per_s']:,.0f} records/s offered: "
        f"p50 {lat['p50_s'] * 1000:.0f} ms, p95 {lat['p95_s'] * 1000:.0f} ms, max {lat['max_s'] * 1000:.0f} ms; "
        f"target p95 < {TARGET_P95:.0f} s: {ok_p95}"
    )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {"bare": bare, "sustained": rates, "latency": lat, "args": {k: str(v) for k, v in vars(args).items()}},
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
