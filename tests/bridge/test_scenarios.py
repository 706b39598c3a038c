"""Reliability scenarios: many rapid saves of one manifest, clock skew, and a rotated secret.

Each is judged on the national journal with ``adapters.bridge.check``: every expected event applied
exactly once and in order, nothing lost, nothing duplicated.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from adapters.bridge import check
from contracts import Manifest
from mocks.local import prov_rest as prov

from .conftest import (
    Control,
    MakeBridge,
    ProvSource,
    csv_adapter,
    expected_ledger,
    ledger_records,
    sample_manifest,
    track_points,
    write_ledger,
)

# The mock's signature window (MockConfig.timestamp_window_s) is ±300 s: 400 s is outside it.
SKEW_S = 400.0


def _posts(control: Control) -> Counter[str]:
    """Non-replayed POSTs that the national side accepted, by the last segment of their path."""
    return Counter(
        e["path"].rsplit("/", 1)[-1]
        for e in control.journal()
        if e["method"] == "POST" and not e["replayed"] and e["status"] is not None and e["status"] < 300
    )


# -- 50 rapid updates to one manifest -------------------------------------------------------------------


def _version(ref: str, status: str, v: int) -> dict[str, Any]:
    """Content version ``v`` of the sample manifest: a line's quantity, then the plate, then the measures change."""
    m = sample_manifest(ref, status)
    m["items"][0]["quantity_t"] = Decimal("1.250000") + Decimal(v) / 100
    if v >= 2:
        m["carriers"][0]["vehicle_plate"] = "苏E8H463"
    if v >= 3:
        m["emergency_measures"] = f"泄漏时用沙土覆盖吸附，禁止明火（第{v}版）。"
    return m


def _same_content(national: dict[str, Any], local: dict[str, Any], ref: str) -> None:
    """The national copy equals the local record field by field (numbering and local reference aside)."""
    nat = Manifest.model_validate({k: v for k, v in national.items() if k != "updated_at"})  # listed: + write time
    loc = Manifest.model_validate({k: v for k, v in local.items() if not k.startswith("_")})
    for name in Manifest.model_fields:
        if name not in ("manifest_no", "local_ref"):
            assert getattr(nat, name) == getattr(loc, name), name
    assert nat.local_ref == ref


def _puts(control: Control) -> list[dict[str, Any]]:
    return [e for e in control.journal() if e["method"] == "PUT" and not e["replayed"]]


def test_fifty_rapid_saves_of_one_manifest_apply_each_step_once_in_order(
    prov_source: ProvSource, control: Control, make_bridge: MakeBridge
) -> None:
    ref = "20243205990050"
    statuses = ["draft"] * 8 + ["submitted"] * 8 + ["in_transit"] * 26 + ["received"] * 8
    assert len(statuses) == 50
    # The draft is edited while it is saved: versions 0..5 over the first 8 saves, then it stays at 5.
    versions = [0, 1, 1, 2, 2, 3, 4, 5] + [5] * 42
    points = track_points(sample_manifest(ref, "in_transit"), 26)
    reads_after = {3, 9, 16, 20, 29, 41, 45}  # the bridge reads (and delivers) between some of the saves
    bridge = make_bridge(prov_source.adapter())
    n_point = 0
    for i, status in enumerate(statuses):
        prov_source.system.save("ldxx", prov.render_manifest(_version(ref, status, versions[i])))
        if status == "in_transit":  # every save on the road comes with the newest GPS fix
            prov_source.system.save("gjxx", prov.render_track(ref, points[n_point]))
            n_point += 1
        prov_source.now += timedelta(seconds=1)  # saves a second apart: rapid next to a read every few
        if i in reads_after:
            bridge.run()
    bridge.run()
    kinds = [op.kind for op in bridge.outbox.ops()]
    steps = [k for k in kinds if k != "manifest_tracks"]
    # created at version 2 (read after save 3); the next read sees version 5, still a draft nationally
    assert steps == ["manifest_create", "manifest_update", "manifest_submit", "manifest_dispatch", "manifest_receive"]
    assert {op.state for op in bridge.outbox.ops()} == {"delivered"}
    assert bridge.outbox.counts()["dead_letters"] == 0
    (national,) = control.list("/manifests")
    assert national["status"] == "received" and national["local_ref"] == ref
    _same_content(national, _version(ref, "received", 5), ref)  # the local final version, field by field
    listed = control.list(f"/manifests/{national['manifest_no']}/tracks")
    assert len(listed) == 26  # every fix once
    events = ("create", "update", "submit", "dispatch", "receive")
    expected = [(f"manifest:{ref}", f"manifest/{ref}/{s}") for s in events]
    verdict = check(expected, control.journal(), control.aliases())
    assert verdict.ok, verdict.counts()
    assert verdict.observed == 5
    sent = _posts(control)
    assert {k: sent[k] for k in ("manifests", "submit", "dispatch", "receive")} == dict.fromkeys(
        ("manifests", "submit", "dispatch", "receive"), 1
    )
    assert sent["tracks"] == kinds.count("manifest_tracks")  # each append once: no step sent twice
    assert len(_puts(control)) == 1


