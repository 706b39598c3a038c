"""The checks part of the HTML certificate: one ``<details>`` per check with its waiver and findings.

Each check is collapsible so a run with thousands of findings stays usable; failed and erroring
checks start open because they are what a reviewer looks for first.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from conformance.suite.model import Category, CheckResult, Evidence, Outcome, Waiver

from ._markup import badge, bi, esc, row

__all__ = ["categories_section", "checks_section"]


def _waiver(waiver: Waiver, expired: bool) -> str:
    scope = f" · 场景 scenario {esc(waiver.scenario)}" if waiver.scenario else ""
    if expired:
        head = (
            f'<span class="badge expired">{bi("豁免已过期", "waiver expired")}</span> {esc(waiver.expires.isoformat())}'
        )
    else:
        head = f"{bi('豁免', 'waived')} · {bi('有效期至', 'until')} {esc(waiver.expires.isoformat())}"
    return (
        f'<div class="waiver{" expired-w" if expired else ""}">{head}{scope}<br>'
        f"{bi('理由', 'reason')}: {esc(waiver.reason)} · {bi('批准人', 'approver')}: {esc(waiver.approver)}</div>"
    )


def _findings(findings: list[Evidence]) -> Iterable[str]:
    yield '<table class="findings">'
    yield row(
        [
            bi("代码", "code"),
            bi("说明", "message"),
            bi("对象", "subject"),
            bi("场景", "scenario"),
            bi("期望", "expected"),
            bi("实际", "actual"),
            bi("数据", "data"),
        ],
        head=True,
    )
    for f in findings:
        message = f'<span lang="zh-CN">{esc(f.message_zh)}</span><br><span lang="en">{esc(f.message_en)}</span>'
        data = esc(f.data) if f.data else ""
        cells = [
            f"<code>{esc(f.code)}</code>",
            message,
            esc(f.subject),
            esc(f.scenario),
            esc(f.expected),
            esc(f.actual),
        ]
        yield row([*cells, data], classes=["", "", "", "", "", "", "data"])
    yield "</table>"


def _check(check: CheckResult, today: date) -> Iterable[str]:
    spec = check.spec
    opened = " open" if check.outcome in (Outcome.FAIL, Outcome.ERROR) else ""
    points = f" · −{check.deducted}" if check.deducted else ""
    points += f" · +{check.bonus}" if check.bonus else ""
    yield (
        f'<details class="check" id="check-{esc(spec.id)}" data-outcome="{check.outcome.value}"{opened}><summary>'
        f"{badge(check.outcome)} <code>{esc(spec.id)}</code> {bi(spec.title_zh, spec.title_en)}{points}</summary>"
    )
    yield '<table class="spec">'
    yield row([bi("类别", "category"), bi(spec.category.zh, spec.category.value)])
    yield row([bi("严重程度", "severity"), esc(spec.severity.value)])
    yield row([bi("条款", "clause"), esc(spec.clause)])
    yield row([bi("分值", "points"), f"{bi('扣分', 'deduct')} {spec.points} · {bi('加分', 'bonus')} {spec.bonus}"])
    yield row(
        [bi("本次", "this run"), f"{bi('扣分', 'deducted')} {check.deducted} · {bi('加分', 'bonus')} {check.bonus}"]
    )
    if check.summary_zh or check.summary_en:
        yield row([bi("结论", "summary"), bi(check.summary_zh, check.summary_en)])
    if check.metrics:
        yield row([bi("指标", "metrics"), esc(check.metrics)])
    yield "</table>"
    if check.waiver is not None:
        yield _waiver(check.waiver, expired=not check.waiver.active(today))
    if check.expired_waiver is not None:
        yield _waiver(check.expired_waiver, expired=True)
    if check.findings:
        yield f"<p>{bi('发现', 'findings')}: {len(check.findings)}</p>"
        yield from _findings(check.findings)
    yield "</details>"


def checks_section(checks: list[CheckResult], today: date) -> Iterable[str]:
    """Every check with its spec, waiver (active or expired as of ``today``) and every finding."""
    yield f'<section id="checks"><h2>{bi("检查项", "Checks")}</h2>'
    for check in checks:
        yield from _check(check, today)
    yield "</section>"


def categories_section(checks: list[CheckResult]) -> Iterable[str]:
    """A row per category: how many checks, by outcome, and the points they deducted or added."""
    yield f'<section id="categories"><h2>{bi("分类汇总", "By category")}</h2><table class="categories">'
    outcomes = list(Outcome)
    yield row(
        [
            bi("类别", "category"),
            bi("检查", "checks"),
            *(badge(o) for o in outcomes),
            bi("扣分", "deducted"),
            bi("加分", "bonus"),
        ],
        head=True,
    )
    for category in Category:
        mine = [c for c in checks if c.spec.category is category]
        counts = [str(sum(c.outcome is o for c in mine)) for o in outcomes]
        cells = [
            bi(category.zh, category.value),
            str(len(mine)),
            *counts,
            str(sum(c.deducted for c in mine)),
            str(sum(c.bonus for c in mine)),
        ]
        yield row(cells, classes=["", *["num"] * (len(cells) - 1)])
    yield "</table></section>"
