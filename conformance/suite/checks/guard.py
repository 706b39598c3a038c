"""可靠, 安全 and 规范: outages and rate limits survived, requests signed, secrets kept, payloads valid."""

from __future__ import annotations

from collections import Counter

from ..context import Context
from ..model import Category, Evidence, Severity
from ..registry import CHECKS, Judgement

__all__: list[str] = []


@CHECKS.register(
    id="resilience.backlog_drained",
    title_zh="中断恢复后积压补传",
    title_en="Backlog drained after an outage, within the service level, without duplicates",
    category=Category.RESILIENCE,
    severity=Severity.MAJOR,
    points=10,
    clause="对接要求：实时、完整；中断恢复后补传",
)
def backlog_drained(ctx: Context) -> Judgement:
    """Records made during an outage arrive after it, within ``sla_max_s`` of its end, exactly once."""
    if not ctx.outages:
        return Judgement(skipped=True, summary_en="no outage was played", summary_zh="未进行中断场景")
    arrivals: dict[str, list[float]] = {}
    for o in ctx.observed:
        arrivals.setdefault(o.event, []).append(o.at)
    findings: list[Evidence] = []
    drained = 0.0
    during = [e for e in ctx.expectations if e.during_outage]
    for e in during:
        window = next((w for w in ctx.outages if w.start <= e.at and (w.end is None or e.at <= w.end)), None)
        end = window.end if window and window.end is not None else e.at
        seen = arrivals.get(e.event)
        if not seen:
            findings.append(
                Evidence(
                    code="backlog.not_backfilled",
                    message_zh="中断期间产生的记录在恢复后未补传",
                    message_en="A record made during the outage was never sent after it",
                    subject=e.event,
                    scenario=e.scenario,
                )
            )
            continue
        drained = max(drained, seen[0] - end)
        if seen[0] - end > ctx.profile.sla_max_s:
            findings.append(
                Evidence(
                    code="backlog.slow",
                    message_zh=f"恢复后 {seen[0] - end:.1f} 秒才补传",
                    message_en=f"Sent {seen[0] - end:.1f} s after the outage ended",
                    subject=e.event,
                    scenario=e.scenario,
                    expected=ctx.profile.sla_max_s,
                    actual=round(seen[0] - end, 3),
                )
            )
        if len(seen) > 1:
            findings.append(
                Evidence(
                    code="backlog.duplicated",
                    message_zh="补传产生重复",
                    message_en="The backfill duplicated a record",
                    subject=e.event,
                    scenario=e.scenario,
                    actual=len(seen),
                )
            )
    return Judgement(
        findings=findings,
        metrics={"outages": len(ctx.outages), "records_during_outage": len(during), "drain_s": round(drained, 3)},
        summary_en=f"{len(during)} records made during {len(ctx.outages)} outage(s); drained {drained:.1f} s after",
        summary_zh=f"{len(ctx.outages)} 次中断期间产生 {len(during)} 条记录，恢复后 {drained:.1f} 秒补传完毕",
        skipped=not during,
    )


@CHECKS.register(
    id="resilience.retry_after",
    title_zh="遵守 Retry-After",
    title_en="Retries honour Retry-After",
    category=Category.RESILIENCE,
    severity=Severity.MAJOR,
    points=5,
    clause="RFC 9110 10.2.3；对接规范 限流",
)
def retry_after(ctx: Context) -> Judgement:
    """No request came back before the time a 429 told the SUT to wait."""
    told = sum(1 for e in ctx.sut_entries if e.get("status") == 429)
    early = [e for e in ctx.sut_entries if e.get("early_retry")]
    findings = [
        Evidence(
            code="retry.too_early",
            message_zh="在 Retry-After 规定时间前重试",
            message_en="Retried before the time Retry-After gave",
            subject=f"{e.get('method')} {e.get('path')}",
            data={"journal_id": e.get("id")},
        )
        for e in early
    ]
    return Judgement(findings=findings, metrics={"told_to_wait": told, "early_retries": len(early)}, skipped=not told)


@CHECKS.register(
    id="security.signatures",
    title_zh="请求签名正确",
    title_en="Requests correctly signed",
    category=Category.SECURITY,
    severity=Severity.CRITICAL,
    points=10,
    clause="对接规范 认证：HMAC-SM3 签名、时间戳、随机数",
)
def signatures(ctx: Context) -> Judgement:
    """No request of the SUT's key was refused for its signature, timestamp or nonce."""
    refused = [e for e in ctx.sut_entries if e.get("status") == 401]
    codes = Counter(str(e.get("code")) for e in refused)
    findings = [
        Evidence(
            code=code,
            message_zh=f"{n} 个请求认证失败（{code}）",
            message_en=f"{n} requests failed authentication ({code})",
            actual=n,
        )
        for code, n in sorted(codes.items())
    ]
    return Judgement(findings=findings, metrics={"requests": len(ctx.sut_entries), "refused": len(refused)})


@CHECKS.register(
    id="security.secret_kept",
    title_zh="密钥不外泄",
    title_en="The app secret is never sent anywhere",
    category=Category.SECURITY,
    severity=Severity.CRITICAL,
    points=10,
    clause="对接规范 认证：密钥仅用于签名",
)
def secret_kept(ctx: Context) -> Judgement:
    """The secret never travels in clear to the national side, nor back in the driver's answers."""
    findings = [
        Evidence(
            code="secret.sent_in_clear",
            message_zh="请求中明文携带了密钥",
            message_en="A request carried the app secret in clear",
            subject=f"{e.get('method')} {e.get('path')}",
        )
        for e in ctx.sut_entries
        if e.get("disclosed")
    ]
    if any(ctx.secret in text for text in ctx.driver_answers):
        findings.append(
            Evidence(
                code="secret.in_driver_answer",
                message_zh="被测系统的应答中出现密钥",
                message_en="The app secret appeared in an answer of the system under test",
            )
        )
    return Judgement(findings=findings)


@CHECKS.register(
    id="contract.payloads_valid",
    title_zh="报文符合国家接口规范",
    title_en="Every payload valid against the contract",
    category=Category.CONTRACT,
    severity=Severity.MAJOR,
    points=10,
    clause="国家接口规范 2024.1（OpenAPI）；HJ 1259-2022；HJ 1276-2022",
)
def payloads_valid(ctx: Context) -> Judgement:
    """No request refused as malformed or against the contract's rules (400, 413, 422), no record of a batch refused."""
    findings: list[Evidence] = []
    for e in ctx.sut_entries:
        if e.get("status") in (400, 413, 422):
            findings.append(
                Evidence(
                    code=str(e.get("code")),
                    message_zh=f"请求被拒绝：{e.get('code')}",
                    message_en=f"Request refused: {e.get('code')}",
                    subject=f"{e.get('method')} {e.get('path')}",
                    data={"journal_id": e.get("id"), "status": e.get("status")},
                )
            )
        for rec in e.get("records") or []:
            if rec.get("action") == "rejected":
                findings.append(
                    Evidence(
                        code="batch.record_rejected",
                        message_zh="批量中的记录被拒绝",
                        message_en="A record of a batch was refused",
                        subject=f"{rec.get('resource')}/{rec.get('key')}",
                        data={"journal_id": e.get("id")},
                    )
                )
    return Judgement(findings=findings, metrics={"requests": len(ctx.sut_entries)})
