"""The conformance suite end to end: the reference integration passes, every faulty one fails on its check.

A suite that passes a faulty integration is the worst defect it can have, so each of the nine
deliberately faulty integrations is certified with the full shipped scenario set and must fail on the
check named for its defect (and not be rated 合格). They run five at a time: a run mostly waits.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from conformance.cli import app
from conformance.reference import DEFECTS, ReferenceIntegration
from conformance.report import verify_bundle
from conformance.suite.driver import HttpDriver
from conformance.suite.driver_server import driver_app
from conformance.suite.model import Level, Outcome, RunResult
from conformance.suite.profiles import PROFILES
from conformance.suite.runner import RunOptions, certify
from conformance.suite.scenario import shipped_scenarios
from mocks.national.server import running


def _failed(run: RunResult) -> set[str]:
    return {c.spec.id for c in run.checks if c.outcome is Outcome.FAIL}


@pytest.fixture(scope="module")
def faulty_runs() -> dict[str, RunResult]:
    def run(name: str) -> RunResult:
        return certify(ReferenceIntegration(DEFECTS[name][0]), RunOptions(profile=PROFILES["quick"])).result

    with ThreadPoolExecutor(5) as pool:
        return dict(zip(DEFECTS, pool.map(run, DEFECTS), strict=True))


def test_the_reference_integration_passes_every_check(tmp_path: Path) -> None:
    report, junit = tmp_path / "report", tmp_path / "junit.xml"
    result = CliRunner().invoke(app, ["certify", "--demo", "--report", str(report), "--junit", str(junit)])
    assert result.exit_code == 0, result.output
    run = RunResult.model_validate_json((report / "report.json").read_text(encoding="utf-8"))
    assert run.score.level is Level.PASS
    assert not _failed(run), [c.findings[:3] for c in run.checks if c.outcome is Outcome.FAIL]
    # every check ran on something: the shipped scenarios exercise them all
    assert {c.spec.id for c in run.checks if c.outcome is Outcome.SKIPPED} == set()
    assert len(run.scenarios) >= 12 and all(s.outcome is Outcome.PASS for s in run.scenarios)
    assert run.completeness["ledger-records"]["lost"] == 0 and run.completeness["manifests"]["present"] > 0
    assert max(run.latencies_s) <= run.sla["max_s"]
    assert verify_bundle(report) == []
    journal = (report / "journal.ndjson").read_text(encoding="utf-8").splitlines()
    assert journal and all(json.loads(line)["id"] for line in journal)
    assert "<testsuite" in junit.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", list(DEFECTS))
def test_each_faulty_integration_fails_on_its_check(name: str, faulty_runs: dict[str, RunResult]) -> None:
    run = faulty_runs[name]
    check = DEFECTS[name][1]
    assert check in _failed(run), f"{name}: {check} passed; failed were {sorted(_failed(run))}"
    assert run.score.level is not Level.PASS
    assert not run.passed
    failing = next(c for c in run.checks if c.spec.id == check)
    assert failing.findings and failing.deducted == failing.spec.points


def test_faulty_findings_name_what_went_wrong(faulty_runs: dict[str, RunResult]) -> None:
    def codes(name: str, check: str) -> set[str]:
        return {f.code for c in faulty_runs[name].checks if c.spec.id == check for f in c.findings}

    assert "completeness.lost" in codes("drops-records", "completeness.exactly_once")
    # the national side deduplicates by natural key; the suite still sees the second send
    assert codes("duplicates-on-retry", "completeness.exactly_once") & {
        "completeness.duplicated",
        "completeness.resent",
    }
    kg = next(c for c in faulty_runs["kg-as-tonnes"].checks if c.spec.id == "accuracy.fields")
    assert any(f.data.get("path") == "quantity_t" and "kilograms" in (f.data.get("note") or "") for f in kg.findings)
    assert "accuracy.track_offset" in codes("gcj02-as-wgs84", "accuracy.tracks")
    assert "retry.too_early" in codes("ignores-retry-after", "resilience.retry_after")
    assert "lifecycle.illegal_transition" in codes("actions-out-of-order", "accuracy.lifecycle_order")
    assert "auth.signature" in codes("signs-wrongly", "security.signatures")
    assert "backlog.not_backfilled" in codes("no-backfill", "resilience.backlog_drained")
    delayed = next(c for c in faulty_runs["delays-10-minutes"].checks if c.spec.id == "timeliness.latency")
    assert delayed.metrics["max_s"] is not None and float(delayed.metrics["max_s"]) >= 600


def test_a_system_under_test_over_the_http_driver_protocol() -> None:
    scenarios = shipped_scenarios()
    chosen = [scenarios[n] for n in ("labels", "in-province-manifest", "rate-limited")]
    with running(driver_app(ReferenceIntegration())) as url:
        driver = HttpDriver(url)
        assert "shared_clock" not in driver.info().capabilities
        art = certify(driver, RunOptions(scenarios=chosen, profile=PROFILES["quick"], mode="driver"))
    assert art.result.score.level is Level.PASS, [c.findings[:2] for c in art.result.failed()]
    assert art.result.identity.sut_name == "hazlink-reference"
    assert {s.name for s in art.result.scenarios} == {"labels", "in-province-manifest", "rate-limited"}


class _Partial:
    """The reference integration, except that it cannot perform manifest events."""

    def __init__(self) -> None:
        self.inner = ReferenceIntegration()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def perform(self, event: Any) -> Any:
        if event.event.startswith("manifest."):
            from conformance.suite.driver import EventResult

            return EventResult(correlation_id=event.correlation_id, status="unsupported")
        return self.inner.perform(event)


def test_an_event_the_system_cannot_perform_fails_its_scenario() -> None:
    chosen = [shipped_scenarios()["in-province-manifest"]]
    run = certify(_Partial(), RunOptions(scenarios=chosen, profile=PROFILES["quick"])).result  # type: ignore[arg-type]
    outcomes = next(c for c in run.checks if c.spec.id == "accuracy.scenario_outcomes")
    assert outcomes.outcome is Outcome.FAIL
    assert {f.code for f in outcomes.findings} >= {"scenario.event_not_performed", "scenario.outcome"}
    assert run.scenarios[0].outcome is Outcome.FAIL and run.score.level is not Level.PASS


def test_a_driver_that_breaks_the_protocol_is_a_harness_error() -> None:
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    async def nonsense(request: Any) -> PlainTextResponse:
        return PlainTextResponse("hello")

    broken = Starlette(routes=[Route("/driver/v1/{rest:path}", nonsense, methods=["GET", "POST"])])
    with running(broken) as url:
        result = CliRunner().invoke(app, ["certify", "--driver", url, "--scenarios", "labels"])
    assert result.exit_code == 2
    assert "driver" in result.output and "unexpected body" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--demo", "--driver", "http://127.0.0.1:1"], "either --driver URL or --demo"),
        (["--demo", "--profile", "nope"], "no profile 'nope'"),
        (["--demo", "--scenarios", "no-such-scenario"], "no scenario 'no-such-scenario'"),
        (["--demo", "--defect", "nope"], "no defect 'nope'"),
    ],
)
def test_bad_options_are_harness_errors(args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["certify", *args])
    assert result.exit_code == 2
    assert message in result.output
