"""The compact console summary of a run: verdict, score, checks, first findings, scenarios, identities.

Every text from the run is passed as a ``rich.text.Text`` (never as markup), so a finding holding
square brackets or other markup-like text prints as it is.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from conformance.suite.model import Level, Outcome, RunResult

from .serial import OUTCOME_ZH, compact

__all__ = ["console_summary"]

_LEVEL_STYLE = {Level.PASS: "bold green", Level.CONDITIONAL: "bold yellow", Level.FAIL: "bold red"}
_OUTCOME_STYLE = {
    Outcome.PASS: "green",
    Outcome.FAIL: "bold red",
    Outcome.WAIVED: "yellow",
    Outcome.SKIPPED: "dim",
    Outcome.ERROR: "bold magenta",
}
# How many findings of each failed check to print; the HTML certificate has them all.
_FIRST = 3


def _outcome(outcome: Outcome) -> Text:
    return Text(f"{OUTCOME_ZH[outcome]} {outcome.value}", style=_OUTCOME_STYLE[outcome])


def _checks_table(run: RunResult) -> Table:
    table = Table(title="检查项 checks", expand=False)
    table.add_column("检查 check", no_wrap=True)
    table.add_column("类别 category", no_wrap=True)
    table.add_column("严重 severity", no_wrap=True)
    table.add_column("结果 outcome", no_wrap=True)
    table.add_column("扣分 points", justify="right", no_wrap=True)
    for check in run.checks:
        spec = check.spec
        points = f"-{check.deducted}" if check.deducted else ("+" + str(check.bonus) if check.bonus else "0")
        table.add_row(
            Text(spec.id),
            Text(f"{spec.category.zh} {spec.category.value}"),
            Text(spec.severity.value, style="bold" if spec.severity.value == "critical" else ""),
            _outcome(check.outcome),
            Text(points),
        )
    return table


def _scenario_table(run: RunResult) -> Table:
    table = Table(title="场景 scenarios", expand=False)
    table.add_column("场景 scenario", no_wrap=True)
    table.add_column("结果 outcome", no_wrap=True)
    table.add_column("事件 events", justify="right")
    table.add_column("记录 records", justify="right")
    table.add_column("用时 s", justify="right")
    table.add_column("未通过 failed checks", overflow="fold")
    for s in run.scenarios:
        table.add_row(
            Text(s.name),
            _outcome(s.outcome),
            str(s.events),
            f"{s.observed_records}/{s.expected_records}",
            f"{s.duration_s:.2f}",
            Text(", ".join(s.failed_checks)),
        )
    return table


def console_summary(run: RunResult, console: Console) -> None:
    """Print the run's verdict, score, check and scenario tables, first findings of failed checks and identities."""
    score, ident = run.score, run.identity
    verdict = Text.assemble(
        ("结论 level: ", "bold"), (f"{score.level.zh} {score.level.value}", _LEVEL_STYLE[score.level])
    )
    console.print(verdict)
    console.print(
        Text(
            f"得分 score: {score.total} = {score.base} − {score.deducted} (扣分 deductions) + {score.bonus} (加分 bonuses)"
            f" · 合格 pass ≥ {score.pass_at}, 基本合格 conditional ≥ {score.conditional_at}"
        )
    )
    if score.critical_failures:
        console.print(Text("严重项未通过 critical failures: " + ", ".join(score.critical_failures), style="bold red"))
    console.print(_checks_table(run))
    for check in run.checks:
        if check.outcome not in (Outcome.FAIL, Outcome.ERROR) or not check.findings:
            continue
        console.print(Text(f"{check.spec.id} — {check.spec.title_zh} / {check.spec.title_en}", style="bold"))
        for f in check.findings[:_FIRST]:
            where = " ".join(x for x in (f.code, f.subject, f.scenario and f"@{f.scenario}") if x)
            line = f"  {where}: {f.message_zh} / {f.message_en}"
            if f.expected is not None or f.actual is not None:
                line += f" (expected {compact(f.expected)}, actual {compact(f.actual)})"
            console.print(Text(line), soft_wrap=True)
        if len(check.findings) > _FIRST:
            console.print(Text(f"  … {len(check.findings) - _FIRST} more 更多", style="dim"))
    if run.scenarios:
        console.print(_scenario_table(run))
    for error in run.harness_errors:
        console.print(Text(f"测试工具错误 harness error: {error}", style="bold magenta"), soft_wrap=True)
    console.print(
        Text(
            f"run {ident.run_id} · suite {ident.suite_version} · contract {ident.contract_version} · "
            f"SUT {ident.sut_name} {ident.sut_version} · profile {ident.profile} · seed {ident.seed}",
            style="dim",
        ),
        soft_wrap=True,
    )
