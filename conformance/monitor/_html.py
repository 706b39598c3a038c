"""Server-rendered pages of the monitor: bilingual labels, inline SVG charts, one bundled stylesheet, no scripts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape
from typing import Any
from urllib.parse import urlencode

from .config import Thresholds
from .health import Health

_KIND = {
    "missing_national": ("国家系统缺失", "missing nationally"),
    "missing_local": ("本地缺失", "missing locally"),
    "mismatch": ("字段不一致", "fields differ"),
    "stale": ("国家系统未更新", "stale nationally"),
    "duplicate_local": ("本地重复", "duplicated locally"),
    "duplicate_national": ("国家系统重复", "duplicated nationally"),
}


def bi(zh: str, en: str) -> str:
    """A bilingual label."""
    return f'{escape(zh)} <span class="en">{escape(en)}</span>'


def page(title: str, body: str, *, refresh: int | None = None) -> str:
    """A whole page around ``body``."""
    meta = f'<meta http-equiv="refresh" content="{refresh}">' if refresh else ""
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">{meta}'
        f'<title>{escape(title)}</title><link rel="stylesheet" href="/static/monitor.css"></head><body>'
        f'<nav><a href="/">{bi("同步健康", "Sync health")}</a> · <a href="/metrics">metrics</a> · '
        f'<a href="/api/run">JSON</a></nav>{body}</body></html>'
    )


def _fmt(value: float | int | None, digits: int = 2) -> str:
    if value is None:
        return "—"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def sparkline(values: Sequence[float | None], *, top: float | None = None, width: int = 110, height: int = 22) -> str:
    """A small inline SVG polyline of ``values`` (0 at the bottom, ``top`` or the largest value at the top)."""
    pts = [v for v in values if v is not None]
    if not pts:
        return ""
    hi = top if top is not None else max(max(pts), 1e-9)
    step = width / max(len(values) - 1, 1)
    coords = [
        f"{i * step:.1f},{height - 2 - (height - 4) * min(v / hi, 1.0):.1f}"
        for i, v in enumerate(values)
        if v is not None
    ]
    return (
        f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">'
        f'<polyline class="c" points="{" ".join(coords)}"/></svg>'
    )


def chart(points: list[dict[str, Any]], title: str) -> str:
    """A daily chart of completeness and accuracy (0–100 %) with day labels."""
    w, h, left, bottom = 360, 150, 30, 20
    n = len(points)
    step = (w - left - 10) / max(n - 1, 1)

    def line(key: str, cls: str) -> str:
        coords = [
            f"{left + i * step:.1f},{10 + (h - bottom - 10) * (1 - (p[key] or 0) / 100):.1f}"
            for i, p in enumerate(points)
            if p.get(key) is not None
        ]
        return f'<polyline class="{cls}" points="{" ".join(coords)}"/>'

    grid = "".join(
        f'<line class="grid" x1="{left}" x2="{w - 10}" y1="{10 + (h - bottom - 10) * (1 - y / 100):.1f}" '
        f'y2="{10 + (h - bottom - 10) * (1 - y / 100):.1f}"/><text x="2" y="{13 + (h - bottom - 10) * (1 - y / 100):.1f}">{y}</text>'
        for y in (0, 50, 100)
    )
    labels = ""
    if points:
        labels = (
            f'<text x="{left}" y="{h - 4}">{escape(str(points[0]["day"]))}</text>'
            f'<text x="{w - 80}" y="{h - 4}">{escape(str(points[-1]["day"]))}</text>'
        )
    return (
        f'<div class="chart-box"><div>{escape(title)}</div>'
        f'<svg class="chart" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img">{grid}'
        f"{line('completeness_pct', 'c')}{line('accuracy_pct', 'a')}{labels}</svg>"
        f'<div class="muted"><span style="color:#0969da">— 完整率 completeness</span> · '
        f'<span style="color:#8250df">— 准确率 accuracy</span></div></div>'
    )


_COLUMNS = (
    ("单位", "Unit"), ("资源", "Resource"), ("本地", "Local"), ("国家", "National"), ("完整率 %", "Completeness %"),
    ("准确率 %", "Accuracy %"), ("延迟 p50 秒", "Lag p50 s"), ("延迟 p95 秒", "Lag p95 s"), ("积压", "Backlog"),
    ("逾期", "Overdue"), ("差异", "Differences"), ("趋势", "Trend"),
)  # fmt: skip


def health_table(rows: Sequence[Health], t: Thresholds, cycle: int, trends: dict[tuple[str, str], Any]) -> str:
    """The health table, a row per unit and resource, breaches marked."""
    head = "".join(f'<th class="{"text" if i < 2 else ""}">{bi(zh, en)}</th>' for i, (zh, en) in enumerate(_COLUMNS))
    out = [f'<table id="health"><thead><tr>{head}</tr></thead><tbody>']
    for h in rows:
        diffs = h.missing_national + h.missing_local + h.mismatched + h.stale + h.duplicates
        query = urlencode({"cycle": cycle, "unit": h.unit, "resource": h.resource})
        link = f'<a class="diff-link" href="/differences?{query}">{diffs}</a>' if diffs else "0"
        cells = [
            ("unit text", escape(h.unit), False),
            ("resource text", escape(h.resource), False),
            ("local", str(h.local_count), False),
            ("national", str(h.national_count), False),
            ("completeness", _fmt(h.completeness_pct), h.completeness_pct < t.completeness_pct_min),
            ("accuracy", _fmt(h.accuracy_pct), h.accuracy_pct < t.accuracy_pct_min),
            ("lag-p50", _fmt(h.lag_p50_s, 0), False),
            ("lag-p95", _fmt(h.lag_p95_s, 0), (h.lag_p95_s or 0) > t.lag_p95_max_seconds),
            ("backlog", str(h.backlog), h.backlog > t.backlog_max),
            ("overdue", str(h.overdue), h.overdue > t.overdue_max),
            ("differences", link, False),
            ("trend", sparkline([p["completeness_pct"] for p in trends.get((h.unit, h.resource), [])], top=100), False),
        ]
        tds = "".join(f'<td class="{c}{" bad" if bad else ""}">{v}</td>' for c, v, bad in cells)
        out.append(f'<tr data-unit="{escape(h.unit)}" data-resource="{escape(h.resource)}">{tds}</tr>')
    out.append("</tbody></table>")
    return "".join(out)


def differences_table(diffs: Sequence[dict[str, Any]], cycle: int) -> str:
    """Differences of one unit and resource, each linking to its field diff."""
    head = "".join(f"<th class='text'>{bi(zh, en)}</th>" for zh, en in (("类型", "Kind"), ("记录", "Record"),
                                                                         ("日期", "Day"), ("字段", "Fields")))  # fmt: skip
    rows = []
    for d in diffs:
        zh, en = _KIND.get(d["kind"], (d["kind"], d["kind"]))
        fields = ", ".join(escape(f["path"]) for f in d.get("fields") or [])
        href = f"/diff/{cycle}/{d['seq']}"
        rows.append(
            f'<tr data-kind="{escape(d["kind"])}"><td class="text">{bi(zh, en)}</td>'
            f'<td class="text"><a class="record-link" href="{href}">{escape(d["key"])}</a></td>'
            f'<td class="text">{escape(str(d.get("day") or "—"))}</td><td class="text">{fields or "—"}</td></tr>'
        )
    return f'<table id="differences"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _value(v: Any) -> str:
    return "—" if v is None else escape(v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))


def diff_view(d: dict[str, Any]) -> str:
    """One record's difference: kind, key, then field, local value, national value and rule."""
    zh, en = _KIND.get(d["kind"], (d["kind"], d["kind"]))
    head = "".join(f"<th class='text'>{bi(a, b)}</th>" for a, b in (("字段", "Field"), ("本地值", "Local value"),
                                                                      ("国家值", "National value"), ("规则", "Rule")))  # fmt: skip
    rows = "".join(
        f'<tr><td class="text field">{escape(f["path"])}</td><td class="text local">{_value(f.get("local"))}</td>'
        f'<td class="text national">{_value(f.get("national"))}</td><td class="text rule">{escape(str(f.get("rule")))}</td></tr>'
        for f in d.get("fields") or []
    )
    table = f'<table id="diff"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>' if rows else ""
    docs = "".join(
        f"<details><summary>{bi(zh_, en_)}</summary><pre>{escape(json.dumps(d.get(k), ensure_ascii=False, indent=2))}</pre></details>"
        for k, zh_, en_ in (("local", "本地记录", "Local record"), ("national", "国家记录", "National record"))
        if d.get(k) is not None
    )
    return (
        f'<h1 id="record">{escape(d["key"])}</h1><p><span class="status breach" id="kind">{bi(zh, en)}</span> '
        f"{escape(d['resource'])} · {escape(str(d.get('unit') or ''))} · {escape(str(d.get('day') or ''))}</p>{table}{docs}"
    )
