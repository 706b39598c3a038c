"""End to end against the mock on loopback: ledger batches and a manifest lifecycle, exactly once, in order."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

from adapters.bridge import check
from mocks.local import prov_rest as prov

from .conftest import (
    Control,
    MakeBridge,
    ProvSource,
    csv_adapter,
    expected_ledger,
    ledger_key,
    ledger_records,
    sample_manifest,
    track_points,
    write_ledger,
)


def test_ledger_records_arrive_exactly_once_in_unit_order(
    tmp_path: Path, control: Control, make_bridge: MakeBridge
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    records = ledger_records(3, 30)  # 3 units × 120 records: one batch of 100 and one of 20 per unit
    write_ledger(folder, records)
    bridge = make_bridge(csv_adapter(folder))
    bridge.run()
    counts = bridge.outbox.counts()
    assert counts["delivered"] == 6 and counts["pending"] == 0 and counts["dead_letters"] == 0
    listed = control.list("/ledger-records")
    assert sorted(map(ledger_key, listed)) == sorted(map(ledger_key, records))
    verdict = check(expected_ledger(records), control.journal())
    assert verdict.ok, verdict.counts()
    assert verdict.observed == len(records)
    # a second run reads nothing new and sends nothing
    before = len(control.journal())
    bridge.run()
    assert len(control.journal()) == before


def test_a_manifest_lifecycle_with_tracks_is_delivered_in_order(
    prov_source: ProvSource, control: Control, make_bridge: MakeBridge
) -> None:
    m = sample_manifest("20243205990001", "received")
    prov_source.save_manifest(m, points=5)
    prov_source.tick()
    bridge = make_bridge(prov_source.adapter())
    bridge.run()
    kinds = [op.kind for op in bridge.outbox.ops()]
    assert kinds == [
        "manifest_create",
        "manifest_submit",
        "manifest_dispatch",
        "manifest_tracks",
        "manifest_receive",
    ]
    assert {op.state for op in bridge.outbox.ops()} == {"delivered"}
    national = control.list("/manifests")
    assert len(national) == 1 and national[0]["status"] == "received"
    assert national[0]["local_ref"] == "20243205990001"
    no = national[0]["manifest_no"]
    assert len(control.list(f"/manifests/{no}/tracks")) == 5
    expected = [
        ("manifest:20243205990001", f"manifest/20243205990001/{s}") for s in ("create", "submit", "dispatch", "receive")
    ]
    verdict = check(expected, control.journal(), control.aliases())
    assert verdict.ok, verdict.counts()
    posts = Counter(e["path"].rsplit("/", 1)[-1] for e in control.journal() if e["method"] == "POST")
    assert posts == Counter({"manifests": 1, "submit": 1, "dispatch": 1, "tracks": 1, "receive": 1})


def test_later_snapshots_enqueue_only_the_missing_steps(
    prov_source: ProvSource, control: Control, make_bridge: MakeBridge
) -> None:
    ref = "20243205990002"
    prov_source.save_manifest(sample_manifest(ref, "submitted"))
    prov_source.tick()
    bridge = make_bridge(prov_source.adapter())
    bridge.run()
    assert control.list("/manifests")[0]["status"] == "submitted"
    prov_source.save_manifest(sample_manifest(ref, "in_transit"), points=3)
    prov_source.tick()
    bridge.run()
    prov_source.save_manifest(sample_manifest(ref, "received"))
    prov_source.tick()
    bridge.run()
    kinds = [op.kind for op in bridge.outbox.ops()]
    assert kinds == [
        "manifest_create",
        "manifest_submit",
        "manifest_dispatch",
        "manifest_tracks",
        "manifest_receive",
    ]
    national = control.list("/manifests")
    assert len(national) == 1 and national[0]["status"] == "received"
    expected = [(f"manifest:{ref}", f"manifest/{ref}/{s}") for s in ("create", "submit", "dispatch", "receive")]
    assert check(expected, control.journal(), control.aliases()).ok


def _save_points(prov_source: ProvSource, m: dict[str, object], n: int) -> None:
    for p in track_points(m, n):
        prov_source.system.save("gjxx", prov.render_track(str(m["manifest_no"]), p))


def test_track_points_read_before_their_manifest_wait_for_its_dispatch(
    prov_source: ProvSource, control: Control, make_bridge: MakeBridge
) -> None:
    # The fixes are in the window read first; the manifest was saved again a moment later (received), so
    # the read sees it only next time. Its append must not head the group ahead of the create.
    ref = "20243205990003"
    m = sample_manifest(ref, "received")
    _save_points(prov_source, m, 5)
    prov_source.tick()
    bridge = make_bridge(prov_source.adapter())
    bridge.run(timeout=5.0)
    assert bridge.outbox.ops() == [] and bridge.outbox.counts()["dead_letters"] == 0
    prov_source.save_manifest(m)
    prov_source.tick()
    bridge.run(timeout=5.0)
    kinds = [op.kind for op in bridge.outbox.ops()]
    assert kinds == ["manifest_create", "manifest_submit", "manifest_dispatch", "manifest_tracks", "manifest_receive"]
    assert {op.state for op in bridge.outbox.ops()} == {"delivered"}
    national = control.list("/manifests")
    assert len(national) == 1 and national[0]["status"] == "received"
    assert len(control.list(f"/manifests/{national[0]['manifest_no']}/tracks")) == 5


def test_track_points_read_before_the_dispatch_are_sent_after_it(
    prov_source: ProvSource, control: Control, make_bridge: MakeBridge
) -> None:
    ref = "20243205990004"
    prov_source.save_manifest(sample_manifest(ref, "submitted"))
    prov_source.tick()
    bridge = make_bridge(prov_source.adapter())
    bridge.run(timeout=5.0)
    moving = sample_manifest(ref, "in_transit")
    _save_points(prov_source, moving, 2)  # fixes first, the in-transit version of the manifest later
    prov_source.tick()
    bridge.run(timeout=5.0)
    assert [op.kind for op in bridge.outbox.ops()] == ["manifest_create", "manifest_submit"]
    _save_points(prov_source, {**moving, "dispatched_at": moving["dispatched_at"] + timedelta(minutes=2)}, 2)
    prov_source.save_manifest(moving)
    prov_source.tick()
    bridge.run(timeout=5.0)
    kinds = [op.kind for op in bridge.outbox.ops()]
    assert kinds == ["manifest_create", "manifest_submit", "manifest_dispatch", "manifest_tracks"]
    assert {op.state for op in bridge.outbox.ops()} == {"delivered"} and bridge.outbox.counts()["dead_letters"] == 0
    no = control.list("/manifests")[0]["manifest_no"]
    assert len(control.list(f"/manifests/{no}/tracks")) == 4
