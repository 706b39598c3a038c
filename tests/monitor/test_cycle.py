"""One cycle against the real mock national API: every planted difference found and nothing else, figures, history."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from conformance.cli import monitor as monitor_cli
from conformance.monitor import Monitor, load_config
from conformance.monitor.checks import MONITOR_CHECKS
from conformance.suite.model import Outcome, RunResult
from conformance.suite.registry import CHECKS

from .conftest import LEDGER, NOW, Seeded, key, write_config


def _monitor(tmp_path: Path, seeded: Seeded, now: Any = None, **overrides: Any) -> Monitor:
    return Monitor(load_config(write_config(tmp_path, seeded, **overrides)), now=now or (lambda: NOW))


def test_every_planted_difference_is_found_and_nothing_else(tmp_path: Path, seeded: Seeded) -> None:
    mon = _monitor(tmp_path, seeded)
    cycle = mon.cycle()
    found = {(d["kind"], d["key"]) for d in cycle.differences}
    assert found == seeded.expected
    mismatch = next(d for d in cycle.differences if d["kind"] == "mismatch")
    assert [(f["path"], float(f["local"]), float(f["national"])) for f in mismatch["fields"]] == [
        ("quantity_t", float(seeded.mismatch["quantity_t"]), 9.999)
    ]
    by_unit = {h.unit: h for h in cycle.health}
    a, b = by_unit[seeded.unit_a], by_unit[seeded.unit_b]
    assert (a.local_count, a.national_count) == (9, 8)
    assert (a.missing_national, a.missing_local, a.mismatched, a.duplicates) == (1, 1, 1, 1)
    assert a.completeness_pct == pytest.approx(100 * 8 / 9)
    assert a.accuracy_pct == pytest.approx(100 * 6 / 7)
    assert a.backlog == 1
    occurred = seeded.missing_national["occurred_at"]
    from datetime import datetime

    assert a.lag_p95_s == pytest.approx((NOW - datetime.fromisoformat(occurred)).total_seconds())
    assert a.overdue == 1  # the missing ledger event was not reported within 24 h
    assert cycle.overdue[0]["rule"] == "ledger.unreported" and cycle.overdue[0]["key"] == key(seeded.missing_national)
    assert (b.local_count, b.national_count, b.matched, b.backlog, b.overdue) == (8, 8, 8, 0, 0)
    assert (b.completeness_pct, b.accuracy_pct, b.lag_p95_s) == (100.0, 100.0, None)
    assert cycle.ok  # within the lenient thresholds of the test config
    mon.history.close()


def test_cycle_verdict_is_a_run_result_of_registered_checks(tmp_path: Path, seeded: Seeded) -> None:
    mon = _monitor(tmp_path, seeded, completeness_pct_min=99.0, backlog_max=0)
    cycle = mon.cycle()
    run = RunResult.model_validate_json(cycle.run.model_dump_json())
    assert run.identity.mode == "monitor"
    assert [c.spec.id for c in run.checks] == list(MONITOR_CHECKS)
    assert all(c.spec == CHECKS.get(c.spec.id).spec for c in run.checks)
    failed = {c.spec.id: c for c in run.failed()}
    assert set(failed) == {"monitor.completeness", "monitor.backlog"}
    assert [f.subject for f in failed["monitor.completeness"].findings] == [f"{seeded.unit_a}/{LEDGER}"]
    assert cycle.breaches == {
        "monitor.completeness": [f"{seeded.unit_a}/{LEDGER}"],
        "monitor.backlog": [f"{seeded.unit_a}/{LEDGER}"],
    }
    assert next(c for c in run.checks if c.spec.id == "monitor.accuracy").outcome is Outcome.PASS
    assert run.completeness[LEDGER] == {"expected": 17, "present": 16, "lost": 1, "duplicated": 1, "unexpected": 1}
    mon.history.close()


def _cli() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(monitor_cli.app, name="monitor")
    return app


def test_run_once_exits_1_on_breach_0_when_healthy_2_on_bad_config(tmp_path: Path, seeded: Seeded) -> None:
    runner = CliRunner()
    healthy = write_config(tmp_path, seeded)
    result = runner.invoke(
        _cli(), ["monitor", "run", "--once", "--config", str(healthy), "--json", str(tmp_path / "r.json")]
    )
    assert result.exit_code == 0, result.output
    assert seeded.unit_a in result.output and "88.89" in result.output and "85.71" in result.output
    assert RunResult.model_validate_json((tmp_path / "r.json").read_text()).identity.mode == "monitor"
    strict = write_config(tmp_path, seeded, accuracy_pct_min=90.0)
    result = runner.invoke(_cli(), ["monitor", "run", "--once", "--config", str(strict)])
    assert result.exit_code == 1, result.output
    (tmp_path / "bad.toml").write_text(strict.read_text().replace("accuracy_pct_min = 90.0", 'accuracy_pct_min = "x"'))
    result = runner.invoke(_cli(), ["monitor", "run", "--once", "--config", str(tmp_path / "bad.toml")])
    assert result.exit_code == 2
    assert "thresholds.accuracy_pct_min" in result.output
    assert "secret-monitor" not in result.output


def test_history_keeps_cycles_trends_and_diffs(tmp_path: Path, seeded: Seeded) -> None:
    clock = [NOW - timedelta(days=2)]
    mon = _monitor(tmp_path, seeded, now=lambda: clock[0])
    first = mon.cycle()
    clock[0] = NOW - timedelta(days=1)
    mon.cycle()
    seeded.post([seeded.missing_national])  # delivered: the lag of the pending record freezes now
    clock[0] = NOW
    last = mon.cycle()
    h = mon.history
    assert [c.id for c in h.cycles()] == [last.id, last.id - 1, first.id]
    trend = h.trends(7, NOW)[(seeded.unit_a, LEDGER)]
    assert [p["day"] for p in trend] == ["2024-11-30", "2024-12-01", "2024-12-02"]
    assert [round(p["completeness_pct"], 2) for p in trend] == [88.89, 88.89, 100.0]
    a = next(x for x in last.health if x.unit == seeded.unit_a)
    from datetime import datetime

    lag = (NOW - datetime.fromisoformat(seeded.missing_national["occurred_at"])).total_seconds()
    assert a.backlog == 0 and a.lag_p95_s == pytest.approx(lag)
    old = h.differences(first.id, seeded.unit_a, LEDGER)
    mism = next(d for d in old if d["kind"] == "mismatch")
    assert h.difference(first.id, mism["seq"])["fields"][0]["path"] == "quantity_t"  # type: ignore[index]
    assert h.difference(first.id, 999) is None
    h.close()