def test_draft_edits_are_sent_once_each_and_edits_after_submit_are_not(
    prov_source: ProvSource, control: Control, make_bridge: MakeBridge
) -> None:
    ref = "20243205990051"

    def save(status: str, v: int) -> None:
        prov_source.system.save("ldxx", prov.render_manifest(_version(ref, status, v)))
        prov_source.tick()

    bridge = make_bridge(prov_source.adapter())
    save("draft", 0)
    bridge.run()
    save("draft", 1)
    bridge.run()
    bridge.close()
    restarted = make_bridge(prov_source.adapter())  # same outbox: the content already sent is remembered
    save("draft", 1)  # saved again without a change
    restarted.run()
    assert [op.kind for op in restarted.outbox.ops()] == ["manifest_create", "manifest_update"]
    save("draft", 2)
    save("submitted", 3)  # edited and submitted between two reads: the edit goes before the submit
    restarted.run()
    save("submitted", 4)  # an edit after submit is not sent (the national side would refuse it)
    restarted.run()
    kinds = [op.kind for op in restarted.outbox.ops()]
    assert kinds == ["manifest_create", "manifest_update", "manifest_update", "manifest_submit"]
    assert {op.state for op in restarted.outbox.ops()} == {"delivered"}
    assert restarted.outbox.counts()["dead_letters"] == 0
    (national,) = control.list("/manifests")
    assert national["status"] == "submitted"
    _same_content(national, _version(ref, "submitted", 3), ref)  # the last version sent while a draft
    puts = _puts(control)
    assert len(puts) == 2 and all(e["status"] == 200 for e in puts)
    updates = [r for e in control.journal() for r in e["records"] if r["action"] == "updated"]
    assert len(updates) == 2
    expected = [(f"manifest:{ref}", f"manifest/{ref}/{s}") for s in ("create", "update", "submit")]
    verdict = check(expected, control.journal(), control.aliases())
    assert verdict.duplicated == [f"manifest/{ref}/update"]  # two versions, one event name (see checker)
    assert not (verdict.lost or verdict.unexpected or verdict.reordered)


# -- clock skew -----------------------------------------------------------------------------------------


def _ledger_drop(tmp_path: Path) -> tuple[Path, list[dict[str, object]]]:
    folder = tmp_path / "drop"
    folder.mkdir()
    records = ledger_records(2, 3)  # 2 units × 12 records: one batch each
    write_ledger(folder, records)
    return folder, records


def _timestamp_refusals(control: Control) -> int:
    return sum(1 for e in control.journal() if e["status"] == 401 and e["code"] == "auth.timestamp")


