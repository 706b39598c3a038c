"""One monitor cycle: reconcile both sides, count per unit, observe lag, list overdue items, judge, store.

The reconciliation engine, the overdue rules and the sides come from ``conformance.reconcile``; the
cycle adds what a daily watch needs on top: per-unit figures, lag, the checks' verdict as a
``RunResult`` (``mode="monitor"``, the conformance suite's report shape) and the history.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from conformance.suite.model import CheckResult, Identity, Level, Outcome, RunResult, Score
from conformance.suite.registry import CHECKS
from contracts import CONTRACT_VERSION

from .checks import MONITOR_CHECKS, MonitorContext
from .config import MonitorConfig
from .health import PENDING_KINDS, Health, Pending, event_time, unit_health
from .history import History

__all__ = ["CHINA", "Cycle", "Engine", "as_dict", "run_cycle"]

CHINA = timezone(timedelta(hours=8))
Reconcile = Callable[..., Any]
OverdueFn = Callable[..., Sequence[Any]]
"""``overdue(local, report, resources, now, national=…)``: the cycle's overdue items."""


@dataclass
class Engine:
    """What a cycle calls: ``reconcile(local, national, resources, limit=…)``, ``overdue(local, report, resources, now, national=…)``."""

    reconcile: Reconcile
    overdue: OverdueFn | None = None
    tracks: Callable[[Any, Any, Any], int] | None = None
    """``tracks(local, national, report)``: adds the manifests' track differences to the report."""


@dataclass
class Cycle:
    """The outcome of one cycle."""

    id: int
    run: RunResult
    health: list[Health]
    differences: list[dict[str, Any]]
    overdue: list[dict[str, Any]]
    breaches: dict[str, list[str]] = field(default_factory=dict)
    """Failed check id → the subjects (``unit/resource``) that breach."""

    @property
    def ok(self) -> bool:
        """No threshold breached."""
        return not self.breaches


def as_dict(item: Any) -> dict[str, Any]:
    """A pydantic model, dataclass or mapping as plain JSON-ready data."""
    if hasattr(item, "model_dump"):
        out: dict[str, Any] = item.model_dump(mode="json")
        return out
    if hasattr(item, "__dataclass_fields__"):
        from dataclasses import asdict

        return {k: _plain(v) for k, v in asdict(item).items()}
    return {k: _plain(v) for k, v in dict(item).items()}


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "value") and not isinstance(value, int | float | str | bool):
        return value.value
    return value


class CountingSide:
    """A side that remembers the bucket counts it gave, so per-unit figures cost no second listing."""

    def __init__(self, side: Any) -> None:
        self.side, self.name = side, side.name
        self.seen: dict[Any, int] = {}

    def digests(self, resource: str, buckets: Iterable[Any] | None = None) -> list[Any]:
        """The wrapped side's digests, remembered."""
        out = list(self.side.digests(resource, buckets))
        for d in out:
            self.seen[d.bucket] = d.count
        return out

    def records(self, resource: str, buckets: Iterable[Any]) -> Iterator[dict[str, Any]]:
        """The wrapped side's records."""
        return iter(self.side.records(resource, buckets))

    def counts(self) -> dict[tuple[str, str], int]:
        """Records per (unit, resource)."""
        out: dict[tuple[str, str], int] = defaultdict(int)
        for bucket, n in self.seen.items():
            out[(bucket.unit, bucket.resource)] += n
        return out


def _lag(
    differences: Sequence[Any], history: History, now: datetime
) -> tuple[dict[tuple[str, str], list[float]], list[Pending]]:
    """Lag samples per (unit, resource) and this cycle's pending records (see ``health``)."""
    before = history.pending()
    samples: dict[tuple[str, str], list[float]] = defaultdict(list)
    pending: list[Pending] = []
    for d in differences:
        if d.kind not in PENDING_KINDS:
            continue
        prior = before.get((d.resource, d.key))
        at = prior.event_at if prior else event_time(d.local)
        if at is None:
            continue
        unit = d.unit or "?"
        pending.append(Pending(resource=d.resource, key=d.key, unit=unit, event_at=at))
        samples[(unit, d.resource)].append(max(0.0, (now - at).total_seconds()))
    waiting = {(p.resource, p.key) for p in pending}
    for (resource, key), p in before.items():
        if (resource, key) not in waiting:  # delivered since the last cycle: its lag is frozen now
            samples[(p.unit, resource)].append(max(0.0, (now - p.event_at).total_seconds()))
    return samples, pending


