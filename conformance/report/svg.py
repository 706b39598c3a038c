"""Inline SVG figures of the HTML certificate: the latency histogram and the completeness bars.

The figures are plain, well-formed SVG (parseable as XML) with no external references, so the
certificate stays a single file that renders offline. Every bar carries its figures as ``data-*``
attributes and a ``<title>`` tooltip, so a reader (or a test) can check a drawing against the data.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

from .serial import clean

__all__ = ["Bin", "completeness_svg", "fmt_seconds", "latency_bins", "latency_histogram_svg", "percentile"]

_NS = "http://www.w3.org/2000/svg"
# A spread wider than this (max / min) is drawn on log-spaced bins, otherwise on linear bins from 0.
_LOG_SPREAD = 20.0
_W, _H = 720, 300
_LEFT, _RIGHT, _TOP, _BOTTOM = 60, 20, 34, 56


@dataclass(frozen=True)
class Bin:
    """One histogram bin: samples ``lo <= v < hi`` (the last bin also holds ``v == hi``)."""

    lo: float
    hi: float
    count: int


def percentile(values: Sequence[float], q: float) -> float | None:
    """The nearest-rank ``q``-th percentile (0 < q ≤ 100) of ``values``, or None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def fmt_seconds(value: float) -> str:
    """Seconds in a short human form: ``0.012``, ``1.5``, ``240``."""
    if value >= 100:
        return f"{value:.0f}"
    return f"{value:.3g}" if value >= 0.001 or value == 0 else f"{value:.1e}"


def _edges(low: float, high: float, bins: int) -> tuple[list[float], bool]:
    if low > 0 and high / low > _LOG_SPREAD:
        ratio = math.log(high / low)
        return [low * math.exp(ratio * i / bins) for i in range(bins + 1)], True
    top = high if high > 0 else 1.0
    return [top * i / bins for i in range(bins + 1)], False


def _layout(latencies: Sequence[float], sla: Mapping[str, float], bins: int) -> tuple[list[Bin], bool]:
    values = [v for v in latencies if math.isfinite(v) and v >= 0]
    if not values or bins < 1:
        return [], False
    # The SLA limits widen the range so their lines always fall on the drawing.
    limits = [v for v in sla.values() if math.isfinite(v) and v > 0]
    edges, log = _edges(min(values), max([*values, *limits]), bins)
    counts = [0] * bins
    for v in values:
        counts[min(max(bisect_right(edges, v) - 1, 0), bins - 1)] += 1
    return [Bin(edges[i], edges[i + 1], counts[i]) for i in range(bins)], log


def latency_bins(latencies: Sequence[float], sla: Mapping[str, float] | None = None, bins: int = 24) -> list[Bin]:
    """Histogram bins of the latencies: log-spaced when they span more than a factor 20, else linear from 0."""
    return _layout(latencies, sla or {}, bins)[0]


def _x_of(value: float, first: float, last: float, log: bool) -> float:
    if log:
        t = (math.log(max(value, first)) - math.log(first)) / (math.log(last) - math.log(first))
    else:
        t = (value - first) / (last - first) if last > first else 0.0
    return _LEFT + min(max(t, 0.0), 1.0) * (_W - _LEFT - _RIGHT)


def _esc(text: str) -> str:
    return escape(clean(text))


def _text(x: float, y: float, label: str, anchor: str = "middle", cls: str = "lbl") -> str:
    return f'<text class="{cls}" x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">{_esc(label)}</text>'


