"""Signed batch ingest of the mock national API against a bare ASGI endpoint, same load generator.

Two servers run as subprocesses (uvicorn, one worker each, pinned to CPU 1 when ``taskset`` exists):
the mock (``POST /api/v1/ledger-records``, signed, idempotent, 100 records per request) and a bare
Starlette endpoint that only reads and parses the same JSON bodies. The load generator (this process,
pinned to CPU 0) sends pre-built requests over keep-alive connections from asyncio, so that its own
cost stays out of the measurement. Rounds alternate between the two servers.

Run: ``PYTHONPATH=. .venv/bin/python bench/bench_mock.py`` (see bench/README.md).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from contracts.identifiers import uscc_check_char
from contracts.signing import sign_headers

TARGET_RATIO = 0.25
TARGET_RECORDS = 20_000
APP_KEY, SECRET = "bench", "bench-secret-0001"
SERVER = r"""
import sys, uvicorn
kind, port = sys.argv[1], int(sys.argv[2])
if kind == "bare":
    from pydantic_core import from_json
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route
    async def ingest(request):
        data = from_json(await request.body())
        return JSONResponse({"results": len(data["records"])})
    app = Starlette(routes=[Route("/api/v1/ledger-records", ingest, methods=["POST"])])
else:
    from mocks.national import MockConfig, SeedIn, create_app, load
    from mocks.national.seed import CredentialIn
    app = create_app(config=MockConfig(rate_per_second=1e9, burst=10**9))
    load(app.state.national.store, SeedIn(credentials=[CredentialIn(app_key="bench", secret="bench-secret-0001", scope="*")]))
uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(kind: str) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    cmd = [sys.executable, "-c", SERVER, kind, str(port)]
    if shutil.which("taskset") and (os.cpu_count() or 1) > 1:
        cmd = ["taskset", "-c", "1", *cmd]
    proc = subprocess.Popen(cmd, env={**os.environ, "PYTHONPATH": os.getcwd()})
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"{kind} server did not start")


def _unit(i: int) -> str:
    body = f"91320576MA{i:07d}"[:17]
    return body + uscc_check_char(body)


def _record(unit: str, n: int) -> dict[str, Any]:
    return {
        "kind": "generate",
        "unit_uscc": unit,
        "batch_code": f"HWCS20240318{n:06d}",
        "occurred_at": "2024-03-18T09:00:00+08:00",
        "waste_name": "废矿物油",
        "waste_category": "HW08",
        "waste_code": "900-249-08",
        "form": "L",
        "hazards": ["T", "I"],
        "quantity_t": "0.180000",
        "container_type": "200L钢桶",
        "container_count": 1,
        "label_ids": [f"{unit}9002490820240318{n % 1000:03d}"],
        "handler": "陈立明",
        "facility_code": "TS001",
    }


def build_requests(count: int, batch: int, start: int, host: str) -> list[bytes]:
    """``count`` signed requests of ``batch`` distinct records each, as raw HTTP/1.1 bytes."""
    units = [_unit(i) for i in range(50)]
    out = []
    n = start
    for _ in range(count):
        records = []
        for _ in range(batch):
            records.append(_record(units[n % len(units)], n))
            n += 1
        body = json.dumps({"records": records}, ensure_ascii=False, separators=(",", ":")).encode()
        path = "/api/v1/ledger-records"
        headers = sign_headers(app_key=APP_KEY, secret=SECRET, method="POST", path=path, body=body)
        headers.update({"Idempotency-Key": f"bench-{n}", "Content-Type": "application/json", "Host": host})
        head = f"POST {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        out.append(head.encode() + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
    return out


async def _worker(port: int, queue: list[bytes], results: list[tuple[int, int]]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while queue:
            writer.write(queue.pop())
            await writer.drain()
            status_line = await reader.readline()
            length = 0
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                name, _, value = line.decode("latin-1").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            body = await reader.readexactly(length)
            results.append((int(status_line.split()[1]), body.count(b'"accepted"')))
    finally:
        writer.close()


async def _load(port: int, requests: list[bytes], concurrency: int) -> tuple[float, list[tuple[int, int]]]:
    queue = list(reversed(requests))
    results: list[tuple[int, int]] = []
    t0 = time.perf_counter()
    await asyncio.gather(*(_worker(port, queue, results) for _ in range(concurrency)))
    return time.perf_counter() - t0, results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--requests", type=int, default=400, help="requests per round (default 400)")
    ap.add_argument("--batch", type=int, default=100, help="records per request (default 100)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--json", type=Path, default=Path("bench/results/mock.json"))
    args = ap.parse_args()
    if shutil.which("taskset") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {0})
    servers = {kind: _start(kind) for kind in ("bare", "mock")}
    rates: dict[str, list[float]] = {"bare": [], "mock": []}
    try:
        for r in range(args.rounds):
            order = ["bare", "mock"] if r % 2 == 0 else ["mock", "bare"]
            for kind in order:
                port = servers[kind][1]
                reqs = build_requests(
                    args.requests, args.batch, start=(r * 2 + order.index(kind)) * 10**6, host=f"127.0.0.1:{port}"
                )
                elapsed, results = asyncio.run(_load(port, reqs, args.concurrency))
                bad = [s for s, _ in results if s != 200]
                if bad:
                    raise SystemExit(f"{kind}: {len(bad)} answers were not 200 (first {bad[0]})")
                if kind == "mock":
                    accepted = sum(a for _, a in results)
                    if accepted != args.requests * args.batch:
                        raise SystemExit(f"mock accepted {accepted} of {args.requests * args.batch} records")
                rates[kind].append(len(results) / elapsed)
    finally:
        for proc, _ in servers.values():
            proc.terminate()
            proc.wait(timeout=10)
    bare, mock = statistics.median(rates["bare"]), statistics.median(rates["mock"])
    ratio = mock / bare
    records = mock * args.batch
    print(
        f"{args.rounds} rounds × {args.requests} requests of {args.batch} ledger records, concurrency {args.concurrency}"
    )
    print(f"{'case':<28}{'median req/s':>14}{'min':>10}{'max':>10}")
    for kind, label in (("bare", "bare ASGI parse-only"), ("mock", "mock, signed + validated")):
        print(
            f"{label:<28}{statistics.median(rates[kind]):>14,.0f}{min(rates[kind]):>10,.0f}{max(rates[kind]):>10,.0f}"
        )
    print(f"mock/bare = {ratio:.3f}; target ≥ {TARGET_RATIO}: {'PASS' if ratio >= TARGET_RATIO else 'BELOW TARGET'}")
    print(
        f"records accepted/s = {records:,.0f}; target ≥ {TARGET_RECORDS:,}: {'PASS' if records >= TARGET_RECORDS else 'BELOW TARGET'}"
    )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {
                "rates": rates,
                "ratio": ratio,
                "records_per_s": records,
                "args": {k: str(v) for k, v in vars(args).items()},
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
