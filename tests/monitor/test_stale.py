"""Stale against the real mock: a record changed locally after the national system wrote it.

The list endpoints give each item its national write time as ``updated_at``; the monitor compares it
with the local record's ``updated_at``. The local export here is exactly what the national side holds,
except for one record changed afterwards: exactly one ``stale`` difference, nothing else.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from conformance.monitor import Monitor, load_config
from conformance.reconcile.resources import WRITE_TIME, spec_of
from contracts.signing import SigningAuth

from .conftest import APP_KEY, DELIVERY, LEDGER, NOW, SECRET, Seeded, key, write_config


def _national(seeded: Seeded) -> list[dict[str, Any]]:
    """Every ledger record the national side lists for the two units, with its national write time."""
    items: list[dict[str, Any]] = []
    with httpx.Client(base_url=seeded.url, timeout=10) as http:
        for unit in (seeded.unit_a, seeded.unit_b):
            answer = http.get(
                "/api/v1/ledger-records", params={"unit": unit, "limit": "500"}, auth=SigningAuth(APP_KEY, SECRET)
            )
            assert answer.status_code == 200, answer.text
            page = answer.json()
            assert page["next_cursor"] is None
            items += page["items"]
    return items


def _cycle_with(tmp_path: Path, seeded: Seeded, local: list[dict[str, Any]]) -> set[tuple[str, str]]:
    config = write_config(tmp_path, seeded)
    spec = spec_of(LEDGER)
    lines = []
    for rec in local:  # canonical contract JSON, plus the local write time where the record has one
        text = spec.canonical(rec)[0]
        if WRITE_TIME in rec:
            text = text[:-1] + f',"{WRITE_TIME}":{json.dumps(rec[WRITE_TIME])}}}'
        lines.append(text + "\n")
    (tmp_path / "ledger.ndjson").write_text("".join(lines), encoding="utf-8")
    mon = Monitor(load_config(config), now=lambda: NOW)
    try:
        cycle = mon.cycle()
    finally:
        mon.history.close()
    assert cycle.overdue == []
    return {(d["kind"], d["key"]) for d in cycle.differences}


def test_a_record_changed_locally_after_delivery_is_stale_and_nothing_else(tmp_path: Path, seeded: Seeded) -> None:
    national = _national(seeded)
    assert len(national) == 16
    for item in national:  # the write time: the mock's business clock at delivery, RFC 3339 with offset
        written = datetime.fromisoformat(item[WRITE_TIME])
        assert written.utcoffset() is not None
        assert written == datetime.fromisoformat(item["occurred_at"]) + DELIVERY
    local = [{k: v for k, v in item.items() if k != WRITE_TIME} for item in national]
    changed = next(r for r in local if r["unit_uscc"] == seeded.unit_b)
    changed["quantity_t"] = "1.234"
    written = datetime.fromisoformat(next(i for i in national if key(i) == key(changed))[WRITE_TIME])

    changed[WRITE_TIME] = (written + timedelta(hours=2)).isoformat()  # changed after the national write
    assert _cycle_with(tmp_path, seeded, local) == {("stale", key(changed))}

    changed[WRITE_TIME] = (written - timedelta(minutes=5)).isoformat()  # changed before it: a plain mismatch
    assert _cycle_with(tmp_path, seeded, local) == {("mismatch", key(changed))}
