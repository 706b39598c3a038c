"""完整 and 实时: every expected record exactly once, each accepted within the service level."""

from __future__ import annotations

import math
from collections import Counter

from ..context import Context
from ..model import Category, Evidence, Severity
from ..registry import CHECKS, Judgement

__all__ = ["latencies"]


@CHECKS.register(
    id="completeness.exactly_once",
    title_zh="记录不丢、不重、无多余",
    title_en="Every record exactly once: nothing lost, duplicated or unexpected",
    category=Category.COMPLETENESS,
    severity=Severity.CRITICAL,
    points=25,
    clause="《固体废物污染环境防治法》第七十五条；对接要求：实时、准确、完整",
)
def exactly_once(ctx: Context) -> Judgement:
    """Expected effects against the journal's: lost, duplicated (a second create or write), unexpected."""
    counts = Counter(o.event for o in ctx.observed)
    scenario = ctx.scenario_of()
    wanted = {e.event for e in ctx.expectations}
    findings: list[Evidence] = []
    for e in ctx.expectations:
        if e.event not in counts:
            findings.append(
                Evidence(
                    code="completeness.lost",
                    message_zh="国家系统未收到该记录",
                    message_en="The national system never received this record",
                    subject=e.event,
                    scenario=e.scenario,
                )
            )
    for event, n in sorted(counts.items()):
        if n > 1:
            findings.append(
                Evidence(
                    code="completeness.duplicated",
                    message_zh=f"同一记录在国家系统生效 {n} 次",
                    message_en=f"The same record took effect {n} times nationally",
                    subject=event,
                    scenario=scenario.get(event),
                    expected=1,
                    actual=n,
                )
            )
    # A draft's edits are not business events of their own: the final content is judged by accuracy.fields.
    for event in sorted(e for e in set(counts) - wanted if not _is_update(e)):
        findings.append(
            Evidence(
                code="completeness.unexpected",
                message_zh="国家系统收到未发生的业务记录",
                message_en="The national system received a record no business event produced",
                subject=event,
            )
        )
    for entry in ctx.sut_entries:
        if entry.get("replayed"):
            continue
        for rec in entry.get("records") or []:
            if rec.get("action") == "duplicate":
                event = f"{rec.get('resource')}/{rec.get('key')}"
                findings.append(
                    Evidence(
                        code="completeness.resent",
                        message_zh="同一记录以新的幂等键再次发送（国家系统按业务主键去重，未重复入库）",
                        message_en="The same record was sent again under a new idempotency key "
                        "(the national side deduplicated it by its natural key)",
                        subject=event,
                        scenario=scenario.get(event),
                        data={"journal_id": entry.get("id")},
                    )
                )
    kinds = Counter(f.code for f in findings)
    return Judgement(
        findings=findings,
        metrics={
            "expected": len(ctx.expectations),
            "observed": sum(counts.values()),
            "lost": kinds["completeness.lost"],
            "duplicated": kinds["completeness.duplicated"],
            "unexpected": kinds["completeness.unexpected"],
            "resent": kinds["completeness.resent"],
        },
        summary_en=f"{len(ctx.expectations)} expected, {kinds['completeness.lost']} lost, "
        f"{kinds['completeness.duplicated']} duplicated, {kinds['completeness.unexpected']} unexpected",
        summary_zh=f"应到 {len(ctx.expectations)} 条，丢失 {kinds['completeness.lost']}，"
        f"重复 {kinds['completeness.duplicated']}，多余 {kinds['completeness.unexpected']}",
    )


def _is_update(event: str) -> bool:
    return event.startswith("manifest/") and event.rsplit("/", 1)[-1].startswith("update")


def latencies(ctx: Context) -> list[tuple[str, str, float]]:
    """(scenario, event, seconds from the business event to national acceptance) per delivered effect."""
    first: dict[str, float] = {}
    for o in ctx.observed:
        first.setdefault(o.event, o.at)
    out = [(e.scenario, e.event, max(0.0, first[e.event] - e.at)) for e in ctx.expectations if e.event in first]
    scenario_of_ref = {e.event.split("/")[1]: e.scenario for e in ctx.expectations if e.event.startswith("manifest/")}
    for ref, events in ctx.track_events.items():
        appends = ctx.track_appends.get(ref, [])
        for at, wanted in events:
            total = 0
            for done, added in appends:
                total += added
                if total >= wanted:
                    out.append((scenario_of_ref.get(ref, ""), f"tracks/{ref}#{wanted}", max(0.0, done - at)))
                    break
    return out


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


@CHECKS.register(
    id="timeliness.latency",
    title_zh="实时上传：业务发生至国家系统受理的时延",
    title_en="Real time: latency from the business event to national acceptance",
    category=Category.TIMELINESS,
    severity=Severity.MAJOR,
    points=15,
    bonus=3,
    clause="生态环境部公告：电子管理台账实时联网；电子转移联单运输轨迹实时记录",
)
def latency(ctx: Context) -> Judgement:
    """p95 and max of per-record latency against the profile's service level."""
    p = ctx.profile
    measured = latencies(ctx)
    if not measured:
        return Judgement(skipped=True, summary_en="no record was delivered", summary_zh="无已送达记录")
    values = [s for _, _, s in measured]
    p50, p95, worst = _pct(values, 0.5), _pct(values, 0.95), max(values)
    findings = [
        Evidence(
            code="timeliness.over_max",
            message_zh=f"时延 {s:.1f} 秒，超过上限 {p.sla_max_s:.0f} 秒",
            message_en=f"Latency {s:.1f} s, over the maximum of {p.sla_max_s:.0f} s",
            subject=event,
            scenario=scenario,
            expected=p.sla_max_s,
            actual=round(s, 3),
        )
        for scenario, event, s in measured
        if s > p.sla_max_s
    ]
    if p95 > p.sla_p95_s:
        findings.insert(
            0,
            Evidence(
                code="timeliness.p95",
                message_zh=f"95 分位时延 {p95:.2f} 秒，超过 {p.sla_p95_s:.1f} 秒",
                message_en=f"95th percentile latency {p95:.2f} s, over {p.sla_p95_s:.1f} s",
                expected=p.sla_p95_s,
                actual=round(p95, 3),
            ),
        )
    return Judgement(
        findings=findings,
        metrics={"records": len(values), "p50_s": round(p50, 3), "p95_s": round(p95, 3), "max_s": round(worst, 3)},
        summary_en=f"p50 {p50:.2f} s, p95 {p95:.2f} s, max {worst:.2f} s over {len(values)} records",
        summary_zh=f"{len(values)} 条记录：中位 {p50:.2f} 秒，95 分位 {p95:.2f} 秒，最大 {worst:.2f} 秒",
        bonus=p95 <= p.bonus_p95_s and not findings,
    )
