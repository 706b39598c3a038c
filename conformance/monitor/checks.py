"""The monitor's checks, registered in the shared ``CHECKS`` so a cycle's verdict reads like a conformance run.

Each check judges one cycle (``MonitorContext``) against the configured thresholds and gives one
finding per unit and resource that breaches, with the figure and the threshold. The ids
(``monitor.completeness`` …) are what the alerts, the metrics and the JSON report name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from conformance.suite.model import Category, Evidence, Severity
from conformance.suite.registry import CHECKS, Judgement

from .config import Thresholds
from .health import Health

__all__ = ["MONITOR_CHECKS", "MonitorContext"]

_ORDER_23 = "《危险废物转移管理办法》(部令第23号)"
_HJ_1259 = "HJ 1259-2022《危险废物管理计划和管理台账制定技术导则》"


@dataclass
class MonitorContext:
    """What a cycle's checks judge: health rows, overdue items and the thresholds."""

    health: list[Health]
    thresholds: Thresholds
    overdue: Sequence[Any] = field(default_factory=list)


def _breaches(
    ctx: MonitorContext,
    code: str,
    value: Callable[[Health], float | None],
    bad: Callable[[float], bool],
    limit: float,
    zh: str,
    en: str,
) -> Judgement:
    findings: list[Evidence] = []
    values = [v for h in ctx.health if (v := value(h)) is not None]
    for h in ctx.health:
        v = value(h)
        if v is None or not bad(v):
            continue
        subject = f"{h.unit}/{h.resource}"
        findings.append(
            Evidence(
                code=code,
                message_zh=f"{subject}：{zh} {v:g}（阈值 {limit:g}）",
                message_en=f"{subject}: {en} {v:g} (threshold {limit:g})",
                subject=subject,
                expected=limit,
                actual=v,
                data={"unit": h.unit, "resource": h.resource},
            )
        )
    worst = (min(values) if code.endswith("low") else max(values)) if values else None
    return Judgement(
        findings=findings,
        metrics={"worst": worst, "threshold": limit, "breaches": len(findings)},
        summary_en=f"{len(findings)} unit/resource pair(s) breach the threshold {limit:g}",
        summary_zh=f"{len(findings)} 个单位/资源超出阈值 {limit:g}",
    )


@CHECKS.register(
    id="monitor.completeness",
    title_zh="国家系统数据完整",
    title_en="National data complete",
    category=Category.COMPLETENESS,
    severity=Severity.CRITICAL,
    points=30,
    clause=f"{_ORDER_23} 第十条; {_HJ_1259} 附录B",
)
def completeness(ctx: MonitorContext) -> Judgement:
    """Share of local records present nationally, per unit and resource, at least the minimum."""
    t = ctx.thresholds.completeness_pct_min
    return _breaches(
        ctx, "completeness.low", lambda h: h.completeness_pct, lambda v: v < t, t, "完整率", "completeness %"
    )


@CHECKS.register(
    id="monitor.accuracy",
    title_zh="国家系统数据准确",
    title_en="National data accurate",
    category=Category.ACCURACY,
    severity=Severity.CRITICAL,
    points=30,
    clause=f"{_ORDER_23} 第十条; {_HJ_1259} 附录B",
)
def accuracy(ctx: MonitorContext) -> Judgement:
    """Share of records on both sides whose fields agree, per unit and resource, at least the minimum."""
    t = ctx.thresholds.accuracy_pct_min
    return _breaches(ctx, "accuracy.low", lambda h: h.accuracy_pct, lambda v: v < t, t, "准确率", "accuracy %")


@CHECKS.register(
    id="monitor.lag",
    title_zh="数据实时报送",
    title_en="Records reported in real time",
    category=Category.TIMELINESS,
    severity=Severity.MAJOR,
    points=15,
    clause=f"{_ORDER_23} 第十一条; {_HJ_1259} 5.3",
)
def lag(ctx: MonitorContext) -> Judgement:
    """Lag p95 (local business time → held nationally) per unit and resource, at most the maximum."""
    t = ctx.thresholds.lag_p95_max_seconds
    return _breaches(ctx, "lag.high", lambda h: h.lag_p95_s, lambda v: v > t, t, "延迟p95（秒）", "lag p95 (s)")


@CHECKS.register(
    id="monitor.backlog",
    title_zh="待报送积压",
    title_en="Backlog of unreported records",
    category=Category.TIMELINESS,
    severity=Severity.MAJOR,
    points=10,
    clause=f"{_ORDER_23} 第十一条",
)
def backlog(ctx: MonitorContext) -> Judgement:
    """Records not (or not yet as changed) held nationally, per unit and resource, at most the maximum."""
    t = ctx.thresholds.backlog_max
    return _breaches(ctx, "backlog.high", lambda h: float(h.backlog), lambda v: v > t, t, "积压", "backlog")


@CHECKS.register(
    id="monitor.overdue",
    title_zh="逾期未办事项",
    title_en="Overdue items",
    category=Category.TIMELINESS,
    severity=Severity.MAJOR,
    points=15,
    clause=f"{_ORDER_23} 第十二条; {_HJ_1259} 5.3",
)
def overdue(ctx: MonitorContext) -> Judgement:
    """Overdue items (unconfirmed receipts, late reports …) per unit and resource, at most the maximum."""
    t = ctx.thresholds.overdue_max
    return _breaches(ctx, "overdue.high", lambda h: float(h.overdue), lambda v: v > t, t, "逾期事项", "overdue items")


MONITOR_CHECKS = ("monitor.completeness", "monitor.accuracy", "monitor.lag", "monitor.backlog", "monitor.overdue")
"""The ids of the monitor's checks, in the order reports show them."""
