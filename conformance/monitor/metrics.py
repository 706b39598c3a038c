"""Prometheus text exposition (format 0.0.4): gauges per unit and resource of the last cycle, counters of cycles and alerts."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from .health import Health

__all__ = ["Counters", "render"]

_GAUGES = (
    ("completeness_percent", "completeness_pct", "Share of local records present nationally (%)"),
    ("accuracy_percent", "accuracy_pct", "Share of records on both sides whose fields agree (%)"),
    ("lag_p50_seconds", "lag_p50_s", "Median lag, local business time to held nationally"),
    ("lag_p95_seconds", "lag_p95_s", "95th percentile lag, local business time to held nationally"),
    ("backlog_records", "backlog", "Records the national side lacks or holds in an older state"),
    ("overdue_items", "overdue", "Overdue items (unconfirmed receipts, late reports, late ledger events)"),
    ("local_records", "local_count", "Records in the local system"),
    ("national_records", "national_count", "Records in the national system"),
)
_KINDS = (
    ("missing_national", "missing_national"),
    ("missing_local", "missing_local"),
    ("mismatch", "mismatched"),
    ("stale", "stale"),
    ("duplicate", "duplicates"),
)


@dataclass
class Counters:
    """Counts since the monitor started."""

    cycles: dict[str, int] = field(default_factory=lambda: {"ok": 0, "breach": 0, "error": 0})
    alerts: dict[str, int] = field(default_factory=lambda: {"breach": 0, "recovery": 0})
    alert_failures: int = 0
    last_cycle_ts: float | None = None
    last_cycle_seconds: float | None = None


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _num(value: float | int | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "NaN"
    return repr(float(value)) if isinstance(value, float) else str(value)


def render(health: Sequence[Health], counters: Counters) -> str:
    """The exposition text."""
    lines: list[str] = []

    def family(name: str, kind: str, help_text: str) -> str:
        metric = f"hazlink_monitor_{name}"
        lines.extend([f"# HELP {metric} {help_text}", f"# TYPE {metric} {kind}"])
        return metric

    m = family("cycles_total", "counter", "Monitor cycles run, by outcome")
    lines += [f'{m}{{outcome="{o}"}} {n}' for o, n in counters.cycles.items()]
    m = family("alerts_total", "counter", "Alerts notified, by event")
    lines += [f'{m}{{event="{e}"}} {n}' for e, n in counters.alerts.items()]
    m = family("alert_failures_total", "counter", "Webhook deliveries that failed (retried next cycle)")
    lines.append(f"{m} {counters.alert_failures}")
    m = family("last_cycle_timestamp_seconds", "gauge", "When the last cycle finished (Unix time)")
    lines.append(f"{m} {_num(counters.last_cycle_ts)}")
    m = family("last_cycle_duration_seconds", "gauge", "How long the last cycle took")
    lines.append(f"{m} {_num(counters.last_cycle_seconds)}")
    for name, attr, help_text in _GAUGES:
        m = family(name, "gauge", help_text)
        for h in health:
            labels = f'unit="{_label(h.unit)}",resource="{_label(h.resource)}"'
            lines.append(f"{m}{{{labels}}} {_num(getattr(h, attr))}")
    m = family("differences", "gauge", "Differences found in the last cycle, by kind")
    for h in health:
        for kind, attr in _KINDS:
            labels = f'unit="{_label(h.unit)}",resource="{_label(h.resource)}",kind="{kind}"'
            lines.append(f"{m}{{{labels}}} {getattr(h, attr)}")
    return "\n".join(lines) + "\n"
