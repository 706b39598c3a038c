"""The suite's parts on their own: scenario files, the check registry, scoring levels and waivers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from conformance.suite.judge import score, waive
from conformance.suite.model import Category, CheckResult, CheckSpec, Evidence, Level, Outcome, Severity, Waiver
from conformance.suite.registry import CHECKS, CheckRegistry, Judgement
from conformance.suite.scenario import ScenarioError, load_scenario, shipped_scenarios
from conformance.suite.waivers import WaiverError, load_waivers


def _result(severity: Severity, outcome: Outcome, points: int = 10, check: str = "x.y") -> CheckResult:
    spec = CheckSpec(
        id=check,
        title_zh="测试",
        title_en="test",
        category=Category.ACCURACY,
        severity=severity,
        points=points,
        clause="test",
    )
    findings = [Evidence(code="c", message_zh="z", message_en="e", scenario="s1")] if outcome is Outcome.FAIL else []
    return CheckResult(spec=spec, outcome=outcome, findings=findings, deducted=points if outcome is Outcome.FAIL else 0)


def test_at_least_twelve_scenarios_are_shipped_and_cover_the_business_events() -> None:
    shipped = shipped_scenarios()
    assert len(shipped) >= 12
    verbs = {step.verb for s in shipped.values() for step in s.steps}
    assert verbs >= {"labels", "manifest", "advance", "ledger", "correct", "operations", "report", "outage", "fault"}
    targets = {step.advance.to for s in shipped.values() for step in s.steps if step.advance}
    assert targets >= {"submitted", "in_transit", "received", "rejected", "cancelled"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'name = "x"\ntitle_zh = "x"\ntitle_en = "x"\n[[steps]]\nsettle = true\nclear_faults = true\n',
            "exactly one verb",
        ),
        (
            'name = "x"\ntitle_zh = "x"\ntitle_en = "x"\n[[steps]]\nmanifest = { as = "m", labels = ["d"] }\n',
            "not issued",
        ),
        (
            'name = "x"\ntitle_zh = "x"\ntitle_en = "x"\n[[steps]]\nadvance = { manifest = "m", to = "received" }\n',
            "not created",
        ),
        ('name = "X Y"\ntitle_zh = "x"\ntitle_en = "x"\n[[steps]]\nsettle = true\n', "name"),
        ('name = "x"\ntitle_zh = "x"\ntitle_en = "x"\n[[steps]]\nteleport = true\n', "teleport"),
        ('name = "x"\n[[steps\n', "x.toml"),
    ],
)
def test_a_broken_scenario_file_names_the_file_and_the_problem(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "x.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert str(path) in str(err.value) and message in str(err.value)


def test_every_shipped_check_has_an_id_titles_a_category_and_a_clause() -> None:
    ids = [c.spec.id for c in CHECKS]
    assert len(ids) == len(set(ids)) >= 14
    cats = {c.spec.category for c in CHECKS}
    assert cats == set(Category)
    for c in CHECKS:
        assert c.spec.title_zh and c.spec.title_en and c.spec.clause


def test_the_registry_takes_functions_and_classes_and_refuses_a_second_id() -> None:
    reg = CheckRegistry()

    @reg.register(
        id="demo.fn",
        title_zh="函数",
        title_en="fn",
        category=Category.CONTRACT,
        severity=Severity.MINOR,
        points=1,
        clause="t",
    )
    def fn(ctx: object) -> list[Evidence]:
        return [Evidence(code="bad", message_zh="坏", message_en="bad")]

    @reg.register(
        id="demo.cls",
        title_zh="类",
        title_en="cls",
        category=Category.CONTRACT,
        severity=Severity.MINOR,
        points=1,
        clause="t",
    )
    class Counting:
        def __init__(self) -> None:
            self.seen = 0

        def observe(self, ctx: object, step: object) -> None:
            self.seen += 1

        def after_run(self, ctx: object) -> Judgement:
            return Judgement(metrics={"seen": self.seen}, passed=self.seen == 2)

    assert not reg.get("demo.fn").instantiate()(None).ok
    judge, hook = reg.get("demo.cls").observer()
    assert hook is not None
    hook(None, "a")
    hook(None, "b")
    assert judge(None).ok and judge(None).metrics == {"seen": 2}
    with pytest.raises(ValueError, match="registered twice"):
        reg.register(
            id="demo.fn",
            title_zh="x",
            title_en="x",
            category=Category.CONTRACT,
            severity=Severity.MINOR,
            points=1,
            clause="t",
        )(fn)
    with pytest.raises(TypeError, match="after_run"):
        reg.register(
            id="demo.bad",
            title_zh="x",
            title_en="x",
            category=Category.CONTRACT,
            severity=Severity.MINOR,
            points=1,
            clause="t",
        )(type("NoJudge", (), {}))


def test_levels_follow_severity_and_points() -> None:
    ok = _result(Severity.MINOR, Outcome.PASS)
    assert score([ok], 90, 75).level is Level.PASS
    assert score([ok, _result(Severity.MINOR, Outcome.FAIL, 5)], 90, 75).level is Level.PASS
    assert score([ok, _result(Severity.MINOR, Outcome.FAIL, 15)], 90, 75).level is Level.CONDITIONAL
    assert score([ok, _result(Severity.MAJOR, Outcome.FAIL, 5)], 90, 75).level is Level.CONDITIONAL
    crit = score([ok, _result(Severity.CRITICAL, Outcome.FAIL, 1)], 90, 75)
    assert crit.level is Level.FAIL and crit.critical_failures == ["x.y"]
    assert score([_result(Severity.MINOR, Outcome.FAIL, 30)], 90, 75).level is Level.FAIL
    assert score([_result(Severity.MINOR, Outcome.ERROR, 0)], 90, 75).level is Level.FAIL


def test_a_waiver_in_force_waives_and_an_expired_one_does_not() -> None:
    failed = _result(Severity.CRITICAL, Outcome.FAIL)
    waiver = Waiver(check="x.y", reason="供应商已排期修复", approver="省固废中心 张工", expires=date(2027, 1, 31))
    waived = waive(failed, [waiver], date(2027, 1, 31))
    assert waived.outcome is Outcome.WAIVED and waived.waiver == waiver and waived.deducted == 0
    assert score([waived], 90, 75).level is Level.PASS
    late = waive(failed, [waiver], date(2027, 2, 1))
    assert late.outcome is Outcome.FAIL and late.expired_waiver == waiver and late.deducted == 10
    other_scenario = waiver.model_copy(update={"scenario": "s2"})
    assert waive(failed, [other_scenario], date(2027, 1, 1)).outcome is Outcome.FAIL


def test_waiver_files_are_validated(tmp_path: Path) -> None:
    good = tmp_path / "w.toml"
    good.write_text(
        '[[waiver]]\ncheck = "resilience.retry_after"\nreason = "网关升级中"\napprover = "张工"\nexpires = 2027-01-31\n',
        encoding="utf-8",
    )
    (w,) = load_waivers(good)
    assert w.check == "resilience.retry_after" and w.expires == date(2027, 1, 31)
    bad = tmp_path / "bad.toml"
    bad.write_text('[[waiver]]\ncheck = "x.y"\nreason = "r"\nexpires = 2027-01-31\n', encoding="utf-8")
    with pytest.raises(WaiverError, match="approver"):
        load_waivers(bad)


def test_an_outage_ends_after_its_max_s_even_without_a_restore_step() -> None:
    import time
    from datetime import datetime
    from typing import Any

    from conformance.suite.driver import Event, EventResult
    from conformance.suite.play import Mock, Player
    from conformance.suite.scenario import Scenario
    from conformance.suite.world import World
    from mocks.local import TZ

    class Done:
        def perform(self, event: Event) -> EventResult:
            return EventResult(correlation_id=event.correlation_id, status="done")

    calls: list[tuple[str, str]] = []

    def control(method: str, path: str, body: dict[str, Any] | None) -> None:
        calls.append((method, path))

    player = Player(Done(), World(), Mock(lambda: datetime.now(TZ), control), settle=lambda: time.sleep(0.1))  # type: ignore[arg-type]
    scenario = Scenario.model_validate(
        {
            "name": "short-outage",
            "title_zh": "短中断",
            "title_en": "short outage",
            "steps": [{"outage": {"max_s": 0.05}}, {"settle": True}, {"ledger": {"kinds": ["generate"]}}],
        }
    )
    player.play(scenario)
    assert calls == [("POST", "/_mock/faults"), ("DELETE", "/_mock/faults")]
    window = player.outages[0]
    assert window.end is not None
    (ledger,) = player.expectations
    assert not ledger.during_outage and ledger.at >= window.end