def latency_histogram_svg(latencies: Sequence[float], sla: Mapping[str, float], bins: int = 24) -> str:
    """The latency histogram as inline SVG, with the SLA p95/max lines and p50/p95/max figures; '' without data."""
    histogram, log = _layout(latencies, sla, bins)
    if not histogram:
        return ""
    plot_w, plot_h = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM
    base_y = _TOP + plot_h
    tallest = max(b.count for b in histogram) or 1
    width = plot_w / len(histogram)
    first, last = histogram[0].lo, histogram[-1].hi
    p50, p95, top = (percentile(latencies, q) for q in (50, 95, 100))
    figures = f"n={len(latencies)} · p50 {fmt_seconds(p50 or 0)} s · p95 {fmt_seconds(p95 or 0)} s · max {fmt_seconds(top or 0)} s"
    parts = [
        f'<svg xmlns="{_NS}" class="histogram" viewBox="0 0 {_W} {_H}" width="{_W}" height="{_H}" role="img" '
        f'aria-label="时延分布 latency histogram">',
        "<title>时延分布 latency histogram</title>",
        _text(_LEFT, 16, figures, "start", "fig"),
        f'<line class="axis" x1="{_LEFT}" y1="{base_y}" x2="{_W - _RIGHT}" y2="{base_y}"/>',
        f'<line class="axis" x1="{_LEFT}" y1="{_TOP}" x2="{_LEFT}" y2="{base_y}"/>',
    ]
    for i, b in enumerate(histogram):
        h = b.count / tallest * plot_h
        parts.append(
            f'<rect class="bar" x="{_LEFT + i * width + 0.5:.2f}" y="{base_y - h:.2f}" width="{max(width - 1, 0.5):.2f}" '
            f'height="{h:.2f}" data-lo="{b.lo:.6g}" data-hi="{b.hi:.6g}" data-count="{b.count}">'
            f"<title>{fmt_seconds(b.lo)}–{fmt_seconds(b.hi)} s: {b.count}</title></rect>"
        )
    step = max(1, len(histogram) // 6)
    for i in [*range(0, len(histogram), step), len(histogram)]:
        edge = histogram[i].lo if i < len(histogram) else last
        parts.append(_text(_LEFT + i * width, base_y + 14, fmt_seconds(edge)))
    for count in sorted({0, tallest // 2, tallest}):
        parts.append(_text(_LEFT - 6, base_y - count / tallest * plot_h + 4, str(count), "end"))
    scale = "对数 log" if log else "线性 linear"
    parts.append(_text(_LEFT + plot_w / 2, _H - 14, f"时延 latency (s, {scale})"))
    parts.append(
        f'<text class="lbl" x="14" y="{_TOP + plot_h / 2:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 14 {_TOP + plot_h / 2:.1f})">记录数 records</text>'
    )
    for key, cls, label in (("p95_s", "sla-p95", "SLA p95"), ("max_s", "sla-max", "SLA max")):
        limit = sla.get(key)
        if limit is None or not math.isfinite(limit) or limit <= 0:
            continue
        x = _x_of(limit, first, last, log)
        parts.append(
            f'<line class="{cls}" x1="{x:.2f}" y1="{_TOP}" x2="{x:.2f}" y2="{base_y}" data-value="{limit:.6g}"/>'
        )
        parts.append(_text(x - 3, _TOP + (10 if key == "p95_s" else 22), f"{label} {fmt_seconds(limit)} s", "end", cls))
    if p95 is not None:
        x = _x_of(p95, first, last, log)
        parts.append(
            f'<line class="obs-p95" x1="{x:.2f}" y1="{_TOP}" x2="{x:.2f}" y2="{base_y}" data-value="{p95:.6g}"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


_KINDS = (
    ("expected", "应有", "c-exp"),
    ("present", "已有", "c-pre"),
    ("lost", "丢失", "c-lost"),
    ("duplicated", "重复", "c-dup"),
    ("unexpected", "多余", "c-unx"),
)


def completeness_svg(completeness: Mapping[str, Mapping[str, int]]) -> str:
    """Completeness as inline SVG: per resource, one bar each for expected/present/lost/duplicated/unexpected."""
    if not completeness:
        return ""
    row, gap, label_w, width = 16, 14, 230, _W
    tallest = max([1, *(v for figures in completeness.values() for v in figures.values())])
    height = len(completeness) * (len(_KINDS) * row + gap + 18) + 8
    parts = [
        f'<svg xmlns="{_NS}" class="completeness" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="完整性 completeness"><title>完整性 completeness</title>'
    ]
    y = 8.0
    for resource in sorted(completeness):
        figures = completeness[resource]
        parts.append(_text(4, y + 12, resource, "start", "res"))
        y += 18
        for key, zh, cls in _KINDS:
            value = int(figures.get(key, 0))
            w = value / tallest * (width - label_w - 60)
            parts.append(_text(label_w - 8, y + 12, f"{zh} {key}", "end"))
            parts.append(
                f'<rect class="cbar {cls}" x="{label_w}" y="{y + 2:.1f}" width="{w:.2f}" height="{row - 4}" '
                f'data-resource="{_esc(resource)}" data-kind="{key}" data-value="{value}"><title>'
                f"{_esc(resource)} {zh} {key}: {value}</title></rect>"
            )
            parts.append(_text(label_w + w + 6, y + 12, str(value), "start"))
            y += row
        y += gap
    parts.append("</svg>")
    return "".join(parts)
