"""The HTML certificate: one self-contained file, Chinese and English side by side, viewable offline.

No external resource of any kind (no CDN, web font, image or script URL): styles are inline and
figures are inline SVG, so the certificate can be archived, mailed or opened on an isolated network
and still look the same. Every value from the run is escaped. The page is built as a list of parts
joined once, so a run with thousands of findings renders in linear time.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from conformance.suite.model import Level, RunResult

from ._css import CSS
from ._markup import badge, bi, esc, row
from .html_checks import categories_section, checks_section
from .svg import completeness_svg, fmt_seconds, latency_histogram_svg, percentile

__all__ = ["render_html", "write_html"]

_LEVEL_EN = {Level.PASS: "PASS", Level.CONDITIONAL: "CONDITIONAL PASS", Level.FAIL: "FAIL"}


def _when(moment: datetime | None) -> str:
    return esc(moment.isoformat(timespec="seconds")) if moment else "—"


def _header(run: RunResult) -> Iterable[str]:
    ident, score = run.identity, run.score
    yield f'<header class="lv-{score.level.value}"><div>'
    yield f"<h1>{bi('危险废物信息系统联网合规证书', 'Hazardous-waste integration conformance certificate')}</h1>"
    yield f'<p class="sut"><strong>{esc(ident.sut_name)}</strong> {esc(ident.sut_version)}</p>'
    yield f"<p>{bi('实时、准确、完整', 'real-time, accurate, complete')}</p></div>"
    yield f'<div class="level" data-level="{score.level.value}">{bi(score.level.zh, _LEVEL_EN[score.level])}</div>'
    yield '<table class="score">'
    yield row([bi("基础分", "base"), bi("扣分", "deductions"), bi("加分", "bonuses"), bi("总分", "total")], head=True)
    yield (
        f'<tr><td class="base">{score.base}</td><td class="deducted">−{score.deducted}</td>'
        f'<td class="bonus">+{score.bonus}</td><td class="total">{score.total}</td></tr>'
    )
    yield (
        f'<tr><td colspan="4">{bi("合格", "pass")} ≥ {score.pass_at} · '
        f"{bi('基本合格', 'conditional')} ≥ {score.conditional_at}</td></tr>"
    )
    if score.critical_failures:
        failed = ", ".join(f"<code>{esc(c)}</code>" for c in score.critical_failures)
        yield f'<tr><td colspan="4">{bi("严重项未通过", "critical failures")}: {failed}</td></tr>'
    yield "</table></header>"


def _identity(run: RunResult) -> Iterable[str]:
    ident = run.identity
    editions = ", ".join(f"{esc(k)} {esc(v)}" for k, v in sorted(ident.code_lists.items())) or "—"
    rows = [
        (bi("被测系统", "system under test"), f"{esc(ident.sut_name)} {esc(ident.sut_version)}"),
        (bi("测试套件版本", "suite version"), esc(ident.suite_version)),
        (bi("接口规范版本", "contract version"), esc(ident.contract_version)),
        (bi("代码表版本", "code-list editions"), editions),
        (bi("配置", "profile"), esc(ident.profile)),
        (bi("模式", "mode"), esc(ident.mode)),
        (bi("随机种子", "seed"), esc(ident.seed)),
        (bi("运行编号", "run id"), f"<code>{esc(ident.run_id)}</code>"),
        (bi("开始", "started"), _when(ident.started_at)),
        (bi("结束", "finished"), _when(ident.finished_at)),
    ]
    yield f'<section id="identity"><h2>{bi("标识", "Identity")}</h2><table class="identity">'
    yield from (row([k, v]) for k, v in rows)
    yield "</table></section>"


def _scenarios(run: RunResult) -> Iterable[str]:
    yield f'<section id="scenarios"><h2>{bi("场景", "Scenarios")}</h2>'
    if not run.scenarios:
        yield f"<p>{bi('无场景', 'no scenarios')}</p></section>"
        return
    yield '<table class="scenarios">'
    heads = [("场景", "scenario"), ("标题", "title"), ("结果", "outcome"), ("事件", "events"), ("应有记录", "expected")]
    heads += [("实有记录", "observed"), ("用时 s", "duration s"), ("未通过检查", "failed checks"), ("备注", "notes")]
    yield row([bi(zh, en) for zh, en in heads], head=True)
    for s in run.scenarios:
        cells = [
            f"<code>{esc(s.name)}</code>",
            bi(s.title_zh, s.title_en),
            badge(s.outcome),
            str(s.events),
            str(s.expected_records),
            str(s.observed_records),
            f"{s.duration_s:.2f}",
            "<br>".join(f"<code>{esc(c)}</code>" for c in s.failed_checks),
            "<br>".join(esc(n) for n in s.notes),
        ]
        yield row(cells, classes=["", "", "", "num", "num", "num", "num", "", ""])
    yield "</table></section>"


def _latency(run: RunResult) -> Iterable[str]:
    yield f'<section id="latency"><h2>{bi("实时性：时延分布", "Timeliness: latency")}</h2>'
    values = run.latencies_s
    if not values:
        yield f"<p>{bi('无时延数据', 'no latency samples')}</p></section>"
        return
    yield '<table class="latency">'
    yield row(["", "p50", "p95", "max"], head=True)
    observed = [percentile(values, q) for q in (50, 95, 100)]
    yield row(
        [bi("实测", "observed"), *(f"{fmt_seconds(v or 0)} s" for v in observed)], classes=["", "num", "num", "num"]
    )
    if run.sla:
        limits = [run.sla.get("p95_s"), run.sla.get("max_s")]
        cells = ["—", *(f"≤ {fmt_seconds(v)} s" if v is not None else "—" for v in limits)]
        yield row([bi("要求", "SLA"), *cells], classes=["", "num", "num", "num"])
    yield "</table>"
    yield f"<figure>{latency_histogram_svg(values, run.sla)}<figcaption>{bi('记录数按时延分布（事件→国家系统受理）', 'records by latency (event → national acceptance)')}</figcaption></figure>"
    yield "</section>"


def _completeness(run: RunResult) -> Iterable[str]:
    yield f'<section id="completeness"><h2>{bi("完整性", "Completeness")}</h2>'
    if not run.completeness:
        yield f"<p>{bi('无完整性数据', 'no completeness figures')}</p></section>"
        return
    kinds = ["expected", "present", "lost", "duplicated", "unexpected"]
    zh = ["应有", "已有", "丢失", "重复", "多余"]
    yield '<table class="completeness">'
    yield row([bi("资源", "resource"), *(bi(z, k) for z, k in zip(zh, kinds, strict=True))], head=True)
    for resource in sorted(run.completeness):
        figures = run.completeness[resource]
        yield row([esc(resource), *(str(figures.get(k, 0)) for k in kinds)], classes=["", *["num"] * len(kinds)])
    yield f"</table><figure>{completeness_svg(run.completeness)}</figure></section>"


def _harness(run: RunResult) -> Iterable[str]:
    if run.harness_errors:
        yield f'<section id="harness"><h2>{bi("测试工具错误", "Harness errors")}</h2><ul class="errors">'
        yield from (f"<li><pre>{esc(e)}</pre></li>" for e in run.harness_errors)
        yield "</ul></section>"


def render_html(run: RunResult) -> str:
    """The certificate of ``run`` as one HTML document (UTF-8 text, no external references)."""
    ident = run.identity
    # Waivers are judged as of the run's end: that is the day the certificate speaks for.
    today = (ident.finished_at or ident.started_at).date()
    title = f"{ident.sut_name} {ident.sut_version} — {run.score.level.zh} {run.score.total}"
    parts = [
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body>",
    ]
    for section in (
        _header(run),
        _identity(run),
        categories_section(run.checks),
        checks_section(run.checks, today),
        _scenarios(run),
        _latency(run),
        _completeness(run),
        _harness(run),
    ):
        parts.extend(section)
    parts.append(
        f"<footer>{bi('由 hazlink 一致性测试套件生成', 'Generated by the hazlink conformance suite')} · "
        f"<code>{esc(ident.run_id)}</code></footer></body></html>\n"
    )
    return "".join(parts)


def write_html(run: RunResult, path: Path) -> None:
    """Write the certificate of ``run`` to ``path`` (UTF-8)."""
    Path(path).write_text(render_html(run), encoding="utf-8")
