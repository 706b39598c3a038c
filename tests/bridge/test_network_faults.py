"""Network faults between the bridge and the mock, through the TCP fault proxy (Toxiproxy's toxics on loopback).

Scenarios of reliability.md §7: 3 (reset after commit), 4 (timeout longer than the client's), 11
(latency with jitter), 12 (bandwidth, slow close), 13 (1-byte slices), 14 (truncation by limit_data),
15 (down: connection refused). In every case the mock ends with each record exactly once.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from adapters.bridge import check
from mocks.faultproxy import FaultProxy, Toxic, running_proxy

from .conftest import Bridge, Control, MakeBridge, csv_adapter, expected_ledger, ledger_records, write_ledger

LEDGER = "/api/v1/ledger-records"


@pytest.fixture
def proxy(national_url: str) -> Iterator[FaultProxy]:
    port = int(national_url.rsplit(":", 1)[1])
    with running_proxy(port, seed=5) as p:
        yield p


def bridge_through(
    proxy: FaultProxy, tmp_path: Path, make_bridge: MakeBridge, flows: int = 2, **kw: Any
) -> tuple[Bridge, list[dict[str, Any]]]:
    folder = tmp_path / "drop"
    folder.mkdir()
    records = ledger_records(1, flows)
    write_ledger(folder, records)
    bridge = make_bridge(csv_adapter(folder), url=proxy.url(), **kw)
    bridge.reader.read_once()
    return bridge, records


def once(control: Control, records: list[dict[str, Any]]) -> None:
    verdict = check(expected_ledger(records), control.journal())
    assert verdict.ok, verdict.counts()
    assert len(control.list("/ledger-records")) == len(records)


def posts(control: Control) -> list[dict[str, Any]]:
    return [e for e in control.journal() if e["method"] == "POST" and e["path"] == LEDGER]


def test_3_reset_after_the_commit_is_an_unknown_outcome(
    proxy: FaultProxy, tmp_path: Path, control: Control, make_bridge: MakeBridge
) -> None:
    bridge, records = bridge_through(proxy, tmp_path, make_bridge)
    proxy.add(Toxic.reset_peer(0, stream="downstream"))
    bridge.deliverer.step()
    assert bridge.stats.unknown == 1 and bridge.stats.delivered == 0
    proxy.clear()
    bridge.run()
    sent = posts(control)
    assert len(sent) == 2 and sent[1]["replayed"] and len({e["idem_key"] for e in sent}) == 1
    once(control, records)


def test_4_a_hang_longer_than_the_client_timeout(
    proxy: FaultProxy, tmp_path: Path, control: Control, make_bridge: MakeBridge
) -> None:
    bridge, records = bridge_through(proxy, tmp_path, make_bridge, read_timeout=0.5)
    proxy.add(Toxic.timeout(0, stream="downstream"))
    bridge.deliverer.step()
    assert bridge.stats.unknown == 1
    proxy.clear()
    bridge.run()
    assert len({e["idem_key"] for e in posts(control)}) == 1
    once(control, records)


def test_11_latency_with_jitter_below_the_timeout(
    proxy: FaultProxy, tmp_path: Path, control: Control, make_bridge: MakeBridge
) -> None:
    bridge, records = bridge_through(proxy, tmp_path, make_bridge, read_timeout=5.0)
    proxy.add(Toxic.latency(1000, 500, stream="downstream"))
    bridge.run()
    assert len(posts(control)) == 1 and bridge.stats.retried == bridge.stats.unknown == 0
    once(control, records)


def test_12_a_trickling_answer_hits_the_deadline_and_is_retried(
    proxy: FaultProxy, tmp_path: Path, control: Control, make_bridge: MakeBridge
) -> None:
    bridge, records = bridge_through(proxy, tmp_path, make_bridge, flows=6, deadline=1.0)
    proxy.add(Toxic.bandwidth(1, stream="downstream"))  # 1 KB/s: the answer takes seconds
    started = time.monotonic()
    bridge.deliverer.step()
    assert time.monotonic() - started < 4 and bridge.stats.unknown == 1
    proxy.clear()
    bridge.run()
    once(control, records)


def test_12_slow_close_does_not_hold_the_bridge(
    proxy: FaultProxy, tmp_path: Path, control: Control, make_bridge: MakeBridge
) -> None:
    bridge, records = bridge_through(proxy, tmp_path, make_bridge)
    proxy.add(Toxic.slow_close(3000, stream="downstream"))
    started = time.monotonic()
    bridge.run()
    assert time.monotonic() - started < 2.5
    once(control, records)


def test_13_one_byte_slices_both_ways(
    proxy: FaultProxy, tmp_path: Path, control: Control, make_bridge: MakeBridge
) -> None:
    bridge, records = bridge_through(proxy, tmp_path, make_bridge, flows=1)
    proxy.add(Toxic.slicer(1, stream="downstream"))
    proxy.add(Toxic.slicer(1, stream="upstream"))
    bridge.run()
    assert bridge.stats.delivered == 1 and bridge.stats.unknown == 0
    stored = {r["batch_code"]: r for r in control.list("/ledger-records")}
    sent = {r["batch_code"]: r for r in bridge.outbox.ops()[0].payload["body"]["records"]}
    assert stored.keys() == sent.keys()
    for code, rec in sent.items():  # byte-identical content where both sides carry the field
        assert {k: stored[code][k] for k in rec} == rec
    once(control, records)


def test_14_a_truncated_answer_is_an_unknown_outcome(
    proxy: FaultProxy, tmp_path: Path, control: Control, make_bridge: MakeBridge
) -> None:
    bridge, records = bridge_through(proxy, tmp_path, make_bridge)
    proxy.add(Toxic.limit_data(300, stream="downstream"))
    bridge.deliverer.step()
    assert bridge.stats.unknown == 1 and bridge.stats.delivered == 0
    proxy.clear()
    bridge.run()
    once(control, records)


def test_15_down_means_refused_then_delivered(
    proxy: FaultProxy, tmp_path: Path, control: Control, make_bridge: MakeBridge
) -> None:
    bridge, records = bridge_through(proxy, tmp_path, make_bridge)
    proxy.set_enabled(False)
    end = time.monotonic() + 1.0
    bridge.deliverer.drain(until=lambda: time.monotonic() > end)
    assert bridge.stats.retried >= 2 and bridge.stats.unknown == 0 and bridge.outbox.counts()["pending"] == 1
    assert posts(control) == []
    proxy.set_enabled(True)
    bridge.run()
    once(control, records)
