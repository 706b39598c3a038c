"""The PostgreSQL outbox: claims, leases and fencing between workers, and two workers draining one backlog.

Runs only when ``HAZLINK_TEST_PG`` holds a DSN of a loopback server, e.g.
``postgresql://hazlink:hazlink@127.0.0.1/hazlink``; each test starts from empty outbox tables.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from adapters.bridge import Backoff, Deliverer, NationalClient, NewOp, Reader, Stats, check, open_outbox
from adapters.bridge.outbox_pg import PgOutbox
from adapters.translate import Translator
from contracts.signing import SigningAuth

from .conftest import APP_KEY, SECRET, Control, csv_adapter, expected_ledger, ledger_records, write_ledger

DSN = os.environ.get("HAZLINK_TEST_PG", "")
pytestmark = pytest.mark.skipif(not DSN, reason="HAZLINK_TEST_PG is not set (a PostgreSQL DSN)")
_TABLES = "ops, bookmarks, dead, manifest_plan, manifest_content, manifest_numbers, manifest_points, counters"


@pytest.fixture
def pg_url() -> Iterator[str]:
    psycopg = pytest.importorskip("psycopg")
    host = urlsplit(DSN).hostname or ""
    assert host in ("127.0.0.1", "localhost", "::1") or host.startswith("127."), "tests use a loopback server only"
    with psycopg.connect(DSN, autocommit=True) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {_TABLES}")
        conn.execute("DROP SEQUENCE IF EXISTS ops_fence")
    yield DSN


def _box(url: str) -> PgOutbox:
    box = open_outbox(url)
    assert isinstance(box, PgOutbox)
    return box


def _ops(groups: dict[str, int]) -> list[NewOp]:
    return [NewOp(g, "ledger_batch", {"path": "/ledger-records", "n": i}) for g, n in groups.items() for i in range(n)]


def test_claims_take_only_group_heads_and_skip_locked_rows(pg_url: str) -> None:
    import psycopg

    a, b = _box(pg_url), _box(pg_url)
    b.db.execute("SET lock_timeout = '3s'")  # a claim that waited on a lock would fail here, not hang
    try:
        with a.tx() as db:
            a.enqueue(db, _ops({"g1": 3, "g2": 2, "g3": 1}))
        heads = {op.group: op.payload["n"] for op in a.claim("a", 10, 30)}
        assert heads == {"g1": 0, "g2": 0, "g3": 0}  # one head per group, never a later row
        assert b.claim("b", 10, 30) == []  # all heads leased
        (g3,) = [op for op in a.ops("inflight") if op.group == "g3"]
        assert a.complete(g3, "delivered")
        assert b.claim("b", 10, 30) == []  # g3 drained, the others' heads still leased
        first = next(op for op in a.ops("inflight") if op.group == "g1")
        assert a.complete(first, "delivered")
        with psycopg.connect(pg_url, autocommit=False) as other:  # another transaction holds g1's new head
            other.execute("SELECT id FROM ops WHERE grp = 'g1' AND state = 'pending' ORDER BY id LIMIT 1 FOR UPDATE")
            started = time.monotonic()
            assert b.claim("b", 10, 30) == []  # skipped, not waited for, and its successor is no head
            assert time.monotonic() - started < 2
            other.rollback()
        (nxt,) = b.claim("b", 10, 30)
        assert (nxt.group, nxt.payload["n"], nxt.lease_owner) == ("g1", 1, "b")
    finally:
        a.close()
        b.close()


def test_an_expired_lease_is_taken_over_and_the_stalled_worker_is_fenced_off(pg_url: str) -> None:
    a, b = _box(pg_url), _box(pg_url)
    try:
        with a.tx() as db:
            a.enqueue(db, _ops({"g": 2}))
        (zombie,) = a.claim("a", 1, 0.2)
        assert a.holds(zombie)
        time.sleep(0.3)
        assert not a.holds(zombie)  # expired
        (taken,) = b.claim("b", 1, 30)
        assert taken.id == zombie.id and taken.fence > zombie.fence
        assert a.complete(zombie, "dead", error="zombie") is False  # fenced off
        assert b.complete(taken, "delivered", number=("L1", "N1"))
        assert b.complete(taken, "delivered") is False  # completed once
        assert [op.state for op in a.ops()] == ["delivered", "pending"]
        assert a.national_no("L1") == "N1" and a.counts()["dead_letters"] == 0
        (second,) = a.claim("a", 1, 30)
        assert a.release("a") == 1 and a.counts()["pending"] == 1  # a restarted worker puts its rows back
        (again,) = b.claim("b", 1, 30)
        assert again.id == second.id and again.fence > second.fence
    finally:
        a.close()
        b.close()


def test_bookmark_and_operations_commit_together_or_not_at_all(pg_url: str) -> None:
    box = _box(pg_url)
    try:
        with pytest.raises(RuntimeError), box.tx() as db:
            box.enqueue(db, _ops({"g": 2}))
            box.set_bookmark(db, "csv", '{"a": 1}')
            raise RuntimeError("crash before commit")
        assert box.bookmark("csv") is None and box.ops() == []
        with box.tx() as db:
            box.enqueue(db, _ops({"g": 2}))
            box.set_bookmark(db, "csv", '{"a": 2}')
        assert box.bookmark("csv") == '{"a": 2}' and len(box.ops()) == 2
        assert len({op.idem_key for op in box.ops()}) == 2
    finally:
        box.close()


def test_two_workers_on_one_postgresql_outbox_deliver_a_20000_record_backlog_with_no_duplicates(
    pg_url: str, tmp_path: Path, control: Control, national_url: str
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    records = ledger_records(20, 250)  # 20 units x 1,000 records: 20,000 records, 200 batches of 100
    assert len(records) == 20_000
    write_ledger(folder, records)
    reading = _box(pg_url)
    adapter = csv_adapter(folder)
    Reader(adapter, reading, Translator(adapter.profile()), chunk=2000).read_once()
    reading.close()
    boxes, https, deliverers = [], [], []
    for owner in ("w1", "w2"):
        box = _box(pg_url)  # each worker its own connection
        http = httpx.Client(base_url=national_url)
        client = NationalClient(http, SigningAuth(APP_KEY, SECRET))
        deliverer = Deliverer(box, client, owner=owner, workers=4, lease_s=60, backoff=Backoff(base=0.02, cap=0.2))
        boxes.append(box)
        https.append(http)
        deliverers.append(deliverer)
    assert boxes[0].counts()["pending"] == 200
    end = time.monotonic() + 80
    threads = [threading.Thread(target=d.drain, kwargs={"until": lambda: time.monotonic() > end}) for d in deliverers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    counts = boxes[0].counts()
    stats: list[Stats] = [d.stats for d in deliverers]
    for d, box, http in zip(deliverers, boxes, https, strict=True):
        d.close()
        box.close()
        http.close()
    assert counts["delivered"] == 200 and counts["pending"] == counts["inflight"] == 0, counts
    assert all(s.delivered > 0 for s in stats), [s.delivered for s in stats]  # both workers did work
    assert sum(s.delivered for s in stats) == 200 and sum(s.fenced for s in stats) == 0
    assert sum(s.delivered_records for s in stats) == 20_000
    journal = control.journal()
    verdict = check(expected_ledger(records), journal)
    assert verdict.ok, verdict.counts()  # nothing lost, duplicated, unexpected or reordered
    posts = [e for e in journal if e["method"] == "POST"]
    assert len(posts) == 200 and not any(e["replayed"] for e in posts)


def test_two_bridge_processes_reading_one_source_into_one_postgresql_outbox_send_each_record_once(
    pg_url: str, tmp_path: Path, control: Control, national_url: str
) -> None:
    import subprocess
    import sys

    folder = tmp_path / "drop"
    folder.mkdir()
    records = ledger_records(10, 50)  # 2,000 records, 20 batches
    write_ledger(folder, records)
    secret = tmp_path / "secret"
    secret.write_text(SECRET, encoding="utf-8")
    args = [sys.executable, "-m", "adapters.bridge", "--profile", "enterprise-csv", "--source", str(folder)]
    args += ["--national", national_url, "--app-key", APP_KEY, "--app-secret-file", str(secret)]
    args += ["--outbox", pg_url, "--set", "settle_seconds=0", "--once", "--max-seconds", "60"]
    procs = [
        subprocess.Popen([*args, "--worker-id", w], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for w in ("p1", "p2")
    ]
    outs = [p.communicate(timeout=90) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err[-2000:] for _, err in outs]
    box = _box(pg_url)
    try:
        assert box.counts()["delivered"] == 20 and len(box.ops()) == 20  # read once between the two
    finally:
        box.close()
    journal = control.journal()
    verdict = check(expected_ledger(records), journal)
    assert verdict.ok, verdict.counts()
    posts = [e for e in journal if e["method"] == "POST"]
    assert len(posts) == 20 and not any(e["replayed"] for e in posts)
