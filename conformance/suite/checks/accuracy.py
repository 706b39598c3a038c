"""准确: what the national side stored equals what the local system holds; manifests move in legal order."""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime
from typing import Any

from conformance.reconcile.compare import Tolerances, diff_records, distance_m

from ..context import Context
from ..model import Category, Evidence, Severity
from ..registry import CHECKS, Judgement

__all__: list[str] = []

_ACTION_PATH = re.compile(r"^/api/v1/manifests/[^/]+/(submit|dispatch|receive|reject|cancel|tracks)$")
_ORDER = {"create": 0, "update": 0, "submit": 1, "dispatch": 2, "receive": 3, "reject": 3, "cancel": 2}


def _aligned(resource: str, truth: dict[str, Any], national: dict[str, Any]) -> dict[str, Any]:
    """The local record in the form the national copy should have (manifests: local number as ``local_ref``)."""
    if resource == "labels":  # the QR payload is issued with the code, by the national side
        return {**truth, "qr_payload": national.get("qr_payload")}
    if resource != "manifests":
        return truth
    local = copy.deepcopy(truth)
    local["local_ref"] = truth["manifest_no"]
    local["manifest_no"] = national.get("manifest_no")
    return local


@CHECKS.register(
    id="accuracy.fields",
    title_zh="字段准确：国家系统所存与本地一致",
    title_en="Field accuracy: what the national side stored equals the local record",
    category=Category.ACCURACY,
    severity=Severity.CRITICAL,
    points=20,
    bonus=2,
    clause="对接要求：准确；HJ 1259-2022、部令第23号 联单内容",
)
def fields(ctx: Context) -> Judgement:
    """Field by field, unit-, precision- and datum-aware (tonnes to 6 places, times to the second)."""
    tol = Tolerances(distance_m=ctx.profile.distance_m)
    scenario = ctx.scenario_of()
    findings: list[Evidence] = []
    compared = 0
    for resource, records in sorted(ctx.truth.items()):
        for key, local in records.items():
            copies = ctx.national.get(resource, {}).get(key)
            if not copies:
                continue  # missing nationally: completeness says so
            compared += 1
            national = copies[-1]
            diffs = diff_records(resource, _aligned(resource, local, national), national, tol)
            for d in diffs:
                hint = f"; {d.note}" if d.note else ""
                findings.append(
                    Evidence(
                        code="accuracy.field_mismatch",
                        message_zh=f"字段 {d.path} 与本地不一致（{d.rule}）{hint}",
                        message_en=f"Field {d.path} differs from the local record ({d.rule}){hint}",
                        subject=f"{resource}/{key}",
                        scenario=scenario.get(f"{resource}/{key}") or _scenario_for(ctx, resource, key),
                        expected=d.local,
                        actual=d.national,
                        data={"path": d.path, "rule": d.rule, "resource": resource, "note": d.note},
                    )
                )
    return Judgement(
        findings=findings,
        metrics={"records_compared": compared, "fields_differing": len(findings)},
        summary_en=f"{compared} records compared, {len(findings)} fields differ",
        summary_zh=f"比对 {compared} 条记录，{len(findings)} 个字段不一致",
        bonus=compared > 0 and not findings,
        skipped=compared == 0,
    )


def _scenario_for(ctx: Context, resource: str, key: str) -> str | None:
    prefix = "manifest/" + key + "/" if resource == "manifests" else f"{resource}/{key}"
    for e in ctx.expectations:
        if e.event.startswith(prefix):
            return e.scenario
    return None


@CHECKS.register(
    id="accuracy.tracks",
    title_zh="轨迹坐标准确（WGS-84）",
    title_en="Track positions accurate (WGS-84)",
    category=Category.ACCURACY,
    severity=Severity.CRITICAL,
    points=10,
    clause="部令第23号 第十九条；GB/T 19391 坐标系",
)
def tracks(ctx: Context) -> Judgement:
    """Each fix the national side holds lies within the profile's distance of the local fix of the same time."""
    scenario = {e.event.split("/")[1]: e.scenario for e in ctx.expectations if e.event.startswith("manifest/")}
    findings: list[Evidence] = []
    compared = 0
    worst = 0.0
    for ref, local_points in ctx.tracks_truth.items():
        national = {_second(p["recorded_at"]): p for p in ctx.tracks_national.get(ref, [])}
        for p in local_points:
            q = national.get(_second(p["recorded_at"]))
            if q is None:
                continue
            compared += 1
            d = distance_m(float(p["lat"]), float(p["lon"]), float(q["lat"]), float(q["lon"]))
            worst = max(worst, d)
            if d > ctx.profile.distance_m:
                hint = "；偏移量符合 GCJ-02 未转换特征" if 300 <= d <= 700 else ""
                hint_en = "; an offset typical of GCJ-02 sent as WGS-84" if 300 <= d <= 700 else ""
                findings.append(
                    Evidence(
                        code="accuracy.track_offset",
                        message_zh=f"轨迹点偏离 {d:.0f} 米{hint}",
                        message_en=f"Track fix {d:.0f} m off{hint_en}",
                        subject=f"tracks/{ref}@{p['recorded_at']}",
                        scenario=scenario.get(ref),
                        expected={"lon": p["lon"], "lat": p["lat"]},
                        actual={"lon": q["lon"], "lat": q["lat"]},
                        data={"distance_m": round(d, 1)},
                    )
                )
    return Judgement(
        findings=findings,
        metrics={"fixes_compared": compared, "max_offset_m": round(worst, 1)},
        summary_en=f"{compared} fixes compared, largest offset {worst:.1f} m",
        summary_zh=f"比对 {compared} 个轨迹点，最大偏移 {worst:.1f} 米",
        skipped=compared == 0,
    )