def test_a_skewed_clock_without_correction_keeps_everything_retryable_until_it_is_fixed(
    tmp_path: Path, control: Control, make_bridge: MakeBridge
) -> None:
    folder, records = _ledger_drop(tmp_path)
    offset = [SKEW_S]  # the bridge host's clock runs 400 s ahead of the national one
    bridge = make_bridge(csv_adapter(folder), sign_clock=lambda: time.time() + offset[0], correct_skew=False)
    bridge.run(timeout=1.5)
    counts = bridge.outbox.counts()
    assert counts["delivered"] == 0 and counts["dead"] == 0 and counts["dead_letters"] == 0
    assert counts["pending"] == 2 and counts["retrying"] == 2  # nothing lost: retryable, never dead
    assert _timestamp_refusals(control) >= 2
    assert all(not e["records"] for e in control.journal())  # refused before anything was stored
    offset[0] = 0.0  # NTP puts the clock right
    bridge.run()
    assert bridge.outbox.counts()["delivered"] == 2
    verdict = check(expected_ledger(records), control.journal())
    assert verdict.ok, verdict.counts()
    assert verdict.observed == len(records)


def test_a_skewed_clock_is_corrected_from_the_date_of_the_refusal(
    tmp_path: Path, control: Control, make_bridge: MakeBridge
) -> None:
    folder, records = _ledger_drop(tmp_path)
    bridge = make_bridge(csv_adapter(folder), sign_clock=lambda: time.time() - SKEW_S)  # 400 s behind
    bridge.run()
    assert bridge.outbox.counts()["delivered"] == 2 and bridge.outbox.counts()["dead_letters"] == 0
    assert abs(bridge.client.skew - SKEW_S) < 2  # learned from the Date header of the 401
    assert 1 <= _timestamp_refusals(control) <= 2  # the first attempt of each group, at most
    verdict = check(expected_ledger(records), control.journal())
    assert verdict.ok, verdict.counts()
    assert verdict.observed == len(records)


def test_the_mock_clock_does_not_move_the_signature_window(
    tmp_path: Path, control: Control, make_bridge: MakeBridge
) -> None:
    # The mock checks signature timestamps against its host's time, not against the clock that
    # /_mock/clock moves (that one dates records and idempotency): skew is a property of the bridge host.
    folder, records = _ledger_drop(tmp_path)
    control.clock(advance_s=SKEW_S * 3)
    bridge = make_bridge(csv_adapter(folder))
    bridge.run()
    assert bridge.outbox.counts()["delivered"] == 2 and _timestamp_refusals(control) == 0
    assert check(expected_ledger(records), control.journal()).ok


# -- secret rotation ------------------------------------------------------------------------------------


def test_a_rotated_secret_stalls_delivery_without_loss_until_the_bridge_restarts_with_it(
    tmp_path: Path, control: Control, make_bridge: MakeBridge
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    records = ledger_records(2, 4)  # 16 records of each unit: half before the rotation, half after
    before, after = records[:8] + records[16:24], records[8:16] + records[24:]
    write_ledger(folder, before, name="台账导出-1.csv")
    old = make_bridge(csv_adapter(folder))
    old.run()
    assert old.outbox.counts()["delivered"] == 2
    control.rotate_secret("secret-bridge-0002")  # the national side now holds only the new secret
    write_ledger(folder, after, name="台账导出-2.csv")
    old.run(timeout=1.5)  # the running bridge still signs with the secret it read at start
    counts = old.outbox.counts()
    assert counts["pending"] == 2 and counts["retrying"] == 2 and counts["dead_letters"] == 0
    refused = [e for e in control.journal() if e["status"] == 401]
    assert refused and {e["code"] for e in refused} == {"auth.signature"}
    old.close()
    new = make_bridge(csv_adapter(folder), secret="secret-bridge-0002")  # restarted with the new secret file
    new.run()
    assert new.outbox.counts()["delivered"] == 4 and new.outbox.counts()["pending"] == 0
    verdict = check(expected_ledger(records), control.journal())
    assert verdict.ok, verdict.counts()
    assert verdict.observed == len(records)
