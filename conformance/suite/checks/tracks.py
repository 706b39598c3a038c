"""Transport tracks: complete (no gap the source does not have) and plausible (speed, time window, ends)."""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise
from typing import Any

from conformance.reconcile.compare import distance_m

from ..context import Context
from ..model import Category, Evidence, Severity
from ..registry import CHECKS, Judgement

__all__: list[str] = []


def _t(p: dict[str, Any]) -> float:
    return datetime.fromisoformat(p["recorded_at"]).timestamp()


def _scenarios(ctx: Context) -> dict[str, str]:
    return {e.event.split("/")[1]: e.scenario for e in ctx.expectations if e.event.startswith("manifest/")}


@CHECKS.register(
    id="completeness.tracks",
    title_zh="运输轨迹完整",
    title_en="Transport tracks complete",
    category=Category.COMPLETENESS,
    severity=Severity.MAJOR,
    points=8,
    clause="部令第23号 第十九条：运输轨迹实时记录",
)
def tracks_complete(ctx: Context) -> Judgement:
    """Every local fix is held nationally, and no gap above the profile's interval is absent from the source."""
    scenario = _scenarios(ctx)
    findings: list[Evidence] = []
    for ref, local in ctx.tracks_truth.items():
        national = ctx.tracks_national.get(ref, [])
        have = {round(_t(p)) for p in national}
        missing = [p["recorded_at"] for p in local if round(_t(p)) not in have]
        if missing:
            findings.append(
                Evidence(
                    code="tracks.points_missing",
                    message_zh=f"国家系统缺少 {len(missing)} 个轨迹点",
                    message_en=f"{len(missing)} track fixes missing nationally",
                    subject=f"tracks/{ref}",
                    scenario=scenario.get(ref),
                    expected=len(local),
                    actual=len(national),
                    data={"missing": missing[:50]},
                )
            )
        source_gaps = _gaps(sorted(_t(p) for p in local), ctx.profile.track_gap_s)
        for start, end in _gaps(sorted(_t(p) for p in national), ctx.profile.track_gap_s):
            if (start, end) not in source_gaps:
                findings.append(
                    Evidence(
                        code="tracks.gap",
                        message_zh=f"轨迹中断 {end - start:.0f} 秒，本地轨迹无此中断",
                        message_en=f"A {end - start:.0f} s gap in the track that the local track does not have",
                        subject=f"tracks/{ref}",
                        scenario=scenario.get(ref),
                        data={"from": start, "to": end},
                    )
                )
    return Judgement(findings=findings, metrics={"tracks": len(ctx.tracks_truth)}, skipped=not ctx.tracks_truth)


def _gaps(times: list[float], limit: float) -> set[tuple[float, float]]:
    return {(a, b) for a, b in pairwise(times) if b - a > limit}


@CHECKS.register(
    id="tracks.plausible",
    title_zh="运输轨迹合理",
    title_en="Transport tracks plausible",
    category=Category.ACCURACY,
    severity=Severity.MINOR,
    points=5,
    clause="部令第23号 第十九条；轨迹时间须在起运与接收之间",
)
def tracks_plausible(ctx: Context) -> Judgement:
    """Times forward and inside dispatch–receipt, speeds under the profile's limit, ends near the two sites."""
    scenario = _scenarios(ctx)
    p = ctx.profile
    findings: list[Evidence] = []

    def add(ref: str, code: str, zh: str, en: str, **data: Any) -> None:
        findings.append(
            Evidence(
                code=code, message_zh=zh, message_en=en, subject=f"tracks/{ref}", scenario=scenario.get(ref), data=data
            )
        )

    for ref, points in ctx.tracks_national.items():
        if not points:
            continue
        pts = sorted(points, key=_t)
        m = (ctx.national.get("manifests", {}).get(ref) or [{}])[-1]
        start = m.get("dispatched_at")
        end = m.get("received_at")
        if start and _t(pts[0]) < datetime.fromisoformat(start).timestamp():
            add(ref, "tracks.before_dispatch", "轨迹早于起运时间", "A fix before the dispatch time")
        if end and _t(pts[-1]) > datetime.fromisoformat(end).timestamp():
            add(ref, "tracks.after_receipt", "轨迹晚于接收时间", "A fix after the receipt time")
        for a, b in pairwise(pts):
            hours = (_t(b) - _t(a)) / 3600
            km = distance_m(float(a["lat"]), float(a["lon"]), float(b["lat"]), float(b["lon"])) / 1000
            if hours > 0 and km / hours > p.max_speed_kmh:
                add(
                    ref,
                    "tracks.speed",
                    f"两点间速度 {km / hours:.0f} km/h",
                    f"{km / hours:.0f} km/h between fixes",
                    at=b["recorded_at"],
                )
        sites = ctx.sites.get(ref)
        if sites and m.get("status") == "received":
            (sx, sy), (rx, ry) = sites
            d0 = distance_m(sy, sx, float(pts[0]["lat"]), float(pts[0]["lon"]))
            d1 = distance_m(ry, rx, float(pts[-1]["lat"]), float(pts[-1]["lon"]))
            if d0 > p.site_radius_m:
                add(ref, "tracks.start_far", f"起点距移出人 {d0:.0f} 米", f"Track starts {d0:.0f} m from the shipper")
            if d1 > p.site_radius_m:
                add(ref, "tracks.end_far", f"终点距接受人 {d1:.0f} 米", f"Track ends {d1:.0f} m from the receiver")
    return Judgement(findings=findings, skipped=not ctx.tracks_national)