def _second(text: str) -> str:
    return datetime.fromisoformat(text).astimezone(UTC).replace(microsecond=0).isoformat()


@CHECKS.register(
    id="accuracy.lifecycle_order",
    title_zh="联单操作按法定顺序",
    title_en="Manifest actions in legal order",
    category=Category.ACCURACY,
    severity=Severity.CRITICAL,
    points=10,
    clause="部令第23号 第十三条至第二十条（填写、确认、起运、接收/拒收、作废）",
)
def lifecycle_order(ctx: Context) -> Judgement:
    """No lifecycle action refused as illegal in its state, and the actions took effect in the business order."""
    findings: list[Evidence] = []
    for e in ctx.sut_entries:
        m = _ACTION_PATH.match(e.get("path") or "")
        if m and e.get("status") == 409 and e.get("code") != "idempotency.in_flight":
            findings.append(
                Evidence(
                    code="lifecycle.illegal_transition",
                    message_zh=f"联单操作 {m.group(1)} 在当前状态下不合法（{e.get('code')}）",
                    message_en=f"Manifest action {m.group(1)} refused as illegal in its state ({e.get('code')})",
                    subject=e.get("path"),
                    data={"journal_id": e.get("id"), "code": e.get("code")},
                )
            )
    applied: dict[str, list[str]] = {}
    for o in ctx.observed:
        if o.event.startswith("manifest/"):
            _, ref, action = o.event.split("/")
            applied.setdefault(ref, []).append(action)
    for ref, actions in applied.items():
        ranks = [_ORDER[a.rstrip("0123456789")] for a in actions]
        if ranks != sorted(ranks):
            findings.append(
                Evidence(
                    code="lifecycle.reordered",
                    message_zh="联单操作生效顺序与业务顺序不符",
                    message_en="Manifest actions took effect out of business order",
                    subject=f"manifest/{ref}",
                    actual=actions,
                )
            )
    return Judgement(findings=findings, metrics={"manifests": len(applied)})


@CHECKS.register(
    id="accuracy.scenario_outcomes",
    title_zh="场景的国家侧结果符合预期",
    title_en="Each scenario's national outcome as declared",
    category=Category.ACCURACY,
    severity=Severity.MAJOR,
    points=10,
    clause="场景定义（状态、重大差异、轨迹点数、分段运输、跨省审批）",
)
def scenario_outcomes(ctx: Context) -> Judgement:
    """Declared outcomes (status, 重大差异 flag, track points, legs, approval) and events the SUT could not perform."""
    findings = [
        Evidence(
            code="scenario.outcome",
            message_zh=f"{what} 应为 {expected!r}，国家系统为 {actual!r}",
            message_en=f"{what} should be {expected!r}; the national side shows {actual!r}",
            subject=subject,
            scenario=scenario,
            expected=expected,
            actual=actual,
        )
        for scenario, subject, what, expected, actual in ctx.outcome_findings
    ]
    findings += [
        Evidence(
            code="scenario.event_not_performed",
            message_zh=f"被测系统未能执行业务事件 {event}：{message}",
            message_en=f"The system under test did not perform {event}: {message}",
            subject=event,
            scenario=scenario,
        )
        for scenario, event, message in ctx.event_failures
    ]
    return Judgement(findings=findings)


@CHECKS.register(
    id="accuracy.labels_linked",
    title_zh="联单容器与标签关联",
    title_en="Every container on a manifest carries a label of the shipper with the same waste code",
    category=Category.ACCURACY,
    severity=Severity.MAJOR,
    points=5,
    clause="HJ 1276-2022；生态环境部公告：转移联单与容器标签关联",
)
def labels_linked(ctx: Context) -> Judgement:
    """Per national manifest line: as many labels as containers, each issued to the shipper for the line's code."""
    labels = {k: v[-1] for k, v in ctx.national.get("labels", {}).items()}
    findings: list[Evidence] = []
    lines = 0
    for ref in ctx.truth.get("manifests", {}):
        for m in ctx.national.get("manifests", {}).get(ref, [])[-1:]:
            for item in m.get("items", []):
                lines += 1
                ids = item.get("label_ids") or []
                if len(ids) != item.get("package_count"):
                    findings.append(_link(ref, item, "label_link.count", len(ids), item.get("package_count")))
                for label_id in ids:
                    lab = labels.get(label_id)
                    if lab is None:
                        findings.append(_link(ref, item, "label_link.unknown", label_id, None))
                    elif (
                        lab.get("producer_uscc") != m["shipper"]["uscc"] or lab.get("waste_code") != item["waste_code"]
                    ):
                        findings.append(
                            _link(
                                ref,
                                item,
                                "label_link.mismatch",
                                [m["shipper"]["uscc"], item["waste_code"]],
                                [lab.get("producer_uscc"), lab.get("waste_code")],
                            )
                        )
    return Judgement(findings=findings, metrics={"manifest_lines": lines}, skipped=lines == 0)


def _link(ref: str, item: dict[str, Any], code: str, expected: Any, actual: Any) -> Evidence:
    return Evidence(
        code=code,
        message_zh=f"联单第 {item.get('line_no')} 行的容器标签未正确关联",
        message_en=f"Container labels of manifest line {item.get('line_no')} are not linked correctly",
        subject=f"manifest/{ref}#{item.get('line_no')}",
        expected=expected,
        actual=actual,
    )
