"""Operation reports in a monitor cycle: one monthly report filed late and one never filed are overdue, nothing else."""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path
from typing import Any

import httpx

from conformance.monitor import Monitor, load_config
from conformance.reconcile.resources import spec_of
from contracts.signing import SigningAuth

from .conftest import APP_KEY, NOW, SECRET, Seeded

SAMPLES = Path(__file__).resolve().parents[2] / "contracts" / "samples"
OPS = "operation-records"


def _samples(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (SAMPLES / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def _post(url: str, path: str, body: dict[str, Any]) -> None:
    with httpx.Client(base_url=url, timeout=10) as http:
        answer = http.post(
            "/api/v1" + path,
            json=body,
            auth=SigningAuth(APP_KEY, SECRET),
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
    assert answer.status_code in (200, 201), answer.text


def test_late_and_missing_reports_are_overdue(tmp_path: Path, seeded: Seeded) -> None:
    records = _samples("operations.ndjson")  # March 2024: its monthly report is filed, late
    may = copy.deepcopy(records[0])
    may.update(record_id="JY202405-0001", occurred_at="2024-05-10T09:00:00+08:00")
    records.append(may)  # May 2024: no report is filed
    for rec in records:
        _post(seeded.url, "/operation-records", rec)
    late = dict(_samples("operation-reports.ndjson")[0], submitted_at="2024-04-20T10:00:00+08:00")
    _post(seeded.url, "/operation-reports", late)
    spec = spec_of(OPS)
    (tmp_path / "ops.ndjson").write_text("".join(spec.canonical(r)[0] + "\n" for r in records), encoding="utf-8")
    (tmp_path / "national.secret").write_text(SECRET + "\n", encoding="utf-8")
    unit, licence = records[0]["unit_uscc"], records[0]["license_no"]
    (tmp_path / "monitor.toml").write_text(
        "\n".join(
            [
                "[local]",
                'files = { operation-records = "ops.ndjson" }',
                "[national]",
                f'base_url = "{seeded.url}"',
                f'app_key = "{APP_KEY}"',
                'secret_file = "national.secret"',
                f'units = ["{unit}"]',
                "[monitor]",
                'resources = ["operation-records"]',
                'history = "sqlite:history.db"',
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    mon = Monitor(load_config(tmp_path / "monitor.toml"), now=lambda: NOW)
    cycle = mon.cycle()
    assert cycle.differences == []  # the books agree; only the reports are late
    found = {(o["rule"], o["key"]) for o in cycle.overdue}
    assert found == {
        ("report.filed_late", f"{licence}/monthly/2024-03"),
        ("report.missing", f"{licence}/monthly/2024-05"),
    }  # the annual 2024 report is not due before 31 January 2025
    assert {(o["resource"], o["unit"]) for o in cycle.overdue} == {("operation-reports", unit)}
    assert [(h.resource, h.overdue) for h in cycle.health if h.unit == unit] == [
        (OPS, 0),
        ("operation-reports", 2),
    ]
    mon.history.close()
