"""Manifests' tracks in a monitor cycle, against the real mock on loopback: a fix missing nationally and a GCJ-offset fix."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import httpx

from conformance.monitor import Monitor, load_config
from conformance.reconcile.compare import GCJ_HINT
from conformance.reconcile.resources import spec_of
from conformance.reconcile.tracks import TRACK_RULES, diff_tracks
from contracts.signing import SigningAuth
from tests.mocks.conftest import draft_manifest

from .conftest import APP_KEY, NOW, SECRET, Seeded

FIXES = ["2024-03-25T10:30:00+08:00", "2024-03-25T11:00:00+08:00", "2024-03-25T11:30:00+08:00"]


def _fix(at: str, lat: float, lon: float) -> dict[str, Any]:
    return {"recorded_at": at, "lat": lat, "lon": lon, "speed_kmh": 60.0}


def _call(http: httpx.Client, method: str, path: str, body: Any = None) -> dict[str, Any]:
    headers = {"Idempotency-Key": str(uuid.uuid4())} if method == "POST" else {}
    answer = http.request(method, "/api/v1" + path, json=body, auth=SigningAuth(APP_KEY, SECRET), headers=headers)
    assert answer.status_code in (200, 201), answer.text
    out: dict[str, Any] = answer.json()
    return out


def _in_transit(http: httpx.Client, local_ref: str, points: list[dict[str, Any]]) -> dict[str, Any]:
    """A manifest created, submitted and dispatched nationally with ``points`` as its track; its national copy."""
    no = _call(http, "POST", "/manifests", dict(draft_manifest(), local_ref=local_ref))["manifest_no"]
    _call(http, "POST", f"/manifests/{no}/submit", {})
    _call(http, "POST", f"/manifests/{no}/dispatch", {"dispatched_at": "2024-03-25T10:05:00+08:00"})
    _call(http, "POST", f"/manifests/{no}/tracks", {"points": points})
    return _call(http, "GET", f"/manifests/{no}")


def test_track_differences_are_found_and_nothing_else(tmp_path: Path, seeded: Seeded) -> None:
    here = [_fix(at, 31.30 + i / 100, 120.70 + i / 100) for i, at in enumerate(FIXES)]
    gcj = [dict(p) for p in here]
    gcj[1]["lon"] = here[1]["lon"] + 0.0048  # ~456 m east: GCJ-02 sent as WGS-84
    with httpx.Client(base_url=seeded.url, timeout=10) as http:
        short = _in_transit(http, "JS-TRACK-SHORT", here[:2])  # the last fix never reached the national side
        shifted = _in_transit(http, "JS-TRACK-GCJ", gcj)
        same = _in_transit(http, "JS-TRACK-SAME", here)
    spec = spec_of("manifests")
    (tmp_path / "manifests.ndjson").write_text(
        "".join(spec.canonical(m)[0] + "\n" for m in (short, shifted, same)), encoding="utf-8"
    )
    (tmp_path / "tracks.ndjson").write_text(
        "".join(json.dumps({"manifest_no": ref, "points": here}) + "\n" for ref in ("JS-TRACK-SHORT", "JS-TRACK-GCJ"))
        + json.dumps({"manifest_no": "JS-TRACK-SAME", "points": here[:1]})
        + "\n"
        + json.dumps({"manifest_no": "JS-TRACK-SAME", "points": here[1:]})
        + "\n",
        encoding="utf-8",
    )
    (tmp_path / "national.secret").write_text(SECRET + "\n", encoding="utf-8")
    (tmp_path / "monitor.toml").write_text(
        "\n".join(
            [
                "[local]",
                'files = { manifests = "manifests.ndjson", tracks = "tracks.ndjson" }',
                "[national]",
                f'base_url = "{seeded.url}"',
                f'app_key = "{APP_KEY}"',
                'secret_file = "national.secret"',
                f'units = ["{short["shipper"]["uscc"]}"]',
                "[monitor]",
                'resources = ["manifests"]',
                'history = "sqlite:history.db"',
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    mon = Monitor(load_config(tmp_path / "monitor.toml"), now=lambda: NOW)
    cycle = mon.cycle()
    found = {(d["kind"], d["key"]): d["fields"] for d in cycle.differences}
    assert set(found) == {("mismatch", "JS-TRACK-SHORT"), ("mismatch", "JS-TRACK-GCJ")}
    [missing] = found[("mismatch", "JS-TRACK-SHORT")]
    assert (missing["path"], missing["rule"], missing["national"]) == (f"track[{FIXES[2]}]", TRACK_RULES[0], None)
    [offset] = found[("mismatch", "JS-TRACK-GCJ")]
    assert offset["path"] == f"track[{FIXES[1]}]" and offset["note"] == GCJ_HINT
    assert offset["rule"].startswith("distance(30 m): 45")
    [health] = cycle.health
    assert (health.local_count, health.national_count, health.matched, health.mismatched) == (3, 3, 1, 2)
    assert cycle.run.completeness["manifests"]["present"] == 3
    mon.history.close()


def test_diff_tracks_pairs_fixes_by_time() -> None:
    a = [_fix(FIXES[0], 31.3, 120.7), _fix(FIXES[1], 31.31, 120.71)]
    b = [_fix("2024-03-25T02:30:00.400Z", 31.3001, 120.7), _fix(FIXES[2], 31.32, 120.72)]
    assert [(f.path, f.rule) for f in diff_tracks(a, b)] == [
        (f"track[{FIXES[1]}]", TRACK_RULES[0]),
        (f"track[{FIXES[2]}]", TRACK_RULES[1]),
    ]
