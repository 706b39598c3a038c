"""The history store on PostgreSQL: runs only when ``HAZLINK_TEST_PG`` holds a DSN of a loopback server."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conformance.monitor import Monitor, load_config

from .conftest import LEDGER, NOW, Seeded, write_config

DSN = os.environ.get("HAZLINK_TEST_PG", "")
pytestmark = pytest.mark.skipif(not DSN, reason="HAZLINK_TEST_PG is not set (a PostgreSQL DSN)")
_TABLES = "monitor_cycles, monitor_health, monitor_differences, monitor_overdue, monitor_pending, monitor_alerts"


def test_cycles_and_trends_in_postgres(tmp_path: Path, seeded: Seeded) -> None:
    psycopg = pytest.importorskip("psycopg")
    host = urlsplit(DSN).hostname or ""
    assert host in ("127.0.0.1", "localhost", "::1") or host.startswith("127."), "tests use a loopback server only"
    with psycopg.connect(DSN, autocommit=True) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {_TABLES}")
    clock = [NOW - timedelta(days=1)]
    mon = Monitor(load_config(write_config(tmp_path, seeded, history=DSN)), now=lambda: clock[0])
    first = mon.cycle()
    clock[0] = NOW
    mon.cycle()
    trend = mon.history.trends(7, NOW)[(seeded.unit_a, LEDGER)]
    assert [p["day"] for p in trend] == ["2024-12-01", "2024-12-02"]
    diffs = mon.history.differences(first.id, seeded.unit_a, LEDGER)
    assert {d["kind"] for d in diffs} == {k for k, _ in seeded.expected}
    mon.history.close()
