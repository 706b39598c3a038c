"""Judging a played run: every registered check, waivers, the score with its level, the scenarios' outcomes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from . import checks as _checks  # noqa: F401 - registers the shipped checks
from .checks.flow import latencies
from .context import Context
from .model import CheckResult, Identity, Level, Outcome, RunResult, ScenarioResult, Score, Severity, Waiver
from .registry import CHECKS, CheckRegistry, Judgement
from .scenario import Scenario

__all__ = ["judge", "score", "waive"]


def waive(result: CheckResult, waivers: Iterable[Waiver], today: date) -> CheckResult:
    """A failed check covered by a waiver in force becomes ``waived``; an expired waiver is noted, not applied."""
    if result.outcome is not Outcome.FAIL:
        return result
    for w in waivers:
        if w.check != result.spec.id:
            continue
        if w.scenario is not None and any(f.scenario != w.scenario for f in result.findings):
            continue  # the waiver covers one scenario's findings, and others failed too
        if w.active(today):
            return result.model_copy(update={"outcome": Outcome.WAIVED, "waiver": w, "deducted": 0})
        result = result.model_copy(update={"expired_waiver": w})
    return result


def score(results: list[CheckResult], pass_at: int, conditional_at: int) -> Score:
    """100 minus deductions plus bonuses, and the level.

    - 不合格 fail: a critical check failed (or a check could not run), or the total is under ``conditional_at``;
    - 基本合格 conditional: a major check failed, or the total is under ``pass_at``;
    - 合格 pass: at most minor checks failed and the total reaches ``pass_at``.
    """
    deducted = sum(r.deducted for r in results)
    bonus = sum(r.bonus for r in results)
    total = max(0, 100 - deducted + bonus)
    failed = [r for r in results if r.outcome is Outcome.FAIL]
    critical = [r.spec.id for r in failed if r.spec.severity is Severity.CRITICAL]
    errors = [r.spec.id for r in results if r.outcome is Outcome.ERROR]
    if critical or errors or total < conditional_at:
        level = Level.FAIL
    elif total < pass_at or any(r.spec.severity is Severity.MAJOR for r in failed):
        level = Level.CONDITIONAL
    else:
        level = Level.PASS
    return Score(
        deducted=deducted,
        bonus=bonus,
        total=total,
        level=level,
        pass_at=pass_at,
        conditional_at=conditional_at,
        critical_failures=critical + errors,
    )


def _result(spec: Any, j: Judgement) -> CheckResult:
    outcome = Outcome.SKIPPED if j.skipped and not j.findings else Outcome.PASS if j.ok else Outcome.FAIL
    return CheckResult(
        spec=spec,
        outcome=outcome,
        summary_en=j.summary_en,
        summary_zh=j.summary_zh,
        findings=j.findings,
        metrics=j.metrics,
        deducted=spec.points if outcome is Outcome.FAIL else 0,
        bonus=spec.bonus if outcome is Outcome.PASS and j.bonus else 0,
    )


def judge(
    ctx: Context,
    identity: Identity,
    scenarios: list[Scenario],
    durations: dict[str, tuple[float, int]],
    waivers: list[Waiver],
    only: list[str] | None = None,
    registry: CheckRegistry | None = None,
) -> tuple[RunResult, list[dict[str, Any]]]:
    """Run the checks over ``ctx``; the run's result and the accuracy diffs for the evidence bundle."""
    reg = registry or CHECKS
    today = identity.started_at.date()
    results: list[CheckResult] = []
    for check in reg.select(only):
        if check.spec.id.startswith("monitor."):
            continue  # the monitor's checks judge reconciliations, not certification runs
        try:
            j = check.instantiate()(ctx)
        except Exception as exc:  # a broken check is the harness's failure, never the SUT's pass
            results.append(
                CheckResult(
                    spec=check.spec,
                    outcome=Outcome.ERROR,
                    summary_en=f"the check crashed: {exc!r}",
                    summary_zh=f"检查项运行出错：{exc!r}",
                )
            )
            continue
        results.append(waive(_result(check.spec, j), waivers, today))
    run = RunResult(
        identity=identity,
        score=score(results, ctx.profile.pass_at, ctx.profile.conditional_at),
        checks=results,
        scenarios=_scenarios(ctx, scenarios, results, durations),
        latencies_s=[round(s, 4) for _, _, s in latencies(ctx)],
        sla={"p95_s": ctx.profile.sla_p95_s, "max_s": ctx.profile.sla_max_s},
        completeness=_completeness(ctx),
    )
    diffs = [
        {"check": r.spec.id, **f.model_dump(mode="json")}
        for r in results
        if r.spec.category.value == "accuracy"
        for f in r.findings
    ]
    return run, diffs


def _scenarios(
    ctx: Context, scenarios: list[Scenario], results: list[CheckResult], durations: dict[str, tuple[float, int]]
) -> list[ScenarioResult]:
    observed = {o.event for o in ctx.observed}
    out = []
    for s in scenarios:
        mine = [e for e in ctx.expectations if e.scenario == s.name]
        failed = sorted(
            {
                r.spec.id
                for r in results
                if r.outcome in (Outcome.FAIL, Outcome.ERROR) and any(f.scenario == s.name for f in r.findings)
            }
        )
        out.append(
            ScenarioResult(
                name=s.name,
                title_zh=s.title_zh,
                title_en=s.title_en,
                outcome=Outcome.FAIL if failed else Outcome.PASS,
                events=durations.get(s.name, (0.0, 0))[1],
                expected_records=len(mine),
                observed_records=sum(e.event in observed for e in mine),
                duration_s=round(durations.get(s.name, (0.0, 0))[0], 3),
                failed_checks=failed,
            )
        )
    return out


def _completeness(ctx: Context) -> dict[str, dict[str, int]]:
    counts: dict[str, int] = {}
    for o in ctx.observed:
        counts[o.event] = counts.get(o.event, 0) + 1
    wanted = {e.event for e in ctx.expectations}
    out: dict[str, dict[str, int]] = {}

    def bucket(event: str) -> dict[str, int]:
        name = event.split("/", 1)[0].split("@", 1)[0]
        name = "manifests" if name == "manifest" else name
        return out.setdefault(name, {"expected": 0, "present": 0, "lost": 0, "duplicated": 0, "unexpected": 0})

    for e in ctx.expectations:
        b = bucket(e.event)
        b["expected"] += 1
        n = counts.get(e.event, 0)
        b["present" if n else "lost"] += 1
        b["duplicated"] += max(0, n - 1)
    for event, n in counts.items():
        if event not in wanted:
            bucket(event)["unexpected"] += n
    return out
