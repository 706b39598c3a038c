"""Observe-only certification: a vendor's own bridge run, judged against the vendor's own export."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from adapters.bridge.runner import SyncOptions, run_sync
from conformance.suite.driver import Session
from conformance.suite.model import Level, Outcome
from conformance.suite.observe import certify_observed
from conformance.suite.profiles import PROFILES
from mocks.local import Generator, enterprise_csv
from mocks.national import SeedIn, demo_seed


def _drop(folder: Path, records: list[dict[str, Any]], name: str) -> None:
    enterprise_csv.write_csv(folder / name, [enterprise_csv.render_row(r) for r in records])


def _recent(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records as if they all happened a second ago (live traffic)."""
    now = datetime.now(records[0]["occurred_at"].tzinfo).replace(microsecond=0)
    return [{**r, "occurred_at": now - timedelta(seconds=1)} for r in records]


def _seed(gen: Generator) -> SeedIn:
    from contracts import Unit

    seed = demo_seed()
    seed.units += [Unit.model_validate({**gen.party(u), "management_class": "key"}) for u in gen.units[:2]]
    return seed


def test_a_vendor_bridge_observed_against_its_export_passes_then_a_missing_record_fails(tmp_path: Path) -> None:
    gen = Generator(7, units=4)
    records = _recent(gen.ledger(5, unit=gen.units[0]))
    drop = tmp_path / "drop"
    drop.mkdir()
    _drop(drop, records, "台账导出-1.csv")

    def traffic(session: Session) -> None:
        opts = SyncOptions(
            profile="enterprise-csv",
            source=str(drop),
            national=session.national_url,
            app_key=session.app_key,
            secret=session.app_secret,
            outbox=f"sqlite:{tmp_path / session.run_id}.db",
            settings={"settle_seconds": 0},
            max_seconds=30,
        )
        assert run_sync(opts, progress=lambda *_: None) == 0

    art = certify_observed("enterprise-csv", [drop], traffic, profile=PROFILES["quick"], seed=_seed(gen))
    run = art.result
    assert run.identity.mode == "observe"
    assert not [c for c in run.checks if c.outcome is Outcome.FAIL], [c.findings[:2] for c in run.failed()]
    assert run.score.level is Level.PASS and run.completeness["ledger-records"]["present"] == len(records)

    # The same traffic, but the export holds one more record than the integration ever sent.
    extra = _recent(gen.ledger(1, unit=gen.units[0])[:1])
    late = tmp_path / "late"
    late.mkdir()
    _drop(late, records + extra, "台账导出-1.csv")
    art = certify_observed("enterprise-csv", [late], traffic, profile=PROFILES["quick"], seed=_seed(gen))
    lost = next(c for c in art.result.checks if c.spec.id == "completeness.exactly_once")
    assert lost.outcome is Outcome.FAIL
    assert [f.subject for f in lost.findings] == [
        f"ledger-records/{extra[0]['unit_uscc']}/{extra[0]['kind']}/{extra[0]['batch_code']}"
    ]
    assert art.result.score.level is Level.FAIL
