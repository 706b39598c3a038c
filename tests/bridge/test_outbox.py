"""The outbox: leases and fencing between two workers (scenario 5), ordering, and dead letters of local records (20)."""

from __future__ import annotations

import csv
import time
from pathlib import Path

from adapters.bridge import Deliverer, NationalClient, Outbox, Stats, check, retry_dead
from adapters.translate import Translator
from contracts.signing import SigningAuth

from .conftest import (
    APP_KEY,
    SECRET,
    Control,
    MakeBridge,
    csv_adapter,
    expected_ledger,
    ledger_records,
    write_ledger,
)


def test_5_a_stalled_worker_is_fenced_off_and_the_record_arrives_once(
    tmp_path: Path, control: Control, make_bridge: MakeBridge
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    records = ledger_records(1, 2)
    write_ledger(folder, records)
    a = make_bridge(csv_adapter(folder), owner="worker-a", lease_s=0.3)
    b = make_bridge(csv_adapter(folder), owner="worker-b", lease_s=30)  # same outbox file, its own connection
    a.reader.read_once()
    (zombie,) = a.outbox.claim("worker-a", 1, 0.3)  # A takes the row, then stalls
    assert b.outbox.claim("worker-b", 1, 30) == []  # leased: B cannot take it yet
    time.sleep(0.4)
    b.deliverer.drain()  # the lease expired: B takes it over with a new fencing token and delivers
    assert b.outbox.counts()["delivered"] == 1
    # A wakes up: it may not send, and even a send that slipped out cannot complete the row
    assert not a.deliverer.outbox_holds(zombie)
    late = a.deliverer.client.post("/ledger-records", zombie.payload["body"], zombie.idem_key)
    assert late.headers.get("idempotent-replayed") == "true"
    assert a.outbox.complete(zombie, "dead", error="zombie") is False
    assert [op.state for op in a.outbox.ops()] == ["delivered"]
    verdict = check(expected_ledger(records), control.journal())
    assert verdict.ok, verdict.counts()
    assert len(control.list("/ledger-records")) == len(records)


def test_two_workers_share_one_outbox_without_duplicates(
    tmp_path: Path, control: Control, make_bridge: MakeBridge, national_url: str
) -> None:
    import threading

    import httpx

    folder = tmp_path / "drop"
    folder.mkdir()
    records = ledger_records(8, 30)  # 8 units, 960 records, 16 batches
    write_ledger(folder, records)
    first = make_bridge(csv_adapter(folder), owner="w1")
    first.reader.read_once()
    second_box = Outbox(first.outbox.path)
    http = httpx.Client(base_url=national_url)
    second = Deliverer(second_box, NationalClient(http, SigningAuth(APP_KEY, SECRET)), owner="w2", stats=Stats())
    t = threading.Thread(target=second.drain)
    t.start()
    first.deliverer.drain()
    t.join()
    second.close()
    second_box.close()
    http.close()
    assert first.stats.delivered > 0 and second.stats.delivered > 0  # both did work
    assert first.stats.delivered + second.stats.delivered == 16
    verdict = check(expected_ledger(records), control.journal())
    assert verdict.ok, verdict.counts()
    posts = [e for e in control.journal() if e["method"] == "POST"]
    assert len(posts) == 16 and not any(e["replayed"] for e in posts)


def test_per_unit_order_holds_under_random_faults(tmp_path: Path, control: Control, make_bridge: MakeBridge) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    records = ledger_records(4, 60)  # 4 units × 240 records: 3 batches each
    write_ledger(folder, records)
    control.fault(kind="error", status=503, probability=0.3, seed=11, path="/api/v1/ledger-records")
    control.fault(kind="commit_then_fail", mode="drop", probability=0.2, seed=12, path="/api/v1/ledger-records")
    bridge = make_bridge(csv_adapter(folder))
    bridge.run(timeout=60)
    counts = bridge.outbox.counts()
    assert counts["pending"] == counts["dead"] == 0 and bridge.stats.delivered_records == len(records)
    assert bridge.stats.retried + bridge.stats.unknown > 0
    verdict = check(expected_ledger(records), control.journal())
    assert verdict.ok, verdict.counts()


def test_20_bad_local_records_are_dead_letters_never_dropped(
    tmp_path: Path, control: Control, make_bridge: MakeBridge
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    records = ledger_records(1, 2)
    path = write_ledger(folder, records)
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    header = list(rows[0])
    broken = [
        dict(rows[0], 统一社会信用代码="91320576MA1MXK3Q7X", 批次编码="HWCSX1"),  # credit code checksum
        dict(rows[0], 废物代码="HW99", 批次编码="HWCSX2"),  # malformed waste code
        dict(rows[0], 数量="-3", 批次编码="HWCSX3"),  # negative weight
        dict(rows[0], 数量="NaN", 批次编码="HWCSX4"),  # not a number
        dict(rows[0], 废物名称="", 批次编码="HWCSX5"),  # a missing field
    ]
    with (folder / "台账导出-2.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, header, lineterminator="\r\n")
        w.writeheader()
        w.writerows(broken)
    bridge = make_bridge(csv_adapter(folder))
    bridge.run()
    letters = bridge.outbox.dead_letters()
    assert len(letters) == len(broken) == bridge.stats.rejected_local
    assert all(d.origin == "local" and d.reasons and d.position.get("line") for d in letters)
    assert [d.record["批次编码"] for d in letters] == [f"HWCSX{i}" for i in range(1, 6)]
    assert bridge.stats.read == len(records) + len(broken)  # in = delivered + dead
    assert check(expected_ledger(records), control.journal()).ok
    # the bookmark moved past them: a second run does not report them twice
    bridge.run()
    assert len(bridge.outbox.dead_letters()) == len(broken)
    # after a fix (here: the operator corrects the stored rows), retry-dead sends them
    with bridge.outbox.tx() as db:
        for d in letters:
            fixed = dict(rows[0], 批次编码=d.record["批次编码"])
            db.execute("UPDATE dead SET record = json(?) WHERE id = ?", (_dumps(fixed), d.id))
    result = retry_dead(bridge.outbox, Translator(csv_adapter(folder).profile()))
    assert result == {"requeued": 5, "still_dead": 0, "skipped": 0}
    bridge.deliverer.drain()
    assert len(control.list("/ledger-records")) == len(records) + 5
    assert bridge.outbox.dead_letters() == []
    assert len(bridge.outbox.dead_letters(include_replayed=True)) == 5


def _dumps(value: object) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def test_an_unreadable_file_is_one_dead_letter_however_often_it_is_read(
    tmp_path: Path, control: Control, make_bridge: MakeBridge
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "台账导出-坏.csv").write_bytes(b"\xff\xfe\x00garbage\x00")
    bridge = make_bridge(csv_adapter(folder))
    bridge.run()
    bridge.run()
    letters = bridge.outbox.dead_letters()
    assert len(letters) == 1 and letters[0].reasons[0]["code"].startswith("input.")