def _judge(ctx: MonitorContext) -> tuple[list[CheckResult], Score, dict[str, list[str]]]:
    results: list[CheckResult] = []
    breaches: dict[str, list[str]] = {}
    deducted = 0
    critical: list[str] = []
    for check_id in MONITOR_CHECKS:
        registered = CHECKS.get(check_id)
        judgement = registered.instantiate()(ctx)
        ok = judgement.ok
        outcome = Outcome.PASS if ok else Outcome.FAIL
        lost = 0 if ok else registered.spec.points
        deducted += lost
        if not ok:
            breaches[check_id] = [f.subject or "" for f in judgement.findings]
            if registered.spec.severity.value == "critical":
                critical.append(check_id)
        results.append(
            CheckResult(
                spec=registered.spec,
                outcome=outcome,
                summary_zh=judgement.summary_zh,
                summary_en=judgement.summary_en,
                findings=judgement.findings,
                metrics=judgement.metrics,
                deducted=lost,
            )
        )
    total = max(0, 100 - deducted)
    score = Score(deducted=deducted, total=total, critical_failures=critical)
    score.level = (
        Level.FAIL if critical or total < score.conditional_at else Level.CONDITIONAL if breaches else Level.PASS
    )
    return results, score, breaches


def run_cycle(
    config: MonitorConfig,
    local: Any,
    national: Any,
    history: History,
    engine: Engine,
    *,
    now: Callable[[], datetime] = lambda: datetime.now(CHINA),
) -> Cycle:
    """Reconcile, judge against the thresholds, store and return the cycle."""
    started = now().astimezone(CHINA)
    resources = list(config.monitor.resources)
    counted_local, counted_national = CountingSide(local), CountingSide(national)
    report = engine.reconcile(counted_local, counted_national, resources, limit=config.monitor.limit)
    if engine.tracks is not None and "manifests" in resources:
        engine.tracks(counted_local, counted_national, report)
    n_local, n_national = counted_local.counts(), counted_national.counts()
    counts = {k: (n_local.get(k, 0), n_national.get(k, 0)) for k in set(n_local) | set(n_national)}
    samples, pending = _lag(report.differences, history, started)
    overdue_items = (
        list(engine.overdue(counted_local, report, resources, started, national=counted_national))
        if engine.overdue
        else []
    )
    overdue_per: dict[tuple[str, str], int] = defaultdict(int)
    for item in overdue_items:
        overdue_per[(getattr(item, "unit", None) or "?", item.resource)] += 1
    health = unit_health(counts, report.differences, samples, overdue_per)
    checks, score, breaches = _judge(MonitorContext(health, config.thresholds, overdue_items))
    finished = now().astimezone(CHINA)
    run = RunResult(
        identity=Identity(
            run_id=str(uuid.uuid4()),
            suite_version="hazlink-monitor 0.1",
            contract_version=CONTRACT_VERSION,
            code_lists={},
            sut_name=config.local.name,
            sut_version="",
            profile=config.local.profile or "files",
            mode="monitor",
            seed=0,
            started_at=started,
            finished_at=finished,
        ),
        score=score,
        checks=checks,
        latencies_s=sorted(s for values in samples.values() for s in values),
        completeness={
            s.resource: {
                "expected": s.local_count,
                "present": s.local_count - s.missing_national,
                "lost": s.missing_national,
                "duplicated": s.duplicates,
                "unexpected": s.missing_local,
            }
            for s in report.summaries
        },
    )
    differences = [as_dict(d) for d in report.differences]
    overdue = [as_dict(o) for o in overdue_items]
    cid = history.save_cycle(
        started_at=started,
        finished_at=finished,
        ok=not breaches,
        breaches=sum(len(v) for v in breaches.values()),
        run_json=run.model_dump_json(),
        health=health,
        differences=differences,
        overdue=overdue,
        truncated=bool(report.truncated),
    )
    history.set_pending(pending)
    history.prune(config.monitor.keep_days, started)
    return Cycle(cid, run, health, differences, overdue, breaches)
